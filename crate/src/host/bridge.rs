//! `ObjectBridge`: how the host reaches real Godot objects. The JS glue implements it (through
//! JavaScriptBridge); tests implement it with a fake scene.
//!
//! Only reads and query calls go through the bridge synchronously: writes, command calls and
//! signals are queued in the frame's batch (see [`super::batch`]). Names reaching the bridge
//! have already passed the capability rules.

use super::fail::Fail;
use crate::variant::Variant;

pub trait ObjectBridge {
    /// The class of a live object, or `None` when it was freed.
    fn class_of(&mut self, id: u64) -> Option<String>;

    /// Reads a property. Errors: `object_gone`, `not_found`.
    fn get(&mut self, id: u64, property: &str) -> Result<Variant, Fail>;

    /// Calls a query method and returns its result. Errors: `object_gone`, `not_found`,
    /// `bad_value` (arguments Godot refused).
    fn call(&mut self, id: u64, method: &str, args: &[Variant]) -> Result<Variant, Fail>;
}

/// A bridge to nothing: every object is gone. For hosts that only run pure computations
/// (and for tests of everything but objects).
#[derive(Debug, Default, Clone, Copy)]
pub struct NoObjects;

impl ObjectBridge for NoObjects {
    fn class_of(&mut self, _id: u64) -> Option<String> {
        None
    }

    fn get(&mut self, id: u64, _property: &str) -> Result<Variant, Fail> {
        Err(gone(id))
    }

    fn call(&mut self, id: u64, _method: &str, _args: &[Variant]) -> Result<Variant, Fail> {
        Err(gone(id))
    }
}

fn gone(id: u64) -> Fail {
    Fail::new(
        crate::abi::AbiError::ObjectGone,
        format!("object {id} is not reachable"),
    )
}
