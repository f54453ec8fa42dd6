// WAT fixtures shared by the runtime tests: one well-behaved module with every export a test calls, and a
// few modules that misbehave at load time.

import { guestWat, wat } from './runtime-harness.mjs';

export const GUEST = guestWat(`
(module
  (import "ugc" "log" (func $log (param i32 i32)))
  (type $to_i32 (func (result i32)))
  (memory 1)
  (table 4 funcref)
  (elem (i32.const 0) $one $takes_i32)
  (global $counter (mut i32) (i32.const 0))
  (data (i32.const 16) "hello from guest")
  (func $one (result i32) i32.const 1)
  (func $takes_i32 (param i32) (result i32) local.get 0)
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "add64") (param i64 i64) (result i64) local.get 0 local.get 1 i64.add)
  (func (export "mulf32") (param f32 f32) (result f32) local.get 0 local.get 1 f32.mul)
  (func (export "divf64") (param f64 f64) (result f64) local.get 0 local.get 1 f64.div)
  (func (export "swap") (param i32 f64) (result f64 i32) local.get 1 local.get 0)
  (func (export "counter") (result i32)
    global.get $counter i32.const 1 i32.add global.set $counter global.get $counter)
  (func (export "hello") (call $log (i32.const 16) (i32.const 16)))
  (func (export "log") (param i32 i32) (call $log (local.get 0) (local.get 1)))
  (func (export "spin") (loop $l (br $l)))
  (func $recurse (export "recurse") (param i32) (result i32)
    local.get 0 i32.const 1 i32.add call $recurse)
  (func (export "count_to") (param i32) (result i32) (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get 0))))
    local.get $i)
  (func (export "grow") (param i32) (result i32) local.get 0 memory.grow)
  (func (export "pages") (result i32) memory.size)
  (func (export "fill") (param i32 i32) (memory.fill (local.get 0) (i32.const 255) (local.get 1)))
  (func (export "unreachable") unreachable)
  (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
  (func (export "trunc") (param f64) (result i32) local.get 0 i32.trunc_f64_s)
  (func (export "load") (param i32) (result i32) local.get 0 i32.load)
  (func (export "store") (param i32) (i32.store (local.get 0) (i32.const 7)))
  (func (export "indirect") (param i32) (result i32) local.get 0 call_indirect (type $to_i32))
  (func (export "fail_after_log") (call $log (i32.const 16) (i32.const 5)) unreachable)
)`);

/** A module whose start function never returns: metering must stop it during instantiation. */
export const START_LOOP = wat(`
(module
  (func $start (loop $l (br $l)))
  (start $start)
  (func (export "ok") (result i32) i32.const 1))`);

/** A module whose start function writes to memory before anything is called. */
export const START_WRITES = wat(`
(module
  (memory 1)
  (func $start (i32.store (i32.const 0) (i32.const 42)))
  (start $start)
  (func (export "first") (result i32) (i32.load (i32.const 0))))`);

/** Needs more memory up front than the cap a test loads it with. */
export const BIG_MEMORY = wat(`(module (memory 64) (func (export "pages") (result i32) memory.size))`);

/** Imports a function the ABI does not have: the validator refuses it. */
export const FORBIDDEN_IMPORT = wat(`
(module (import "env" "system" (func (param i32))) (func (export "run")))`);

/** Not a wasm module at all. */
export const GARBAGE = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0xff, 0xff]);

/**
 * `null_ref`: `ref.null func; ref.as_non_null` (function references; wabt cannot assemble it, so by hand).
 * Needs a policy allowing `function_references`.
 */
export const NULL_REF = new Uint8Array([
  ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
  ...[0x01, 0x04, 0x01, 0x60, 0x00, 0x00], // type 0: [] -> []
  ...[0x03, 0x02, 0x01, 0x00], // func 0: type 0
  ...[0x07, 0x0c, 0x01, 0x08, ...new TextEncoder().encode('null_ref'), 0x00, 0x00], // export "null_ref"
  ...[0x0a, 0x08, 0x01, 0x06, 0x00, 0xd0, 0x70, 0xd4, 0x1a, 0x0b], // ref.null func; ref.as_non_null; drop
]);
