//! Clocks and sleeping: `clock MS` sleeps MS milliseconds (poll_oneoff) and
//! reports what the monotonic and realtime clocks saw.

use std::time::{Instant, SystemTime};

#[link(wasm_import_module = "wasi_snapshot_preview1")]
extern "C" {
    fn clock_res_get(id: u32, out: *mut u64) -> u16;
}

fn main() {
    let ms: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(50);
    let wall = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap();
    println!("realtime_ms {}", wall.as_millis());
    for id in 0..4 {
        let mut res = 0u64;
        // SAFETY: `res` is a valid, aligned out-pointer for the call.
        let errno = unsafe { clock_res_get(id, &mut res) };
        println!("res {id} errno {errno} ns {res}");
    }
    let start = Instant::now();
    std::thread::sleep(std::time::Duration::from_millis(ms));
    let slept = start.elapsed();
    println!("slept_us {}", slept.as_micros());
    let later = Instant::now();
    println!("monotonic {}", later >= start);
}
