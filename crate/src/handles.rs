//! The handle table: the only way a guest refers to a host object.
//!
//! A guest never sees host objects, only `u32` handles (a wasm `i32`). Each script instance owns one
//! [`HandleTable`]; a handle is only meaningful in the table that issued it.
//!
//! Layout (see docs/HANDLES.md): a handle is `mix(raw)` where `raw = generation << 16 | slot` and `mix`
//! is a per-table keyed bijection of `u32` that maps 0 to 0. Generations start at 1, so `raw` is never
//! 0 and handle 0 is never valid (it is the guest's null). A slot whose generation would wrap is retired
//! instead, so a `(slot, generation)` pair is issued at most once in a table's life: a stale handle is
//! always detected, never silently resolved to a newer object.
//!
//! Lookups are an unmix (two multiplies, two xor-shifts), a bounds check and a generation compare: no
//! hashing on the guest→host hot path.

use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::{BuildHasher, Hasher};

/// A guest-visible handle. Any `u32` can be turned into a `Handle`; validity is checked on use.
#[derive(
    Clone, Copy, PartialEq, Eq, Hash, Debug, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct Handle(pub u32);

impl Handle {
    /// The null handle: never valid in any table.
    pub const NULL: Handle = Handle(0);

    /// The raw integer the guest sees.
    pub fn to_u32(self) -> u32 {
        self.0
    }
}

impl From<u32> for Handle {
    fn from(v: u32) -> Self {
        Handle(v)
    }
}

impl From<Handle> for u32 {
    fn from(h: Handle) -> Self {
        h.0
    }
}

impl fmt::Display for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{:08x}", self.0)
    }
}

/// Why a handle operation failed. `code` is one of `bad_handle`, `stale_handle`, `handle_limit`,
/// `wrong_type`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct HandleError {
    pub code: &'static str,
    pub message: String,
    /// The handle the guest passed (0 for `handle_limit` on insert).
    pub handle: u32,
}

impl HandleError {
    fn new(code: &'static str, handle: Handle, message: impl Into<String>) -> Self {
        HandleError {
            code,
            message: message.into(),
            handle: handle.0,
        }
    }
}

impl fmt::Display for HandleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} (handle {})",
            self.code,
            self.message,
            Handle(self.handle)
        )
    }
}

impl std::error::Error for HandleError {}

/// Bits of `raw` holding the slot index; the remaining high bits hold the generation.
const SLOT_BITS: u32 = 16;
const SLOT_MASK: u32 = (1 << SLOT_BITS) - 1;
/// Number of addressable slots (the hard ceiling on live handles per table).
pub const MAX_SLOTS: usize = 1 << SLOT_BITS;
/// Last usable generation. A slot released at this generation is retired, never reused.
const MAX_GENERATION: u16 = u16::MAX;
/// Default cap on live handles per table.
pub const DEFAULT_LIMIT: usize = 16 * 1024;

struct Slot<T> {
    /// `Some` while the slot is live.
    value: Option<T>,
    /// Generation of the current occupant, or of the last one if the slot is free (0: never used).
    generation: u16,
    refs: u32,
}

/// A per-script table of reference-counted host values addressed by generational handles.
pub struct HandleTable<T> {
    slots: Vec<Slot<T>>,
    /// Free, non-retired slot indices (LIFO: reuse is cache friendly and generations are tracked anyway).
    free: Vec<u16>,
    live: usize,
    limit: usize,
    /// Odd multipliers: `mix` is invertible because odd numbers are units modulo 2^32.
    k1: u32,
    k2: u32,
    k1_inv: u32,
    k2_inv: u32,
}

impl<T> Default for HandleTable<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> fmt::Debug for HandleTable<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HandleTable")
            .field("live", &self.live)
            .field("limit", &self.limit)
            .field("slots", &self.slots.len())
            .finish()
    }
}

/// Multiplicative inverse of an odd `a` modulo 2^32 (Newton's iteration; each step doubles the
/// number of correct low bits, 5 steps cover 32 bits).
fn inverse_mod_2_32(a: u32) -> u32 {
    let mut x = a; // correct to 3 bits for odd a
    for _ in 0..5 {
        x = x.wrapping_mul(2u32.wrapping_sub(a.wrapping_mul(x)));
    }
    x
}

/// `x ^= x >> 16` is its own inverse on 32-bit words and maps 0 to 0.
#[inline]
fn xorshift16(x: u32) -> u32 {
    x ^ (x >> 16)
}

/// A fresh per-table key. Not a secret (isolation does not rest on it, see docs/HANDLES.md): it only
/// makes handle numbers differ between tables so a handle carried into another script fails loudly.
fn random_key() -> u64 {
    // RandomState is seeded per process (from the OS where available) and bumped on every `new()`.
    let mut h = RandomState::new().build_hasher();
    h.write_u64(0x9e37_79b9_7f4a_7c15);
    h.finish()
}

impl<T> HandleTable<T> {
    /// A table with the default live-handle cap and a fresh random-ish key.
    pub fn new() -> Self {
        Self::with_limit(DEFAULT_LIMIT)
    }

    /// A table that holds at most `limit` live handles (clamped to `1..=MAX_SLOTS`).
    pub fn with_limit(limit: usize) -> Self {
        Self::with_limit_and_key(limit, random_key())
    }

    /// Deterministic construction (tests, reproducible runs): the same key yields the same handles.
    pub fn with_limit_and_key(limit: usize, key: u64) -> Self {
        let k1 = (key as u32) | 1;
        let k2 = ((key >> 32) as u32) | 1;
        HandleTable {
            slots: Vec::new(),
            free: Vec::new(),
            live: 0,
            limit: limit.clamp(1, MAX_SLOTS),
            k1,
            k2,
            k1_inv: inverse_mod_2_32(k1),
            k2_inv: inverse_mod_2_32(k2),
        }
    }

    /// Number of live handles.
    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// The live-handle cap.
    pub fn limit(&self) -> usize {
        self.limit
    }

    #[inline]
    fn mix(&self, raw: u32) -> u32 {
        xorshift16(xorshift16(raw.wrapping_mul(self.k1)).wrapping_mul(self.k2))
    }

    #[inline]
    fn unmix(&self, h: u32) -> u32 {
        xorshift16(xorshift16(h).wrapping_mul(self.k2_inv)).wrapping_mul(self.k1_inv)
    }

    fn handle_for(&self, index: usize, generation: u16) -> Handle {
        Handle(self.mix((u32::from(generation) << SLOT_BITS) | index as u32))
    }

    /// Resolve a handle to its live slot index, or say precisely why it is not live.
    #[inline]
    fn locate(&self, h: Handle) -> Result<usize, HandleError> {
        if h.0 == 0 {
            return Err(HandleError::new("bad_handle", h, "null handle"));
        }
        let raw = self.unmix(h.0);
        let index = (raw & SLOT_MASK) as usize;
        let generation = (raw >> SLOT_BITS) as u16;
        let Some(slot) = self.slots.get(index) else {
            return Err(HandleError::new(
                "bad_handle",
                h,
                "not a handle issued by this script",
            ));
        };
        if generation == slot.generation && slot.value.is_some() {
            return Ok(index);
        }
        // Every generation this slot ever issued is <= its current one, so anything at or below it
        // that is not the live occupant was issued once and released since.
        if generation != 0 && generation <= slot.generation {
            Err(HandleError::new("stale_handle", h, "handle was released"))
        } else {
            Err(HandleError::new(
                "bad_handle",
                h,
                "not a handle issued by this script",
            ))
        }
    }

    /// Store `value` and return a new handle with reference count 1.
    pub fn insert(&mut self, value: T) -> Result<Handle, HandleError> {
        if self.live >= self.limit {
            return Err(HandleError::new(
                "handle_limit",
                Handle::NULL,
                format!("too many live handles (limit {})", self.limit),
            ));
        }
        let index = match self.free.pop() {
            Some(i) => usize::from(i),
            None if self.slots.len() < MAX_SLOTS => {
                self.slots.push(Slot {
                    value: None,
                    generation: 0,
                    refs: 0,
                });
                self.slots.len() - 1
            }
            None => {
                return Err(HandleError::new(
                    "handle_limit",
                    Handle::NULL,
                    "handle space of this script instance is exhausted; recreate the instance",
                ))
            }
        };
        let slot = &mut self.slots[index];
        // Free slots on the free list are never at MAX_GENERATION (those are retired on release).
        slot.generation += 1;
        slot.value = Some(value);
        slot.refs = 1;
        self.live += 1;
        let generation = slot.generation;
        Ok(self.handle_for(index, generation))
    }

    /// Whether `h` is live in this table.
    pub fn contains(&self, h: Handle) -> bool {
        self.locate(h).is_ok()
    }

    pub fn get(&self, h: Handle) -> Result<&T, HandleError> {
        let i = self.locate(h)?;
        // locate() only returns indices of live slots.
        self.slots[i]
            .value
            .as_ref()
            .ok_or_else(|| HandleError::new("bad_handle", h, "slot is free"))
    }

    pub fn get_mut(&mut self, h: Handle) -> Result<&mut T, HandleError> {
        let i = self.locate(h)?;
        self.slots[i]
            .value
            .as_mut()
            .ok_or_else(|| HandleError::new("bad_handle", h, "slot is free"))
    }

    /// Typed access: `project` picks the expected kind out of `T` (e.g. one enum variant); anything
    /// else is a `wrong_type` error naming `expected`.
    pub fn get_as<'a, U: ?Sized>(
        &'a self,
        h: Handle,
        expected: &str,
        project: impl FnOnce(&'a T) -> Option<&'a U>,
    ) -> Result<&'a U, HandleError> {
        project(self.get(h)?).ok_or_else(|| {
            HandleError::new(
                "wrong_type",
                h,
                format!("handle does not refer to a {expected}"),
            )
        })
    }

    /// Mutable counterpart of [`HandleTable::get_as`].
    pub fn get_mut_as<'a, U: ?Sized>(
        &'a mut self,
        h: Handle,
        expected: &str,
        project: impl FnOnce(&'a mut T) -> Option<&'a mut U>,
    ) -> Result<&'a mut U, HandleError> {
        let msg = format!("handle does not refer to a {expected}");
        project(self.get_mut(h)?).ok_or_else(|| HandleError::new("wrong_type", h, msg))
    }

    /// Current reference count of a live handle.
    pub fn ref_count(&self, h: Handle) -> Result<u32, HandleError> {
        let i = self.locate(h)?;
        Ok(self.slots[i].refs)
    }

    /// Add a reference; returns the new count.
    pub fn retain(&mut self, h: Handle) -> Result<u32, HandleError> {
        let i = self.locate(h)?;
        let slot = &mut self.slots[i];
        slot.refs = slot
            .refs
            .checked_add(1)
            .ok_or_else(|| HandleError::new("handle_limit", h, "reference count overflow"))?;
        Ok(slot.refs)
    }

    /// Drop a reference. At zero the slot is freed and its value returned (`Ok(Some(value))`);
    /// otherwise `Ok(None)`.
    pub fn release(&mut self, h: Handle) -> Result<Option<T>, HandleError> {
        let i = self.locate(h)?;
        let slot = &mut self.slots[i];
        slot.refs -= 1;
        if slot.refs > 0 {
            return Ok(None);
        }
        Ok(Some(self.free_slot(i)))
    }

    fn free_slot(&mut self, i: usize) -> T {
        let slot = &mut self.slots[i];
        let value = slot.value.take();
        slot.refs = 0;
        self.live -= 1;
        if slot.generation < MAX_GENERATION {
            self.free.push(i as u16);
        }
        // A retired slot stays in `slots` (so its stale handles keep answering `stale_handle`) but is
        // never handed out again.
        value.expect("free_slot is only called on live slots")
    }

    /// Release every live handle regardless of its count (script disposed or reset). Returns the
    /// values that were live, so the caller can drop host-side references in order.
    pub fn clear(&mut self) -> Vec<T> {
        let mut out = Vec::with_capacity(self.live);
        for i in 0..self.slots.len() {
            if self.slots[i].value.is_some() {
                out.push(self.free_slot(i));
            }
        }
        out
    }

    /// Live handles and their values, in slot order.
    pub fn iter(&self) -> impl Iterator<Item = (Handle, &T)> + '_ {
        self.slots.iter().enumerate().filter_map(|(i, s)| {
            s.value
                .as_ref()
                .map(|v| (self.handle_for(i, s.generation), v))
        })
    }

    /// Slots that can never be reused because their generation is spent.
    pub fn retired_slots(&self) -> usize {
        self.slots
            .iter()
            .filter(|s| s.value.is_none() && s.generation == MAX_GENERATION)
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mix_is_a_bijection_fixing_zero() {
        let t: HandleTable<()> = HandleTable::with_limit_and_key(8, 0x1234_5678_9abc_def1);
        assert_eq!(t.mix(0), 0);
        for raw in [1u32, 2, 0xffff, 0x1_0000, 0xdead_beef, u32::MAX] {
            assert_ne!(t.mix(raw), 0);
            assert_eq!(t.unmix(t.mix(raw)), raw);
        }
    }

    #[test]
    fn inverse_is_correct() {
        for a in [1u32, 3, 0x9e37_79b9 | 1, u32::MAX] {
            assert_eq!(a.wrapping_mul(inverse_mod_2_32(a)), 1);
        }
    }

    #[test]
    fn slot_retires_instead_of_wrapping() {
        let mut t = HandleTable::with_limit_and_key(1, 7);
        let first = t.insert(0u32).unwrap();
        t.release(first).unwrap();
        // Cycle the single slot through every generation.
        let mut last = first;
        for i in 1..u32::from(MAX_GENERATION) {
            last = t.insert(i).unwrap();
            t.release(last).unwrap();
        }
        assert_eq!(t.retired_slots(), 1);
        // The next insert takes a fresh slot; every old handle stays stale.
        let fresh = t.insert(99).unwrap();
        assert_eq!(*t.get(fresh).unwrap(), 99);
        assert_eq!(t.get(first).unwrap_err().code, "stale_handle");
        assert_eq!(t.get(last).unwrap_err().code, "stale_handle");
    }
}
