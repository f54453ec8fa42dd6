//! Shared helpers for the `prepare_*` integration tests: WAT kernels and a small wasmi harness.
#![allow(dead_code)] // each test binary uses a different subset

use ugc_wasm::prepare::{prepare_with_strategy, PrepareOptions, Strategy, FUEL_EXPORT};
use wasmi::{Engine, Extern, Func, Instance, Linker, Module, Store, Val};

pub const ALL_STRATEGIES: [Strategy; 4] = [
    Strategy::Local,
    Strategy::Hybrid,
    Strategy::Global,
    Strategy::Naive,
];

pub fn options(metering: bool) -> PrepareOptions {
    PrepareOptions {
        max_memory_pages: 16,
        max_table_elements: 64,
        metering,
    }
}

pub fn wat(source: &str) -> Vec<u8> {
    wat::parse_str(source).expect("test WAT parses")
}

/// Prepares `bytes`, asserting the output is valid.
pub fn prepared(bytes: &[u8], metering: bool, strategy: Strategy) -> Vec<u8> {
    let out = prepare_with_strategy(bytes, &options(metering), strategy).expect("prepare succeeds");
    wasmparser::Validator::new()
        .validate_all(&out.bytes)
        .expect("prepared module validates");
    out.bytes
}

/// What host functions record; `charge` is fuel the host takes for its own work.
#[derive(Default)]
pub struct HostState {
    pub log: Vec<i32>,
    pub charge: i64,
}

pub struct Guest {
    pub store: Store<HostState>,
    pub instance: Instance,
}

impl Guest {
    /// Instantiates with the `env.add`, `env.log` and `env.work` host functions.
    pub fn new(bytes: &[u8]) -> Result<Self, wasmi::Error> {
        let engine = Engine::default();
        let module = Module::new(&engine, bytes)?;
        let mut store = Store::new(&engine, HostState::default());
        let mut linker = <Linker<HostState>>::new(&engine);
        linker.func_wrap("env", "add", |a: i32, b: i32| a.wrapping_add(b))?;
        linker.func_wrap(
            "env",
            "log",
            |mut caller: wasmi::Caller<'_, HostState>, v: i32| caller.data_mut().log.push(v),
        )?;
        // A host function that charges fuel for its own work, as a real host may.
        linker.func_wrap("env", "work", |mut caller: wasmi::Caller<'_, HostState>| {
            let charge = caller.data().charge;
            if let Some(Extern::Global(fuel)) = caller.get_export(FUEL_EXPORT) {
                let Val::I64(left) = fuel.get(&caller) else {
                    unreachable!()
                };
                fuel.set(&mut caller, Val::I64(left - charge)).unwrap();
            }
        })?;
        let instance = linker.instantiate_and_start(&mut store, &module)?;
        Ok(Self { store, instance })
    }

    pub fn func(&self, name: &str) -> Func {
        self.instance
            .get_func(&self.store, name)
            .unwrap_or_else(|| panic!("export {name}"))
    }

    /// Calls `name`; results rendered with Debug so any value type compares.
    pub fn call(&mut self, name: &str, args: &[Val]) -> Result<String, wasmi::Error> {
        let func = self.func(name);
        let n = func.ty(&self.store).results().len();
        let mut results = vec![Val::I32(0); n];
        func.call(&mut self.store, args, &mut results)?;
        Ok(format!("{results:?}"))
    }

    pub fn fuel(&self) -> i64 {
        let global = self
            .instance
            .get_global(&self.store, FUEL_EXPORT)
            .expect("fuel export");
        match global.get(&self.store) {
            Val::I64(v) => v,
            other => panic!("fuel is {other:?}"),
        }
    }

    pub fn set_fuel(&mut self, fuel: i64) {
        let global = self
            .instance
            .get_global(&self.store, FUEL_EXPORT)
            .expect("fuel export");
        global.set(&mut self.store, Val::I64(fuel)).unwrap();
    }

    /// Sets `budget`, calls, and returns the outcome and the fuel used.
    pub fn metered_call(
        &mut self,
        budget: i64,
        name: &str,
        args: &[Val],
    ) -> (Result<String, wasmi::Error>, i64) {
        self.set_fuel(budget);
        let result = self.call(name, args);
        (result, budget - self.fuel())
    }
}

/// Kernels covering the control flow metering rewrites; every export takes (i32) and returns
/// something comparable. `$started` is set by the start function.
pub const KERNELS: &str = r#"
(module
  (import "env" "add" (func $add (param i32 i32) (result i32)))
  (import "env" "log" (func $log (param i32)))
  (type $binop (func (param i32 i32) (result i32)))
  (memory (export "mem") 1 4)
  (table 4 funcref)
  (elem (i32.const 0) $mul $sub $add $mul)
  (global $started (mut i32) (i32.const 0))
  (global $calls (mut i64) (i64.const 0))
  (start $init)

  (func $init
    (local $i i32)
    (loop $l
      (i32.store8 (local.get $i) (local.get $i))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 100))))
    (global.set $started (i32.const 1)))

  (func $mul (param i32 i32) (result i32) (i32.mul (local.get 0) (local.get 1)))
  (func $sub (param i32 i32) (result i32) (i32.sub (local.get 0) (local.get 1)))

  (func (export "started") (param i32) (result i32) (global.get $started))

  ;; nested loops with an early return from the inner loop
  (func (export "loops") (param $n i32) (result i32)
    (local $i i32) (local $j i32) (local $acc i32)
    (block $done
      (loop $outer
        (local.set $j (i32.const 0))
        (loop $inner
          (local.set $acc (i32.add (local.get $acc) (i32.mul (local.get $i) (local.get $j))))
          (if (i32.gt_u (local.get $acc) (i32.const 1000000))
            (then (return (i32.const -1))))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br_if $inner (i32.lt_u (local.get $j) (local.get $n))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (br $outer)))
    (local.get $acc))

  ;; a bytecode-VM-like dispatch loop
  (func (export "br_table") (param $n i32) (result i32)
    (local $pc i32) (local $acc i32)
    (loop $dispatch
      (block $halt
        (block $c
          (block $b
            (block $a
              (br_table $a $b $c $halt (i32.rem_u (local.get $pc) (i32.const 4))))
            (local.set $acc (i32.add (local.get $acc) (i32.const 3)))
            (br $b))
          (local.set $acc (i32.xor (local.get $acc) (i32.const 0x55)))
          (br $c))
        (local.set $acc (i32.rotl (local.get $acc) (i32.const 1))))
      (local.set $pc (i32.add (local.get $pc) (i32.const 1)))
      (br_if $dispatch (i32.lt_u (local.get $pc) (local.get $n))))
    (local.get $acc))

  (func $fib (export "fib") (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2)))))))

  ;; multi-value blocks and a br_if with values to the function label
  (func $divmod (param i32 i32) (result i32 i32)
    (i32.div_u (local.get 0) (local.get 1)) (i32.rem_u (local.get 0) (local.get 1)))
  (func (export "multi") (param $n i32) (result i32 i64)
    (block (result i32 i32)
      (call $divmod (i32.add (local.get $n) (i32.const 100)) (i32.const 7)))
    (i32.add)
    (i64.extend_i32_u (local.get $n))
    (br_if 0 (i32.eqz (local.get $n)) )
    (i64.const 1)
    (i64.add))

  ;; calls: direct, indirect, imported; mutable globals
  (func (export "calls") (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (loop $l
      (global.set $calls (i64.add (global.get $calls) (i64.const 1)))
      (local.set $acc
        (call_indirect (type $binop)
          (call $add (local.get $acc) (local.get $i))
          (i32.const 3)
          (i32.and (local.get $i) (i32.const 3))))
      (call $log (local.get $acc))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (i32.add (local.get $acc) (i32.wrap_i64 (global.get $calls))))

  ;; memory: loads/stores, fill, copy, grow, size
  (func (export "memory") (param $n i32) (result i32)
    (local $i i32) (local $sum i32)
    (memory.fill (i32.const 1000) (local.get $n) (i32.const 5000))
    (memory.copy (i32.const 8000) (i32.const 0) (i32.const 200))
    (loop $l
      (local.set $sum (i32.add (local.get $sum) (i32.load8_u offset=1000 (local.get $i))))
      (local.set $sum (i32.add (local.get $sum) (i32.load8_u offset=8000 (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 200))))
    (i32.add (local.get $sum) (i32.mul (memory.size) (i32.const 1000000))))

  ;; tail calls
  (func $count_down (param $n i32) (param $acc i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then (local.get $acc))
      (else (return_call $count_down (i32.sub (local.get $n) (i32.const 1))
                                     (i32.add (local.get $acc) (local.get $n))))))
  (func (export "tail") (param $n i32) (result i32)
    (call $count_down (local.get $n) (i32.const 0)))
)
"#;

pub const KERNEL_EXPORTS: [&str; 9] = [
    "started", "loops", "br_table", "fib", "multi", "calls", "memory", "tail", "started",
];
