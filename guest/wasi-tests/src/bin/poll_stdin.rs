//! poll_oneoff on stdin readiness plus a 100 ms clock, in a loop: prints
//! `timeout` when the clock fires first, `got N bytes: TEXT` when stdin has
//! data, and `eof` (then exits) when stdin is closed.

use std::io::Read;

#[link(wasm_import_module = "wasi_snapshot_preview1")]
extern "C" {
    fn poll_oneoff(input: *const u8, output: *mut u8, n: usize, nevents: *mut usize) -> u16;
}

const STDIN_USERDATA: u64 = 1;
const CLOCK_USERDATA: u64 = 2;

/// Two 48-byte subscriptions: fd_read on fd 0, and a relative monotonic clock.
fn subscriptions(timeout_ns: u64) -> [u8; 96] {
    let mut s = [0u8; 96];
    s[0..8].copy_from_slice(&STDIN_USERDATA.to_le_bytes());
    s[8] = 1; // eventtype fd_read
    s[16..20].copy_from_slice(&0u32.to_le_bytes());
    s[48..56].copy_from_slice(&CLOCK_USERDATA.to_le_bytes());
    s[56] = 0; // eventtype clock
    s[64..68].copy_from_slice(&1u32.to_le_bytes()); // monotonic
    s[72..80].copy_from_slice(&timeout_ns.to_le_bytes());
    s
}

fn main() {
    let subs = subscriptions(100_000_000);
    let mut stdin = std::io::stdin();
    for _ in 0..1000 {
        let mut events = [0u8; 64];
        let mut n = 0usize;
        // SAFETY: valid buffers for 2 subscriptions and 2 events, and a valid out-pointer.
        let errno = unsafe { poll_oneoff(subs.as_ptr(), events.as_mut_ptr(), 2, &mut n) };
        assert_eq!(errno, 0, "poll_oneoff failed");
        let stdin_ready = (0..n).any(|i| {
            let e = &events[i * 32..i * 32 + 32];
            u64::from_le_bytes(e[0..8].try_into().unwrap()) == STDIN_USERDATA && e[8] == 0
        });
        if !stdin_ready {
            println!("timeout");
            continue;
        }
        let mut buf = [0u8; 256];
        let got = stdin.read(&mut buf).expect("read stdin");
        if got == 0 {
            println!("eof");
            return;
        }
        println!(
            "got {got} bytes: {}",
            String::from_utf8_lossy(&buf[..got]).trim_end()
        );
    }
}
