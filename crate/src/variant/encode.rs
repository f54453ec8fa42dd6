//! `encode_variant` with `full_objects = false` on a single-precision engine, byte for byte.

use super::{type_id as t, ContainerType, Variant, VariantError, MAX_DEPTH};

/// Header bit 16: 64-bit payload for INT / FLOAT (and the math types in double builds).
pub(crate) const FLAG_64: u32 = 1 << 16;
/// Header bit 16 on OBJECT: the payload is an ObjectID, not a full object.
pub(crate) const FLAG_OBJECT_AS_ID: u32 = 1 << 16;
/// Container type kinds live in bits 16–17 (Array element, Dictionary key) and 18–19 (Dictionary
/// value).
pub(crate) const ARRAY_TYPE_SHIFT: u32 = 16;
pub(crate) const DICT_KEY_TYPE_SHIFT: u32 = 16;
pub(crate) const DICT_VALUE_TYPE_SHIFT: u32 = 18;
/// Godot keeps lengths and counts in `int32_t`.
const MAX_LEN: usize = i32::MAX as usize;

/// Encode `value` exactly as Godot 4's `var_to_bytes` would.
///
/// Fails only for values Godot itself cannot encode or read back: nesting deeper than
/// [`MAX_DEPTH`] (`too_deep`), a string or container longer than `i32::MAX` (`too_large`), or a
/// built-in container type number that is not a Variant type (`invalid_data`).
pub fn encode(value: &Variant) -> Result<Vec<u8>, VariantError> {
    let mut out = Vec::new();
    encode_into(value, &mut out)?;
    Ok(out)
}

/// Append the encoding of `value` to `out`. On error `out` is left with a partial encoding appended.
pub fn encode_into(value: &Variant, out: &mut Vec<u8>) -> Result<(), VariantError> {
    let start = out.len();
    Encoder { out, start }.value(value)
}

/// A container whose elements are still being written.
enum Open<'v> {
    Array(std::slice::Iter<'v, Variant>),
    /// Entries still to write, and the value of the entry whose key was just written.
    Dictionary(
        std::slice::Iter<'v, (Variant, Variant)>,
        Option<&'v Variant>,
    ),
}

/// The header word: type number plus the flags `encode_variant` sets.
fn header(v: &Variant) -> u32 {
    let mut header = v.type_id();
    match v {
        Variant::Int(i) if i32::try_from(*i).is_err() => header |= FLAG_64,
        // Exactly Godot's test `double(float(d)) != d`, so NaN is always written as a double.
        Variant::Float(d) if f64::from(*d as f32) != *d => header |= FLAG_64,
        // Godot writes an invalid (null) object as NIL.
        Variant::Object(0) => header = t::NIL,
        Variant::Object(_) => header |= FLAG_OBJECT_AS_ID,
        Variant::Array(a) => header |= container_kind(&a.element_type) << ARRAY_TYPE_SHIFT,
        Variant::Dictionary(d) => {
            header |= container_kind(&d.key_type) << DICT_KEY_TYPE_SHIFT;
            header |= container_kind(&d.value_type) << DICT_VALUE_TYPE_SHIFT;
        }
        _ => {}
    }
    header
}

struct Encoder<'a> {
    out: &'a mut Vec<u8>,
    /// Where this encoding began in `out`: padding and error offsets are relative to it.
    start: usize,
}

fn container_kind(ty: &ContainerType) -> u32 {
    match ty {
        ContainerType::Untyped => 0,
        ContainerType::Builtin(_) => 1,
        ContainerType::ClassName(_) => 2,
        ContainerType::Script(_) => 3,
    }
}

impl<'v> Encoder<'_> {
    fn err(&self, code: &'static str, message: impl Into<String>) -> VariantError {
        VariantError::new(code, self.out.len() - self.start, message)
    }

    #[inline]
    fn u32(&mut self, v: u32) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }

    #[inline]
    fn u64(&mut self, v: u64) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }

    #[inline]
    fn f32(&mut self, v: f32) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }

    fn f32s(&mut self, vs: &[f32]) {
        for &v in vs {
            self.f32(v);
        }
    }

    fn i32s(&mut self, vs: &[i32]) {
        for &v in vs {
            self.u32(v as u32);
        }
    }

    fn pad(&mut self) {
        let n = (4 - (self.out.len() - self.start) % 4) % 4;
        self.out.extend_from_slice(&[0u8; 3][..n]);
    }

    fn len(&mut self, n: usize, what: &str) -> Result<(), VariantError> {
        if n > MAX_LEN {
            return Err(self.err(
                "too_large",
                format!("{what} has {n} items; Godot's limit is {MAX_LEN}"),
            ));
        }
        self.u32(n as u32);
        Ok(())
    }

    /// `_encode_string`: u32 byte length, UTF-8, zero padding to 4 bytes.
    fn string(&mut self, s: &str) -> Result<(), VariantError> {
        self.len(s.len(), "string")?;
        self.out.extend_from_slice(s.as_bytes());
        self.pad();
        Ok(())
    }

    fn container_type(&mut self, ty: &ContainerType) -> Result<(), VariantError> {
        match ty {
            ContainerType::Untyped => Ok(()),
            ContainerType::Builtin(b) if *b < t::VARIANT_MAX => {
                self.u32(*b);
                Ok(())
            }
            ContainerType::Builtin(b) => Err(self.err(
                "invalid_data",
                format!("container element type {b} is not a Variant type"),
            )),
            ContainerType::ClassName(s) | ContainerType::Script(s) => self.string(s),
        }
    }

    /// Walks the value with an explicit stack instead of recursion: the stack use of encoding does
    /// not grow with nesting, in any build.
    fn value(&mut self, root: &'v Variant) -> Result<(), VariantError> {
        let mut open: Vec<Open<'v>> = Vec::new();
        let mut next = Some(root);
        loop {
            if let Some(v) = next.take() {
                // `open.len()` is the depth of `v`: the root is at 0, its elements at 1.
                if open.len() > MAX_DEPTH {
                    return Err(self.err("too_deep", format!("nesting deeper than {MAX_DEPTH}")));
                }
                let h = header(v);
                self.u32(h);
                match v {
                    Variant::Array(a) => {
                        self.container_type(&a.element_type)?;
                        self.len(a.elements.len(), "array")?;
                        open.push(Open::Array(a.elements.iter()));
                    }
                    Variant::Dictionary(d) => {
                        self.container_type(&d.key_type)?;
                        self.container_type(&d.value_type)?;
                        self.len(d.entries.len(), "dictionary")?;
                        open.push(Open::Dictionary(d.entries.iter(), None));
                    }
                    _ => self.payload(v, h)?,
                }
            }
            let Some(top) = open.last_mut() else {
                return Ok(());
            };
            next = match top {
                Open::Array(elements) => elements.next(),
                Open::Dictionary(entries, value) => value.take().or_else(|| {
                    entries.next().map(|(k, v)| {
                        *value = Some(v);
                        k
                    })
                }),
            };
            if next.is_none() {
                open.pop();
            }
        }
    }

    /// Everything after the header for types that hold no other Variant.
    fn payload(&mut self, v: &Variant, header: u32) -> Result<(), VariantError> {
        match v {
            // Containers are written by `value`; a null object is written as a bare NIL header.
            Variant::Array(_) | Variant::Dictionary(_) => {}
            Variant::Nil | Variant::Callable | Variant::Object(0) => {}
            Variant::Bool(b) => self.u32(u32::from(*b)),
            Variant::Int(i) => {
                if header & FLAG_64 != 0 {
                    self.u64(*i as u64)
                } else {
                    self.u32(*i as i32 as u32)
                }
            }
            Variant::Float(d) => {
                if header & FLAG_64 != 0 {
                    self.out.extend_from_slice(&d.to_le_bytes())
                } else {
                    self.f32(*d as f32)
                }
            }
            Variant::String(s) | Variant::StringName(s) => self.string(s)?,
            Variant::Vector2(v) => self.f32s(&[v.x, v.y]),
            Variant::Vector2i(v) => self.i32s(&[v.x, v.y]),
            Variant::Rect2(r) => self.f32s(&[r.position.x, r.position.y, r.size.x, r.size.y]),
            Variant::Rect2i(r) => self.i32s(&[r.position.x, r.position.y, r.size.x, r.size.y]),
            Variant::Vector3(v) => self.f32s(&[v.x, v.y, v.z]),
            Variant::Vector3i(v) => self.i32s(&[v.x, v.y, v.z]),
            Variant::Transform2D(tr) => {
                for c in &tr.columns {
                    self.f32s(&[c.x, c.y]);
                }
            }
            Variant::Vector4(v) => self.f32s(&[v.x, v.y, v.z, v.w]),
            Variant::Vector4i(v) => self.i32s(&[v.x, v.y, v.z, v.w]),
            Variant::Plane(p) => self.f32s(&[p.normal.x, p.normal.y, p.normal.z, p.d]),
            Variant::Quaternion(q) => self.f32s(&[q.x, q.y, q.z, q.w]),
            Variant::Aabb(a) => self.f32s(&[
                a.position.x,
                a.position.y,
                a.position.z,
                a.size.x,
                a.size.y,
                a.size.z,
            ]),
            Variant::Basis(b) => {
                for r in &b.rows {
                    self.f32s(&[r.x, r.y, r.z]);
                }
            }
            Variant::Transform3D(tr) => {
                for r in &tr.basis.rows {
                    self.f32s(&[r.x, r.y, r.z]);
                }
                self.f32s(&[tr.origin.x, tr.origin.y, tr.origin.z]);
            }
            Variant::Projection(p) => {
                for c in &p.columns {
                    self.f32s(&[c.x, c.y, c.z, c.w]);
                }
            }
            Variant::Color(c) => self.f32s(&[c.r, c.g, c.b, c.a]),
            Variant::NodePath(np) => {
                if np.names.len() > MAX_LEN || np.subnames.len() > MAX_LEN {
                    return Err(self.err("too_large", "node path has too many names"));
                }
                self.u32(np.names.len() as u32 | 0x8000_0000);
                self.u32(np.subnames.len() as u32);
                self.u32(u32::from(np.absolute));
                for s in np.names.iter().chain(&np.subnames) {
                    self.string(s)?;
                }
            }
            Variant::Rid(id) => self.u64(*id),
            Variant::Object(id) => self.u64(*id),
            Variant::Signal { name, object } => {
                self.string(name)?;
                self.u64(*object);
            }
            Variant::PackedByteArray(b) => {
                self.len(b.len(), "PackedByteArray")?;
                self.out.extend_from_slice(b);
                self.pad();
            }
            Variant::PackedInt32Array(a) => {
                self.len(a.len(), "PackedInt32Array")?;
                self.i32s(a);
            }
            Variant::PackedInt64Array(a) => {
                self.len(a.len(), "PackedInt64Array")?;
                for &i in a {
                    self.u64(i as u64);
                }
            }
            Variant::PackedFloat32Array(a) => {
                self.len(a.len(), "PackedFloat32Array")?;
                self.f32s(a);
            }
            Variant::PackedFloat64Array(a) => {
                self.len(a.len(), "PackedFloat64Array")?;
                for &d in a {
                    self.out.extend_from_slice(&d.to_le_bytes());
                }
            }
            Variant::PackedStringArray(a) => {
                self.len(a.len(), "PackedStringArray")?;
                // Unlike `_encode_string`, each element's length counts a trailing NUL.
                for s in a {
                    self.len(s.len() + 1, "string")?;
                    self.out.extend_from_slice(s.as_bytes());
                    self.out.push(0);
                    self.pad();
                }
            }
            Variant::PackedVector2Array(a) => {
                self.len(a.len(), "PackedVector2Array")?;
                for v in a {
                    self.f32s(&[v.x, v.y]);
                }
            }
            Variant::PackedVector3Array(a) => {
                self.len(a.len(), "PackedVector3Array")?;
                for v in a {
                    self.f32s(&[v.x, v.y, v.z]);
                }
            }
            Variant::PackedColorArray(a) => {
                self.len(a.len(), "PackedColorArray")?;
                for c in a {
                    self.f32s(&[c.r, c.g, c.b, c.a]);
                }
            }
            Variant::PackedVector4Array(a) => {
                self.len(a.len(), "PackedVector4Array")?;
                for v in a {
                    self.f32s(&[v.x, v.y, v.z, v.w]);
                }
            }
        }
        Ok(())
    }
}
