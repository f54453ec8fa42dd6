//! Line-by-line stdin -> stdout transform, flushing each line, so a test can
//! prove that input and output stream while the program runs.

use std::io::{BufRead, Write};

fn main() {
    let stdin = std::io::stdin();
    let mut out = std::io::stdout();
    let mut n = 0;
    for line in stdin.lock().lines() {
        let line = line.expect("stdin is utf-8");
        n += 1;
        writeln!(out, "{n}: {}", line.to_uppercase()).unwrap();
        out.flush().unwrap();
        if line == "quit" {
            break;
        }
    }
    eprintln!("eof after {n} lines");
}
