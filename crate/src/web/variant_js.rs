//! Plain JS values ↔ Godot binary Variant bytes, for `script.callMethod` / `setProperty` /
//! `getProperty` and `rt.encodeVariant` / `rt.decodeVariant` (docs/JS-API.md has the table).
//!
//! Deliberately small: numbers, strings, booleans, null, Arrays, plain objects (Dictionaries with
//! String keys), typed arrays (Packed arrays) and `{x,y[,z]}` / `{r,g,b,a}` read back as vectors
//! and colors. Anything else has no JS form (`bad_value`): use the bytes.

use js_sys::{Array, BigInt64Array, Float32Array, Float64Array, Int32Array, Object, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::convert::error_object;
use crate::variant::{self, Variant};

/// Deeper values are refused (as the Variant codec does).
const MAX_DEPTH: u32 = 128;

fn bad(message: &str) -> JsValue {
    error_object("bad_value", message, None)
}

/// A JS value as Godot binary Variant bytes. Integral numbers become INT, others FLOAT.
#[wasm_bindgen(js_name = encodeVariant)]
pub fn encode_variant(value: JsValue) -> Result<Vec<u8>, JsValue> {
    let v = from_js(&value, 0)?;
    variant::encode(&v).map_err(|e| bad(&e.to_string()))
}

/// Godot binary Variant bytes as a JS value.
#[wasm_bindgen(js_name = decodeVariant)]
pub fn decode_variant(bytes: &[u8]) -> Result<JsValue, JsValue> {
    let v = variant::decode_exact(bytes).map_err(|e| bad(&e.to_string()))?;
    to_js(&v, 0)
}

pub(crate) fn from_js(value: &JsValue, depth: u32) -> Result<Variant, JsValue> {
    if depth > MAX_DEPTH {
        return Err(bad("value nests too deeply"));
    }
    if value.is_null() || value.is_undefined() {
        return Ok(Variant::Nil);
    }
    if let Some(b) = value.as_bool() {
        return Ok(Variant::Bool(b));
    }
    if let Some(n) = value.as_f64() {
        let integral = n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_991.0;
        return Ok(if integral {
            Variant::Int(n as i64)
        } else {
            Variant::Float(n)
        });
    }
    if value.is_bigint() {
        let n = i64::try_from(value.clone()).map_err(|_| bad("BigInt outside the i64 range"))?;
        return Ok(Variant::Int(n));
    }
    if let Some(s) = value.as_string() {
        return Ok(Variant::String(s));
    }
    if Array::is_array(value) {
        let array: &Array = value.unchecked_ref();
        let mut items = Vec::with_capacity(array.length() as usize);
        for item in array.iter() {
            items.push(from_js(&item, depth + 1)?);
        }
        return Ok(Variant::array(items));
    }
    // Only ArrayBuffer views can be typed arrays: one check instead of five for everything else.
    if js_sys::ArrayBuffer::is_view(value) {
        if let Some(a) = value.dyn_ref::<Uint8Array>() {
            return Ok(Variant::PackedByteArray(a.to_vec()));
        }
        if let Some(a) = value.dyn_ref::<Int32Array>() {
            return Ok(Variant::PackedInt32Array(a.to_vec()));
        }
        if let Some(a) = value.dyn_ref::<BigInt64Array>() {
            return Ok(Variant::PackedInt64Array(a.to_vec()));
        }
        if let Some(a) = value.dyn_ref::<Float32Array>() {
            return Ok(Variant::PackedFloat32Array(a.to_vec()));
        }
        if let Some(a) = value.dyn_ref::<Float64Array>() {
            return Ok(Variant::PackedFloat64Array(a.to_vec()));
        }
        return Err(bad("this typed array has no Packed array form"));
    }
    if value.is_object() && !value.is_function() {
        let entries = Object::entries(value.unchecked_ref());
        let mut pairs = Vec::with_capacity(entries.length() as usize);
        for entry in entries.iter() {
            let entry: Array = entry.unchecked_into();
            let key = entry.get(0).as_string().unwrap_or_default();
            pairs.push((Variant::String(key), from_js(&entry.get(1), depth + 1)?));
        }
        return Ok(Variant::dictionary(pairs));
    }
    Err(bad("this JS value has no Variant form"))
}

fn object(fields: &[(&str, f64)]) -> JsValue {
    let o = Object::new();
    for (k, v) in fields {
        let _ = js_sys::Reflect::set(&o, &JsValue::from_str(k), &JsValue::from_f64(*v));
    }
    o.into()
}

fn flat<const N: usize, T>(items: &[T], f: impl Fn(&T) -> [f32; N]) -> JsValue {
    let out: Vec<f32> = items.iter().flat_map(f).collect();
    Float32Array::from(out.as_slice()).into()
}

pub(crate) fn to_js(v: &Variant, depth: u32) -> Result<JsValue, JsValue> {
    if depth > MAX_DEPTH {
        return Err(bad("value nests too deeply"));
    }
    Ok(match v {
        Variant::Nil => JsValue::NULL,
        Variant::Bool(b) => JsValue::from_bool(*b),
        Variant::Int(i) if i.unsigned_abs() <= 9_007_199_254_740_991 => {
            JsValue::from_f64(*i as f64)
        }
        Variant::Int(i) => JsValue::from(*i),
        Variant::Float(f) => JsValue::from_f64(*f),
        Variant::String(s) | Variant::StringName(s) => JsValue::from_str(s),
        Variant::Vector2(p) => object(&[("x", p.x.into()), ("y", p.y.into())]),
        Variant::Vector3(p) => object(&[("x", p.x.into()), ("y", p.y.into()), ("z", p.z.into())]),
        Variant::Vector4(p) => object(&[
            ("x", p.x.into()),
            ("y", p.y.into()),
            ("z", p.z.into()),
            ("w", p.w.into()),
        ]),
        Variant::Color(c) => object(&[
            ("r", c.r.into()),
            ("g", c.g.into()),
            ("b", c.b.into()),
            ("a", c.a.into()),
        ]),
        Variant::Array(a) => {
            let out = Array::new_with_length(a.elements.len() as u32);
            for (i, item) in a.elements.iter().enumerate() {
                out.set(i as u32, to_js(item, depth + 1)?);
            }
            out.into()
        }
        Variant::Dictionary(d) => {
            let out = Object::new();
            for (key, value) in &d.entries {
                let key = match key {
                    Variant::String(s) | Variant::StringName(s) => JsValue::from_str(s),
                    Variant::Int(i) => JsValue::from_str(&i.to_string()),
                    _ => return Err(bad("only String and int Dictionary keys have a JS form")),
                };
                let _ = js_sys::Reflect::set(&out, &key, &to_js(value, depth + 1)?);
            }
            out.into()
        }
        Variant::PackedByteArray(a) => Uint8Array::from(a.as_slice()).into(),
        Variant::PackedInt32Array(a) => Int32Array::from(a.as_slice()).into(),
        Variant::PackedInt64Array(a) => BigInt64Array::from(a.as_slice()).into(),
        Variant::PackedFloat32Array(a) => Float32Array::from(a.as_slice()).into(),
        Variant::PackedFloat64Array(a) => Float64Array::from(a.as_slice()).into(),
        Variant::PackedStringArray(a) => a
            .iter()
            .map(|s| JsValue::from_str(s))
            .collect::<Array>()
            .into(),
        Variant::PackedVector2Array(a) => flat(a, |p| [p.x, p.y]),
        Variant::PackedVector3Array(a) => flat(a, |p| [p.x, p.y, p.z]),
        Variant::PackedColorArray(a) => flat(a, |c| [c.r, c.g, c.b, c.a]),
        Variant::PackedVector4Array(a) => flat(a, |p| [p.x, p.y, p.z, p.w]),
        other => {
            return Err(bad(&format!(
                "Variant type {} has no JS form; use the bytes",
                other.type_id()
            )))
        }
    })
}
