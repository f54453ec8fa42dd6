//! Forged counts must not buy allocations: a counting allocator measures the peak heap use of
//! decoding hostile inputs. (One test in this binary, so nothing else allocates concurrently.)
// Native only: the wasm32 build of the crate installs its own global allocator (host/account.rs).
#![cfg(not(target_arch = "wasm32"))]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use ugc_wasm::variant::{decode, MAX_DEPTH};

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(now, Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: `ptr` came from `alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Peak bytes allocated while decoding `input`, above what was live before.
fn peak_during_decode(input: &[u8]) -> usize {
    let base = CURRENT.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let result = decode(input);
    let peak = PEAK.load(Ordering::Relaxed) - base;
    assert!(result.is_err(), "hostile input decoded");
    drop(result);
    peak
}

fn word(v: u32) -> [u8; 4] {
    v.to_le_bytes()
}

#[test]
fn forged_counts_do_not_buy_allocations() {
    // 1024 nested containers that each claim 2^31 - 1 elements, then nothing.
    for container in [28u32, 27] {
        let mut input = Vec::new();
        for _ in 0..MAX_DEPTH {
            input.extend_from_slice(&word(container));
            input.extend_from_slice(&word(0x7FFF_FFFF));
        }
        let peak = peak_during_decode(&input);
        assert!(
            peak < 64 * input.len(),
            "type {container}: {peak} bytes for {} input bytes",
            input.len()
        );
    }

    // A packed string array claiming 2^31 - 1 strings with 4 KiB of empty strings behind it.
    let mut input = Vec::new();
    input.extend_from_slice(&word(34));
    input.extend_from_slice(&word(0x7FFF_FFFF));
    input.extend(std::iter::repeat_n(0u8, 4096));
    let peak = peak_during_decode(&input);
    assert!(
        peak < 64 * input.len(),
        "PackedStringArray: {peak} bytes for {} input bytes",
        input.len()
    );

    // Fixed-size packed arrays and node paths are refused before reserving anything sizeable.
    for header in [30u32, 31, 32, 33, 35, 36, 37, 38] {
        let mut input = word(header).to_vec();
        input.extend_from_slice(&word(0x7FFF_FFFF));
        input.extend(std::iter::repeat_n(0u8, 64));
        let peak = peak_during_decode(&input);
        assert!(peak < 4096, "type {header}: {peak} bytes");
    }
}
