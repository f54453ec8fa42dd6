//! Benchmark helper for per-call overhead. Exports loops the bench drives
//! directly (no `_start` work): each calls one import N times.

#[link(wasm_import_module = "wasi_snapshot_preview1")]
extern "C" {
    fn fd_fdstat_get(fd: u32, out: *mut u8) -> u16;
    fn clock_time_get(id: u32, precision: u64, out: *mut u64) -> u16;
}

#[link(wasm_import_module = "bench")]
extern "C" {
    fn noop(a: u32, b: u32) -> u32;
}

#[no_mangle]
pub extern "C" fn loop_fdstat(n: u32) -> u32 {
    let mut buf = [0u8; 24];
    let mut acc = 0u32;
    for _ in 0..n {
        // SAFETY: `buf` is a valid 24-byte fdstat out-pointer.
        acc = acc.wrapping_add(unsafe { fd_fdstat_get(1, buf.as_mut_ptr()) } as u32);
    }
    acc
}

#[no_mangle]
pub extern "C" fn loop_clock(n: u32) -> u32 {
    let mut t = 0u64;
    let mut acc = 0u32;
    for _ in 0..n {
        // SAFETY: `t` is a valid u64 out-pointer.
        acc = acc.wrapping_add(unsafe { clock_time_get(1, 0, &mut t) } as u32);
    }
    acc
}

#[no_mangle]
pub extern "C" fn loop_noop(n: u32) -> u32 {
    let mut acc = 0u32;
    for i in 0..n {
        // SAFETY: a plain host function taking and returning integers.
        acc = acc.wrapping_add(unsafe { noop(i, acc) });
    }
    acc
}

fn main() {}
