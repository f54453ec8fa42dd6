//! Validation throughput: raw `wasmparser::Validator` (the baseline, same features) against
//! `ugc_wasm::validate` (wasmparser + policy + feature detection + SHA-256) on the same large,
//! generated module, interleaved in one run. Prints MB/s for both and the ratio (target ≥ 0.90).
//!
//! Also measured at smaller sizes of the same generator, for the report's cost-per-size chart.
//!
//! `cargo bench -p ugc-wasm --bench validate` (set `UGC_BENCH_ROUNDS` to change the rounds of the
//! largest module; `UGC_BENCH_JSON=path` also writes every figure as JSON for `npm run bench`).

use std::hint::black_box;
use std::time::{Duration, Instant};

use ugc_wasm::Policy;
use wasm_encoder::{
    BlockType, CodeSection, ConstExpr, DataSection, ExportKind, ExportSection, Function,
    FunctionSection, GlobalSection, GlobalType, InstructionSink, MemArg, MemArgTarget,
    MemorySection, MemoryType, Module, TypeSection, ValType,
};

/// Deterministic pseudo-random numbers (no dependency, same module every run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as u32
    }

    fn below(&mut self, n: u32) -> u32 {
        self.next() % n
    }
}

/// Function counts of the measured modules (~0.1, 0.3, 1 and 3 MB); the last one is the headline.
const SIZES: [u32; 4] = [400, 1_200, 4_000, 12_000];

/// Signatures: 0 `() -> ()`, 1 `(i32, i32) -> i32`, 2 `(f64) -> ()`, 3 `(i32) -> i64`,
/// 4 `(v128, v128) -> v128`.
fn types() -> TypeSection {
    let mut t = TypeSection::new();
    t.ty().function([], []);
    t.ty()
        .function([ValType::I32, ValType::I32], [ValType::I32]);
    t.ty().function([ValType::F64], []);
    t.ty().function([ValType::I32], [ValType::I64]);
    t.ty()
        .function([ValType::V128, ValType::V128], [ValType::V128]);
    t
}

fn mem(offset: u64, align: u32) -> MemArg {
    MemArg {
        offset,
        align,
        target: MemArgTarget::Memory(0),
        ordering: None,
    }
}

/// An integer kernel: a loop over memory with arithmetic, branches and calls.
fn int_body(f: &mut InstructionSink<'_>, rng: &mut Lcg, callee: u32) {
    let n = 4 + rng.below(12);
    f.block(BlockType::Empty).loop_(BlockType::Empty);
    for _ in 0..n {
        f.local_get(0)
            .i32_const(rng.below(1000) as i32)
            .i32_add()
            .local_tee(2)
            .i32_load(mem(u64::from(rng.below(64)) * 4, 2))
            .local_get(1)
            .i32_mul()
            .i32_const(rng.below(31) as i32 + 1)
            .i32_shr_u()
            .local_set(3);
        f.local_get(2).local_get(3).i32_store(mem(0, 2));
        if rng.below(3) == 0 {
            f.local_get(3)
                .i32_const(rng.below(100) as i32)
                .i32_lt_s()
                .if_(BlockType::Empty)
                .local_get(3)
                .local_get(1)
                .call(callee)
                .local_set(3)
                .else_()
                .local_get(3)
                .i32_extend8_s()
                .local_set(3)
                .end();
        }
    }
    f.local_get(1)
        .i32_const(1)
        .i32_sub()
        .local_tee(1)
        .br_if(0)
        .end()
        .end()
        .local_get(3);
}

/// A float kernel: f64 arithmetic, conversions and a global.
fn float_body(f: &mut InstructionSink<'_>, rng: &mut Lcg) {
    let n = 4 + rng.below(12);
    for _ in 0..n {
        f.local_get(0)
            .f64_const(f64::from(rng.below(1000)).into())
            .f64_mul()
            .f64_sqrt()
            .local_get(0)
            .f64_add()
            .local_set(0)
            .local_get(0)
            .i32_trunc_sat_f64_s()
            .global_get(0)
            .i32_add()
            .global_set(0);
        f.i32_const(rng.below(1024) as i32 * 8)
            .local_get(0)
            .f64_store(mem(0, 3));
    }
}

/// A 64-bit kernel: a br_table dispatch.
fn i64_body(f: &mut InstructionSink<'_>, rng: &mut Lcg) {
    let cases = 2 + rng.below(6);
    for _ in 0..=cases {
        f.block(BlockType::Empty);
    }
    f.local_get(0)
        .br_table((0..cases).collect::<Vec<_>>(), cases)
        .end();
    for i in 0..cases {
        f.local_get(0)
            .i64_extend_i32_u()
            .i64_const(i64::from(rng.below(1 << 20)))
            .i64_xor()
            .local_set(1)
            .br(cases - 1 - i)
            .end();
    }
    f.local_get(1);
}

/// A SIMD kernel.
fn simd_body(f: &mut InstructionSink<'_>, rng: &mut Lcg) {
    let n = 2 + rng.below(8);
    for _ in 0..n {
        f.local_get(0)
            .local_get(1)
            .i32x4_add()
            .local_get(1)
            .f32x4_mul()
            .local_set(0)
            .i32_const(rng.below(1024) as i32 * 16)
            .local_get(0)
            .v128_store(mem(0, 4));
    }
    f.local_get(0);
}

fn big_module(funcs_count: u32) -> Vec<u8> {
    let mut rng = Lcg(0x5eed);
    let mut funcs = FunctionSection::new();
    let mut code = CodeSection::new();
    let mut exports = ExportSection::new();
    for i in 0..funcs_count {
        let kind = i % 5;
        let ty = match kind {
            0 | 1 => 1,
            2 => 2,
            3 => 3,
            _ => 4,
        };
        funcs.function(ty);
        let mut f = match ty {
            1 => Function::new([(2, ValType::I32)]),
            3 => Function::new([(1, ValType::I64)]),
            _ => Function::new([]),
        };
        {
            let mut sink = f.instructions();
            match ty {
                1 => {
                    // Call an earlier (i32, i32) -> i32 function, or itself.
                    let callee = if i >= 5 {
                        i - 5 * (1 + rng.below(i / 5))
                    } else {
                        i
                    };
                    int_body(&mut sink, &mut rng, callee);
                }
                2 => float_body(&mut sink, &mut rng),
                3 => i64_body(&mut sink, &mut rng),
                _ => simd_body(&mut sink, &mut rng),
            }
            sink.end();
        }
        code.function(&f);
        if i % 100 == 0 {
            exports.export(&format!("f{i}"), ExportKind::Func, i);
        }
    }
    let mut memories = MemorySection::new();
    memories.memory(MemoryType {
        minimum: 16,
        maximum: Some(256),
        memory64: false,
        shared: false,
        page_size_log2: None,
    });
    let mut globals = GlobalSection::new();
    let ty = GlobalType {
        val_type: ValType::I32,
        mutable: true,
        shared: false,
    };
    globals.global(ty, &ConstExpr::i32_const(0));
    let mut data = DataSection::new();
    for i in 0..64u32 {
        data.active(
            0,
            &ConstExpr::i32_const(i as i32 * 1024),
            vec![i as u8; 512],
        );
    }
    let mut module = Module::new();
    module
        .section(&types())
        .section(&funcs)
        .section(&memories)
        .section(&globals)
        .section(&exports)
        .section(&code)
        .section(&data);
    module.finish()
}

fn time(f: impl Fn()) -> Duration {
    let start = Instant::now();
    f();
    start.elapsed()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Medians (and minima) of one module size, interleaved so that both see the same machine load.
struct Measured {
    bytes: usize,
    rounds: usize,
    raw: Duration,
    ours: Duration,
    hash: Duration,
    raw_best: Duration,
    ours_best: Duration,
}

fn measure(bytes: &[u8], policy: &Policy, rounds: usize) -> Measured {
    let features = policy.wasm_features();
    let (mut raw, mut ours, mut hash) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        raw.push(time(|| {
            let mut v = wasmparser::Validator::new_with_features(features);
            black_box(v.validate_all(black_box(bytes)).is_ok());
        }));
        ours.push(time(|| {
            black_box(ugc_wasm::validate(black_box(bytes), policy).is_ok());
        }));
        // The report's SHA-256 is part of validate's cost; shown separately to explain the gap.
        hash.push(time(|| {
            use sha2::Digest;
            black_box(sha2::Sha256::digest(black_box(bytes)));
        }));
    }
    let (raw_best, ours_best) = (*raw.iter().min().unwrap(), *ours.iter().min().unwrap());
    Measured {
        bytes: bytes.len(),
        rounds,
        raw: median(raw),
        ours: median(ours),
        hash: median(hash),
        raw_best,
        ours_best,
    }
}

fn to_json(m: &Measured) -> serde_json::Value {
    let ns = |d: Duration| d.as_nanos() as f64;
    serde_json::json!({
        "bytes": m.bytes,
        "rounds": m.rounds,
        "wasmparser_ns": ns(m.raw),
        "ugc_validate_ns": ns(m.ours),
        "sha256_ns": ns(m.hash),
        "wasmparser_best_ns": ns(m.raw_best),
        "ugc_validate_best_ns": ns(m.ours_best),
    })
}

fn main() {
    // `cargo test --benches` runs this with `--bench` absent: just check it works, quickly.
    let quick = !std::env::args().any(|a| a == "--bench");
    let policy = Policy::default();
    let features = policy.wasm_features();
    let modules: Vec<Vec<u8>> = SIZES.iter().map(|&n| big_module(n)).collect();
    for bytes in &modules {
        ugc_wasm::validate(bytes, &policy).expect("the benchmark module is accepted");
        wasmparser::Validator::new_with_features(features)
            .validate_all(bytes)
            .expect("the benchmark module is valid");
    }
    let bytes = modules.last().expect("at least one size");
    let report = ugc_wasm::validate(bytes, &policy).expect("the benchmark module is accepted");
    let mb = bytes.len() as f64 / 1e6;
    println!(
        "module: {mb:.2} MB, {} functions, features used: {:?}",
        report.functions,
        report
            .features_used
            .iter()
            .map(|f| f.name())
            .collect::<Vec<_>>()
    );
    if quick {
        return;
    }
    let rounds: usize = std::env::var("UGC_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(15);
    // Smaller modules get proportionally more rounds (same total bytes, at least `rounds`).
    let all: Vec<Measured> = modules
        .iter()
        .map(|m| measure(m, &policy, rounds.max(rounds * bytes.len() / m.len() / 4)))
        .collect();
    let headline = all.last().expect("at least one size");
    let (raw, ours, hash) = (headline.raw, headline.ours, headline.hash);
    let raw_mbs = mb / raw.as_secs_f64();
    let ours_mbs = mb / ours.as_secs_f64();
    println!("wasmparser::Validator  {raw_mbs:8.1} MB/s  (median {raw:?} over {rounds} rounds)");
    println!("ugc_wasm::validate     {ours_mbs:8.1} MB/s  (median {ours:?})");
    println!(
        "ratio ugc_wasm/wasmparser: {:.3} (target >= 0.90); of which SHA-256 alone: {hash:?} ({:.1}% of wasmparser's time)",
        ours_mbs / raw_mbs,
        100.0 * hash.as_secs_f64() / raw.as_secs_f64()
    );
    println!("per size (medians):");
    for m in &all {
        println!(
            "  {:>9} bytes: wasmparser {:>10.1?}  ugc_wasm::validate {:>10.1?}  ratio {:.3}",
            m.bytes,
            m.raw,
            m.ours,
            m.raw.as_secs_f64() / m.ours.as_secs_f64()
        );
    }
    if let Ok(path) = std::env::var("UGC_BENCH_JSON") {
        let json = serde_json::json!({
            "bench": "validate",
            "sizes": all.iter().map(to_json).collect::<Vec<_>>(),
        });
        std::fs::write(&path, format!("{json:#}\n")).expect("write UGC_BENCH_JSON");
    }
}
