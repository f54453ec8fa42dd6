//! Randomness: two direct `random_get` calls plus std's HashMap seeding, which
//! goes through the same import.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;

#[link(wasm_import_module = "wasi_snapshot_preview1")]
extern "C" {
    fn random_get(buf: *mut u8, len: usize) -> u16;
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn main() {
    for _ in 0..2 {
        let mut buf = [0u8; 32];
        // SAFETY: `buf` is a valid writable buffer of the given length.
        let errno = unsafe { random_get(buf.as_mut_ptr(), buf.len()) };
        println!("random errno {errno} {}", hex(&buf));
    }
    // A large request exercises the host's chunking (crypto.getRandomValues caps at 64 KiB).
    let mut big = vec![0u8; 200_000];
    // SAFETY: `big` is a valid writable buffer of the given length.
    let errno = unsafe { random_get(big.as_mut_ptr(), big.len()) };
    let zeros = big.iter().filter(|b| **b == 0).count();
    println!("big errno {errno} zeros {zeros}");
    println!("hash {}", RandomState::new().hash_one(42u32));
}
