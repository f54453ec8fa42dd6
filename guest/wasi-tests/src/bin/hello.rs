//! The smallest useful command: one line to stdout.

fn main() {
    println!("hello from wasi");
}
