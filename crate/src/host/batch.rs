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
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

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

/// The queue a [`super::ScriptHost`] puts its writes in. Every host has one; the hosts of one
/// shared instance (docs/ABI.md "Instancing") are created with the same [`BatchSink`], so a single
/// take drains every node's writes in call order and the game decodes one Array per instance.
#[derive(Debug, Default)]
pub struct BatchQueue {
    entries: Vec<BatchEntry>,
    /// Last queued write per (object, property), so reads see writes Godot has not applied yet
    /// (whichever node of the instance made them).
    pending: HashMap<(u64, String), Variant>,
}

/// A batch queue shared by the hosts of one instance.
pub type BatchSink = Rc<RefCell<BatchQueue>>;

/// A fresh, empty sink.
pub fn sink() -> BatchSink {
    Rc::default()
}

impl BatchQueue {
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Queues a property write and remembers it for reads.
    pub fn push_set(&mut self, object: u64, property: &str, value: Variant) {
        self.pending
            .insert((object, property.to_owned()), value.clone());
        self.entries.push(BatchEntry::Set {
            object,
            property: property.to_owned(),
            value,
        });
    }

    /// Queues a command call or a signal.
    pub fn push(&mut self, entry: BatchEntry) {
        self.entries.push(entry);
    }

    /// The queued value of `object.property`, if a write is pending.
    pub fn pending(&self, object: u64, property: &str) -> Option<&Variant> {
        // A borrowed-key lookup would need a custom key type; names are short.
        self.pending.get(&(object, property.to_owned()))
    }

    /// Takes the queued entries and the last value written per (object, property); the queue
    /// starts empty again.
    pub fn take(&mut self) -> (Vec<BatchEntry>, HashMap<(u64, String), Variant>) {
        (
            std::mem::take(&mut self.entries),
            std::mem::take(&mut self.pending),
        )
    }

    /// Drops everything queued.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.pending.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shared_sink_keeps_call_order_and_the_last_write() {
        let sink = sink();
        let other = Rc::clone(&sink);
        sink.borrow_mut().push_set(1, "position", Variant::Int(1));
        other.borrow_mut().push_set(2, "position", Variant::Int(2));
        sink.borrow_mut().push_set(1, "position", Variant::Int(3));
        assert_eq!(
            other.borrow().pending(1, "position"),
            Some(&Variant::Int(3))
        );
        let (entries, last) = sink.borrow_mut().take();
        let objects: Vec<u64> = entries
            .iter()
            .map(|e| match e {
                BatchEntry::Set { object, .. } => *object,
                _ => 0,
            })
            .collect();
        assert_eq!(objects, [1, 2, 1]);
        assert_eq!(last.len(), 2);
        assert!(other.borrow().is_empty());
        assert_eq!(other.borrow().pending(1, "position"), None);
    }
}
