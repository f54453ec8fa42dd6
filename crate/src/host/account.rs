//! Per-script host memory: every byte the crate allocates while working for a script is charged
//! to that script's account, and a script over its budget (the policy's `max_host_memory`) is
//! stopped with `memory_limit` — it alone; the other scripts of the page never notice.
//!
//! The crate's linear memory serves every script of the page and never shrinks, so counting has
//! to be exact and complete rather than an estimate per value kind: a global allocator
//! ([`Counting`], installed by the browser build and by the tests that check it) tags every block
//! with the account that was current when it was allocated (the meter's `account`, set around
//! each host call) and credits that account when the block is freed, whoever frees it. A
//! hand-written allocator wrapper because no published crate attributes frees to the allocating
//! owner; it only adds an 8-byte tag in front of each block and delegates to the system
//! allocator (dlmalloc on wasm32).
//!
//! Accounts are slots with a generation: a block that outlives its account (a batch entry taken
//! after its node left) is freed without crediting anybody.

use super::meter::{self, Fatal};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Mutex;

/// The default per-script budget of host memory (`Policy::max_host_memory`).
pub const DEFAULT_LIMIT: usize = 16 * 1024 * 1024;

/// The tag in front of every block: the account and its generation when allocated.
const TAG: usize = 8;

#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    generation: u32,
    open: bool,
    bytes: usize,
    peak: usize,
    limit: usize,
    over: bool,
}

struct Table {
    slots: Vec<Slot>,
    free: Vec<u32>,
}

/// Slot 0 is the runtime's own account: never counted, never limited.
static TABLE: Mutex<Table> = Mutex::new(Table {
    slots: Vec::new(),
    free: Vec::new(),
});

fn table() -> std::sync::MutexGuard<'static, Table> {
    TABLE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A script's memory account, closed when dropped.
#[derive(Debug)]
pub struct Account {
    id: u32,
    generation: u32,
}

/// What an account holds now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Usage {
    pub bytes: usize,
    pub peak: usize,
    pub limit: usize,
    /// Whether it went over its limit since opened.
    pub over: bool,
}

impl Account {
    /// A new account allowed `limit` bytes of live host memory.
    pub fn open(limit: usize) -> Account {
        meter::as_runtime(|| {
            let mut t = table();
            if t.slots.is_empty() {
                t.slots.push(Slot::default());
            }
            let id = match t.free.pop() {
                Some(id) => id,
                None => {
                    t.slots.push(Slot::default());
                    (t.slots.len() - 1) as u32
                }
            };
            let slot = &mut t.slots[id as usize];
            slot.generation = slot.generation.wrapping_add(1);
            *slot = Slot {
                generation: slot.generation,
                open: true,
                limit,
                ..Slot::default()
            };
            Account {
                id,
                generation: slot.generation,
            }
        })
    }

    /// The id the meter charges allocations to while this script's host calls run.
    pub fn id(&self) -> u32 {
        self.id
    }

    pub fn usage(&self) -> Usage {
        let t = table();
        match t.slots.get(self.id as usize) {
            Some(s) if s.generation == self.generation => Usage {
                bytes: s.bytes,
                peak: s.peak,
                limit: s.limit,
                over: s.over,
            },
            _ => Usage::default(),
        }
    }

    /// Forgets that the account went over its limit (the script was reset).
    pub fn clear_over(&self) {
        let mut t = table();
        if let Some(s) = t.slots.get_mut(self.id as usize) {
            if s.generation == self.generation {
                s.over = s.bytes > s.limit;
                s.peak = s.bytes;
            }
        }
    }
}

impl Drop for Account {
    fn drop(&mut self) {
        meter::as_runtime(|| {
            let mut t = table();
            let Some(s) = t.slots.get_mut(self.id as usize) else {
                return;
            };
            if s.generation != self.generation {
                return;
            }
            // Blocks still tagged with this generation are credited to nobody when freed.
            s.generation = s.generation.wrapping_add(1);
            s.open = false;
            s.bytes = 0;
            t.free.push(self.id);
        })
    }
}

impl Slot {
    /// Counts a change of `grow - shrink` bytes; returns whether the account is over its limit now.
    fn add(&mut self, grow: usize, shrink: usize) -> bool {
        self.bytes = self.bytes.saturating_add(grow).saturating_sub(shrink);
        self.peak = self.peak.max(self.bytes);
        let over = self.bytes > self.limit;
        self.over |= over;
        over
    }
}

/// Counts a change of `grow - shrink` bytes against account `(id, generation)`, if it is still
/// open; returns whether it is over its limit now.
fn count(id: u32, generation: u32, grow: usize, shrink: usize) -> bool {
    let mut t = table();
    match t.slots.get_mut(id as usize) {
        Some(s) if s.open && s.generation == generation => s.add(grow, shrink),
        _ => false,
    }
}

/// Charges a new block of `size` bytes to the current account: its tag.
fn charge_new(size: usize) -> (u32, u32) {
    let id = meter::current_account();
    if id == 0 {
        return (0, 0);
    }
    let (generation, over) = {
        let mut t = table();
        match t.slots.get_mut(id as usize) {
            Some(s) if s.open => (s.generation, s.add(size, 0)),
            _ => return (0, 0),
        }
    };
    if over {
        meter::stop(Fatal::MemoryLimit);
    }
    (id, generation)
}

/// The counting global allocator (see the module documentation).
pub struct Counting;

/// The block's real layout: room for the tag before the caller's bytes, keeping their alignment.
fn outer(layout: Layout) -> Option<(Layout, usize)> {
    let head = layout.align().max(TAG);
    let size = layout.size().checked_add(head)?;
    Some((Layout::from_size_align(size, head).ok()?, head))
}

unsafe fn write_tag(base: *mut u8, head: usize, id: u32, generation: u32) -> *mut u8 {
    let user = base.add(head);
    (user.sub(TAG) as *mut [u32; 2]).write_unaligned([id, generation]);
    user
}

unsafe fn read_tag(user: *mut u8) -> (u32, u32) {
    let [id, generation] = (user.sub(TAG) as *const [u32; 2]).read_unaligned();
    (id, generation)
}

/// Allocates `layout` plus its tag with `raw` (the system allocator's `alloc` or `alloc_zeroed`).
unsafe fn tagged(layout: Layout, raw: unsafe fn(&System, Layout) -> *mut u8) -> *mut u8 {
    let Some((real, head)) = outer(layout) else {
        return std::ptr::null_mut();
    };
    let base = raw(&System, real);
    if base.is_null() {
        return base;
    }
    let (id, generation) = charge_new(layout.size());
    write_tag(base, head, id, generation)
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        tagged(layout, <System as GlobalAlloc>::alloc)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        tagged(layout, <System as GlobalAlloc>::alloc_zeroed)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let (real, head) = outer(layout).expect("layout was valid when allocated");
        let (id, generation) = read_tag(ptr);
        if id != 0 {
            count(id, generation, 0, layout.size());
        }
        System.dealloc(ptr.sub(head), real);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let (real, head) = outer(layout).expect("layout was valid when allocated");
        let Some(new_real) = new_size.checked_add(head) else {
            return std::ptr::null_mut();
        };
        let (id, generation) = read_tag(ptr);
        let base = System.realloc(ptr.sub(head), real, new_real);
        if base.is_null() {
            return base;
        }
        // The block stays with the account that allocated it (its tag moved with it).
        if id != 0 {
            let (old, grow) = (layout.size(), new_size > layout.size());
            let over = count(
                id,
                generation,
                new_size.saturating_sub(old),
                old.saturating_sub(new_size),
            );
            if over && grow && id == meter::current_account() {
                meter::stop(Fatal::MemoryLimit);
            }
        }
        base.add(head)
    }
}
