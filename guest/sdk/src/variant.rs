//! `Variant`: an owned handle to a host value, released on drop.

use crate::error::{check, Error, Result};
use crate::sys;
use crate::types::{bytes_of, bytes_of_mut, type_id, Element, Raw};
use core::mem::ManuallyDrop;

/// An owned reference to a value in the host's handle table (docs/ABI.md, "Handles").
///
/// Dropping it releases the reference; cloning retains it (for Arrays, Dictionaries, Packed
/// arrays and Objects the clone names the same shared value, as in GDScript).
#[derive(Debug, PartialEq, Eq)]
#[repr(transparent)]
pub struct Variant(i32);

impl Variant {
    /// Takes ownership of a handle the host returned (checking for an error code).
    pub fn from_status(code: i32) -> Result<Variant> {
        match check(code)? {
            0 => Err(Error::NotFound),
            h => Ok(Variant(h)),
        }
    }

    /// A handle result that may legitimately be `0` (nil).
    pub fn from_optional(code: i32) -> Result<Option<Variant>> {
        Ok(match check(code)? {
            0 => None,
            h => Some(Variant(h)),
        })
    }

    /// The raw handle, still owned by `self`.
    pub fn handle(&self) -> i32 {
        self.0
    }

    /// Gives up ownership: for returning a value from a method export (the host takes it).
    pub fn into_raw(self) -> i32 {
        ManuallyDrop::new(self).0
    }

    pub fn int(v: i64) -> Result<Variant> {
        // SAFETY: FFI without pointers.
        Variant::from_status(unsafe { sys::new_int(v) })
    }

    pub fn float(v: f64) -> Result<Variant> {
        // SAFETY: FFI without pointers.
        Variant::from_status(unsafe { sys::new_float(v) })
    }

    pub fn bool(v: bool) -> Result<Variant> {
        // SAFETY: FFI without pointers.
        Variant::from_status(unsafe { sys::new_bool(v as i32) })
    }

    pub fn string(s: &str) -> Result<Variant> {
        // SAFETY: `s` is a live slice of guest memory.
        Variant::from_status(unsafe { sys::new_string(s.as_ptr(), s.len()) })
    }

    /// A StringName, NodePath or String from UTF-8.
    pub fn string_of_type(ty: i32, s: &str) -> Result<Variant> {
        // SAFETY: `s` is a live slice of guest memory.
        Variant::from_status(unsafe { sys::new_value(ty, s.as_ptr(), s.len()) })
    }

    /// A Vector3, Color, Transform3D, … value.
    pub fn new<T: Raw>(value: T) -> Result<Variant> {
        let bytes = bytes_of(core::slice::from_ref(&value));
        // SAFETY: `bytes` is a live slice of guest memory.
        Variant::from_status(unsafe { sys::new_value(T::TYPE, bytes.as_ptr(), bytes.len()) })
    }

    /// A Packed*Array of these elements (copied into the host).
    pub fn packed<T: Element>(elements: &[T]) -> Result<Variant> {
        let bytes = bytes_of(elements);
        // SAFETY: `bytes` is a live slice of guest memory.
        Variant::from_status(unsafe { sys::new_value(T::PACKED_TYPE, bytes.as_ptr(), bytes.len()) })
    }

    /// Decodes Godot's binary Variant format (`var_to_bytes`).
    pub fn from_bytes(bytes: &[u8]) -> Result<Variant> {
        // SAFETY: `bytes` is a live slice of guest memory.
        Variant::from_status(unsafe { sys::var_from_bytes(bytes.as_ptr(), bytes.len()) })
    }

    /// Godot's `Variant::Type` number of the value.
    pub fn type_id(&self) -> i32 {
        // SAFETY: FFI without pointers.
        unsafe { sys::type_of(self.0) }
    }

    pub fn is_nil(&self) -> bool {
        self.type_id() == type_id::NIL
    }

    /// The INT (or BOOL) value.
    pub fn to_int(&self) -> Result<i64> {
        match self.type_id() {
            type_id::INT | type_id::BOOL => Ok(unsafe { sys::as_int(self.0) }),
            t => Err(Self::type_error(t)),
        }
    }

    /// The FLOAT (or INT) value.
    pub fn to_float(&self) -> Result<f64> {
        match self.type_id() {
            type_id::FLOAT | type_id::INT => Ok(unsafe { sys::as_float(self.0) }),
            t => Err(Self::type_error(t)),
        }
    }

    pub fn to_bool(&self) -> Result<bool> {
        Ok(self.to_int()? != 0)
    }

    /// A Vector3, Color, … value: the type must match exactly.
    pub fn get<T: Raw>(&self) -> Result<T> {
        let t = self.type_id();
        if t != T::TYPE {
            return Err(Self::type_error(t));
        }
        let mut value = T::default();
        self.read_into(bytes_of_mut(core::slice::from_mut(&mut value)))?;
        Ok(value)
    }

    /// Copies a Packed*Array's elements into `out`; returns how many there are in total (only
    /// `out.len()` of them are copied when there are more).
    pub fn read_packed<T: Element>(&self, out: &mut [T]) -> Result<usize> {
        let t = self.type_id();
        if t != T::PACKED_TYPE {
            return Err(Self::type_error(t));
        }
        let size = core::mem::size_of::<T>();
        let full = self.read_into(bytes_of_mut(out))?;
        Ok(full / size)
    }

    /// A String/StringName/NodePath's UTF-8 text, copied into `buf` (`BadValue` if it does not fit).
    pub fn read_str<'b>(&self, buf: &'b mut [u8]) -> Result<&'b str> {
        let len = self.read_into(buf)?;
        if len > buf.len() {
            return Err(Error::BadValue);
        }
        core::str::from_utf8(&buf[..len]).map_err(|_| Error::BadUtf8)
    }

    /// Encodes the value in Godot's binary format into `buf`; returns the full length (nothing is
    /// written when it exceeds `buf.len()`).
    pub fn to_bytes(&self, buf: &mut [u8]) -> Result<usize> {
        // SAFETY: the host writes at most `buf.len()` bytes into `buf`.
        Ok(check(unsafe { sys::var_to_bytes(self.0, buf.as_mut_ptr(), buf.len()) })? as usize)
    }

    /// `value_read`: raw bytes into `buf`; returns the full length.
    fn read_into(&self, buf: &mut [u8]) -> Result<usize> {
        // SAFETY: the host writes at most `buf.len()` bytes into `buf`.
        Ok(check(unsafe { sys::value_read(self.0, buf.as_mut_ptr(), buf.len()) })? as usize)
    }

    fn type_error(actual: i32) -> Error {
        if actual < 0 {
            Error::from_code(actual)
        } else {
            Error::WrongType
        }
    }
}

impl Clone for Variant {
    fn clone(&self) -> Self {
        // SAFETY: FFI without pointers. A failed retain (impossible for a live handle) would
        // make the clone's drop a harmless stale release.
        unsafe { sys::retain(self.0) };
        Variant(self.0)
    }
}

impl Drop for Variant {
    fn drop(&mut self) {
        // SAFETY: FFI without pointers; we own one reference.
        unsafe { sys::release(self.0) };
    }
}

/// A handle the host lent for the duration of one export call (`args`, `name`): usable like a
/// [`Variant`] but never released. `retain` it with [`Borrowed::to_owned`] to keep it.
#[derive(Debug)]
pub struct Borrowed(ManuallyDrop<Variant>);

impl Borrowed {
    /// # Safety
    /// `h` must be a handle the host passed to the current export call.
    pub unsafe fn new(h: i32) -> Borrowed {
        Borrowed(ManuallyDrop::new(Variant(h)))
    }

    /// An owned reference to the same value.
    pub fn to_owned(&self) -> Variant {
        (*self.0).clone()
    }
}

impl core::ops::Deref for Borrowed {
    type Target = Variant;

    fn deref(&self) -> &Variant {
        &self.0
    }
}

/// Conversions for the convenience constructors (`Array::push`, `Dictionary::set`, …) and for
/// [`crate::Object::set`].
pub trait ToVariant {
    fn to_variant(&self) -> Result<Variant>;

    /// Calls `f` with the value in `new_value`'s raw encoding (type, bytes) and returns its
    /// result; `None` for values that exist only as handles. Lets `Object::set` write a plain
    /// value in one host call (`object_set_value`) without making a handle.
    fn with_raw(&self, _f: &mut dyn FnMut(i32, &[u8]) -> i32) -> Option<i32> {
        None
    }

    /// The handle of a value that already is one (no retain).
    fn as_handle(&self) -> Option<i32> {
        None
    }
}

impl ToVariant for Variant {
    fn to_variant(&self) -> Result<Variant> {
        Ok(self.clone())
    }
    fn as_handle(&self) -> Option<i32> {
        Some(self.0)
    }
}
impl ToVariant for i64 {
    fn to_variant(&self) -> Result<Variant> {
        Variant::int(*self)
    }
    fn with_raw(&self, f: &mut dyn FnMut(i32, &[u8]) -> i32) -> Option<i32> {
        Some(f(type_id::INT, &self.to_le_bytes()))
    }
}
impl ToVariant for i32 {
    fn to_variant(&self) -> Result<Variant> {
        Variant::int(i64::from(*self))
    }
    fn with_raw(&self, f: &mut dyn FnMut(i32, &[u8]) -> i32) -> Option<i32> {
        i64::from(*self).with_raw(f)
    }
}
impl ToVariant for f64 {
    fn to_variant(&self) -> Result<Variant> {
        Variant::float(*self)
    }
    fn with_raw(&self, f: &mut dyn FnMut(i32, &[u8]) -> i32) -> Option<i32> {
        Some(f(type_id::FLOAT, &self.to_le_bytes()))
    }
}
impl ToVariant for f32 {
    fn to_variant(&self) -> Result<Variant> {
        Variant::float(f64::from(*self))
    }
    fn with_raw(&self, f: &mut dyn FnMut(i32, &[u8]) -> i32) -> Option<i32> {
        f64::from(*self).with_raw(f)
    }
}
impl ToVariant for bool {
    fn to_variant(&self) -> Result<Variant> {
        Variant::bool(*self)
    }
    fn with_raw(&self, f: &mut dyn FnMut(i32, &[u8]) -> i32) -> Option<i32> {
        Some(f(type_id::BOOL, &[u8::from(*self)]))
    }
}
impl ToVariant for &str {
    fn to_variant(&self) -> Result<Variant> {
        Variant::string(self)
    }
    fn with_raw(&self, f: &mut dyn FnMut(i32, &[u8]) -> i32) -> Option<i32> {
        Some(f(type_id::STRING, self.as_bytes()))
    }
}
macro_rules! to_variant_raw {
    ($($t:ty),*) => {$(
        impl ToVariant for $t {
            fn to_variant(&self) -> Result<Variant> {
                Variant::new(*self)
            }
            fn with_raw(&self, f: &mut dyn FnMut(i32, &[u8]) -> i32) -> Option<i32> {
                Some(f(<$t as Raw>::TYPE, bytes_of(core::slice::from_ref(self))))
            }
        }
    )*};
}
to_variant_raw!(
    crate::Vector2,
    crate::Vector3,
    crate::Vector4,
    crate::Color,
    crate::Quaternion,
    crate::Basis,
    crate::Transform3D
);

/// Plain values a property can be read as in one host call (`object_get_value`), without making
/// a handle: see [`crate::Object::get_value`].
pub trait FromValue: Sized {
    /// Calls `read(ty, buf)` (`object_get_value` of type `ty` into `buf`, returning the length or
    /// an error code) and decodes the bytes.
    fn read_with(read: &mut dyn FnMut(i32, &mut [u8]) -> i32) -> Result<Self>;
}

/// Reads exactly `buf.len()` bytes of type `ty` (`BadValue` for any other length).
fn read_exact(read: &mut dyn FnMut(i32, &mut [u8]) -> i32, ty: i32, buf: &mut [u8]) -> Result<()> {
    let n = check(read(ty, buf))? as usize;
    if n == buf.len() {
        Ok(())
    } else {
        Err(Error::BadValue)
    }
}

impl FromValue for i64 {
    fn read_with(read: &mut dyn FnMut(i32, &mut [u8]) -> i32) -> Result<Self> {
        let mut b = [0u8; 8];
        read_exact(read, type_id::INT, &mut b)?;
        Ok(i64::from_le_bytes(b))
    }
}
/// A FLOAT property, or an INT one (the host widens it).
impl FromValue for f64 {
    fn read_with(read: &mut dyn FnMut(i32, &mut [u8]) -> i32) -> Result<Self> {
        let mut b = [0u8; 8];
        read_exact(read, type_id::FLOAT, &mut b)?;
        Ok(f64::from_le_bytes(b))
    }
}
impl FromValue for bool {
    fn read_with(read: &mut dyn FnMut(i32, &mut [u8]) -> i32) -> Result<Self> {
        let mut b = [0u8; 1];
        read_exact(read, type_id::BOOL, &mut b)?;
        Ok(b[0] != 0)
    }
}
macro_rules! from_value_raw {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            fn read_with(read: &mut dyn FnMut(i32, &mut [u8]) -> i32) -> Result<Self> {
                let mut value = <$t>::default();
                read_exact(
                    read,
                    <$t as Raw>::TYPE,
                    bytes_of_mut(core::slice::from_mut(&mut value)),
                )?;
                Ok(value)
            }
        }
    )*};
}
from_value_raw!(
    crate::Vector2,
    crate::Vector2i,
    crate::Vector3,
    crate::Vector3i,
    crate::Vector4,
    crate::Color,
    crate::Quaternion,
    crate::Basis,
    crate::Transform3D
);
