//! Panics. On wasm32-wasip1 Rust's panic strategy is abort, so after the panic
//! message reaches stderr the program traps (`unreachable`) instead of exiting 101.

fn main() {
    println!("about to panic");
    let n: u32 = std::env::args().count() as u32 + 41;
    panic!("boom {n}");
}
