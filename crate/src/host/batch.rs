//! The per-frame batch: every write to a Godot object a script made this frame, in order.
//!
//! Godot applies it in one go after the scripts ran. On the wire ([`encode`]) it is one Godot
//! Array in the binary Variant format, so GDScript decodes it with a single `bytes_to_var`:
//!
//! ```text
//! [ [0, object_id: int, property: StringName, value],      # set a property
//!   [1, object_id: int, method: StringName, args: Array],  # call a command method
//!   [2, object_id: int, signal: StringName, args: Array],  # emit a signal
//!   … ]
//! ```

use crate::variant::{self, Variant};

/// One queued operation.
#[derive(Debug, Clone, PartialEq)]
pub enum BatchEntry {
    Set {
        object: u64,
        property: String,
        value: Variant,
    },
    Call {
        object: u64,
        method: String,
        args: Vec<Variant>,
    },
    Emit {
        object: u64,
        signal: String,
        args: Vec<Variant>,
    },
}

/// Wire tags of [`BatchEntry`] kinds.
pub const SET: i64 = 0;
pub const CALL: i64 = 1;
pub const EMIT: i64 = 2;

impl BatchEntry {
    /// This entry as the Godot Array described in the module documentation.
    pub fn to_variant(&self) -> Variant {
        // ObjectIDs are u64 but GDScript ints are i64: the bits are kept (`instance_from_id`
        // takes the same int back).
        let (tag, object, name, payload) = match self {
            BatchEntry::Set {
                object,
                property,
                value,
            } => (SET, object, property, value.clone()),
            BatchEntry::Call {
                object,
                method,
                args,
            } => (CALL, object, method, Variant::array(args.clone())),
            BatchEntry::Emit {
                object,
                signal,
                args,
            } => (EMIT, object, signal, Variant::array(args.clone())),
        };
        Variant::array(vec![
            Variant::Int(tag),
            Variant::Int(*object as i64),
            Variant::StringName(name.clone()),
            payload,
        ])
    }
}

/// The whole batch as one Godot Array value.
pub fn to_variant(entries: &[BatchEntry]) -> Variant {
    Variant::array(entries.iter().map(BatchEntry::to_variant).collect())
}

/// The whole batch in Godot's binary format (`bytes_to_var` on the Godot side).
pub fn encode(entries: &[BatchEntry]) -> Result<Vec<u8>, variant::VariantError> {
    variant::encode(&to_variant(entries))
}
