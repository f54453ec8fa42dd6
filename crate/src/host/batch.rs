//! The per-frame batch: every write to a Godot object a script made this frame, in order.
//!
//! Godot applies it in one go after the scripts ran. On the wire ([`encode`]) it is one Godot
//! Array in the binary Variant format, so GDScript decodes it with a single `bytes_to_var`:
//!
//! ```text
//! [ [0, object_id: int, property: StringName, value],      # set a property
//!   [1, object_id: int, method: StringName, args: Array],  # call a command method
//!   [2, object_id: int, signal: StringName, args: Array],  # emit a signal
//!   [3, property: StringName, object_ids: PackedInt64Array, values: Packed*Array],
//!   … ]
//! ```
//!
//! Tag 3 is a run of consecutive writes of one property with one packable value type (see
//! [`Column`]): `object_ids[i].property = values[i]` in order. Godot decodes a packed column about
//! 25× faster than the same writes as row entries and applies it in a typed loop. Any other entry
//! closes the run, so effects keep their order exactly; a run of one write stays a row entry.

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
pub const SET_COLUMN: i64 = 3;

/// Most writes one tag-3 entry holds; a longer run continues in a new entry (keeps every packed
/// length far inside Godot's i32 and bounds one entry's size).
pub const MAX_RUN: usize = 1 << 16;

/// The values of a run of same-property writes, typed by the column they pack into. Bool and int
/// both pack into a PackedInt64Array but are distinct columns, so a run never mixes them (Godot
/// converts the int back for a bool property).
#[derive(Debug, Clone, PartialEq)]
enum Column {
    Int(Vec<i64>),
    Bool(Vec<i64>),
    Float(Vec<f64>),
    Vector2(Vec<variant::Vector2>),
    Vector3(Vec<variant::Vector3>),
    Vector4(Vec<variant::Vector4>),
    Color(Vec<variant::Color>),
}

impl Column {
    /// A new column holding `value`, if its type packs.
    fn of(value: &Variant) -> Option<Column> {
        Some(match value {
            Variant::Int(v) => Column::Int(vec![*v]),
            Variant::Bool(b) => Column::Bool(vec![i64::from(*b)]),
            Variant::Float(v) => Column::Float(vec![*v]),
            Variant::Vector2(v) => Column::Vector2(vec![*v]),
            Variant::Vector3(v) => Column::Vector3(vec![*v]),
            Variant::Vector4(v) => Column::Vector4(vec![*v]),
            Variant::Color(v) => Column::Color(vec![*v]),
            _ => return None,
        })
    }

    /// Appends `value` when it has this column's type.
    fn push(&mut self, value: &Variant) -> bool {
        match (self, value) {
            (Column::Int(c), Variant::Int(v)) => c.push(*v),
            (Column::Bool(c), Variant::Bool(b)) => c.push(i64::from(*b)),
            (Column::Float(c), Variant::Float(v)) => c.push(*v),
            (Column::Vector2(c), Variant::Vector2(v)) => c.push(*v),
            (Column::Vector3(c), Variant::Vector3(v)) => c.push(*v),
            (Column::Vector4(c), Variant::Vector4(v)) => c.push(*v),
            (Column::Color(c), Variant::Color(v)) => c.push(*v),
            _ => return false,
        }
        true
    }

    /// Appends a value given as its raw fields (`host::raw`, `ty` its Variant type) when it has
    /// this column's type: a binding's harvest, with no Variant built per write.
    fn push_raw(&mut self, ty: u32, bytes: &[u8]) -> bool {
        let f = |i: usize| f32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
        let eight = || {
            let mut b = [0u8; 8];
            b.copy_from_slice(&bytes[..8]);
            b
        };
        match (self, ty) {
            (Column::Vector3(c), type_id::VECTOR3) if bytes.len() == 12 => {
                c.push(variant::Vector3 {
                    x: f(0),
                    y: f(4),
                    z: f(8),
                })
            }
            (Column::Float(c), type_id::FLOAT) if bytes.len() == 8 => {
                c.push(f64::from_le_bytes(eight()))
            }
            (Column::Int(c), type_id::INT) if bytes.len() == 8 => {
                c.push(i64::from_le_bytes(eight()))
            }
            (Column::Bool(c), type_id::BOOL) if bytes.len() == 1 => {
                c.push(i64::from(bytes[0] != 0))
            }
            _ => return false,
        }
        true
    }

    /// The only value of a one-write column.
    fn first(&self) -> Variant {
        match self {
            Column::Int(c) => Variant::Int(c[0]),
            Column::Bool(c) => Variant::Bool(c[0] != 0),
            Column::Float(c) => Variant::Float(c[0]),
            Column::Vector2(c) => Variant::Vector2(c[0]),
            Column::Vector3(c) => Variant::Vector3(c[0]),
            Column::Vector4(c) => Variant::Vector4(c[0]),
            Column::Color(c) => Variant::Color(c[0]),
        }
    }

    fn into_packed(self) -> Variant {
        match self {
            Column::Int(c) | Column::Bool(c) => Variant::PackedInt64Array(c),
            Column::Float(c) => Variant::PackedFloat64Array(c),
            Column::Vector2(c) => Variant::PackedVector2Array(c),
            Column::Vector3(c) => Variant::PackedVector3Array(c),
            Column::Vector4(c) => Variant::PackedVector4Array(c),
            Column::Color(c) => Variant::PackedColorArray(c),
        }
    }
}

/// The open run of same-property writes (not yet in the encoded bytes).
#[derive(Debug)]
struct Run {
    property: String,
    objects: Vec<i64>,
    values: Column,
}

/// Splits a decoded packed column back into single values (the inverse of `Column::into_packed`;
/// ints and bools are not told apart on the wire, they come back as ints).
fn unpack(column: Variant) -> Vec<Variant> {
    match column {
        Variant::PackedInt64Array(c) => c.into_iter().map(Variant::Int).collect(),
        Variant::PackedFloat64Array(c) => c.into_iter().map(Variant::Float).collect(),
        Variant::PackedVector2Array(c) => c.into_iter().map(Variant::Vector2).collect(),
        Variant::PackedVector3Array(c) => c.into_iter().map(Variant::Vector3).collect(),
        Variant::PackedVector4Array(c) => c.into_iter().map(Variant::Vector4).collect(),
        Variant::PackedColorArray(c) => c.into_iter().map(Variant::Color).collect(),
        _ => Vec::new(),
    }
}

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

/// The whole batch as one Godot Array value, every write as a row entry (no tag-3 runs: the form
/// [`encode`] and a [`BatchQueue`] produce when no two consecutive writes share a property).
pub fn to_variant(entries: &[BatchEntry]) -> Variant {
    Variant::array(entries.iter().map(BatchEntry::to_variant).collect())
}

/// The whole batch in Godot's binary format (`bytes_to_var` on the Godot side), with runs of
/// same-property writes packed into tag-3 entries exactly as a [`BatchQueue`] does.
pub fn encode(entries: &[BatchEntry]) -> Result<Vec<u8>, variant::VariantError> {
    let mut q = BatchQueue::default();
    for e in entries {
        q.push(e)?;
    }
    Ok(q.take_bytes())
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
    /// Entries encoded in `bytes` (the Array's length).
    count: usize,
    /// Operations queued (a run counts each of its writes).
    ops: usize,
    /// The open run of same-property writes, encoded when it closes.
    run: Option<Run>,
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
            ops: 0,
            run: None,
            names: FxHashMap::default(),
            known: FxHashMap::default(),
            frame: 1,
            cleared: Vec::new(),
            mirror,
        }
    }

    /// Operations (writes, calls, signals) queued since the last take.
    pub fn len(&self) -> usize {
        self.ops
    }

    pub fn is_empty(&self) -> bool {
        self.ops == 0
    }

    /// Queues a property write a host remembers itself (its node's own properties, see
    /// `host::own::OwnValues`).
    pub fn queue_set(
        &mut self,
        object: u64,
        property: &str,
        value: &Variant,
    ) -> Result<(), VariantError> {
        self.queue_write(object, property, value)
    }

    /// Whether the node's past writes stay answered to it after the take (the browser host).
    pub fn mirrors(&self) -> bool {
        self.mirror
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

    /// [`BatchQueue::queue_set`] of a value given as its raw fields: appended to the open run
    /// without building a Variant when it continues it (a binding harvest writes one property of
    /// many objects in a row), else built by `value()` and queued as any write.
    pub fn queue_set_raw(
        &mut self,
        object: u64,
        property: &str,
        ty: u32,
        bytes: &[u8],
        value: impl FnOnce() -> Option<Variant>,
    ) -> Result<(), VariantError> {
        if self.continue_run(object, property, |values| values.push_raw(ty, bytes)) {
            return Ok(());
        }
        match value() {
            Some(value) => self.queue_write(object, property, &value),
            None => Ok(()),
        }
    }

    /// Queues a property write and remembers the value for reads.
    pub fn push_set(
        &mut self,
        object: u64,
        property: &str,
        value: Variant,
    ) -> Result<(), VariantError> {
        self.queue_write(object, property, &value)?;
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
                self.close_run();
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
        self.close_run();
        self.bytes[..4].copy_from_slice(&type_id::ARRAY.to_le_bytes());
        // At most one entry per host call, far below i32::MAX.
        self.bytes[4..8].copy_from_slice(&(self.count as u32).to_le_bytes());
        // The next frame is about as large as this one.
        let mut next = Vec::with_capacity(self.bytes.len());
        next.extend_from_slice(&HEADER_PLACEHOLDER);
        self.count = 0;
        self.ops = 0;
        self.frame += 1;
        std::mem::replace(&mut self.bytes, next)
    }

    /// The queued entries, decoded; the queue starts empty again (tests and native embedders).
    pub fn take(&mut self) -> Vec<BatchEntry> {
        let bytes = self.take_bytes();
        match variant::decode_exact(&bytes) {
            Ok(Variant::Array(a)) => a.elements.into_iter().flat_map(entries_of).collect(),
            // The queue encoded these bytes itself.
            _ => unreachable!("a batch queue always holds an Array of entries"),
        }
    }

    /// Drops everything queued, and the values of those writes (Godot never sees them); values of
    /// earlier frames and seeds stay.
    pub fn clear(&mut self) {
        self.bytes.truncate(HEADER_PLACEHOLDER.len());
        self.count = 0;
        self.ops = 0;
        self.run = None;
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

    /// Queues a property write: into the open run when it continues it, else closes the run and
    /// opens a new one (packable value) or appends a row entry.
    fn queue_write(
        &mut self,
        object: u64,
        property: &str,
        value: &Variant,
    ) -> Result<(), VariantError> {
        if self.continue_run(object, property, |values| values.push(value)) {
            return Ok(());
        }
        self.close_run();
        match Column::of(value) {
            Some(values) => {
                self.run = Some(Run {
                    property: property.to_owned(),
                    objects: vec![object as i64],
                    values,
                });
                self.ops += 1;
                Ok(())
            }
            None => self.encode_entry(SET, object, property, value),
        }
    }

    /// Appends a write to the open run when it is of `property`, has room and `push` takes the
    /// value into its column; false (nothing appended) otherwise.
    fn continue_run(
        &mut self,
        object: u64,
        property: &str,
        push: impl FnOnce(&mut Column) -> bool,
    ) -> bool {
        let Some(run) = &mut self.run else {
            return false;
        };
        if run.property != property || run.objects.len() >= MAX_RUN || !push(&mut run.values) {
            return false;
        }
        // ObjectIDs are u64 but GDScript ints are i64: the bits are kept.
        run.objects.push(object as i64);
        self.ops += 1;
        true
    }

    /// Encodes the open run, if any: a row entry for a single write, else one tag-3 entry.
    fn close_run(&mut self) {
        let Some(run) = self.run.take() else { return };
        // Packable values and packed columns of at most MAX_RUN elements always encode: the
        // errors below cannot happen, and a failure would only drop the run, never corrupt bytes.
        if run.objects.len() == 1 {
            let value = run.values.first();
            let _ = self.encode_row(SET, run.objects[0] as u64, &run.property, &value);
            return;
        }
        let start = self.bytes.len();
        let out = &mut self.bytes;
        out.extend_from_slice(&type_id::ARRAY.to_le_bytes());
        out.extend_from_slice(&4u32.to_le_bytes());
        encode_int(out, SET_COLUMN);
        encode_string_name(out, &run.property);
        let ids = variant::encode_into(&Variant::PackedInt64Array(run.objects), out);
        let values = ids.and_then(|_| variant::encode_into(&run.values.into_packed(), out));
        match values {
            Ok(()) => self.count += 1,
            Err(_) => self.bytes.truncate(start),
        }
    }

    /// Appends `[tag, object, name, payload]` after closing the open run; on failure nothing is
    /// appended.
    fn encode_entry(
        &mut self,
        tag: i64,
        object: u64,
        name: &str,
        payload: &Variant,
    ) -> Result<(), VariantError> {
        self.close_run();
        self.encode_row(tag, object, name, payload)?;
        self.ops += 1;
        Ok(())
    }

    /// Appends `[tag, object, name, payload]`; on failure nothing is appended.
    fn encode_row(
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
        encode_string_name(out, name);
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

/// A STRING_NAME as Godot encodes it (length, UTF-8 bytes, padding to 4).
fn encode_string_name(out: &mut Vec<u8>, name: &str) {
    out.extend_from_slice(&type_id::STRING_NAME.to_le_bytes());
    out.extend_from_slice(&(name.len() as u32).to_le_bytes());
    out.extend_from_slice(name.as_bytes());
    out.resize(out.len() + (4 - name.len() % 4) % 4, 0);
}

/// A decoded entry back as the writes/calls it stands for (a tag-3 run as one write per object).
fn entries_of(v: Variant) -> Vec<BatchEntry> {
    let Variant::Array(a) = v else {
        return Vec::new();
    };
    if let [Variant::Int(SET_COLUMN), Variant::StringName(_), Variant::PackedInt64Array(_), _] =
        a.elements.as_slice()
    {
        let mut it = a.elements.into_iter().skip(1);
        let (
            Some(Variant::StringName(property)),
            Some(Variant::PackedInt64Array(objects)),
            Some(column),
        ) = (it.next(), it.next(), it.next())
        else {
            return Vec::new();
        };
        return objects
            .into_iter()
            .zip(unpack(column))
            .map(|(object, value)| BatchEntry::Set {
                object: object as u64,
                property: property.clone(),
                value,
            })
            .collect();
    }
    entry_of(*a).into_iter().collect()
}

/// A decoded `[tag, object, name, payload]` back as an entry.
fn entry_of(a: variant::Array) -> Option<BatchEntry> {
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

    fn v3(x: f32) -> Variant {
        Variant::Vector3(Vector3 { x, y: 0.0, z: 0.0 })
    }

    fn set(object: u64, property: &str, value: Variant) -> BatchEntry {
        BatchEntry::Set {
            object,
            property: property.into(),
            value,
        }
    }

    fn decoded(q: &mut BatchQueue) -> Vec<Variant> {
        match variant::decode_exact(&q.take_bytes()).unwrap() {
            Variant::Array(a) => a.elements,
            other => panic!("not an Array: {other:?}"),
        }
    }

    fn column(property: &str, objects: Vec<i64>, values: Variant) -> Variant {
        Variant::array(vec![
            Variant::Int(SET_COLUMN),
            Variant::StringName(property.into()),
            Variant::PackedInt64Array(objects),
            values,
        ])
    }

    #[test]
    fn runs_of_one_property_pack_and_other_entries_close_them_in_order() {
        let entries = vec![
            set(1, "position", v3(1.0)),
            set(2, "position", v3(2.0)),
            BatchEntry::Call {
                object: 1,
                method: "rotate_y".into(),
                args: vec![Variant::Float(0.5)],
            },
            set(3, "position", v3(3.0)),
            set(u64::MAX, "position", v3(4.0)),
            set(3, "scale", v3(5.0)),
            set(4, "scale", v3(6.0)),
            BatchEntry::Emit {
                object: 2,
                signal: "done".into(),
                args: vec![],
            },
            set(5, "visible", Variant::Bool(true)),
        ];
        let mut q = BatchQueue::default();
        for e in &entries {
            q.push(e).unwrap();
        }
        assert_eq!(q.len(), entries.len(), "len counts every write");
        let col3 = |xs: &[f32]| {
            Variant::PackedVector3Array(xs.iter().map(|&x| Vector3 { x, y: 0.0, z: 0.0 }).collect())
        };
        assert_eq!(
            decoded(&mut q),
            vec![
                column("position", vec![1, 2], col3(&[1.0, 2.0])),
                entries[2].to_variant(),
                column("position", vec![3, -1], col3(&[3.0, 4.0])),
                column("scale", vec![3, 4], col3(&[5.0, 6.0])),
                entries[7].to_variant(),
                entries[8].to_variant(),
            ]
        );
        assert!(q.is_empty());
    }

    #[test]
    fn a_change_of_value_type_or_an_unpackable_value_closes_a_run() {
        let q = &mut BatchQueue::default();
        let quat = Variant::Quaternion(crate::variant::Quaternion {
            x: 0.0,
            y: 0.0,
            z: 0.0,
            w: 1.0,
        });
        let writes = [
            set(1, "p", Variant::Int(1)),
            set(2, "p", Variant::Int(2)),
            set(3, "p", Variant::Bool(true)),
            set(4, "p", Variant::Bool(false)),
            set(5, "p", Variant::Float(0.5)),
            set(6, "p", Variant::Float(1.5)),
            set(7, "p", quat.clone()),
            set(8, "p", quat),
            set(9, "p", Variant::Float(2.5)),
        ];
        for w in &writes {
            q.push(w).unwrap();
        }
        assert_eq!(
            decoded(q),
            vec![
                column("p", vec![1, 2], Variant::PackedInt64Array(vec![1, 2])),
                column("p", vec![3, 4], Variant::PackedInt64Array(vec![1, 0])),
                column("p", vec![5, 6], Variant::PackedFloat64Array(vec![0.5, 1.5])),
                writes[6].to_variant(),
                writes[7].to_variant(),
                writes[8].to_variant(),
            ]
        );
    }

    #[test]
    fn a_single_write_stays_a_row_entry_and_rows_encode_as_before() {
        // No two consecutive writes share a property: the bytes are exactly the row format.
        let entries = vec![
            set(1, "position", v3(1.0)),
            set(1, "rotation", v3(2.0)),
            set(
                2,
                "position",
                Variant::Color(crate::variant::Color::default()),
            ),
        ];
        let mut q = BatchQueue::default();
        for e in &entries {
            q.push(e).unwrap();
        }
        assert_eq!(
            q.take_bytes(),
            variant::encode(&to_variant(&entries)).unwrap()
        );
    }

    #[test]
    fn take_expands_runs_back_into_writes_and_reads_see_them() {
        let mut q = BatchQueue::default();
        let writes: Vec<BatchEntry> = (1..=5).map(|i| set(i, "position", v3(i as f32))).collect();
        for w in &writes {
            q.push(w).unwrap();
        }
        assert_eq!(q.read(4, "position", false), Some(&v3(4.0)));
        assert_eq!(q.take(), writes);
        let mut q = BatchQueue::default();
        q.push(&set(1, "scale", Variant::Float(1.0))).unwrap();
        q.push(&set(2, "scale", Variant::Float(2.0))).unwrap();
        q.clear();
        assert!(q.is_empty());
        assert_eq!(q.take(), vec![], "a cleared run is dropped");
    }

    #[test]
    fn long_runs_split_at_max_run() {
        let mut q = BatchQueue::default();
        for i in 0..MAX_RUN + 3 {
            q.queue_set(i as u64, "x", &Variant::Float(1.0)).unwrap();
        }
        let entries = decoded(&mut q);
        assert_eq!(entries.len(), 2);
        let Variant::Array(last) = &entries[1] else {
            panic!()
        };
        assert_eq!(
            last.elements[2],
            Variant::PackedInt64Array(vec![65536, 65537, 65538])
        );
    }

    #[test]
    fn packed_columns_match_godot_fixture_bytes() {
        // Hex from crate/tests/fixtures/godot-variants.json (var_to_bytes in Godot 4).
        let hex = |s: &str| -> Vec<u8> {
            (0..s.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
                .collect()
        };
        let ids = hex("1f000000030000000100000000000000ffffffffffffffffffffffffffffff7f");
        let floats = hex("21000000030000009a9999999999b93f9c7500883ce4377e0000000000000080");
        let mut q = BatchQueue::default();
        for (object, value) in [(1u64, 0.1), (u64::MAX, 1e300), (i64::MAX as u64, -0.0)] {
            q.queue_set(object, "w", &Variant::Float(value)).unwrap();
        }
        let bytes = q.take_bytes();
        let mut expected = Vec::new();
        expected.extend_from_slice(&type_id::ARRAY.to_le_bytes());
        expected.extend_from_slice(&1u32.to_le_bytes());
        expected.extend_from_slice(&type_id::ARRAY.to_le_bytes());
        expected.extend_from_slice(&4u32.to_le_bytes());
        expected.extend_from_slice(&variant::encode(&Variant::Int(SET_COLUMN)).unwrap());
        expected.extend_from_slice(&variant::encode(&Variant::StringName("w".into())).unwrap());
        expected.extend_from_slice(&ids);
        expected.extend_from_slice(&floats);
        assert_eq!(bytes, expected);
        // Vector3 and Color columns: the fixtures' element bytes, packed.
        let mut q = BatchQueue::default();
        for object in [1, 2] {
            q.queue_set(
                object,
                "position",
                &Variant::Vector3(Vector3 {
                    x: 1.0,
                    y: 2.0,
                    z: 3.0,
                }),
            )
            .unwrap();
        }
        let bytes = q.take_bytes();
        let v3 = hex("24000000020000000000803f00000040000040400000803f0000004000004040");
        assert!(bytes.ends_with(&v3));
        let colors =
            hex("25000000020000000000803f00000000000000000000803f000000000000003f0000803f0000803e");
        let mut q = BatchQueue::default();
        for (object, c) in [(1, [1.0, 0.0, 0.0, 1.0]), (2, [0.0, 0.5, 1.0, 0.25])] {
            let [r, g, b, a] = c;
            q.queue_set(
                object,
                "modulate",
                &Variant::Color(crate::variant::Color { r, g, b, a }),
            )
            .unwrap();
        }
        assert!(q.take_bytes().ends_with(&colors));
    }

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
