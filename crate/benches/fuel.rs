//! Prepare throughput on a large module, as a ratio against a plain wasmparser → wasm-encoder
//! roundtrip (`RoundtripReencoder`) of the same bytes measured in the same run.
//!
//! `cargo bench -p ugc-wasm --bench fuel`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use std::time::{Duration, Instant};
use ugc_wasm::prepare::{prepare, PrepareOptions};
use wasm_encoder::reencode::{Reencode, RoundtripReencoder};

/// A synthetic ~0.5 MB module: 4000 functions with loops, branches, calls and memory traffic.
fn large_module() -> Vec<u8> {
    let mut wat = String::from("(module (memory 1) (global $g (mut i32) (i32.const 0))\n");
    for i in 0..4000 {
        let callee = if i == 0 { 0 } else { i - 1 };
        wat.push_str(&format!(
            "(func $f{i} (param $n i32) (result i32) (local $i i32) (local $acc i32)
               (loop $l
                 (local.set $acc (i32.add (local.get $acc) (i32.load (local.get $i))))
                 (if (i32.and (local.get $acc) (i32.const 1))
                   (then (local.set $acc (i32.mul (local.get $acc) (i32.const 3))))
                   (else (local.set $acc (i32.shr_u (local.get $acc) (i32.const 1)))))
                 (block $b
                   (br_if $b (i32.eqz (local.get $n)))
                   (local.set $acc (i32.xor (local.get $acc) (call $f{callee} (i32.const 0))))
                   (global.set $g (local.get $acc)))
                 (i32.store (local.get $i) (local.get $acc))
                 (local.set $i (i32.add (local.get $i) (i32.const 4)))
                 (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
               (local.get $acc))\n"
        ));
    }
    wat.push(')');
    wat::parse_str(&wat).expect("benchmark module")
}

fn roundtrip(bytes: &[u8]) -> Vec<u8> {
    let mut module = wasm_encoder::Module::new();
    RoundtripReencoder
        .parse_core_module(&mut module, wasmparser::Parser::new(0), bytes)
        .expect("roundtrip");
    module.finish()
}

fn bench(c: &mut Criterion) {
    let bytes = large_module();
    let metered = PrepareOptions {
        max_memory_pages: 256,
        max_table_elements: 1024,
        metering: true,
    };
    let unmetered = PrepareOptions {
        metering: false,
        ..metered.clone()
    };
    let mut group = c.benchmark_group("prepare");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(3));
    group.bench_function("roundtrip (baseline)", |b| {
        b.iter(|| roundtrip(black_box(&bytes)))
    });
    group.bench_function("prepare metered", |b| {
        b.iter(|| prepare(black_box(&bytes), &metered).unwrap())
    });
    group.bench_function("prepare unmetered", |b| {
        b.iter(|| prepare(black_box(&bytes), &unmetered).unwrap())
    });
    group.finish();

    // Criterion reports absolute numbers; the ratio in the same run is what to compare.
    let time = |f: &dyn Fn()| {
        let start = Instant::now();
        for _ in 0..5 {
            f();
        }
        start.elapsed().as_secs_f64() / 5.0
    };
    let mb = bytes.len() as f64 / 1e6;
    let base = time(&|| drop(roundtrip(&bytes)));
    let with_fuel = time(&|| drop(prepare(&bytes, &metered).unwrap()));
    let without = time(&|| drop(prepare(&bytes, &unmetered).unwrap()));
    println!(
        "module {mb:.1} MB: roundtrip {:.0} MB/s; prepare metered {:.0} MB/s ({:.2}x roundtrip time), unmetered {:.0} MB/s ({:.2}x)",
        mb / base,
        mb / with_fuel,
        with_fuel / base,
        mb / without,
        without / base
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
