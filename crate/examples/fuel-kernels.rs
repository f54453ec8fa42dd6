//! Writes the fuel benchmark kernels (scripts/bench-fuel.mjs), each unmetered and prepared with
//! every metering strategy: `cargo run -p ugc-wasm --example fuel-kernels -- OUT_DIR`.
//! Files: `OUT_DIR/<kernel>.<variant>.wasm` with variant `raw` (caps only) or a strategy name.

use std::{env, fs, path::PathBuf};
use ugc_wasm::prepare::{prepare_with_strategy, PrepareOptions, Strategy};

/// Every kernel exports `init()` (set up memory, untimed) and `run(i32) -> i32|i64|f64`.
const KERNELS: [(&str, &str); 4] = [
    (
        "fnv",
        r#"(module (memory 17)
          (func (export "init") (local $i i32)
            (loop $l
              (i32.store8 (local.get $i) (i32.mul (local.get $i) (i32.const 31)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $l (i32.lt_u (local.get $i) (i32.const 1048576)))))
          ;; FNV-1a over 1 MiB, `reps` times.
          (func (export "run") (param $reps i32) (result i32) (local $i i32) (local $h i32)
            (local.set $h (i32.const 0x811c9dc5))
            (loop $rep
              (local.set $i (i32.const 0))
              (loop $l
                (local.set $h (i32.mul (i32.xor (local.get $h) (i32.load8_u (local.get $i)))
                                       (i32.const 16777619)))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br_if $l (i32.lt_u (local.get $i) (i32.const 1048576))))
              (local.tee $reps (i32.sub (local.get $reps) (i32.const 1)))
              (br_if $rep))
            (local.get $h)))"#,
    ),
    (
        "matmul",
        r#"(module (memory 2)
          ;; A at 0, B at 32768, C at 65536: 64x64 f64 each.
          (func (export "init") (local $i i32)
            (loop $l
              (f64.store (i32.shl (local.get $i) (i32.const 3))
                (f64.convert_i32_u (i32.rem_u (local.get $i) (i32.const 17))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $l (i32.lt_u (local.get $i) (i32.const 8192)))))
          (func (export "run") (param $reps i32) (result f64)
            (local $i i32) (local $j i32) (local $k i32) (local $sum f64)
            (loop $rep
              (local.set $i (i32.const 0))
              (loop $li
                (local.set $j (i32.const 0))
                (loop $lj
                  (local.set $sum (f64.const 0))
                  (local.set $k (i32.const 0))
                  (loop $lk
                    (local.set $sum (f64.add (local.get $sum)
                      (f64.mul
                        (f64.load (i32.shl (i32.add (i32.shl (local.get $i) (i32.const 6)) (local.get $k)) (i32.const 3)))
                        (f64.load offset=32768 (i32.shl (i32.add (i32.shl (local.get $k) (i32.const 6)) (local.get $j)) (i32.const 3))))))
                    (local.set $k (i32.add (local.get $k) (i32.const 1)))
                    (br_if $lk (i32.lt_u (local.get $k) (i32.const 64))))
                  (f64.store offset=65536 (i32.shl (i32.add (i32.shl (local.get $i) (i32.const 6)) (local.get $j)) (i32.const 3))
                    (local.get $sum))
                  (local.set $j (i32.add (local.get $j) (i32.const 1)))
                  (br_if $lj (i32.lt_u (local.get $j) (i32.const 64))))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br_if $li (i32.lt_u (local.get $i) (i32.const 64))))
              (local.tee $reps (i32.sub (local.get $reps) (i32.const 1)))
              (br_if $rep))
            (f64.load offset=65536 (i32.const 4000))))"#,
    ),
    (
        "fib",
        r#"(module
          (func (export "init"))
          (func $fib (param $n i32) (result i32)
            (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
              (then (local.get $n))
              (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                             (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
          (func (export "run") (param $reps i32) (result i32) (local $acc i32)
            (loop $rep
              (local.set $acc (i32.add (local.get $acc) (call $fib (i32.const 27))))
              (local.tee $reps (i32.sub (local.get $reps) (i32.const 1)))
              (br_if $rep))
            (local.get $acc)))"#,
    ),
    (
        "vm",
        r#"(module (memory 1)
          ;; Bytecode: inc, mul3, mix, inc, mix, mul3, loop, halt.
          (data (i32.const 0) "\00\01\02\00\02\01\03\04")
          (func (export "init"))
          (func (export "run") (param $count i32) (result i32)
            (local $pc i32) (local $acc i32)
            (local.set $count (i32.mul (local.get $count) (i32.const 1000000)))
            (block $halt
              (loop $dispatch
                (block $loop
                  (block $mix
                    (block $mul3
                      (block $inc
                        (br_table $inc $mul3 $mix $loop $halt
                          (i32.load8_u (local.get $pc))))
                      (local.set $acc (i32.add (local.get $acc) (i32.const 1)))
                      (local.set $pc (i32.add (local.get $pc) (i32.const 1)))
                      (br $dispatch))
                    (local.set $acc (i32.mul (local.get $acc) (i32.const 3)))
                    (local.set $pc (i32.add (local.get $pc) (i32.const 1)))
                    (br $dispatch))
                  (local.set $acc (i32.xor (local.get $acc) (i32.shr_u (local.get $acc) (i32.const 7))))
                  (local.set $pc (i32.add (local.get $pc) (i32.const 1)))
                  (br $dispatch))
                (local.set $count (i32.sub (local.get $count) (i32.const 1)))
                (local.set $pc (select (i32.const 0) (i32.add (local.get $pc) (i32.const 1))
                                       (local.get $count)))
                (br $dispatch)))
            (local.get $acc)))"#,
    ),
];

/// Sandbox probes, written metered with the default strategy as `probe_<name>.local.wasm`.
const PROBES: [(&str, &str); 2] = [
    ("spin", r#"(module (func (export "run") (loop $l (br $l))))"#),
    (
        "recurse",
        r#"(module (func $f (export "run") (param i32) (result i32)
             (i32.add (call $f (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
           (func (export "ok") (result i32) (i32.const 7)))"#,
    ),
];

const STRATEGIES: [(&str, Strategy); 4] = [
    ("local", Strategy::Local),
    ("hybrid", Strategy::Hybrid),
    ("global", Strategy::Global),
    ("naive", Strategy::Naive),
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(env::args().nth(1).ok_or("usage: fuel-kernels OUT_DIR")?);
    fs::create_dir_all(&out)?;
    let mut opts = PrepareOptions {
        max_memory_pages: 256,
        max_table_elements: 1024,
        metering: false,
    };
    for (name, source) in KERNELS {
        let bytes = wat::parse_str(source)?;
        let raw = prepare_with_strategy(&bytes, &opts, Strategy::Local)?;
        fs::write(out.join(format!("{name}.raw.wasm")), raw.bytes)?;
        opts.metering = true;
        for (variant, strategy) in STRATEGIES {
            let prepared = prepare_with_strategy(&bytes, &opts, strategy)?;
            fs::write(out.join(format!("{name}.{variant}.wasm")), prepared.bytes)?;
        }
        opts.metering = false;
    }
    opts.metering = true;
    for (name, source) in PROBES {
        let prepared = prepare_with_strategy(&wat::parse_str(source)?, &opts, Strategy::Local)?;
        fs::write(out.join(format!("probe_{name}.local.wasm")), prepared.bytes)?;
    }
    println!("{}", out.display());
    Ok(())
}
