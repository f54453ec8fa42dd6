//! Per-node state for shared instancing (docs/ABI.md "Instancing").
//!
//! Under `"instancing": "shared"` one instance serves every node using the module, so a plain
//! `static` ([`crate::Global`]) is shared by all of them. [`PerNode`] keeps one value per node
//! instead, indexed by [`node_slot`]; under `"instancing": "node"` the slot is always 0, so the
//! same code works in both modes.
//!
//! Storage is a fixed-capacity table in the module's zero-initialised memory (no allocator, and
//! no data-section bytes: the table costs linear memory only; the initial value is an associated
//! constant, [`Initial`], so the static is all zeros). Slots are dense and reused, so the
//! capacity is the most nodes attached to one instance AT ONCE, not over its lifetime. Past it, a
//! call traps (after logging why) and faults the instance.
//!
//! A slot freed by a detached node is reused by the next node attached, with the old node's
//! value still in it: reinitialise in `_ready` (or `_enter_tree`) with [`PerNode::reset`] or
//! [`PerNode::set`]. A slot never written reads as the initial value.

use core::cell::UnsafeCell;
use core::mem::MaybeUninit;

/// The default capacity of a [`PerNode`] table: the most nodes one instance serves at once.
pub const DEFAULT_CAPACITY: usize = 16_384;

/// The calling node's slot in its instance (`ugc.node_slot`), or `None` outside a node's call
/// (the start function).
pub fn node_slot() -> Option<usize> {
    // SAFETY: an FFI call without arguments.
    usize::try_from(unsafe { crate::sys::node_slot() }).ok()
}

/// The value a [`PerNode`] slot holds before its node sets one (and after [`PerNode::reset`]).
///
/// An associated constant, not a value stored in the table: a `PerNode` static is then all zero
/// bytes, which the linker places in zero-initialised memory (.bss) instead of the module's data
/// section — with the initial value inside the static, every one of its N slots would be shipped
/// in the `.wasm` (a 40-byte state × 16,384 slots is 650 KB of zeros).
pub trait Initial: Copy {
    const INITIAL: Self;
}

/// One `T` per node of the instance (see the module documentation):
/// `static STATE: PerNode<State> = PerNode::new();` (with `impl Initial for State`) then
/// `STATE.with(|s| s.time += delta)`.
pub struct PerNode<T: Initial, const N: usize = DEFAULT_CAPACITY> {
    /// Whether slot `i` holds a value (all false at start: zero-initialised memory).
    written: UnsafeCell<[bool; N]>,
    values: UnsafeCell<MaybeUninit<[T; N]>>,
}

// SAFETY: a guest instance is single-threaded (the ABI has no threads and the validator refuses
// shared memory), and values are only copied in and out, never lent across calls.
unsafe impl<T: Initial, const N: usize> Sync for PerNode<T, N> {}

impl<T: Initial, const N: usize> Default for PerNode<T, N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Initial, const N: usize> PerNode<T, N> {
    /// A table whose every slot starts as `T::INITIAL`.
    pub const fn new() -> Self {
        PerNode {
            written: UnsafeCell::new([false; N]),
            values: UnsafeCell::new(MaybeUninit::uninit()),
        }
    }

    /// The most nodes this table holds at once.
    pub const fn capacity(&self) -> usize {
        N
    }

    /// The calling node's slot, or a trap (outside a node's call, or past the capacity).
    fn slot(&self) -> usize {
        match node_slot() {
            Some(slot) if slot < N => slot,
            Some(slot) => {
                crate::log!(
                    "PerNode: node slot {} is past this table's capacity of {} nodes",
                    slot,
                    N
                );
                trap()
            }
            None => {
                crate::log!("PerNode: used outside a node's call (no node slot)");
                trap()
            }
        }
    }

    fn value_ptr(&self, slot: usize) -> *mut T {
        // SAFETY (of the callers' dereferences): `slot < N`, inside the array.
        self.values.get().cast::<T>().wrapping_add(slot)
    }

    fn written_ptr(&self, slot: usize) -> *mut bool {
        self.written.get().cast::<bool>().wrapping_add(slot)
    }

    /// The calling node's value (the initial value when it never set one).
    pub fn get(&self) -> T {
        let slot = self.slot();
        // SAFETY: `slot < N`; single-threaded; a slot is read only once written.
        unsafe {
            if *self.written_ptr(slot) {
                self.value_ptr(slot).read()
            } else {
                T::INITIAL
            }
        }
    }

    /// Sets the calling node's value.
    pub fn set(&self, value: T) {
        let slot = self.slot();
        // SAFETY: `slot < N`; single-threaded.
        unsafe {
            self.value_ptr(slot).write(value);
            *self.written_ptr(slot) = true;
        }
    }

    /// Resets the calling node's value to the initial one (call it in `_ready`: the slot may have
    /// served a node that detached).
    pub fn reset(&self) {
        self.set(T::INITIAL);
    }

    /// Runs `f` on a copy of the calling node's value and stores the result back (so a nested
    /// `with` on the same table cannot alias it).
    pub fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        let mut value = self.get();
        let result = f(&mut value);
        self.set(value);
        result
    }
}

impl<T: crate::Bindable + Initial, const N: usize> PerNode<T, N> {
    /// Binds the calling node's value to `object.name` (docs/ABI.md, `object_bind_value`): the value
    /// becomes the property's current one, and from then on the runtime writes the property at the
    /// end of every frame in which the value changed — moving a node costs a memory write, not a
    /// host call. Call it in `_ready`; the binding ends when the node detaches (or
    /// [`Object::unbind`]). While bound, [`Object::set`] of that property is refused: change the
    /// value here (`set`, `with`).
    pub fn bind(&'static self, object: &crate::Object, name: &str) -> crate::Result<()> {
        let slot = self.slot();
        // SAFETY: a `'static` table never moves; the slot's cell is this node's until it
        // detaches, which ends the binding.
        unsafe { object.bind_raw(name, self.value_ptr(slot))? };
        // SAFETY: `slot < N`; the host wrote a valid `T` (Bindable) into the cell.
        unsafe { *self.written_ptr(slot) = true };
        Ok(())
    }
}

fn trap() -> ! {
    #[cfg(target_arch = "wasm32")]
    core::arch::wasm32::unreachable();
    #[cfg(not(target_arch = "wasm32"))]
    panic!("PerNode: no valid node slot");
}
