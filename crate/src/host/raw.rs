//! The raw layouts of `new_value` and `value_read` (docs/ABI.md): a value's fields as plain
//! little-endian numbers, in the same order as Godot's binary format but without its header.
//! `f32` for real_t and Color components, `i32` for integer vectors, UTF-8 for strings, and the
//! element array for Packed*Arrays. BOOL is one byte, INT an `i64`, FLOAT an `f64`, RID a `u64`.

use super::fail::{fail, Fail};
use super::value::Value;
use crate::abi::AbiError;
use crate::variant::{
    type_id as t, Aabb, Basis, Color, NodePath, Plane, Projection, Quaternion, Rect2, Rect2i,
    Transform2D, Transform3D, Variant, Vector2, Vector2i, Vector3, Vector3i, Vector4, Vector4i,
};
use std::cell::RefCell;
use std::rc::Rc;

/// A guest's Variant type id, checked (`bad_value` outside the Variant types).
pub fn variant_type(ty: i32) -> Result<u32, Fail> {
    u32::try_from(ty)
        .ok()
        .filter(|&ty| ty < t::VARIANT_MAX)
        .ok_or_else(|| Fail::new(AbiError::BadValue, format!("{ty} is not a Variant type")))
}

/// Builds a value of Variant type `ty` from its raw fields.
pub fn from_raw(ty: i32, bytes: &[u8]) -> Result<Value, Fail> {
    let ty = variant_type(ty)?;
    let plain = |v: Variant| Ok(Value::Plain(v));
    let packed = |v: Variant| Ok(Value::Packed(Rc::new(RefCell::new(v))));
    match ty {
        t::NIL => {
            exact(bytes, 0, ty)?;
            plain(Variant::Nil)
        }
        t::BOOL => plain(Variant::Bool(exact(bytes, 1, ty)?[0] != 0)),
        t::INT => plain(Variant::Int(i64::from_le_bytes(array(exact(
            bytes, 8, ty,
        )?)))),
        t::FLOAT => plain(Variant::Float(f64::from_le_bytes(array(exact(
            bytes, 8, ty,
        )?)))),
        t::RID => plain(Variant::Rid(u64::from_le_bytes(array(exact(
            bytes, 8, ty,
        )?)))),
        t::STRING => plain(Variant::String(utf8(bytes)?)),
        t::STRING_NAME => plain(Variant::StringName(utf8(bytes)?)),
        t::NODE_PATH => plain(Variant::NodePath(Box::new(parse_node_path(&utf8(bytes)?)))),
        t::VECTOR2 => plain(Variant::Vector2(vec2(&f32s::<2>(bytes, ty)?))),
        t::VECTOR2I => plain(Variant::Vector2i(vec2i(&i32s::<2>(bytes, ty)?))),
        t::RECT2 => {
            let f = f32s::<4>(bytes, ty)?;
            plain(Variant::Rect2(Rect2 {
                position: vec2(&f[0..2]),
                size: vec2(&f[2..4]),
            }))
        }
        t::RECT2I => {
            let i = i32s::<4>(bytes, ty)?;
            plain(Variant::Rect2i(Rect2i {
                position: vec2i(&i[0..2]),
                size: vec2i(&i[2..4]),
            }))
        }
        t::VECTOR3 => plain(Variant::Vector3(vec3(&f32s::<3>(bytes, ty)?))),
        t::VECTOR3I => {
            let i = i32s::<3>(bytes, ty)?;
            plain(Variant::Vector3i(Vector3i {
                x: i[0],
                y: i[1],
                z: i[2],
            }))
        }
        t::TRANSFORM2D => {
            let f = f32s::<6>(bytes, ty)?;
            plain(Variant::Transform2D(Transform2D {
                columns: [vec2(&f[0..2]), vec2(&f[2..4]), vec2(&f[4..6])],
            }))
        }
        t::VECTOR4 => plain(Variant::Vector4(vec4(&f32s::<4>(bytes, ty)?))),
        t::VECTOR4I => {
            let i = i32s::<4>(bytes, ty)?;
            plain(Variant::Vector4i(Vector4i {
                x: i[0],
                y: i[1],
                z: i[2],
                w: i[3],
            }))
        }
        t::PLANE => {
            let f = f32s::<4>(bytes, ty)?;
            plain(Variant::Plane(Plane {
                normal: vec3(&f[0..3]),
                d: f[3],
            }))
        }
        t::QUATERNION => {
            let f = f32s::<4>(bytes, ty)?;
            plain(Variant::Quaternion(Quaternion {
                x: f[0],
                y: f[1],
                z: f[2],
                w: f[3],
            }))
        }
        t::AABB => {
            let f = f32s::<6>(bytes, ty)?;
            plain(Variant::Aabb(Aabb {
                position: vec3(&f[0..3]),
                size: vec3(&f[3..6]),
            }))
        }
        t::BASIS => plain(Variant::Basis(basis(&f32s::<9>(bytes, ty)?))),
        t::TRANSFORM3D => {
            let f = f32s::<12>(bytes, ty)?;
            plain(Variant::Transform3D(Box::new(Transform3D {
                basis: basis(&f[0..9]),
                origin: vec3(&f[9..12]),
            })))
        }
        t::PROJECTION => {
            let f = f32s::<16>(bytes, ty)?;
            plain(Variant::Projection(Box::new(Projection {
                columns: [
                    vec4(&f[0..4]),
                    vec4(&f[4..8]),
                    vec4(&f[8..12]),
                    vec4(&f[12..16]),
                ],
            })))
        }
        t::COLOR => plain(Variant::Color(color(&f32s::<4>(bytes, ty)?))),
        t::PACKED_BYTE_ARRAY => packed(Variant::PackedByteArray(bytes.to_vec())),
        t::PACKED_INT32_ARRAY => packed(Variant::PackedInt32Array(elements(bytes, ty, |c| {
            i32::from_le_bytes(array(c))
        })?)),
        t::PACKED_INT64_ARRAY => packed(Variant::PackedInt64Array(elements(bytes, ty, |c| {
            i64::from_le_bytes(array(c))
        })?)),
        t::PACKED_FLOAT32_ARRAY => packed(Variant::PackedFloat32Array(elements(bytes, ty, |c| {
            f32::from_le_bytes(array(c))
        })?)),
        t::PACKED_FLOAT64_ARRAY => packed(Variant::PackedFloat64Array(elements(bytes, ty, |c| {
            f64::from_le_bytes(array(c))
        })?)),
        t::PACKED_VECTOR2_ARRAY => packed(Variant::PackedVector2Array(elements(bytes, ty, |c| {
            vec2(&f32_fields(c))
        })?)),
        t::PACKED_VECTOR3_ARRAY => packed(Variant::PackedVector3Array(elements(bytes, ty, |c| {
            vec3(&f32_fields(c))
        })?)),
        t::PACKED_COLOR_ARRAY => packed(Variant::PackedColorArray(elements(bytes, ty, |c| {
            color(&f32_fields(c))
        })?)),
        t::PACKED_VECTOR4_ARRAY => packed(Variant::PackedVector4Array(elements(bytes, ty, |c| {
            vec4(&f32_fields(c))
        })?)),
        _ => fail(
            AbiError::WrongType,
            format!(
                "type {ty} has no raw layout; build it with array_new/dict_new or var_from_bytes"
            ),
        ),
    }
}

/// Writes a value's raw fields (appending to `out`).
pub fn to_raw(value: &Value, out: &mut Vec<u8>) -> Result<(), Fail> {
    match value {
        Value::Plain(v) => plain_to_raw(v, out),
        Value::Packed(p) => plain_to_raw(&p.borrow(), out),
        other => fail(
            AbiError::WrongType,
            format!(
                "type {} has no raw layout; use array_*/dict_* or var_to_bytes",
                other.type_id()
            ),
        ),
    }
}

fn plain_to_raw(v: &Variant, out: &mut Vec<u8>) -> Result<(), Fail> {
    let f32s = |out: &mut Vec<u8>, fs: &[f32]| fs.iter().for_each(|f| out.extend(f.to_le_bytes()));
    let i32s = |out: &mut Vec<u8>, is: &[i32]| is.iter().for_each(|i| out.extend(i.to_le_bytes()));
    match v {
        Variant::Nil => {}
        Variant::Bool(b) => out.push(u8::from(*b)),
        Variant::Int(i) => out.extend(i.to_le_bytes()),
        Variant::Float(f) => out.extend(f.to_le_bytes()),
        Variant::Rid(r) => out.extend(r.to_le_bytes()),
        Variant::String(s) | Variant::StringName(s) => out.extend(s.as_bytes()),
        Variant::NodePath(p) => out.extend(node_path_string(p).as_bytes()),
        Variant::Vector2(v) => f32s(out, &[v.x, v.y]),
        Variant::Vector2i(v) => i32s(out, &[v.x, v.y]),
        Variant::Rect2(r) => f32s(out, &[r.position.x, r.position.y, r.size.x, r.size.y]),
        Variant::Rect2i(r) => i32s(out, &[r.position.x, r.position.y, r.size.x, r.size.y]),
        Variant::Vector3(v) => f32s(out, &[v.x, v.y, v.z]),
        Variant::Vector3i(v) => i32s(out, &[v.x, v.y, v.z]),
        Variant::Transform2D(t) => t.columns.iter().for_each(|c| f32s(out, &[c.x, c.y])),
        Variant::Vector4(v) => f32s(out, &[v.x, v.y, v.z, v.w]),
        Variant::Vector4i(v) => i32s(out, &[v.x, v.y, v.z, v.w]),
        Variant::Plane(p) => f32s(out, &[p.normal.x, p.normal.y, p.normal.z, p.d]),
        Variant::Quaternion(q) => f32s(out, &[q.x, q.y, q.z, q.w]),
        Variant::Aabb(a) => f32s(
            out,
            &[
                a.position.x,
                a.position.y,
                a.position.z,
                a.size.x,
                a.size.y,
                a.size.z,
            ],
        ),
        Variant::Basis(b) => b.rows.iter().for_each(|r| f32s(out, &[r.x, r.y, r.z])),
        Variant::Transform3D(t) => {
            t.basis
                .rows
                .iter()
                .for_each(|r| f32s(out, &[r.x, r.y, r.z]));
            f32s(out, &[t.origin.x, t.origin.y, t.origin.z]);
        }
        Variant::Projection(p) => p
            .columns
            .iter()
            .for_each(|c| f32s(out, &[c.x, c.y, c.z, c.w])),
        Variant::Color(c) => f32s(out, &[c.r, c.g, c.b, c.a]),
        Variant::PackedByteArray(b) => out.extend(b),
        Variant::PackedInt32Array(v) => i32s(out, v),
        Variant::PackedInt64Array(v) => v.iter().for_each(|i| out.extend(i.to_le_bytes())),
        Variant::PackedFloat32Array(v) => f32s(out, v),
        Variant::PackedFloat64Array(v) => v.iter().for_each(|f| out.extend(f.to_le_bytes())),
        Variant::PackedVector2Array(v) => v.iter().for_each(|e| f32s(out, &[e.x, e.y])),
        Variant::PackedVector3Array(v) => v.iter().for_each(|e| f32s(out, &[e.x, e.y, e.z])),
        Variant::PackedColorArray(v) => v.iter().for_each(|c| f32s(out, &[c.r, c.g, c.b, c.a])),
        Variant::PackedVector4Array(v) => v.iter().for_each(|e| f32s(out, &[e.x, e.y, e.z, e.w])),
        other => {
            return fail(
                AbiError::WrongType,
                format!(
                    "type {} has no raw layout; use var_to_bytes",
                    other.type_id()
                ),
            )
        }
    }
    Ok(())
}

/// Size in bytes of one raw element of a Packed*Array type (`None`: no fixed size).
pub fn element_size(ty: u32) -> Option<usize> {
    Some(match ty {
        t::PACKED_BYTE_ARRAY => 1,
        t::PACKED_INT32_ARRAY | t::PACKED_FLOAT32_ARRAY => 4,
        t::PACKED_INT64_ARRAY | t::PACKED_FLOAT64_ARRAY | t::PACKED_VECTOR2_ARRAY => 8,
        t::PACKED_VECTOR3_ARRAY => 12,
        t::PACKED_COLOR_ARRAY | t::PACKED_VECTOR4_ARRAY => 16,
        _ => return None,
    })
}

/// Godot's text form of a NodePath (`"/root/a/b:prop:sub"`).
pub fn node_path_string(p: &NodePath) -> String {
    let mut s = String::new();
    if p.absolute {
        s.push('/');
    }
    s.push_str(&p.names.join("/"));
    for sub in &p.subnames {
        s.push(':');
        s.push_str(sub);
    }
    s
}

/// Parses Godot's NodePath text form: names separated by `/`, then `:`-separated subnames.
pub fn parse_node_path(s: &str) -> NodePath {
    let absolute = s.starts_with('/');
    let body = s.trim_start_matches('/');
    let mut parts = body.split(':');
    let names = parts
        .next()
        .unwrap_or("")
        .split('/')
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .collect();
    let subnames = parts.filter(|n| !n.is_empty()).map(str::to_owned).collect();
    NodePath {
        names,
        subnames,
        absolute,
    }
}

fn exact(bytes: &[u8], len: usize, ty: u32) -> Result<&[u8], Fail> {
    if bytes.len() == len {
        Ok(bytes)
    } else {
        fail(
            AbiError::BadValue,
            format!(
                "type {ty} takes {len} bytes of raw fields, got {}",
                bytes.len()
            ),
        )
    }
}

fn utf8(bytes: &[u8]) -> Result<String, Fail> {
    String::from_utf8(bytes.to_vec()).map_err(|e| {
        Fail::new(
            AbiError::BadUtf8,
            format!("invalid UTF-8 at byte {}", e.utf8_error().valid_up_to()),
        )
    })
}

fn array<const N: usize>(bytes: &[u8]) -> [u8; N] {
    let mut a = [0; N];
    a.copy_from_slice(&bytes[..N]);
    a
}

fn f32s<const N: usize>(bytes: &[u8], ty: u32) -> Result<[f32; N], Fail> {
    let bytes = exact(bytes, N * 4, ty)?;
    let mut out = [0f32; N];
    for (o, c) in out.iter_mut().zip(bytes.chunks_exact(4)) {
        *o = f32::from_le_bytes(array(c));
    }
    Ok(out)
}

fn i32s<const N: usize>(bytes: &[u8], ty: u32) -> Result<[i32; N], Fail> {
    let bytes = exact(bytes, N * 4, ty)?;
    let mut out = [0i32; N];
    for (o, c) in out.iter_mut().zip(bytes.chunks_exact(4)) {
        *o = i32::from_le_bytes(array(c));
    }
    Ok(out)
}

/// Up to four `f32` fields of one packed element (no allocation per element).
fn f32_fields(bytes: &[u8]) -> [f32; 4] {
    let mut out = [0f32; 4];
    for (o, c) in out.iter_mut().zip(bytes.chunks_exact(4)) {
        *o = f32::from_le_bytes(array(c));
    }
    out
}

fn elements<T>(bytes: &[u8], ty: u32, parse: impl Fn(&[u8]) -> T) -> Result<Vec<T>, Fail> {
    let size = element_size(ty).expect("a packed type");
    if bytes.len() % size != 0 {
        return fail(
            AbiError::BadValue,
            format!(
                "{} bytes is not a whole number of {size}-byte elements",
                bytes.len()
            ),
        );
    }
    Ok(bytes.chunks_exact(size).map(parse).collect())
}

fn vec2(f: &[f32]) -> Vector2 {
    Vector2 { x: f[0], y: f[1] }
}

fn vec2i(i: &[i32]) -> Vector2i {
    Vector2i { x: i[0], y: i[1] }
}

fn vec3(f: &[f32]) -> Vector3 {
    Vector3 {
        x: f[0],
        y: f[1],
        z: f[2],
    }
}

fn vec4(f: &[f32]) -> Vector4 {
    Vector4 {
        x: f[0],
        y: f[1],
        z: f[2],
        w: f[3],
    }
}

fn color(f: &[f32]) -> Color {
    Color {
        r: f[0],
        g: f[1],
        b: f[2],
        a: f[3],
    }
}

fn basis(f: &[f32]) -> Basis {
    Basis {
        rows: [vec3(&f[0..3]), vec3(&f[3..6]), vec3(&f[6..9])],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::variant;

    /// Every fixed-layout type: raw bytes are exactly the codec's payload after its 4-byte
    /// header (the documented "same order as Godot's binary format").
    #[test]
    fn raw_layouts_match_the_binary_format_payload() {
        let fields: Vec<u8> = (1..=16u8)
            .flat_map(|i| f32::from(i).to_le_bytes())
            .collect();
        let ints: Vec<u8> = (1..=4i32).flat_map(i32::to_le_bytes).collect();
        let cases: &[(u32, &[u8])] = &[
            (t::VECTOR2, &fields[..8]),
            (t::RECT2, &fields[..16]),
            (t::VECTOR3, &fields[..12]),
            (t::TRANSFORM2D, &fields[..24]),
            (t::VECTOR4, &fields[..16]),
            (t::PLANE, &fields[..16]),
            (t::QUATERNION, &fields[..16]),
            (t::AABB, &fields[..24]),
            (t::BASIS, &fields[..36]),
            (t::TRANSFORM3D, &fields[..48]),
            (t::PROJECTION, &fields[..64]),
            (t::COLOR, &fields[..16]),
            (t::VECTOR2I, &ints[..8]),
            (t::RECT2I, &ints[..16]),
            (t::VECTOR3I, &ints[..12]),
            (t::VECTOR4I, &ints[..16]),
            (t::INT, &ints[..8]),
            (t::FLOAT, &fields[..8]),
        ];
        for (ty, bytes) in cases {
            let value = from_raw(*ty as i32, bytes).unwrap();
            assert_eq!(value.type_id(), *ty);
            let mut raw = Vec::new();
            to_raw(&value, &mut raw).unwrap();
            assert_eq!(&raw, bytes, "type {ty}");
            let encoded = variant::encode(&value.export().unwrap()).unwrap();
            assert_eq!(&encoded[4..], *bytes, "type {ty} payload");
        }
    }

    #[test]
    fn packed_arrays_and_strings_round_trip() {
        let three: Vec<u8> = (0..36u8).collect();
        for ty in [
            t::PACKED_BYTE_ARRAY,
            t::PACKED_INT32_ARRAY,
            t::PACKED_FLOAT32_ARRAY,
            t::PACKED_VECTOR3_ARRAY,
        ] {
            let v = from_raw(ty as i32, &three).unwrap();
            let mut raw = Vec::new();
            to_raw(&v, &mut raw).unwrap();
            assert_eq!(raw, three);
        }
        assert_eq!(
            from_raw(t::PACKED_COLOR_ARRAY as i32, &three)
                .unwrap_err()
                .code,
            AbiError::BadValue
        );
        for path in ["/root/a/b:c:d", "a", "", "x:y", "../up"] {
            let v = from_raw(t::NODE_PATH as i32, path.as_bytes()).unwrap();
            let mut raw = Vec::new();
            to_raw(&v, &mut raw).unwrap();
            assert_eq!(raw, path.as_bytes());
        }
        assert_eq!(
            from_raw(t::STRING_NAME as i32, &[0xc0]).unwrap_err().code,
            AbiError::BadUtf8
        );
        assert_eq!(
            from_raw(t::BOOL as i32, &[]).unwrap_err().code,
            AbiError::BadValue
        );
        for ty in [t::OBJECT, t::CALLABLE, t::SIGNAL, t::PACKED_STRING_ARRAY] {
            assert_eq!(
                from_raw(ty as i32, &[]).unwrap_err().code,
                AbiError::WrongType
            );
        }
    }
}
