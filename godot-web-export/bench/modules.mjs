// The benchmark's Wasm scripts: the same workloads as scripts/*.gd, written by hand in WAT so the work per call
// is exactly what the GDScript does (no compiler-added prologues, no allocator). Each declares
// `"instancing": "shared"`: one instance serves every node of the module (a page holds only ~120 Wasm memories,
// see /work/wt/spec/SHARED-INSTANCING.md), and per-node state lives in guest memory at the node's slot
// (`ugc.node_slot()`).
//
// Every ABI status is checked: a negative handle or status traps (`unreachable`), so a module that stops doing
// its work faults loudly instead of being timed doing nothing.

import { wat, withCustomSection } from '../../scripts/lib/wasm-build.mjs';

const VECTOR3 = 9; // Godot Variant type number (docs/ABI.md); new_value/value_read take 3 × f32 for it

/** A script module: WAT + ABI version 1 + the `ugc_script` manifest. */
function scriptModule(source, manifest) {
  const withAbi = withCustomSection(wat(source), 'ugc_abi', [1, 0, 0, 0]);
  return withCustomSection(withAbi, 'ugc_script', JSON.stringify(manifest));
}

const MANIFEST = { extends: 'Node3D', instancing: 'shared' };

/** Goes with the imports (WAT wants every import before any definition). */
const NODE_SLOT_IMPORT = `(import "ugc" "node_slot" (func $node_slot (result i32)))`;

/**
 * Per-node state: `$state_size` bytes per slot from byte 1024 on. `$slot_addr` is the calling node's state;
 * `$ensure_state` (called from `_ready`, where a new slot first appears) grows memory to hold it.
 */
const SLOT_STATE = (size) => `
  (global $state_base i32 (i32.const 1024))
  (global $state_size i32 (i32.const ${size}))
  (func $slot_addr (result i32)
    (i32.add (global.get $state_base) (i32.mul (call $node_slot) (global.get $state_size))))
  (func $ensure_state (result i32)
    (local $addr i32)
    (local.set $addr (call $slot_addr))
    (block $done
      (loop $grow
        (br_if $done
          (i32.le_u (i32.add (local.get $addr) (global.get $state_size))
                    (i32.mul (memory.size) (i32.const 65536))))
        (if (i32.eq (memory.grow (i32.const 1)) (i32.const -1)) (then unreachable))
        (br $grow)))
    (local.get $addr))
  (func $check (param $status i32) (result i32)
    (if (i32.lt_s (local.get $status) (i32.const 0)) (then unreachable))
    (local.get $status))`;

/** Workload "empty": an empty `_process`, the cost of being called every frame. */
export const EMPTY_WAT = `
(module
  (func (export "_process") (param $delta f64)))`;

/**
 * Workload "move", exactly `position.x += delta`, the way the ABI recommends for a property written every frame:
 * `_ready` binds the node's `position` to its slot's 12 bytes (object_bind_value, which seeds them with the current
 * value); `_process` adds delta to x in memory — no host call. The runtime harvests every bound value once per
 * frame and sends the changed ones in the batch. Memory: "position" at 0, per-slot Vector3 (3 × f32) from 1024.
 */
export const MOVE_WAT = `
(module
  (import "ugc" "self" (func $self (result i32)))
  (import "ugc" "object_bind_value" (func $bind (param i32 i32 i32 i32 i32) (result i32)))
  ${NODE_SLOT_IMPORT}
  (memory 1)
  (data (i32.const 0) "position")
  ${SLOT_STATE(12)}
  (func (export "_ready")
    (if (i32.ne (call $bind (call $check (call $self)) (i32.const 0) (i32.const 8) (i32.const ${VECTOR3})
                  (call $ensure_state))
                (i32.const 12))
      (then unreachable)))
  (func (export "_process") (param $delta f64)
    (local $addr i32)
    (local.set $addr (call $slot_addr))
    (f32.store (local.get $addr)
      (f32.add (f32.load (local.get $addr)) (f32.demote_f64 (local.get $delta))))))`;

/**
 * Not a default column: "move" in two host calls per frame: read `position` as a Vector3 straight into memory
 * (object_get_value), add delta to x, write it back (object_set_value); no value handles. The node's `self`
 * handle is taken once per slot in `_ready`. Memory: "position" at 0, a Vector3 scratch at 16, per-slot `self`
 * handles from 1024.
 */
export const MOVE_CALLS_WAT = `
(module
  (import "ugc" "self" (func $self (result i32)))
  (import "ugc" "object_get_value" (func $get_value (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "ugc" "object_set_value" (func $set_value (param i32 i32 i32 i32 i32 i32) (result i32)))
  ${NODE_SLOT_IMPORT}
  (memory 1)
  (data (i32.const 0) "position")
  ${SLOT_STATE(4)}
  (func (export "_ready")
    (i32.store (call $ensure_state) (call $check (call $self))))
  (func (export "_process") (param $delta f64)
    (local $self i32)
    (local.set $self (i32.load (call $slot_addr)))
    (if (i32.ne (call $get_value (local.get $self) (i32.const 0) (i32.const 8)
                  (i32.const ${VECTOR3}) (i32.const 16) (i32.const 12))
                (i32.const 12))
      (then unreachable))
    (f32.store (i32.const 16)
      (f32.add (f32.load (i32.const 16)) (f32.demote_f64 (local.get $delta))))
    (drop (call $check (call $set_value (local.get $self) (i32.const 0) (i32.const 8)
      (i32.const ${VECTOR3}) (i32.const 16) (i32.const 12))))))`;

/**
 * Not a default column: "move" through value handles, as before the one-call imports (6 host calls a frame):
 * read `position` (object_get + value_read), add delta to x, write it back (new_value + object_set), release
 * both handles. The node's `self` handle is taken once per
 * slot in `_ready`. Memory: "position" at 0, a Vector3 scratch at 16, per-slot `self` handles from 1024.
 */
export const MOVE_HANDLES_WAT = `
(module
  (import "ugc" "self" (func $self (result i32)))
  (import "ugc" "object_get" (func $object_get (param i32 i32 i32) (result i32)))
  (import "ugc" "object_set" (func $object_set (param i32 i32 i32 i32) (result i32)))
  (import "ugc" "value_read" (func $value_read (param i32 i32 i32) (result i32)))
  (import "ugc" "new_value" (func $new_value (param i32 i32 i32) (result i32)))
  (import "ugc" "release" (func $release (param i32) (result i32)))
  ${NODE_SLOT_IMPORT}
  (memory 1)
  (data (i32.const 0) "position")
  ${SLOT_STATE(4)}
  (func (export "_ready")
    (i32.store (call $ensure_state) (call $check (call $self))))
  (func (export "_process") (param $delta f64)
    (local $self i32) (local $h i32)
    (local.set $self (i32.load (call $slot_addr)))
    (local.set $h (call $check (call $object_get (local.get $self) (i32.const 0) (i32.const 8))))
    (if (i32.ne (call $value_read (local.get $h) (i32.const 16) (i32.const 12)) (i32.const 12))
      (then unreachable))
    (drop (call $check (call $release (local.get $h))))
    (f32.store (i32.const 16)
      (f32.add (f32.load (i32.const 16)) (f32.demote_f64 (local.get $delta))))
    (local.set $h (call $check (call $new_value (i32.const ${VECTOR3}) (i32.const 16) (i32.const 12))))
    (drop (call $check (call $object_set (local.get $self) (i32.const 0) (i32.const 8) (local.get $h))))
    (drop (call $check (call $release (local.get $h))))))`;

/**
 * Not a default column: "move" for a guest that keeps its node's position in its own state (read once in
 * `_ready`) and only writes it each frame (new_value + object_set + release). Same effect on the bench's nodes
 * (nothing else moves them); measures what the per-frame read costs. Per slot: self handle, then x, y, z (f32).
 */
export const MOVE_SETONLY_WAT = `
(module
  (import "ugc" "self" (func $self (result i32)))
  (import "ugc" "object_get" (func $object_get (param i32 i32 i32) (result i32)))
  (import "ugc" "object_set" (func $object_set (param i32 i32 i32 i32) (result i32)))
  (import "ugc" "value_read" (func $value_read (param i32 i32 i32) (result i32)))
  (import "ugc" "new_value" (func $new_value (param i32 i32 i32) (result i32)))
  (import "ugc" "release" (func $release (param i32) (result i32)))
  ${NODE_SLOT_IMPORT}
  (memory 1)
  (data (i32.const 0) "position")
  ${SLOT_STATE(16)}
  (func (export "_ready")
    (local $addr i32) (local $h i32)
    (local.set $addr (call $ensure_state))
    (i32.store (local.get $addr) (call $check (call $self)))
    (local.set $h
      (call $check (call $object_get (i32.load (local.get $addr)) (i32.const 0) (i32.const 8))))
    (if (i32.ne (call $value_read (local.get $h) (i32.add (local.get $addr) (i32.const 4)) (i32.const 12))
                (i32.const 12))
      (then unreachable))
    (drop (call $check (call $release (local.get $h)))))
  (func (export "_process") (param $delta f64)
    (local $addr i32) (local $h i32)
    (local.set $addr (call $slot_addr))
    (f32.store offset=4 (local.get $addr)
      (f32.add (f32.load offset=4 (local.get $addr)) (f32.demote_f64 (local.get $delta))))
    (local.set $h (call $check
      (call $new_value (i32.const ${VECTOR3}) (i32.add (local.get $addr) (i32.const 4)) (i32.const 12))))
    (drop (call $check
      (call $object_set (i32.load (local.get $addr)) (i32.const 0) (i32.const 8) (local.get $h))))
    (drop (call $check (call $release (local.get $h))))))`;

/**
 * Workload "math", as scripts/math.gd: per node an f64 accumulator; each frame x = acc + delta, then 1,000 times
 * x = x * 1.000001 + 0.5; x = x - floor(x * 0.001) * 1000.0; acc = x. `acc()` returns the calling node's
 * accumulator (the bench checks the work was done).
 */
export const MATH_WAT = `
(module
  ${NODE_SLOT_IMPORT}
  (memory 1)
  ${SLOT_STATE(8)}
  (func (export "_ready")
    (f64.store (call $ensure_state) (f64.const 0)))
  (func (export "_process") (param $delta f64)
    (local $addr i32) (local $x f64) (local $i i32)
    (local.set $addr (call $slot_addr))
    (local.set $x (f64.add (f64.load (local.get $addr)) (local.get $delta)))
    (local.set $i (i32.const 1000))
    (loop $iter
      (local.set $x (f64.add (f64.mul (local.get $x) (f64.const 1.000001)) (f64.const 0.5)))
      (local.set $x
        (f64.sub (local.get $x)
          (f64.mul (f64.floor (f64.mul (local.get $x) (f64.const 0.001))) (f64.const 1000))))
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (br_if $iter (local.get $i)))
    (f64.store (local.get $addr) (local.get $x)))
  (func (export "acc") (result f64)
    (f64.load (call $slot_addr))))`;

/**
 * Workload "orbit", as scripts/orbit.gd: per node x, y, z (f64) from byte 1024 (24 bytes a slot); each frame
 * x += delta, then 1,000 steps of (x, y) turned by 0.02 rad and z eased towards 1. Unlike "math" the three updates
 * of a step are independent, as in most vector code. `acc()` returns the calling node's x.
 */
export const ORBIT_WAT = `
(module
  ${NODE_SLOT_IMPORT}
  (memory 1)
  ${SLOT_STATE(24)}
  (func (export "_ready")
    (local $addr i32)
    (local.set $addr (call $ensure_state))
    (f64.store (local.get $addr) (f64.const 0))
    (f64.store offset=8 (local.get $addr) (f64.const 0))
    (f64.store offset=16 (local.get $addr) (f64.const 0)))
  (func (export "_process") (param $delta f64)
    (local $addr i32) (local $x f64) (local $y f64) (local $z f64) (local $nx f64) (local $i i32)
    (local.set $addr (call $slot_addr))
    (local.set $x (f64.add (f64.load (local.get $addr)) (local.get $delta)))
    (local.set $y (f64.load offset=8 (local.get $addr)))
    (local.set $z (f64.load offset=16 (local.get $addr)))
    (local.set $i (i32.const 1000))
    (loop $step
      (local.set $nx
        (f64.sub (f64.mul (local.get $x) (f64.const 0.9998000066665778))
                 (f64.mul (local.get $y) (f64.const 0.019998666693333080))))
      (local.set $y
        (f64.add (f64.mul (local.get $x) (f64.const 0.019998666693333080))
                 (f64.mul (local.get $y) (f64.const 0.9998000066665778))))
      (local.set $x (local.get $nx))
      (local.set $z (f64.add (f64.mul (local.get $z) (f64.const 0.999)) (f64.const 0.001)))
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (br_if $step (local.get $i)))
    (f64.store (local.get $addr) (local.get $x))
    (f64.store offset=8 (local.get $addr) (local.get $y))
    (f64.store offset=16 (local.get $addr) (local.get $z)))
  (func (export "acc") (result f64)
    (f64.load (call $slot_addr))))`;

/** The bench's modules by file name (under res://modules/), for the pack: variant `wasm-<name>` runs `<name>.wasm`. */
export function benchModules() {
  return {
    'empty.wasm': scriptModule(EMPTY_WAT, MANIFEST),
    'move.wasm': scriptModule(MOVE_WAT, MANIFEST),
    'calls-move.wasm': scriptModule(MOVE_CALLS_WAT, MANIFEST),
    'handles-move.wasm': scriptModule(MOVE_HANDLES_WAT, MANIFEST),
    'setonly-move.wasm': scriptModule(MOVE_SETONLY_WAT, MANIFEST),
    'math.wasm': scriptModule(MATH_WAT, {
      ...MANIFEST,
      methods: [{ name: 'acc', return: 'float' }],
    }),
    'orbit.wasm': scriptModule(ORBIT_WAT, {
      ...MANIFEST,
      methods: [{ name: 'acc', return: 'float' }],
    }),
  };
}
