//! `copy SRC DST [CHUNK]`: copies a file with fd_read/fd_write in CHUNK-byte
//! pieces (default 64 KiB) and prints the byte count.

use std::fs::File;
use std::io::{Read, Write};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let chunk: usize = args
        .get(3)
        .and_then(|a| a.parse().ok())
        .unwrap_or(64 * 1024);
    let mut src = File::open(&args[1]).expect("open source");
    let mut dst = File::create(&args[2]).expect("create destination");
    let mut buf = vec![0u8; chunk];
    let mut total = 0usize;
    loop {
        let n = src.read(&mut buf).expect("read");
        if n == 0 {
            break;
        }
        dst.write_all(&buf[..n]).expect("write");
        total += n;
    }
    println!("copied {total}");
}
