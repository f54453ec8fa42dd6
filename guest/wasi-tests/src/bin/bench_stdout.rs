//! Benchmark helper: writes `MIB` mebibytes to stdout in 64 KiB writes.

use std::io::Write;

fn main() {
    let mib: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(16);
    let chunk = vec![b'x'; 64 * 1024];
    let mut out = std::io::stdout().lock();
    for _ in 0..mib * 16 {
        out.write_all(&chunk).unwrap();
    }
    out.flush().unwrap();
}
