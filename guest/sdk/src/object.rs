//! Godot objects: the script's own node and the objects it was given.

use crate::containers::Array;
use crate::error::{check, Error, Result};
use crate::sys;
use crate::types::{type_id, Bindable};
use crate::variant::{FromValue, ToVariant, Variant};

/// A Godot object (usually a Node). Property and method names are checked by the host's
/// capability rules (docs/CAPABILITIES.md).
#[derive(Debug, Clone)]
pub struct Object(Variant);

impl Object {
    /// The node this script is attached to.
    pub fn this() -> Result<Object> {
        // SAFETY: FFI without pointers.
        Ok(Object(Variant::from_status(unsafe { sys::self_() })?))
    }

    /// Views a value as an Object; `WrongType` unless it is one.
    pub fn try_from(v: Variant) -> Result<Object> {
        match v.type_id() {
            type_id::OBJECT => Ok(Object(v)),
            t if t < 0 => Err(Error::from_code(t)),
            _ => Err(Error::WrongType),
        }
    }

    /// A property (for the script's own node, its declared properties first).
    pub fn get(&self, name: &str) -> Result<Variant> {
        // SAFETY: `name` is a live slice of guest memory.
        Variant::from_status(unsafe { sys::object_get(self.0.handle(), name.as_ptr(), name.len()) })
    }

    /// A property as a plain value (`i64`, `f64`, `bool`, `Vector3`, `Color`, …), read in one host
    /// call (`object_get_value`) without making a handle: the same value [`Object::get`] gives.
    /// `WrongType` unless the property is of that type (an INT property reads as `f64`).
    pub fn get_value<T: FromValue>(&self, name: &str) -> Result<T> {
        let obj = self.0.handle();
        T::read_with(&mut |ty, buf| {
            // SAFETY: `name` is a live slice of guest memory; the host writes at most
            // `buf.len()` bytes into `buf`.
            unsafe {
                sys::object_get_value(
                    obj,
                    name.as_ptr(),
                    name.len(),
                    ty,
                    buf.as_mut_ptr(),
                    buf.len(),
                )
            }
        })
    }

    /// Sets a property. Writes to nodes are applied by Godot at the end of the frame. A plain
    /// value (number, bool, string, Vector3, Color, …) is written in one host call
    /// (`object_set_value`), without making a handle; a [`Variant`] is written by handle.
    pub fn set<T: ToVariant + ?Sized>(&self, name: &str, value: &T) -> Result<()> {
        let obj = self.0.handle();
        let raw = value.with_raw(&mut |ty, bytes| {
            // SAFETY: `name` and `bytes` are live slices of guest memory.
            unsafe {
                sys::object_set_value(
                    obj,
                    name.as_ptr(),
                    name.len(),
                    ty,
                    bytes.as_ptr(),
                    bytes.len(),
                )
            }
        });
        if let Some(status) = raw {
            return check(status).map(drop);
        }
        match value.as_handle() {
            Some(h) => self.set_handle(name, h),
            None => self.set_handle(name, value.to_variant()?.handle()),
        }
    }

    fn set_handle(&self, name: &str, value: i32) -> Result<()> {
        // SAFETY: `name` is a live slice of guest memory.
        check(unsafe { sys::object_set(self.0.handle(), name.as_ptr(), name.len(), value) })
            .map(drop)
    }

    /// Sets a property from a plain value (the same as [`Object::set`]).
    pub fn set_value(&self, name: &str, value: &dyn ToVariant) -> Result<()> {
        self.set(name, value)
    }

    /// Binds property `name` to the `T` at `value` (`object_bind_value`, docs/ABI.md): the host
    /// writes the property's current value there now, and at the end of every frame writes the
    /// property when those bytes changed. Writes through [`Object::set`] are refused while bound.
    /// [`crate::PerNode::bind`] is the safe way to use it.
    ///
    /// # Safety
    /// `value` must point to a `T` in guest memory that stays there (and is not used as anything
    /// else) until the binding ends: [`Object::unbind`], the node detaching or the instance
    /// resetting.
    pub unsafe fn bind_raw<T: Bindable>(&self, name: &str, value: *mut T) -> Result<()> {
        // SAFETY: `name` is a live slice; the caller vouches for `value`.
        check(unsafe {
            sys::object_bind_value(
                self.0.handle(),
                name.as_ptr(),
                name.len(),
                T::TYPE,
                value.cast(),
            )
        })
        .map(drop)
    }

    /// Ends the binding of property `name` (`NotFound` when this script did not bind it); the
    /// property keeps the last value sent.
    pub fn unbind(&self, name: &str) -> Result<()> {
        // SAFETY: `name` is a live slice; type NIL never touches the pointer.
        check(unsafe {
            sys::object_bind_value(
                self.0.handle(),
                name.as_ptr(),
                name.len(),
                type_id::NIL,
                core::ptr::null_mut(),
            )
        })
        .map(drop)
    }

    /// Calls an allowed method; `None` when it returned nil.
    pub fn call(&self, name: &str, args: Option<&Array>) -> Result<Option<Variant>> {
        let args = args.map_or(0, |a| a.as_variant().handle());
        // SAFETY: `name` is a live slice of guest memory.
        Variant::from_optional(unsafe {
            sys::object_call(self.0.handle(), name.as_ptr(), name.len(), args)
        })
    }

    pub fn as_variant(&self) -> &Variant {
        &self.0
    }
}

/// Emits a signal the manifest declares, from the script's node.
pub fn emit_signal(name: &str, args: Option<&Array>) -> Result<()> {
    let args = args.map_or(0, |a| a.as_variant().handle());
    // SAFETY: `name` is a live slice of guest memory.
    check(unsafe { sys::emit_signal(name.as_ptr(), name.len(), args) }).map(drop)
}
