// The Wasm modules of the demo and the addon tests, as WAT plus a `ugc_script` manifest. Until the ABI host is
// wired into the runtime, guests can only import `ugc.log`, so these scripts count, log and compute numbers;
// the scene shows their state. Built with wabt's wat2wasm by scripts/build-demo.mjs and the tests.

import { wat, withCustomSection } from '../../scripts/lib/wasm-build.mjs';

/** A script module: WAT + ABI version 1 + the `ugc_script` manifest. */
export function scriptModule(source, manifest) {
  const withAbi = withCustomSection(wat(source), 'ugc_abi', [1, 0, 0, 0]);
  return withCustomSection(withAbi, 'ugc_script', JSON.stringify(manifest));
}

// Logs a message once: `$say` (offset, length) into the data segment.
const LOG_HELPERS = `
  (import "ugc" "log" (func $log (param i32 i32)))
  (memory 1)
  (data (i32.const 0) "enter_tree")
  (data (i32.const 16) "ready")
  (data (i32.const 32) "first process")
  (data (i32.const 48) "first physics")
  (data (i32.const 64) "exit_tree")`;

/** A well-behaved script: counts frames, answers numeric methods, logs its lifecycle. */
export const SPINNER_WAT = `
(module ${LOG_HELPERS}
  (global $frames (mut i32) (i32.const 0))
  (global $ticks (mut i32) (i32.const 0))
  (global $time (mut f64) (f64.const 0))
  (func (export "_enter_tree") (call $log (i32.const 0) (i32.const 10)))
  (func (export "_ready") (call $log (i32.const 16) (i32.const 5)))
  (func (export "_exit_tree") (call $log (i32.const 64) (i32.const 9)))
  (func (export "_process") (param $delta f64)
    (if (i32.eqz (global.get $frames)) (then (call $log (i32.const 32) (i32.const 13))))
    (global.set $frames (i32.add (global.get $frames) (i32.const 1)))
    (global.set $time (f64.add (global.get $time) (local.get $delta))))
  (func (export "_physics_process") (param f64)
    (if (i32.eqz (global.get $ticks)) (then (call $log (i32.const 48) (i32.const 13))))
    (global.set $ticks (i32.add (global.get $ticks) (i32.const 1))))
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "scale") (param f64 f64) (result f64) (f64.mul (local.get 0) (local.get 1)))
  (func (export "frames") (result i32) (global.get $frames))
  (func (export "ticks") (result i32) (global.get $ticks))
  (func (export "elapsed") (result f64) (global.get $time))
  (func (export "boom") unreachable))`;

export const SPINNER_MANIFEST = {
  extends: 'Node3D',
  properties: [
    { name: 'speed', type: 'float', default: 1.5, hint: 'range', hint_string: '0,10,0.1' },
    { name: 'count', type: 'int', default: 3 },
    { name: 'label', type: 'String', default: 'spinner' },
    { name: 'tint', type: 'Color', default: [1, 0.5, 0] },
    { name: 'offset', type: 'Vector3', default: [0, 1, 0] },
  ],
  signals: [{ name: 'toggled', args: [{ name: 'on', type: 'bool' }] }],
  methods: [
    {
      name: 'add',
      args: [
        { name: 'a', type: 'int' },
        { name: 'b', type: 'int' },
      ],
      return: 'int',
    },
    { name: 'scale', return: 'float' },
    { name: 'frames', return: 'int' },
  ],
};

/** Hostile: `_process` never returns; fuel metering must stop it without stopping the others. */
export const HOSTILE_WAT = `
(module
  (func (export "_ready"))
  (func (export "_process") (param f64) (loop $l (br $l))))`;

export const HOSTILE_MANIFEST = {
  properties: [{ name: 'speed', type: 'float', default: 9 }],
};

/** Invalid: imports a function outside the ABI; the validator refuses it at load. */
export const INVALID_WAT = `
(module
  (import "env" "system" (func (param i32)))
  (func (export "_process") (param f64)))`;

export const INVALID_MANIFEST = {
  properties: [{ name: 'power', type: 'int', default: 7 }],
};

/** Every module of the demo, by file name (under res://demo/modules/). */
export function demoModules() {
  return {
    'spinner.wasm': scriptModule(SPINNER_WAT, SPINNER_MANIFEST),
    'hostile.wasm': scriptModule(HOSTILE_WAT, HOSTILE_MANIFEST),
    'invalid.wasm': scriptModule(INVALID_WAT, INVALID_MANIFEST),
  };
}
