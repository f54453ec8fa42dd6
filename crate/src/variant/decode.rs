//! `decode_variant` with `allow_objects = false` (what `bytes_to_var` does), hardened for hostile
//! input: every read is bounds-checked, every declared count is checked against the bytes actually
//! present before anything is allocated for it, and nesting is capped at [`MAX_DEPTH`].

use super::encode::{
    ARRAY_TYPE_SHIFT, DICT_KEY_TYPE_SHIFT, DICT_VALUE_TYPE_SHIFT, FLAG_64, FLAG_OBJECT_AS_ID,
};
use super::{
    type_id as t, Aabb, Array, Basis, Color, ContainerType, Dictionary, NodePath, Plane,
    Projection, Quaternion, Rect2, Rect2i, Transform2D, Transform3D, Variant, VariantError,
    Vector2, Vector2i, Vector3, Vector3i, Vector4, Vector4i, MAX_DEPTH,
};

/// Decode one Variant from the start of `bytes`; returns it and the number of bytes it used.
/// Bytes after it are ignored, as in Godot (see [`decode_exact`]).
pub fn decode(bytes: &[u8]) -> Result<(Variant, usize), VariantError> {
    if bytes.len() > i32::MAX as usize {
        return Err(VariantError::new(
            "too_large",
            0,
            "input longer than Godot's 2 GiB limit",
        ));
    }
    let mut d = Decoder {
        buf: bytes,
        pos: 0,
        budget: bytes.len() / MIN_VARIANT_SIZE,
    };
    let v = d.value()?;
    Ok((v, d.pos))
}

/// Decode a buffer that must hold exactly one Variant (`trailing_bytes` otherwise).
pub fn decode_exact(bytes: &[u8]) -> Result<Variant, VariantError> {
    let (v, used) = decode(bytes)?;
    if used != bytes.len() {
        return Err(VariantError::new(
            "trailing_bytes",
            used,
            format!("{} bytes after the encoded value", bytes.len() - used),
        ));
    }
    Ok(v)
}

struct Decoder<'a> {
    buf: &'a [u8],
    pos: usize,
    /// Elements we may still reserve up front, over the whole decode. Nested containers all
    /// check their counts against the same remaining bytes; without a shared budget, 1024 levels
    /// of forged counts could reserve 1024 times the input.
    budget: usize,
}

/// A container whose elements are still being read, with how many are left.
enum Open {
    Array(Array, usize),
    /// The key of an entry whose value is still to come.
    Dictionary(Dictionary, Option<Variant>, usize),
}

/// Smallest possible encoding of any Variant (a bare header): bounds how many elements a declared
/// count can honestly describe.
const MIN_VARIANT_SIZE: usize = 4;

impl<'a> Decoder<'a> {
    fn err(&self, code: &'static str, message: impl Into<String>) -> VariantError {
        VariantError::new(code, self.pos, message)
    }

    fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    #[inline]
    fn take(&mut self, n: usize) -> Result<&'a [u8], VariantError> {
        if n > self.remaining() {
            return Err(self.err(
                "truncated",
                format!("need {n} bytes, {} left", self.remaining()),
            ));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    #[inline]
    fn u32(&mut self) -> Result<u32, VariantError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    #[inline]
    fn u64(&mut self) -> Result<u64, VariantError> {
        let b = self.take(8)?;
        Ok(u64::from_le_bytes([
            b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
        ]))
    }

    /// `n` reals, stored as doubles when the header says so (double-precision engines), narrowed to
    /// the single precision this codec represents.
    fn reals<const N: usize>(&mut self, wide: bool) -> Result<[f32; N], VariantError> {
        let mut r = [0f32; N];
        if wide {
            let b = self.take(8 * N)?;
            for (x, c) in r.iter_mut().zip(b.chunks_exact(8)) {
                *x = f64::from_le_bytes(c.try_into().unwrap_or_default()) as f32;
            }
        } else {
            let b = self.take(4 * N)?;
            for (x, c) in r.iter_mut().zip(b.chunks_exact(4)) {
                *x = f32::from_le_bytes(c.try_into().unwrap_or_default());
            }
        }
        Ok(r)
    }

    fn ints<const N: usize>(&mut self) -> Result<[i32; N], VariantError> {
        let b = self.take(4 * N)?;
        let mut r = [0i32; N];
        for (x, c) in r.iter_mut().zip(b.chunks_exact(4)) {
            *x = i32::from_le_bytes(c.try_into().unwrap_or_default());
        }
        Ok(r)
    }

    /// A non-negative `int32` count (Godot rejects negative ones).
    fn count(&mut self) -> Result<usize, VariantError> {
        let at = self.pos;
        let n = self.u32()? as i32;
        usize::try_from(n)
            .map_err(|_| VariantError::new("invalid_length", at, format!("negative length {n}")))
    }

    /// A count whose elements take exactly `elem` bytes each, all of which must be present.
    fn fixed_count(&mut self, elem: usize) -> Result<usize, VariantError> {
        let n = self.count()?;
        if n.saturating_mul(elem) > self.remaining() {
            return Err(self.err(
                "truncated",
                format!(
                    "{n} elements of {elem} bytes declared, {} bytes left",
                    self.remaining()
                ),
            ));
        }
        Ok(n)
    }

    /// `_decode_string` for a `len` already read: UTF-8 bytes then zero padding to 4. Like
    /// `String::parse_utf8`, the text ends at the first NUL byte.
    fn string_body(&mut self, len: usize) -> Result<String, VariantError> {
        let pad = (4 - len % 4) % 4;
        let at = self.pos;
        let bytes = self.take(len.saturating_add(pad))?;
        let text = &bytes[..len];
        let text = match text.iter().position(|&b| b == 0) {
            Some(nul) => &text[..nul],
            None => text,
        };
        match std::str::from_utf8(text) {
            Ok(s) => Ok(s.to_owned()),
            Err(e) => Err(VariantError::new(
                "invalid_utf8",
                at + e.valid_up_to(),
                "string is not valid UTF-8",
            )),
        }
    }

    fn string(&mut self) -> Result<String, VariantError> {
        let len = self.count()?;
        self.string_body(len)
    }

    fn container_type(&mut self, kind: u32) -> Result<ContainerType, VariantError> {
        Ok(match kind & 0b11 {
            0 => ContainerType::Untyped,
            1 => {
                let at = self.pos;
                let b = self.u32()?;
                if b >= t::VARIANT_MAX {
                    return Err(VariantError::new(
                        "invalid_data",
                        at,
                        format!("container element type {b} is not a Variant type"),
                    ));
                }
                ContainerType::Builtin(b)
            }
            2 => ContainerType::ClassName(self.string()?),
            _ => ContainerType::Script(self.string()?),
        })
    }

    /// Capacity to reserve for `declared` elements of at least `min_size` bytes each: never more than
    /// the remaining bytes can hold nor than the decode-wide budget, so forged counts cannot make
    /// us allocate more than a small multiple of the input.
    fn reserve(&mut self, declared: usize, min_size: usize) -> usize {
        let n = declared.min(self.remaining() / min_size).min(self.budget);
        self.budget -= n;
        n
    }

    /// Decodes with an explicit stack of open containers instead of recursion, so hostile nesting
    /// cannot exhaust the native stack in any build; depth is still capped at [`MAX_DEPTH`] as in
    /// Godot.
    fn value(&mut self) -> Result<Variant, VariantError> {
        let mut open: Vec<Open> = Vec::new();
        loop {
            // `open.len()` is the depth of the value about to be read.
            if open.len() > MAX_DEPTH {
                return Err(self.err("too_deep", format!("nesting deeper than {MAX_DEPTH}")));
            }
            // Inside a guest's host call every value decoded is paid for (docs/ABI.md "Cost");
            // elsewhere the meter is unlimited.
            if crate::host::meter::values(1).is_err() {
                return Err(self.err("stopped", "the guest's fuel or host memory ran out"));
            }
            let at = self.pos;
            let header = self.u32()?;
            let mut done = match header & 0xFF {
                t::ARRAY => {
                    let element_type = self.container_type(header >> ARRAY_TYPE_SHIFT)?;
                    // Bit 31 is the obsolete "shared" flag.
                    let left = (self.u32()? & 0x7FFF_FFFF) as usize;
                    let elements = Vec::with_capacity(self.reserve(left, MIN_VARIANT_SIZE));
                    let array = Array {
                        element_type,
                        elements,
                    };
                    if left > 0 {
                        open.push(Open::Array(array, left));
                        continue;
                    }
                    Variant::Array(Box::new(array))
                }
                t::DICTIONARY => {
                    let key_type = self.container_type(header >> DICT_KEY_TYPE_SHIFT)?;
                    let value_type = self.container_type(header >> DICT_VALUE_TYPE_SHIFT)?;
                    let left = (self.u32()? & 0x7FFF_FFFF) as usize;
                    let entries = Vec::with_capacity(self.reserve(left, 2 * MIN_VARIANT_SIZE));
                    let dict = Dictionary {
                        key_type,
                        value_type,
                        entries,
                    };
                    if left > 0 {
                        open.push(Open::Dictionary(dict, None, left));
                        continue;
                    }
                    Variant::Dictionary(Box::new(dict))
                }
                _ => self.leaf(header, at)?,
            };
            // Hand the finished value to its container; close every container that completes.
            loop {
                let Some(top) = open.last_mut() else {
                    return Ok(done);
                };
                let complete = match top {
                    Open::Array(a, left) => {
                        a.elements.push(done);
                        *left -= 1;
                        *left == 0
                    }
                    Open::Dictionary(d, key, left) => match key.take() {
                        None => {
                            *key = Some(done);
                            false
                        }
                        Some(k) => {
                            d.entries.push((k, done));
                            *left -= 1;
                            *left == 0
                        }
                    },
                };
                if !complete {
                    break;
                }
                done = match open.pop() {
                    Some(Open::Array(a, _)) => Variant::Array(Box::new(a)),
                    Some(Open::Dictionary(d, _, _)) => Variant::Dictionary(Box::new(d)),
                    // `last_mut` just saw it, so this cannot happen; Nil would be harmless.
                    None => Variant::Nil,
                };
            }
        }
    }

    /// Every type that holds no other Variant.
    fn leaf(&mut self, header: u32, at: usize) -> Result<Variant, VariantError> {
        let wide = header & FLAG_64 != 0;
        Ok(match header & 0xFF {
            t::NIL => Variant::Nil,
            t::BOOL => Variant::Bool(self.u32()? != 0),
            t::INT if wide => Variant::Int(self.u64()? as i64),
            t::INT => Variant::Int(i64::from(self.u32()? as i32)),
            t::FLOAT if wide => Variant::Float(f64::from_bits(self.u64()?)),
            t::FLOAT => Variant::Float(f64::from(f32::from_bits(self.u32()?))),
            t::STRING => Variant::String(self.string()?),
            t::VECTOR2 => {
                let [x, y] = self.reals(wide)?;
                Variant::Vector2(Vector2 { x, y })
            }
            t::VECTOR2I => {
                let [x, y] = self.ints()?;
                Variant::Vector2i(Vector2i { x, y })
            }
            t::RECT2 => {
                let [px, py, sx, sy] = self.reals(wide)?;
                Variant::Rect2(Rect2 {
                    position: Vector2 { x: px, y: py },
                    size: Vector2 { x: sx, y: sy },
                })
            }
            t::RECT2I => {
                let [px, py, sx, sy] = self.ints()?;
                Variant::Rect2i(Rect2i {
                    position: Vector2i { x: px, y: py },
                    size: Vector2i { x: sx, y: sy },
                })
            }
            t::VECTOR3 => {
                let [x, y, z] = self.reals(wide)?;
                Variant::Vector3(Vector3 { x, y, z })
            }
            t::VECTOR3I => {
                let [x, y, z] = self.ints()?;
                Variant::Vector3i(Vector3i { x, y, z })
            }
            t::TRANSFORM2D => {
                let r: [f32; 6] = self.reals(wide)?;
                Variant::Transform2D(Transform2D {
                    columns: [
                        Vector2 { x: r[0], y: r[1] },
                        Vector2 { x: r[2], y: r[3] },
                        Vector2 { x: r[4], y: r[5] },
                    ],
                })
            }
            t::VECTOR4 => {
                let [x, y, z, w] = self.reals(wide)?;
                Variant::Vector4(Vector4 { x, y, z, w })
            }
            t::VECTOR4I => {
                let [x, y, z, w] = self.ints()?;
                Variant::Vector4i(Vector4i { x, y, z, w })
            }
            t::PLANE => {
                let [x, y, z, d] = self.reals(wide)?;
                Variant::Plane(Plane {
                    normal: Vector3 { x, y, z },
                    d,
                })
            }
            t::QUATERNION => {
                let [x, y, z, w] = self.reals(wide)?;
                Variant::Quaternion(Quaternion { x, y, z, w })
            }
            t::AABB => {
                let r: [f32; 6] = self.reals(wide)?;
                Variant::Aabb(Aabb {
                    position: Vector3 {
                        x: r[0],
                        y: r[1],
                        z: r[2],
                    },
                    size: Vector3 {
                        x: r[3],
                        y: r[4],
                        z: r[5],
                    },
                })
            }
            t::BASIS => {
                let r: [f32; 9] = self.reals(wide)?;
                Variant::Basis(basis(&r))
            }
            t::TRANSFORM3D => {
                let r: [f32; 12] = self.reals(wide)?;
                Variant::Transform3D(Box::new(Transform3D {
                    basis: basis(&r),
                    origin: Vector3 {
                        x: r[9],
                        y: r[10],
                        z: r[11],
                    },
                }))
            }
            t::PROJECTION => {
                let r: [f32; 16] = self.reals(wide)?;
                let col = |i: usize| Vector4 {
                    x: r[i],
                    y: r[i + 1],
                    z: r[i + 2],
                    w: r[i + 3],
                };
                Variant::Projection(Box::new(Projection {
                    columns: [col(0), col(4), col(8), col(12)],
                }))
            }
            // Colors are single precision in every build, whatever the header says.
            t::COLOR => {
                let [r, g, b, a] = self.reals(false)?;
                Variant::Color(Color { r, g, b, a })
            }
            t::STRING_NAME => Variant::StringName(self.string()?),
            t::NODE_PATH => Variant::NodePath(Box::new(self.node_path()?)),
            t::RID => Variant::Rid(self.u64()?),
            t::OBJECT if header & FLAG_OBJECT_AS_ID != 0 => Variant::Object(self.u64()?),
            t::OBJECT => {
                return Err(VariantError::new(
                    "objects_not_allowed",
                    at,
                    "full object encoding refused (bytes_to_var does not allow objects)",
                ))
            }
            t::CALLABLE => Variant::Callable,
            t::SIGNAL => {
                let name = self.string()?;
                Variant::Signal {
                    name,
                    object: self.u64()?,
                }
            }
            t::PACKED_BYTE_ARRAY => {
                let n = self.fixed_count(1)?;
                let b = self.take(n)?.to_vec();
                self.take((4 - n % 4) % 4)?;
                Variant::PackedByteArray(b)
            }
            t::PACKED_INT32_ARRAY => {
                let n = self.fixed_count(4)?;
                let b = self.take(4 * n)?;
                Variant::PackedInt32Array(
                    b.chunks_exact(4)
                        .map(|c| i32::from_le_bytes(c.try_into().unwrap_or_default()))
                        .collect(),
                )
            }
            t::PACKED_INT64_ARRAY => {
                let n = self.fixed_count(8)?;
                let b = self.take(8 * n)?;
                Variant::PackedInt64Array(
                    b.chunks_exact(8)
                        .map(|c| i64::from_le_bytes(c.try_into().unwrap_or_default()))
                        .collect(),
                )
            }
            t::PACKED_FLOAT32_ARRAY => {
                let n = self.fixed_count(4)?;
                let b = self.take(4 * n)?;
                Variant::PackedFloat32Array(
                    b.chunks_exact(4)
                        .map(|c| f32::from_le_bytes(c.try_into().unwrap_or_default()))
                        .collect(),
                )
            }
            t::PACKED_FLOAT64_ARRAY => {
                let n = self.fixed_count(8)?;
                let b = self.take(8 * n)?;
                Variant::PackedFloat64Array(
                    b.chunks_exact(8)
                        .map(|c| f64::from_le_bytes(c.try_into().unwrap_or_default()))
                        .collect(),
                )
            }
            t::PACKED_STRING_ARRAY => {
                let n = self.count()?;
                let mut strings = Vec::with_capacity(self.reserve(n, 4));
                for _ in 0..n {
                    strings.push(self.string()?);
                }
                Variant::PackedStringArray(strings)
            }
            t::PACKED_VECTOR2_ARRAY => {
                let v = self.packed_reals::<2>(wide)?;
                Variant::PackedVector2Array(v.into_iter().map(|[x, y]| Vector2 { x, y }).collect())
            }
            t::PACKED_VECTOR3_ARRAY => {
                let v = self.packed_reals::<3>(wide)?;
                Variant::PackedVector3Array(
                    v.into_iter().map(|[x, y, z]| Vector3 { x, y, z }).collect(),
                )
            }
            t::PACKED_COLOR_ARRAY => {
                let v = self.packed_reals::<4>(false)?;
                Variant::PackedColorArray(
                    v.into_iter()
                        .map(|[r, g, b, a]| Color { r, g, b, a })
                        .collect(),
                )
            }
            t::PACKED_VECTOR4_ARRAY => {
                let v = self.packed_reals::<4>(wide)?;
                Variant::PackedVector4Array(
                    v.into_iter()
                        .map(|[x, y, z, w]| Vector4 { x, y, z, w })
                        .collect(),
                )
            }
            other => {
                return Err(VariantError::new(
                    "unknown_type",
                    at,
                    format!("Variant type {other} does not exist (header 0x{header:08x})"),
                ))
            }
        })
    }

    fn packed_reals<const N: usize>(&mut self, wide: bool) -> Result<Vec<[f32; N]>, VariantError> {
        let n = self.fixed_count(N * if wide { 8 } else { 4 })?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(self.reals::<N>(wide)?);
        }
        Ok(out)
    }

    fn node_path(&mut self) -> Result<NodePath, VariantError> {
        let at = self.pos;
        let first = self.u32()?;
        if first & 0x8000_0000 == 0 {
            return Err(VariantError::new(
                "invalid_data",
                at,
                "NodePath in the pre-3.0 string format",
            ));
        }
        let name_count = u64::from(first & 0x7FFF_FFFF);
        let mut sub_count = u64::from(self.u32()?);
        let flags = self.u32()?;
        // Obsolete format: the property was stored apart from the subpath; it is one more subname.
        if flags & 2 != 0 {
            sub_count += 1;
        }
        // Each name takes at least its 4-byte length: check before allocating or looping.
        let total = name_count + sub_count;
        if total * 4 > self.remaining() as u64 {
            return Err(self.err(
                "truncated",
                format!("{total} names declared, {} bytes left", self.remaining()),
            ));
        }
        // Both fit in usize now: they are bounded by the input length.
        let (name_count, sub_count) = (name_count as usize, sub_count as usize);
        let mut names = Vec::with_capacity(name_count);
        for _ in 0..name_count {
            names.push(self.string()?);
        }
        let mut subnames = Vec::with_capacity(sub_count);
        for _ in 0..sub_count {
            subnames.push(self.string()?);
        }
        Ok(NodePath {
            names,
            subnames,
            absolute: flags & 1 != 0,
        })
    }
}

fn basis(r: &[f32]) -> Basis {
    let row = |i: usize| Vector3 {
        x: r[i],
        y: r[i + 1],
        z: r[i + 2],
    };
    Basis {
        rows: [row(0), row(3), row(6)],
    }
}
