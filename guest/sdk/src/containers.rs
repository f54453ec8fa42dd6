//! `Array` and `Dictionary`: shared host containers (GDScript reference semantics).

use crate::error::{check, Error, Result};
use crate::sys;
use crate::types::type_id;
use crate::variant::{ToVariant, Variant};

/// A Godot `Array` (or, for `len`/`get`/`set`/`push`, a Packed*Array).
#[derive(Debug, Clone)]
pub struct Array(Variant);

impl Array {
    pub fn new() -> Result<Array> {
        // SAFETY: FFI without pointers.
        Ok(Array(Variant::from_status(unsafe { sys::array_new() })?))
    }

    /// Views a value as an Array; `WrongType` unless it is an Array or a Packed*Array.
    pub fn try_from(v: Variant) -> Result<Array> {
        match v.type_id() {
            type_id::ARRAY | type_id::PACKED_BYTE_ARRAY..=type_id::PACKED_COLOR_ARRAY => {
                Ok(Array(v))
            }
            t if t < 0 => Err(Error::from_code(t)),
            _ => Err(Error::WrongType),
        }
    }

    /// An Array of these values.
    pub fn of(values: &[&dyn ToVariant]) -> Result<Array> {
        let a = Array::new()?;
        for v in values {
            a.push(&v.to_variant()?)?;
        }
        Ok(a)
    }

    pub fn len(&self) -> Result<usize> {
        // SAFETY: FFI without pointers.
        Ok(check(unsafe { sys::array_len(self.0.handle()) })? as usize)
    }

    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.len()? == 0)
    }

    /// The element at `index` (a NIL value for nil elements).
    pub fn get(&self, index: usize) -> Result<Variant> {
        let index = i32::try_from(index).map_err(|_| Error::OutOfRange)?;
        // SAFETY: FFI without pointers.
        Variant::from_status(unsafe { sys::array_get(self.0.handle(), index) })
    }

    pub fn set(&self, index: usize, value: &Variant) -> Result<()> {
        let index = i32::try_from(index).map_err(|_| Error::OutOfRange)?;
        // SAFETY: FFI without pointers.
        check(unsafe { sys::array_set(self.0.handle(), index, value.handle()) }).map(drop)
    }

    pub fn push(&self, value: &Variant) -> Result<()> {
        // SAFETY: FFI without pointers.
        check(unsafe { sys::array_push(self.0.handle(), value.handle()) }).map(drop)
    }

    pub fn as_variant(&self) -> &Variant {
        &self.0
    }

    pub fn into_variant(self) -> Variant {
        self.0
    }
}

/// A Godot `Dictionary` (insertion-ordered).
#[derive(Debug, Clone)]
pub struct Dictionary(Variant);

impl Dictionary {
    pub fn new() -> Result<Dictionary> {
        // SAFETY: FFI without pointers.
        Ok(Dictionary(Variant::from_status(unsafe {
            sys::dict_new()
        })?))
    }

    /// Views a value as a Dictionary; `WrongType` unless it is one.
    pub fn try_from(v: Variant) -> Result<Dictionary> {
        match v.type_id() {
            type_id::DICTIONARY => Ok(Dictionary(v)),
            t if t < 0 => Err(Error::from_code(t)),
            _ => Err(Error::WrongType),
        }
    }

    pub fn len(&self) -> Result<usize> {
        // SAFETY: FFI without pointers.
        Ok(check(unsafe { sys::dict_len(self.0.handle()) })? as usize)
    }

    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.len()? == 0)
    }

    /// The value under `key` (`NotFound` when absent).
    pub fn get(&self, key: &Variant) -> Result<Variant> {
        // SAFETY: FFI without pointers.
        Variant::from_status(unsafe { sys::dict_get(self.0.handle(), key.handle()) })
    }

    /// The value under a String key, `None` when absent.
    pub fn get_str(&self, key: &str) -> Result<Option<Variant>> {
        match self.get(&Variant::string(key)?) {
            Ok(v) => Ok(Some(v)),
            Err(Error::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub fn set(&self, key: &Variant, value: &Variant) -> Result<()> {
        // SAFETY: FFI without pointers.
        check(unsafe { sys::dict_set(self.0.handle(), key.handle(), value.handle()) }).map(drop)
    }

    /// Sets a String key.
    pub fn set_str(&self, key: &str, value: &dyn ToVariant) -> Result<()> {
        self.set(&Variant::string(key)?, &value.to_variant()?)
    }

    /// An Array of the keys, in insertion order.
    pub fn keys(&self) -> Result<Array> {
        // SAFETY: FFI without pointers.
        Ok(Array(Variant::from_status(unsafe {
            sys::dict_keys(self.0.handle())
        })?))
    }

    pub fn as_variant(&self) -> &Variant {
        &self.0
    }

    pub fn into_variant(self) -> Variant {
        self.0
    }
}
