//! Prepare throughput on a large module, as a ratio against a plain wasmparser → wasm-encoder
//! roundtrip (`RoundtripReencoder`) of the same bytes measured in the same run.
//!
//! Measured at three module sizes (criterion ids `prepare/<function>/<bytes>`; `npm run bench` reads
//! their `estimates.json`). `UGC_BENCH_QUICK=1` shortens the runs, for checking the pipeline.
//!
//! `cargo bench -p ugc-wasm --bench fuel`

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use std::time::{Duration, Instant};
use ugc_wasm::prepare::{prepare, PrepareOptions};
use wasm_encoder::reencode::{Reencode, RoundtripReencoder};

/// Function counts of the measured modules: ~0.13, 0.5 and 2 MB.
const SIZES: [u32; 3] = [1_000, 4_000, 16_000];

/// A synthetic module of `funcs` functions (~125 bytes each) with loops, branches, calls and memory
/// traffic.
fn large_module(funcs: u32) -> Vec<u8> {
    let mut wat = String::from("(module (memory 1) (global $g (mut i32) (i32.const 0))\n");
    for i in 0..funcs {
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
    let metered = PrepareOptions {
        max_memory_pages: 256,
        max_table_elements: 1024,
        metering: true,
    };
    let unmetered = PrepareOptions {
        metering: false,
        ..metered.clone()
    };
    let quick = std::env::var_os("UGC_BENCH_QUICK").is_some();
    let modules: Vec<Vec<u8>> = SIZES.iter().map(|&n| large_module(n)).collect();
    let mut group = c.benchmark_group("prepare");
    group.sample_size(10);
    if quick {
        group.warm_up_time(Duration::from_millis(300));
        group.measurement_time(Duration::from_secs(1));
    } else {
        group.measurement_time(Duration::from_secs(3));
    }
    for bytes in &modules {
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        let size = bytes.len();
        group.bench_with_input(
            BenchmarkId::new("roundtrip (baseline)", size),
            bytes,
            |b, bytes| b.iter(|| roundtrip(black_box(bytes))),
        );
        group.bench_with_input(
            BenchmarkId::new("prepare metered", size),
            bytes,
            |b, bytes| b.iter(|| prepare(black_box(bytes), &metered).unwrap()),
        );
        group.bench_with_input(
            BenchmarkId::new("prepare unmetered", size),
            bytes,
            |b, bytes| b.iter(|| prepare(black_box(bytes), &unmetered).unwrap()),
        );
    }
    group.finish();

    // Criterion reports absolute numbers; the ratio in the same run is what to compare.
    let bytes = &modules[1];
    let time = |f: &dyn Fn()| {
        let start = Instant::now();
        for _ in 0..5 {
            f();
        }
        start.elapsed().as_secs_f64() / 5.0
    };
    let mb = bytes.len() as f64 / 1e6;
    let base = time(&|| drop(roundtrip(bytes)));
    let with_fuel = time(&|| drop(prepare(bytes, &metered).unwrap()));
    let without = time(&|| drop(prepare(bytes, &unmetered).unwrap()));
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
