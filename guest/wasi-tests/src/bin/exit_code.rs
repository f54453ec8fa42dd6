//! Exits with the code given as its first argument, after writing to both streams.

fn main() {
    let code: i32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(0);
    println!("exiting with {code}");
    eprintln!("bye");
    std::process::exit(code)
}
