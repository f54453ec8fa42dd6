//! `DictValue`: an insertion-ordered Dictionary with a hash index, so lookups and inserts stay
//! O(1) even for dictionaries decoded from large guest inputs.
//!
//! Key equality follows Godot's `Variant::hash_compare`: same type and same content (floats by
//! value with NaN equal to NaN; String and StringName with the same text are the same key;
//! containers by content, objects by id).

use super::fail::Fail;
use super::meter;
use super::value::{Value, MAX_DEPTH};
use crate::variant::{ContainerType, Variant};
use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::rc::Rc;

/// How deep key hashing looks into nested containers; deeper levels are left to equality.
const HASH_DEPTH: usize = 4;

#[derive(Debug, Clone, Default)]
pub struct DictValue {
    pub key_type: ContainerType,
    pub value_type: ContainerType,
    entries: Vec<(Value, Value)>,
    /// Key hash → positions in `entries` with that hash.
    index: HashMap<u64, Vec<usize>>,
}

impl DictValue {
    pub fn typed(key_type: ContainerType, value_type: ContainerType) -> Self {
        DictValue {
            key_type,
            value_type,
            entries: Vec::new(),
            index: HashMap::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The value of `key`. Fails only when the meter stops the lookup (hashing and comparing
    /// keys is paid per value visited).
    pub fn get(&self, key: &Value) -> Result<Option<&Value>, Fail> {
        Ok(self.find(key)?.position.map(|i| &self.entries[i].1))
    }

    /// Sets `key` to `value`, keeping the key's original position when it exists.
    pub fn insert(&mut self, key: Value, value: Value) -> Result<(), Fail> {
        let slot = self.find(&key)?;
        self.insert_at(slot, key, value);
        Ok(())
    }

    /// Where `key` is or would go. Split from [`DictValue::insert_at`] so a caller holding the
    /// dictionary in a `RefCell` hashes the key (which may reach this very dictionary) under a
    /// shared borrow, and mutates under an exclusive one that touches no other value.
    ///
    /// Every candidate compared is paid for (keys that collide cost the guest, not the page).
    pub fn find(&self, key: &Value) -> Result<Slot, Fail> {
        let hash = key_hash(key)?;
        let mut position = None;
        if let Some(candidates) = self.index.get(&hash) {
            for &i in candidates {
                if keys_equal(&self.entries[i].0, key, 0)? {
                    position = Some(i);
                    break;
                }
            }
        }
        Ok(Slot { hash, position })
    }

    /// Stores `value` at a slot [`DictValue::find`] gave for `key` (with no change in between).
    pub fn insert_at(&mut self, slot: Slot, key: Value, value: Value) {
        match slot.position {
            Some(i) => self.entries[i].1 = value,
            None => {
                self.index
                    .entry(slot.hash)
                    .or_default()
                    .push(self.entries.len());
                self.entries.push((key, value));
            }
        }
    }

    /// Takes every entry out (for the iterative drop of deep structures).
    pub(super) fn drain(&mut self) -> Vec<(Value, Value)> {
        self.index.clear();
        std::mem::take(&mut self.entries)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&Value, &Value)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    pub fn keys(&self) -> impl Iterator<Item = &Value> {
        self.entries.iter().map(|(k, _)| k)
    }
}

/// A key's hash and, when present, its position.
#[derive(Debug, Clone, Copy)]
pub struct Slot {
    hash: u64,
    position: Option<usize>,
}

/// A hash consistent with [`keys_equal`].
pub fn key_hash(key: &Value) -> Result<u64, Fail> {
    let mut h = DefaultHasher::new();
    hash_value(key, &mut h, 0)?;
    Ok(h.finish())
}

fn hash_value(v: &Value, h: &mut DefaultHasher, depth: usize) -> Result<(), Fail> {
    if depth > HASH_DEPTH {
        return Ok(());
    }
    meter::values(1)?;
    match v {
        Value::Plain(p) => {
            meter::bytes(v.byte_size())?;
            hash_plain(p, h)
        }
        Value::Packed(p) => {
            if let Ok(p) = p.try_borrow() {
                hash_plain(&p, h)
            }
        }
        Value::Object(o) => {
            24u8.hash(h);
            o.id.hash(h);
        }
        Value::Array(a) => {
            28u8.hash(h);
            // A container being mutated right now (it is its own key) hashes as its type only.
            let Ok(a) = a.try_borrow() else {
                return Ok(());
            };
            a.items.len().hash(h);
            for item in &a.items {
                hash_value(item, h, depth + 1)?;
            }
        }
        Value::Dictionary(d) => {
            // Order-insensitive would be Godot's choice too, but entries compare in order below.
            27u8.hash(h);
            if let Ok(d) = d.try_borrow() {
                d.len().hash(h);
            }
        }
    }
    Ok(())
}

fn hash_plain(v: &Variant, h: &mut DefaultHasher) {
    match v {
        // Same text, same key, whichever of the two string types.
        Variant::String(s) | Variant::StringName(s) => {
            4u8.hash(h);
            s.hash(h);
        }
        Variant::Float(f) => {
            3u8.hash(h);
            canonical_bits(*f).hash(h);
        }
        Variant::Int(i) => {
            2u8.hash(h);
            i.hash(h);
        }
        Variant::Bool(b) => {
            1u8.hash(h);
            b.hash(h);
        }
        // Everything else: the type is enough for a bucket; equality decides.
        other => other.type_id().hash(h),
    }
}

/// Float bits with every NaN the same and -0.0 equal to 0.0.
fn canonical_bits(f: f64) -> u64 {
    if f.is_nan() {
        f64::NAN.to_bits()
    } else if f == 0.0 {
        0
    } else {
        f.to_bits()
    }
}

/// Godot's key equality (see the module documentation), paid per pair of values compared: two
/// DAGs of shared Arrays compare in their expanded size, which the guest's fuel bounds.
pub fn keys_equal(a: &Value, b: &Value, depth: usize) -> Result<bool, Fail> {
    if depth > MAX_DEPTH {
        return Ok(false);
    }
    meter::values(1)?;
    Ok(match (a, b) {
        (Value::Plain(x), Value::Plain(y)) => {
            meter::bytes(a.byte_size().min(b.byte_size()))?;
            plain_equal(x, y)
        }
        (Value::Packed(x), Value::Packed(y)) => {
            meter::bytes(a.byte_size().min(b.byte_size()))?;
            Rc::ptr_eq(x, y)
                || matches!((x.try_borrow(), y.try_borrow()), (Ok(x), Ok(y)) if *x == *y)
        }
        (Value::Object(x), Value::Object(y)) => x.id == y.id,
        (Value::Array(x), Value::Array(y)) => {
            if Rc::ptr_eq(x, y) {
                return Ok(true);
            }
            let (Ok(x), Ok(y)) = (x.try_borrow(), y.try_borrow()) else {
                return Ok(false);
            };
            if x.items.len() != y.items.len() {
                return Ok(false);
            }
            for (p, q) in x.items.iter().zip(&y.items) {
                if !keys_equal(p, q, depth + 1)? {
                    return Ok(false);
                }
            }
            true
        }
        (Value::Dictionary(x), Value::Dictionary(y)) => {
            if Rc::ptr_eq(x, y) {
                return Ok(true);
            }
            let (Ok(x), Ok(y)) = (x.try_borrow(), y.try_borrow()) else {
                return Ok(false);
            };
            if x.len() != y.len() {
                return Ok(false);
            }
            for ((k1, v1), (k2, v2)) in x.iter().zip(y.iter()) {
                if !keys_equal(k1, k2, depth + 1)? || !keys_equal(v1, v2, depth + 1)? {
                    return Ok(false);
                }
            }
            true
        }
        _ => false,
    })
}

fn plain_equal(a: &Variant, b: &Variant) -> bool {
    match (a, b) {
        (
            Variant::String(x) | Variant::StringName(x),
            Variant::String(y) | Variant::StringName(y),
        ) => x == y,
        (Variant::Float(x), Variant::Float(y)) => canonical_bits(*x) == canonical_bits(*y),
        _ => a == b,
    }
}
