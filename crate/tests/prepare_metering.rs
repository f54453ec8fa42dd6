//! Fuel metering, executed natively with wasmi: metered code computes what unmetered code
//! computes, runaway guests stop with the counter negative, and fuel used tracks work done.

#![cfg(not(target_arch = "wasm32"))] // wasmi and proptest are native-only dev-dependencies

mod prepare_util;

use prepare_util::*;
use ugc_wasm::prepare::{prepare, Strategy, START_FUEL};
use wasmi::Val;

const BIG: i64 = 1 << 40;

fn run_kernels(bytes: &[u8]) -> (Vec<String>, Vec<i32>) {
    let mut guest = Guest::new(bytes).expect("instantiates");
    let mut results = Vec::new();
    for name in KERNEL_EXPORTS {
        for n in [0, 1, 7, 20] {
            if bytes_have_fuel(&guest) {
                guest.set_fuel(BIG);
            }
            let result = guest.call(name, &[Val::I32(n)]).expect("kernel runs");
            results.push(format!("{name}({n}) = {result}"));
        }
    }
    (results, guest.store.data().log.clone())
}

fn bytes_have_fuel(guest: &Guest) -> bool {
    guest
        .instance
        .get_global(&guest.store, ugc_wasm::prepare::FUEL_EXPORT)
        .is_some()
}

#[test]
fn metered_and_unmetered_kernels_agree() {
    let source = wat(KERNELS);
    let (expected, expected_log) = run_kernels(&prepared(&source, false, Strategy::Local));
    assert!(expected.iter().any(|r| r.contains("fib(20) = [I32(6765)]")));
    assert!(expected.iter().any(|r| r.contains("exits(7) = [I32(314)]")));
    assert!(expected
        .iter()
        .any(|r| r.contains("exits(20) = [I32(240)]")));
    assert!(expected.iter().any(|r| r.contains("exits(1) = [I32(403)]")));
    for strategy in ALL_STRATEGIES {
        let (results, log) = run_kernels(&prepared(&source, true, strategy));
        assert_eq!(results, expected, "{strategy:?}");
        assert_eq!(log, expected_log, "{strategy:?}");
    }
}

#[test]
fn start_function_is_metered_from_the_initial_budget() {
    let bytes = prepared(&wat(KERNELS), true, Strategy::Local);
    let guest = Guest::new(&bytes).unwrap();
    let used = START_FUEL - guest.fuel();
    // 100 iterations of an 11-instruction loop body, then i32.const + global.set.
    assert_eq!(used, 1102);
}

#[test]
fn infinite_start_function_runs_out_of_fuel_as_an_export() {
    let source = wat(r#"(module (func $spin (loop $l (br $l))) (start $spin))"#);
    let bytes = prepared(&source, true, Strategy::Local);
    let err = Guest::new(&bytes).err().expect("__ugc_start traps");
    assert_eq!(
        err.as_trap_code(),
        Some(wasmi::TrapCode::UnreachableCodeReached)
    );
}

const RUNAWAY: &str = r#"
(module
  (func (export "spin") (loop $l (br $l)))
  (func (export "spin_calls") (local $i i32)
    (loop $l (local.set $i (call $leaf (local.get $i))) (br $l)))
  (func $leaf (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  (func $down (export "recurse") (param i32) (result i32)
    (i32.add (call $down (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
  (func $inner (param i32) (result i32)
    (i32.add (call $inner (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
  (func (export "recurse_internal") (param i32) (result i32) (call $inner (local.get 0)))
  (func $tail (export "tail_forever") (param i32) (result i32)
    (return_call $tail (i32.add (local.get 0) (i32.const 1))))
)"#;

#[test]
fn runaway_guests_stop_with_fuel_exhausted() {
    let source = wat(RUNAWAY);
    for strategy in ALL_STRATEGIES {
        let mut guest = Guest::new(&prepared(&source, true, strategy)).unwrap();
        for (name, args) in [
            ("spin", vec![]),
            ("spin_calls", vec![]),
            // Small budget: exhausted long before wasmi's own stack limit.
            ("recurse", vec![Val::I32(0)]),
            ("recurse_internal", vec![Val::I32(0)]),
            ("tail_forever", vec![Val::I32(0)]),
        ] {
            let budget = if name.starts_with("recurse") {
                500
            } else {
                100_000
            };
            let (result, used) = guest.metered_call(budget, name, &args);
            let err = result.expect_err(name);
            assert_eq!(
                err.as_trap_code(),
                Some(wasmi::TrapCode::UnreachableCodeReached),
                "{strategy:?} {name}: {err}"
            );
            assert!(guest.fuel() < 0, "{strategy:?} {name}: counter negative");
            // Overrun past zero is bounded by a few basic blocks.
            assert!(
                used - budget <= 16,
                "{strategy:?} {name}: overran by {}",
                used - budget
            );
        }
    }
}

#[test]
fn fuel_used_counts_instructions_exactly_for_a_simple_loop() {
    // Loop body: local.get, i32.const, i32.add, local.tee, local.get, i32.lt_u, br_if = 7.
    let source = wat(r#"
      (module (func (export "count") (param $n i32) (local $i i32)
        (loop $l
          local.get $i i32.const 1 i32.add local.tee $i
          local.get $n i32.lt_u br_if $l)))"#);
    for strategy in [Strategy::Local, Strategy::Hybrid, Strategy::Global] {
        let mut guest = Guest::new(&prepared(&source, true, strategy)).unwrap();
        for n in [1, 10, 1000] {
            let (result, used) = guest.metered_call(BIG, "count", &[Val::I32(n)]);
            result.unwrap();
            assert_eq!(used, 7 * i64::from(n), "{strategy:?} n={n}");
        }
    }
}

#[test]
fn fuel_used_is_deterministic_and_proportional_to_work() {
    let bytes = prepared(&wat(KERNELS), true, Strategy::Local);
    let mut guest = Guest::new(&bytes).unwrap();
    for kernel in ["br_table", "calls", "tail"] {
        let (_, small) = guest.metered_call(BIG, kernel, &[Val::I32(100)]);
        let (_, again) = guest.metered_call(BIG, kernel, &[Val::I32(100)]);
        let (_, large) = guest.metered_call(BIG, kernel, &[Val::I32(200)]);
        assert_eq!(small, again, "{kernel} deterministic");
        assert!(small > 100, "{kernel} used {small}");
        let ratio = large as f64 / small as f64;
        assert!((1.8..2.2).contains(&ratio), "{kernel}: {small} -> {large}");
    }
    // Recursion: fib(n) makes fib(n+1)/fib(n)-ish more calls.
    let (_, f15) = guest.metered_call(BIG, "fib", &[Val::I32(15)]);
    let (_, f20) = guest.metered_call(BIG, "fib", &[Val::I32(20)]);
    let ratio = f20 as f64 / f15 as f64;
    assert!((10.0..12.5).contains(&ratio), "fib ratio {ratio}");
}

#[test]
fn naive_strategy_over_counts_branchy_code() {
    let source = wat(KERNELS);
    let mut precise = Guest::new(&prepared(&source, true, Strategy::Local)).unwrap();
    let mut naive = Guest::new(&prepared(&source, true, Strategy::Naive)).unwrap();
    let (_, exact) = precise.metered_call(BIG, "br_table", &[Val::I32(1000)]);
    let (_, over) = naive.metered_call(BIG, "br_table", &[Val::I32(1000)]);
    assert!(over > exact * 5 / 4, "naive {over} vs per-block {exact}");
}

#[test]
fn host_functions_may_charge_fuel() {
    let source = wat(r#"
      (module (import "env" "work" (func $work))
        (func (export "twice") (call $work) (call $work)))"#);
    for strategy in ALL_STRATEGIES {
        let mut guest = Guest::new(&prepared(&source, true, strategy)).unwrap();
        guest.store.data_mut().charge = 1000;
        let (result, used) = guest.metered_call(BIG, "twice", &[]);
        result.unwrap();
        assert!((2002..2010).contains(&used), "{strategy:?}: used {used}");
    }
}

#[test]
fn bulk_memory_costs_in_proportion_to_length() {
    let source = wat(r#"
      (module (memory 16)
        (func (export "fill") (param $n i32)
          (memory.fill (i32.const 0) (i32.const 7) (local.get $n)))
        (func (export "byte") (result i32) (i32.load8_u (i32.const 100))))"#);
    for strategy in ALL_STRATEGIES {
        let mut guest = Guest::new(&prepared(&source, true, strategy)).unwrap();
        let (result, used) = guest.metered_call(BIG, "fill", &[Val::I32(1 << 20)]);
        result.unwrap();
        assert!(
            used >= (1 << 20) >> ugc_wasm::prepare::MEMORY_BYTES_SHIFT,
            "{strategy:?}: 1 MiB fill used {used}"
        );
        // Not enough fuel: trap before the fill happens.
        let mut fresh = Guest::new(&prepared(&source, true, strategy)).unwrap();
        let (result, _) = fresh.metered_call(1000, "fill", &[Val::I32(1 << 20)]);
        assert!(result.is_err() && fresh.fuel() < 0, "{strategy:?}");
        fresh.set_fuel(BIG);
        assert_eq!(fresh.call("byte", &[]).unwrap(), "[I32(0)]", "{strategy:?}");
    }
}

#[test]
fn memory_grow_costs_per_page() {
    let source = wat(r#"
      (module (memory 1 1000)
        (func (export "grow") (param $n i32) (result i32) (memory.grow (local.get $n)))
        (func (export "size") (result i32) (memory.size)))"#);
    for strategy in ALL_STRATEGIES {
        let mut guest = Guest::new(&prepared(&source, true, strategy)).unwrap();
        let (result, used) = guest.metered_call(BIG, "grow", &[Val::I32(10)]);
        assert_eq!(result.unwrap(), "[I32(1)]", "{strategy:?}");
        assert!(
            used >= 10 << ugc_wasm::prepare::MEMORY_PAGE_SHIFT,
            "{strategy:?}: 10 pages used {used}"
        );
        // Not enough fuel: trap before the memory grows.
        let (result, _) = guest.metered_call(1000, "grow", &[Val::I32(10)]);
        assert!(result.is_err() && guest.fuel() < 0, "{strategy:?}");
        guest.set_fuel(BIG);
        assert_eq!(
            guest.call("size", &[]).unwrap(),
            "[I32(11)]",
            "{strategy:?}"
        );
    }
}

#[test]
fn exception_handling_functions_are_metered_through_the_global() {
    let source = wat(r#"
      (module (tag $t)
        (func $thrower (throw $t))
        (func (export "f") (loop $l
          (block $caught (try_table (catch $t $caught) (call $thrower)))
          (br $l))))"#);
    let out = prepare(&source, &options(true)).unwrap();
    wasmparser::Validator::new()
        .validate_all(&out.bytes)
        .expect("valid");
    let text = wasmprinter_free_check(&out.bytes);
    assert!(text, "loop header reads the global");
}

/// Without a printer dependency: the global is read (0x23 = global.get) inside `f`'s body.
fn wasmprinter_free_check(bytes: &[u8]) -> bool {
    let mut bodies = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        if let wasmparser::Payload::CodeSectionEntry(body) = payload.unwrap() {
            bodies.push(body);
        }
    }
    let f = bodies.last().unwrap();
    let mut reader = f.get_operators_reader().unwrap();
    let mut global_reads = 0;
    while !reader.eof() {
        if let wasmparser::Operator::GlobalGet { .. } = reader.read().unwrap() {
            global_reads += 1;
        }
    }
    // Global mode: entry check and loop header each read the global; local mode would read it
    // once at entry and after the call only.
    global_reads >= 3
}

#[test]
fn per_block_strategies_count_the_same_fuel() {
    // Where the counter lives must not change what is charged.
    let source = wat(KERNELS);
    let mut guests: Vec<Guest> = [Strategy::Local, Strategy::Hybrid, Strategy::Global]
        .into_iter()
        .map(|s| Guest::new(&prepared(&source, true, s)).unwrap())
        .collect();
    for name in KERNEL_EXPORTS {
        let used: Vec<i64> = guests
            .iter_mut()
            .map(|g| g.metered_call(BIG, name, &[Val::I32(20)]).1)
            .collect();
        assert!(
            used.iter().all(|&u| u == used[0] && u > 0),
            "{name}: {used:?}"
        );
    }
}
