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

use super::fxhash::FxHashMap;
use crate::variant::{self, type_id, Variant, VariantError};
use std::cell::RefCell;
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

/// Most (object, property) values a [`BatchQueue`] remembers for reads; past it, it forgets them
/// all (reads then go to Godot), so a guest writing endless `blend_shapes/<name>`s cannot grow it.
pub const MAX_KNOWN_VALUES: usize = 1 << 16;

/// The queue a [`super::ScriptHost`] puts its writes in. Every host has one; the hosts of one
/// shared instance (docs/ABI.md "Instancing") are created with the same [`BatchSink`], so a single
/// take drains every node's writes in call order and the game decodes one Array per instance.
///
/// Entries are encoded as they are queued (the wire format above), so taking the batch is a copy,
/// not a conversion. The last value written per (object, property) is kept for reads: during the
/// frame it was written in by any node (Godot has not applied it yet); after the take, only when
/// the queue `mirrors` and the reader is that node itself (the browser host's view of its node,
/// as if Godot had applied the batch).
#[derive(Debug)]
pub struct BatchQueue {
    /// The Array header (patched at the take) and the encoded entries (each a 4-element Array),
    /// back to back: the take hands this buffer over as it is.
    bytes: Vec<u8>,
    count: usize,
    /// Interned property names: `known` is keyed by (object, name index).
    names: FxHashMap<Box<str>, u32>,
    /// Last value per (object, name index), with the frame it was written in (0: seeded).
    known: FxHashMap<(u64, u32), (Variant, u64)>,
    /// The current frame: bumped by every take and clear. Starts at 1; 0 marks seeded values.
    frame: u64,
    /// Frames whose writes were dropped (reset, fault): their values are never answered.
    cleared: Vec<u64>,
    mirror: bool,
}

/// A batch queue shared by the hosts of one instance.
pub type BatchSink = Rc<RefCell<BatchQueue>>;

/// A fresh, empty sink that forgets written values after a take.
pub fn sink() -> BatchSink {
    Rc::new(RefCell::new(BatchQueue::new(false)))
}

/// A fresh, empty sink that keeps answering a node's reads of its own written (and seeded)
/// properties after the take (the browser host).
pub fn mirroring_sink() -> BatchSink {
    Rc::new(RefCell::new(BatchQueue::new(true)))
}

impl Default for BatchQueue {
    fn default() -> Self {
        BatchQueue::new(false)
    }
}

impl BatchQueue {
    pub fn new(mirror: bool) -> Self {
        BatchQueue {
            bytes: HEADER_PLACEHOLDER.to_vec(),
            count: 0,
            names: FxHashMap::default(),
            known: FxHashMap::default(),
            frame: 1,
            cleared: Vec::new(),
            mirror,
        }
    }

    /// Entries queued since the last take.
    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Queues a property write a host remembers itself (its node's own properties, see
    /// `host::own::OwnValues`).
    pub fn queue_set(
        &mut self,
        object: u64,
        property: &str,
        value: &Variant,
    ) -> Result<(), VariantError> {
        self.encode_entry(SET, object, property, value)
    }

    /// The current frame (values written now are pending until the next take).
    pub fn frame(&self) -> u64 {
        self.frame
    }

    /// Whether a value written in `frame` (0: seeded) is answered to a read now: pending values
    /// of this frame to anyone; earlier ones only to the node itself, and only when mirroring.
    pub fn answers(&self, frame: u64, reader_is_object: bool) -> bool {
        (frame == self.frame || (self.mirror && reader_is_object))
            && (frame == 0 || !self.cleared.contains(&frame))
    }

    /// Queues a property write and remembers the value for reads.
    pub fn push_set(
        &mut self,
        object: u64,
        property: &str,
        value: Variant,
    ) -> Result<(), VariantError> {
        self.encode_entry(SET, object, property, &value)?;
        self.remember(object, property, value, self.frame);
        Ok(())
    }

    /// Queues a command call or a signal.
    pub fn push(&mut self, entry: &BatchEntry) -> Result<(), VariantError> {
        match entry {
            BatchEntry::Set {
                object,
                property,
                value,
            } => self.push_set(*object, property, value.clone()),
            BatchEntry::Call {
                object,
                method: name,
                args,
            }
            | BatchEntry::Emit {
                object,
                signal: name,
                args,
            } => {
                let tag = if matches!(entry, BatchEntry::Call { .. }) {
                    CALL
                } else {
                    EMIT
                };
                self.encode_entry(tag, *object, name, &Variant::array(args.clone()))
            }
        }
    }

    /// The value a read of `object.property` sees before asking Godot, if any (see the type docs).
    pub fn read(&self, object: u64, property: &str, reader_is_object: bool) -> Option<&Variant> {
        let name = self.names.get(property)?;
        let (value, frame) = self.known.get(&(object, *name))?;
        self.answers(*frame, reader_is_object).then_some(value)
    }

    /// The queued entries as one Godot Array (binary Variant); the queue starts empty again.
    pub fn take_bytes(&mut self) -> Vec<u8> {
        self.bytes[..4].copy_from_slice(&type_id::ARRAY.to_le_bytes());
        // At most one entry per host call, far below i32::MAX.
        self.bytes[4..8].copy_from_slice(&(self.count as u32).to_le_bytes());
        // The next frame is about as large as this one.
        let mut next = Vec::with_capacity(self.bytes.len());
        next.extend_from_slice(&HEADER_PLACEHOLDER);
        self.count = 0;
        self.frame += 1;
        std::mem::replace(&mut self.bytes, next)
    }

    /// The queued entries, decoded; the queue starts empty again (tests and native embedders).
    pub fn take(&mut self) -> Vec<BatchEntry> {
        let bytes = self.take_bytes();
        match variant::decode_exact(&bytes) {
            Ok(Variant::Array(a)) => a.elements.into_iter().filter_map(entry_of).collect(),
            // The queue encoded these bytes itself.
            _ => unreachable!("a batch queue always holds an Array of entries"),
        }
    }

    /// Drops everything queued, and the values of those writes (Godot never sees them); values of
    /// earlier frames and seeds stay.
    pub fn clear(&mut self) {
        self.bytes.truncate(HEADER_PLACEHOLDER.len());
        self.count = 0;
        let frame = self.frame;
        self.known.retain(|_, (_, written)| *written != frame);
        // Hosts remember their own nodes' writes of this frame: mark it so they are ignored.
        self.cleared.push(frame);
        self.frame += 1;
    }

    fn remember(&mut self, object: u64, property: &str, value: Variant, frame: u64) {
        if self.known.len() >= MAX_KNOWN_VALUES {
            self.known.clear();
            self.names.clear();
        }
        let next = self.names.len() as u32;
        let name = match self.names.get(property) {
            Some(i) => *i,
            None => {
                self.names.insert(property.into(), next);
                next
            }
        };
        self.known.insert((object, name), (value, frame));
    }

    /// Appends `[tag, object, name, payload]`; on failure nothing is appended.
    fn encode_entry(
        &mut self,
        tag: i64,
        object: u64,
        name: &str,
        payload: &Variant,
    ) -> Result<(), VariantError> {
        let start = self.bytes.len();
        let out = &mut self.bytes;
        out.extend_from_slice(&type_id::ARRAY.to_le_bytes());
        out.extend_from_slice(&4u32.to_le_bytes());
        encode_int(out, tag);
        // ObjectIDs are u64 but GDScript ints are i64: the bits are kept.
        encode_int(out, object as i64);
        out.extend_from_slice(&type_id::STRING_NAME.to_le_bytes());
        out.extend_from_slice(&(name.len() as u32).to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.resize(out.len() + (4 - name.len() % 4) % 4, 0);
        if let Err(e) = variant::encode_into(payload, out) {
            self.bytes.truncate(start);
            return Err(e);
        }
        self.count += 1;
        Ok(())
    }
}

/// Room for the batch's Array header at the start of a queue's buffer.
const HEADER_PLACEHOLDER: [u8; 8] = [0; 8];

/// An INT as Godot encodes it: 32 bits when it fits, else 64 with the header's 64-bit flag
/// (`variant::encode`'s rule; the eager-encoding test checks both against it).
fn encode_int(out: &mut Vec<u8>, v: i64) {
    const FLAG_64: u32 = 1 << 16;
    match i32::try_from(v) {
        Ok(small) => {
            out.extend_from_slice(&type_id::INT.to_le_bytes());
            out.extend_from_slice(&small.to_le_bytes());
        }
        Err(_) => {
            out.extend_from_slice(&(type_id::INT | FLAG_64).to_le_bytes());
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
}

/// A decoded `[tag, object, name, payload]` back as an entry.
fn entry_of(v: Variant) -> Option<BatchEntry> {
    let Variant::Array(a) = v else { return None };
    let mut it = a.elements.into_iter();
    let (
        Some(Variant::Int(tag)),
        Some(Variant::Int(object)),
        Some(Variant::StringName(name)),
        Some(payload),
    ) = (it.next(), it.next(), it.next(), it.next())
    else {
        return None;
    };
    let object = object as u64;
    let args = |p: Variant| match p {
        Variant::Array(a) => a.elements,
        _ => Vec::new(),
    };
    Some(match tag {
        SET => BatchEntry::Set {
            object,
            property: name,
            value: payload,
        },
        CALL => BatchEntry::Call {
            object,
            method: name,
            args: args(payload),
        },
        _ => BatchEntry::Emit {
            object,
            signal: name,
            args: args(payload),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::variant::Vector3;

    #[test]
    fn a_shared_sink_keeps_call_order_and_the_last_write() {
        let sink = sink();
        let other = Rc::clone(&sink);
        sink.borrow_mut()
            .push_set(1, "position", Variant::Int(1))
            .unwrap();
        other
            .borrow_mut()
            .push_set(2, "position", Variant::Int(2))
            .unwrap();
        sink.borrow_mut()
            .push_set(1, "position", Variant::Int(3))
            .unwrap();
        assert_eq!(
            other.borrow().read(1, "position", false),
            Some(&Variant::Int(3))
        );
        let entries = sink.borrow_mut().take();
        let objects: Vec<u64> = entries
            .iter()
            .map(|e| match e {
                BatchEntry::Set { object, .. } => *object,
                _ => 0,
            })
            .collect();
        assert_eq!(objects, [1, 2, 1]);
        assert!(other.borrow().is_empty());
        assert_eq!(other.borrow().read(1, "position", true), None);
    }

    #[test]
    fn a_mirroring_sink_answers_a_node_its_own_past_writes_and_seeds() {
        let sink = mirroring_sink();
        let mut q = sink.borrow_mut();
        q.remember(7, "rotation", Variant::Int(9), 0);
        q.push_set(7, "position", Variant::Int(1)).unwrap();
        q.take_bytes();
        assert_eq!(q.read(7, "position", true), Some(&Variant::Int(1)));
        assert_eq!(q.read(7, "rotation", true), Some(&Variant::Int(9)));
        assert_eq!(q.read(7, "position", false), None, "others ask Godot");
        q.push_set(7, "position", Variant::Int(2)).unwrap();
        q.clear();
        assert_eq!(
            q.read(7, "position", true),
            None,
            "a dropped write is forgotten"
        );
        assert_eq!(q.read(7, "rotation", true), Some(&Variant::Int(9)));
    }

    #[test]
    fn eager_encoding_matches_encoding_the_entries() {
        let entries = vec![
            BatchEntry::Set {
                object: 5,
                property: "position".into(),
                value: Variant::Vector3(Vector3 {
                    x: 1.0,
                    y: 2.0,
                    z: 3.0,
                }),
            },
            BatchEntry::Call {
                object: u64::MAX - 3,
                method: "rotate_y".into(),
                args: vec![Variant::Float(0.5)],
            },
            BatchEntry::Emit {
                object: 1 << 40,
                signal: "toggled".into(),
                args: vec![Variant::Bool(true), Variant::String("héllo".into())],
            },
            BatchEntry::Set {
                object: 5,
                property: "blend_shapes/smile".into(),
                value: Variant::Float(0.25),
            },
        ];
        let mut q = BatchQueue::default();
        for e in &entries {
            q.push(e).unwrap();
        }
        assert_eq!(q.len(), 4);
        let mut copy = BatchQueue::default();
        for e in &entries {
            copy.push(e).unwrap();
        }
        assert_eq!(q.take_bytes(), encode(&entries).unwrap());
        assert_eq!(copy.take(), entries);
        assert_eq!(q.take_bytes(), encode(&[]).unwrap());
    }

    #[test]
    fn remembered_values_are_bounded() {
        let mut q = BatchQueue::new(true);
        for i in 0..MAX_KNOWN_VALUES + 10 {
            q.push_set(1, &format!("blend_shapes/{i}"), Variant::Int(0))
                .unwrap();
        }
        assert!(q.known.len() <= MAX_KNOWN_VALUES);
        assert!(q.names.len() <= MAX_KNOWN_VALUES);
    }
}
