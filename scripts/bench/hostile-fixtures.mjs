// The hostile-module corpus of issue 13: every attack that stayed inside its fuel and memory limits and still
// hurt the page (host work not charged, exponential host work, crate memory exhaustion, re-entrancy, big
// modules, WASI output), plus the neighbouring ones a fix could miss. One place, used by the measurement
// (scripts/bench-hostile.mjs) and by the end-to-end test (tests-web/runtime-hostile-host.test.mjs).
//
// An attack is `{ name, cls, what, module?, scenario, params, expect, memory?, cycle?, slow? }`:
// - `module()` builds the guest in node (WAT → bytes); attacks on module size build theirs in the page.
// - `scenario` runs IN THE PAGE (it is serialised with toString, so it may use only `ctx` and `params`):
//   it returns `{ outcome, fuel, extra? }`, `outcome` being a typed error code, `ok`, or `untyped: …`.
// - `expect`: the outcomes that count as contained once issue 13's fixes are in (the default policy and budget
//   unless `params` says otherwise). The measurement adds two more conditions: stall ≤ 5× the pure-wasm loop
//   with the same fuel, and crate memory growth ≤ MEMORY_BOUND.
// - `memory: true` marks the attacks whose harm is memory: the measurement also runs `cycle` (a smaller
//   version of the same attack) in load → attack → dispose cycles and reports the crate's high-water mark.
//
// Sizes are chosen so that today's code finishes each attack in about a second at most, while the cost model
// being added (≥ 1 fuel per byte decoded/copied/encoded and per value visited) needs several times the
// default budget (10,000,000) for it: the fixed runtime must stop it with `fuel_exhausted`.

import { wat, withCustomSection } from '../lib/wasm-build.mjs';

/** Crate memory an attack may add (bytes) and still count as bounded. */
export const MEMORY_BOUND = 128 << 20;
/** After cycles, the high-water mark may exceed the one after the first CYCLE_WARMUP cycles by this much. */
export const CYCLE_SLACK = 16 << 20;
export const CYCLE_WARMUP = 10;
/** The stall target: attack stall ÷ stall of a pure-wasm loop stopped by the same fuel budget. */
export const STALL_RATIO_TARGET = 5;

const SIGNATURES = {
  log: '(param i32 i32)',
  last_error: '(param i32 i32) (result i32)',
  retain: '(param i32) (result i32)',
  release: '(param i32) (result i32)',
  type_of: '(param i32) (result i32)',
  new_int: '(param i64) (result i32)',
  new_float: '(param f64) (result i32)',
  new_string: '(param i32 i32) (result i32)',
  new_value: '(param i32 i32 i32) (result i32)',
  value_read: '(param i32 i32 i32) (result i32)',
  var_from_bytes: '(param i32 i32) (result i32)',
  var_to_bytes: '(param i32 i32 i32) (result i32)',
  array_new: '(result i32)',
  array_len: '(param i32) (result i32)',
  array_push: '(param i32 i32) (result i32)',
  dict_new: '(result i32)',
  dict_get: '(param i32 i32) (result i32)',
  dict_set: '(param i32 i32 i32) (result i32)',
  dict_keys: '(param i32) (result i32)',
  self: '(result i32)',
  object_get: '(param i32 i32 i32) (result i32)',
  object_set: '(param i32 i32 i32 i32) (result i32)',
  object_set_value: '(param i32 i32 i32 i32 i32 i32) (result i32)',
  object_bind_value: '(param i32 i32 i32 i32 i32) (result i32)',
  object_call: '(param i32 i32 i32 i32) (result i32)',
  emit_signal: '(param i32 i32 i32) (result i32)',
};

/** Variant type ids (docs/ABI.md). */
const T = { FLOAT: 3, STRING: 4, VECTOR3: 9, PACKED_BYTE: 29, PACKED_VECTOR3: 36 };

/**
 * A guest importing `imports` from `ugc`, with `pages` of memory, globals `$h $a $b` for handles kept between
 * calls, and `body` (functions). `manifest` becomes the `ugc_script` section.
 */
function guest(imports, body, { pages = 1, manifest = null } = {}) {
  const lines = imports.map((n) => `(import "ugc" "${n}" (func $${n} ${SIGNATURES[n]}))`).join('\n');
  let bytes = wat(`(module ${lines}
    (memory ${pages})
    (global $h (mut i32) (i32.const 0))
    (global $a (mut i32) (i32.const 0))
    (global $b (mut i32) (i32.const 0))
    ${body})`);
  bytes = withCustomSection(bytes, 'ugc_abi', [1, 0, 0, 0]);
  if (manifest) bytes = withCustomSection(bytes, 'ugc_script', JSON.stringify(manifest));
  return bytes;
}

/** `body` run `n` (a WAT i32 expression) times, counting in local `$i` (declare it). */
const repeat = (n, body) => `
  (local.set $i (i32.const 0))
  (block $done (loop $next
    (br_if $done (i32.ge_u (local.get $i) ${n}))
    ${body}
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (br $next)))`;

/** A tower of Arrays each holding the one below twice: `levels` host calls ×3, 2^levels nodes when expanded. */
const DOUBLED = `
  (func $doubled (param $levels i32) (result i32) (local $i i32) (local $x i32) (local $y i32)
    (local.set $x (call $array_new))
    ${repeat(
      '(local.get $levels)',
      `(local.set $y (call $array_new))
       (drop (call $array_push (local.get $y) (local.get $x)))
       (drop (call $array_push (local.get $y) (local.get $x)))
       (local.set $x (local.get $y))`,
    )}
    (local.get $x))`;

const MIB = 1 << 20;
const FUEL = 10_000_000;

// ---------------------------------------------------------------------------------------------------------
// Scenarios (run in the page). ctx: { rt, ugc, bytes, codeOf(error), runtime(policy), sleep(ms), gc() }.

/**
 * Loads the module (rt.load, or rt.loadShared + attach when `params.shared`), runs `params.steps` in order
 * (`{ export, args, repeat }`), stops at the first error. `fuel` is the sum of what every call used.
 */
async function calls(ctx, params) {
  const rt = params.policy ? await ctx.runtime(params.policy) : ctx.rt;
  const load = { ...(params.load ?? {}) };
  let script;
  let group = null;
  try {
    if (params.shared) {
      group = await rt.loadShared(ctx.bytes, load);
      script = group.attach({ self: load.self ?? { id: 7, class: '' } });
    } else script = await rt.load(ctx.bytes, load);
  } catch (error) {
    return { outcome: ctx.codeOf(error), fuel: 0, extra: { at: 'load' } };
  }
  // The stall of the calls (and dispose), not of the load: loading has attacks of its own.
  const dog = ctx.watch();
  let fuel = 0;
  let callsMade = 0;
  let outcome = 'ok';
  let returned;
  // After a crate failure even stats() may throw (issue 13 (3)): record it as the outcome, typed or not.
  const used = () => {
    try {
      return script.stats().fuelUsed;
    } catch (error) {
      if (outcome === 'ok') outcome = ctx.codeOf(error);
      return 0;
    }
  };
  outer: for (const step of params.steps) {
    for (let k = 0; k < (step.repeat ?? 1); k++) {
      // A frame boundary between calls, as a game calls a script once per frame: the stall measured is
      // the longest single call, not the sum of many.
      if (callsMade > 0) await ctx.sleep(0);
      try {
        returned = script.callSync(step.export, ...(step.args ?? []));
      } catch (error) {
        outcome = ctx.codeOf(error);
      }
      callsMade++;
      fuel += used();
      if (outcome !== 'ok') break outer;
    }
  }
  let stats = null;
  try {
    stats = script.stats();
  } catch {
    // reported through used() above
  }
  let disposeError = null;
  try {
    (group ?? script).dispose();
  } catch (error) {
    disposeError = ctx.codeOf(error);
  }
  const stall = await dog.stop();
  return {
    outcome,
    fuel,
    stall,
    extra: { calls: callsMade, returned, abiErrors: stats?.abiErrors, disposeError, logs: stats?.logs },
  };
}

/** The guest logs in a loop; onLog does `params.action` to the same script while it runs. */
async function reenter(ctx, params) {
  let script;
  let inner = null;
  let logs = 0;
  let logsAfter = 0;
  let acted = false;
  const onLog = () => {
    logs++;
    if (acted) {
      logsAfter++;
      if (params.action !== 'call') return;
    }
    acted = true;
    try {
      if (params.action === 'call') script.callSync('noop');
      else if (params.action === 'dispose') script.dispose();
      else if (params.action === 'reset') {
        Promise.resolve(script.reset()).catch((error) => {
          inner ??= ctx.codeOf(error);
        });
      }
    } catch (error) {
      inner ??= ctx.codeOf(error);
    }
  };
  script = await ctx.rt.load(ctx.bytes, { ...(params.load ?? {}), onLog });
  const dog = ctx.watch();
  let outcome = 'ok';
  try {
    script.callSync('attack', ...params.args);
  } catch (error) {
    outcome = ctx.codeOf(error);
  }
  let fuel = 0;
  try {
    fuel = script.stats().fuelUsed;
  } catch {
    // disposed
  }
  let disposeError = null;
  try {
    script.dispose();
  } catch (error) {
    disposeError = ctx.codeOf(error);
  }
  return { outcome, fuel, stall: await dog.stop(), extra: { logs, logsAfter, inner, disposeError } };
}

/** The game's bridge answers a read by calling back into the same script. */
async function bridgeReenter(ctx, params) {
  let script;
  let inner = null;
  const bridge = {
    classOf: () => 'Node3D',
    get: () => {
      try {
        script.callSync('noop');
      } catch (error) {
        inner ??= ctx.codeOf(error);
      }
      return new Uint8Array([2, 0, 0, 0, 1, 0, 0, 0]);
    },
    call: () => undefined,
  };
  script = await ctx.rt.load(ctx.bytes, { ...(params.load ?? {}), bridge });
  const dog = ctx.watch();
  let outcome = 'ok';
  try {
    script.callSync('attack', ...params.args);
  } catch (error) {
    outcome = ctx.codeOf(error);
  }
  const fuel = script.stats().fuelUsed;
  let disposeError = null;
  try {
    script.dispose();
  } catch (error) {
    disposeError = ctx.codeOf(error);
  }
  return { outcome, fuel, stall: await dog.stop(), extra: { inner, disposeError } };
}

/**
 * A module of `params.mb` MB built in the page (`data`: one data segment; `code`: many small functions),
 * loaded with `params.isolation`; then a call proves it runs.
 */
async function bigModule(ctx, params) {
  const bytes = ctx.buildModule(params);
  // The stall of loading and running it, not of building its bytes in the page (the test's own work).
  const dog = ctx.watch();
  let script;
  try {
    script = await ctx.rt.load(bytes, { isolation: params.isolation ?? 'instance' });
  } catch (error) {
    return { outcome: ctx.codeOf(error), fuel: 0, stall: await dog.stop(), extra: { bytes: bytes.length } };
  }
  let outcome = 'ok';
  try {
    await script.call('run');
  } catch (error) {
    outcome = ctx.codeOf(error);
  }
  const fuel = script.stats().fuelUsed;
  script.dispose();
  return { outcome, fuel, stall: await dog.stop(), extra: { bytes: bytes.length } };
}

/** spawnWasi of a program writing stdout forever; nobody reads for `params.ms`; then kill and count. */
async function wasiUnread(ctx, params) {
  const p = ctx.rt.spawnWasi(ctx.bytes, { timeoutMs: null });
  await ctx.sleep(params.ms);
  p.kill();
  let outcome = 'ok';
  try {
    await p.exited;
  } catch (error) {
    outcome = ctx.codeOf(error);
  }
  // What piled up unread is what the stream still hands over after the program is gone.
  let queued = 0;
  const reader = p.stdout.getReader();
  for (;;) {
    const { done, value } = await reader.read().catch(() => ({ done: true }));
    if (done) break;
    queued += value.length;
  }
  return { outcome: outcome === 'killed' ? 'ok' : outcome, fuel: 0, extra: { queuedBytes: queued } };
}

/** runWasi of a program writing `params.mib` MiB to stdout. */
async function wasiRun(ctx, params) {
  try {
    const r = await ctx.rt.runWasi(ctx.bytes, { args: ['w', String(params.mib)] });
    return { outcome: 'ok', fuel: 0, extra: { stdoutBytes: r.stdout.length } };
  } catch (error) {
    return { outcome: ctx.codeOf(error), fuel: 0, extra: { stdoutBytes: error.stdout?.length ?? null } };
  }
}

// ---------------------------------------------------------------------------------------------------------
// Modules.

/** Only `ugc.log`: no script host. `attack(n, len, byte)` logs `len` bytes of `byte` `n` times. */
const LOG_ONLY = () =>
  guest(
    ['log'],
    `(func (export "attack") (param $n i32) (param $len i32) (param $byte i32) (local $i i32)
       (memory.fill (i32.const 0) (local.get $byte) (local.get $len))
       ${repeat('(local.get $n)', '(call $log (i32.const 0) (local.get $len))')})
     (func (export "noop"))`,
    { pages: 2 },
  );

/** `ugc.log` plus one other import, so the script has a script host (the crate also gets every log). */
const LOG_HOSTED = () =>
  guest(
    ['log', 'new_int'],
    `(func (export "attack") (param $n i32) (param $len i32) (param $byte i32) (local $i i32)
       (memory.fill (i32.const 0) (local.get $byte) (local.get $len))
       ${repeat('(local.get $n)', '(call $log (i32.const 0) (local.get $len))')})
     (func (export "noop"))`,
    { pages: 2 },
  );

/**
 * The value workbench: `make_string(len)` / `make_bytes(len)` keep a value of `len` bytes in `$h`;
 * `make_doubled(levels)` keeps a doubled tower in `$a` (and an equal one in `$b`); the other exports attack.
 * Memory: 40 MiB (pages 640), `$h`'s bytes from 0, outputs from 32 MiB.
 */
const WORKBENCH_IMPORTS = [
  'log',
  'last_error',
  'release',
  'type_of',
  'new_int',
  'new_string',
  'new_value',
  'value_read',
  'var_from_bytes',
  'var_to_bytes',
  'array_new',
  'array_len',
  'array_push',
  'dict_new',
  'dict_get',
  'dict_set',
  'dict_keys',
  'self',
  'object_call',
  'emit_signal',
];
const WORKBENCH = () =>
  guest(
    WORKBENCH_IMPORTS,
    `${DOUBLED}
     (func (export "noop"))
     (func (export "make_string") (param $len i32)
       (memory.fill (i32.const 0) (i32.const 97) (local.get $len))
       (global.set $h (call $new_string (i32.const 0) (local.get $len))))
     (func (export "make_bytes") (param $len i32)
       (global.set $h (call $new_value (i32.const ${T.PACKED_BYTE}) (i32.const 0) (local.get $len))))
     (func (export "make_doubled") (param $levels i32)
       (global.set $a (call $doubled (local.get $levels)))
       (global.set $b (call $doubled (local.get $levels))))
     ;; copy-on-read: the kept value read n times
     (func (export "type_of_loop") (param $n i32) (local $i i32)
       ${repeat('(local.get $n)', '(drop (call $type_of (global.get $h)))')})
     (func (export "value_read_loop") (param $n i32) (local $i i32)
       ${repeat('(local.get $n)', `(drop (call $value_read (global.get $h) (i32.const ${32 * MIB}) (i32.const ${8 * MIB})))`)})
     ;; one push of the kept value per call, into an Array kept in $a: memory across calls
     (func (export "push_kept")
       (if (i32.eqz (global.get $a)) (then (global.set $a (call $array_new))))
       (drop (call $array_push (global.get $a) (global.get $h))))
     ;; n pushes in ONE call (issue 13 (3): the crate's memory to 4 GiB with ~1,200 fuel)
     (func (export "push_loop") (param $n i32) (local $i i32) (local $arr i32)
       (local.set $arr (call $array_new))
       ${repeat('(local.get $n)', '(drop (call $array_push (local.get $arr) (global.get $h)))')})
     ;; a fresh String of len bytes per call, never released: distinct host memory across calls
     (func (export "keep_string") (param $len i32)
       (drop (call $new_string (i32.const 0) (local.get $len))))
     (func (export "new_string_loop") (param $n i32) (param $len i32) (local $i i32)
       (memory.fill (i32.const 0) (i32.const 97) (local.get $len))
       ${repeat('(local.get $n)', '(drop (call $release (call $new_string (i32.const 0) (local.get $len))))')})
     (func (export "new_value_loop") (param $n i32) (param $ty i32) (param $len i32) (local $i i32)
       ${repeat('(local.get $n)', '(drop (call $release (call $new_value (local.get $ty) (i32.const 0) (local.get $len))))')})
     (func (export "var_to_bytes_doubled") (result i32)
       (call $var_to_bytes (global.get $a) (i32.const 0) (i32.const 0)))
     (func (export "dict_key_doubled") (result i32) (local $d i32)
       (local.set $d (call $dict_new))
       (drop (call $dict_set (local.get $d) (global.get $a) (global.get $a)))
       (call $dict_get (local.get $d) (global.get $b)))
     (func (export "emit_doubled") (result i32) (local $args i32)
       (local.set $args (call $array_new))
       (drop (call $array_push (local.get $args) (global.get $a)))
       (memory.fill (i32.const 0) (i32.const 0) (i32.const 16))
       (i32.store (i32.const 0) (i32.const 0x70656564)) ;; "deep"
       (call $emit_signal (i32.const 0) (i32.const 4) (local.get $args)))
     (func (export "call_doubled") (result i32) (local $args i32)
       (local.set $args (call $array_new))
       (drop (call $array_push (local.get $args) (global.get $a)))
       (i64.store (i32.const 0) (i64.const 0x795f657461746f72)) ;; "rotate_y"
       (call $object_call (call $self) (i32.const 0) (i32.const 8) (local.get $args)))
     ;; var_from_bytes of the bytes the test wrote at 0 (lying prefixes, deep nesting, huge counts)
     (func (export "decode_loop") (param $n i32) (param $len i32) (local $i i32)
       ${repeat('(local.get $n)', '(drop (call $release (call $var_from_bytes (i32.const 0) (local.get $len))))')})
     ;; an undeclared signal named by len bytes: each failure formats the name into the error log
     (func (export "bad_signal_loop") (param $n i32) (param $len i32) (local $i i32)
       (memory.fill (i32.const 0) (i32.const 97) (local.get $len))
       ${repeat('(local.get $n)', '(drop (call $emit_signal (i32.const 0) (local.get $len) (i32.const 0)))')})
     ;; last_error with a cap as big as memory allows, after one error with a len-byte message
     (func (export "last_error_loop") (param $n i32) (param $len i32) (local $i i32)
       (memory.fill (i32.const 0) (i32.const 97) (local.get $len))
       (drop (call $emit_signal (i32.const 0) (local.get $len) (i32.const 0)))
       ${repeat('(local.get $n)', `(drop (call $last_error (i32.const ${8 * MIB}) (i32.const ${24 * MIB})))`)})
     ;; keys equal for the first levels the crate hashes (4), distinct below: every key collides
     (func (export "colliding_keys") (param $n i32) (result i32) (local $i i32) (local $d i32) (local $k i32) (local $j i32) (local $w i32)
       (local.set $d (call $dict_new))
       ${repeat(
         '(local.get $n)',
         `(local.set $k (call $new_int (i64.extend_i32_u (local.get $i))))
          (local.set $j (i32.const 0))
          (block $b (loop $wrap
            (br_if $b (i32.ge_u (local.get $j) (i32.const 5)))
            (local.set $w (call $array_new))
            (drop (call $array_push (local.get $w) (local.get $k)))
            (local.set $k (local.get $w))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $wrap)))
          (drop (call $dict_set (local.get $d) (local.get $k) (i32.const 0)))`,
       )}
       (local.get $d))
     ;; a Dictionary of n int keys kept in $h, then dict_keys of it n times
     (func (export "make_dict") (param $n i32) (local $i i32) (local $k i32)
       (global.set $h (call $dict_new))
       ${repeat(
         '(local.get $n)',
         `(local.set $k (call $new_int (i64.extend_i32_u (local.get $i))))
          (drop (call $dict_set (global.get $h) (local.get $k) (local.get $k)))
          (drop (call $release (local.get $k)))`,
       )})
     (func (export "dict_keys_loop") (param $n i32) (local $i i32)
       ${repeat('(local.get $n)', '(drop (call $release (call $dict_keys (global.get $h))))')})
     ;; an Array of n ints kept in $h, then object_call with it as args, n times
     (func (export "make_array") (param $n i32) (local $i i32)
       (global.set $h (call $array_new))
       ${repeat('(local.get $n)', '(drop (call $array_push (global.get $h) (i32.const 0)))')})
     (func (export "call_big_args_loop") (param $n i32) (local $i i32) (local $s i32)
       (local.set $s (call $self))
       (i64.store (i32.const 0) (i64.const 0x795f657461746f72)) ;; "rotate_y"
       ${repeat('(local.get $n)', '(drop (call $object_call (local.get $s) (i32.const 0) (i32.const 8) (global.get $h)))')})
     ;; handles: new_int n times, never released
     (func (export "handle_flood") (param $n i32) (local $i i32)
       ${repeat('(local.get $n)', '(drop (call $new_int (i64.const 1)))')})
     ;; containers holding themselves: not reclaimed before dispose
     (func (export "self_cycles") (param $n i32) (result i32) (local $i i32) (local $x i32) (local $r i32)
       ${repeat(
         '(local.get $n)',
         `(local.set $x (call $array_new))
          (drop (call $array_push (local.get $x) (local.get $x)))
          (local.set $r (call $var_to_bytes (local.get $x) (i32.const 0) (i32.const 0)))
          (drop (call $release (local.get $x)))`,
       )}
       (local.get $r))`,
    {
      pages: 640,
      manifest: {
        extends: 'Node3D',
        signals: [
          { name: 'deep', args: [{ name: 'a', type: 'Array' }] },
          { name: 'ping', args: [] },
        ],
      },
    },
  );

/** Writes to the node: `set_loop(n, alternate)` (position, or position/scale alternating: no columns). */
const WRITER = (cls) => () =>
  guest(
    ['self', 'object_set_value', 'object_bind_value', 'emit_signal'],
    `(data (i32.const 0) "positionscale")
     (func (export "set_loop") (param $n i32) (param $alternate i32) (local $i i32) (local $s i32)
       (local.set $s (call $self))
       ${repeat(
         '(local.get $n)',
         `(f32.store (i32.const 64) (f32.convert_i32_u (local.get $i)))
          (if (i32.and (local.get $alternate) (local.get $i))
            (then (drop (call $object_set_value (local.get $s) (i32.const 8) (i32.const 5) (i32.const ${T.VECTOR3}) (i32.const 64) (i32.const 12))))
            (else (drop (call $object_set_value (local.get $s) (i32.const 0) (i32.const 8) (i32.const ${T.VECTOR3}) (i32.const 64) (i32.const 12)))))`,
       )})
     (func (export "ping_loop") (param $n i32) (local $i i32)
       (i32.store (i32.const 96) (i32.const 0x676e6970)) ;; "ping"
       ${repeat('(local.get $n)', '(drop (call $emit_signal (i32.const 96) (i32.const 4) (i32.const 0)))')})
     ;; blend_shapes/ + len bytes of name, a FLOAT each time (MeshInstance3D)
     (func (export "blend_loop") (param $n i32) (param $len i32) (local $i i32) (local $s i32)
       (local.set $s (call $self))
       (i64.store (i32.const 1024) (i64.const 0x68735f646e656c62)) ;; "blend_sh"
       (i32.store (i32.const 1032) (i32.const 0x73657061)) ;; "apes"
       (i32.store8 (i32.const 1036) (i32.const 0x2f)) ;; "/"
       (memory.fill (i32.const 1037) (i32.const 97) (local.get $len))
       (f64.store (i32.const 128) (f64.const 0.5))
       ${repeat('(local.get $n)', `(drop (call $object_set_value (local.get $s) (i32.const 1024) (i32.add (local.get $len) (i32.const 13)) (i32.const ${T.FLOAT}) (i32.const 128) (i32.const 8)))`)})
     ;; bind position again and again, at a moving address
     (func (export "bind_loop") (param $n i32) (local $i i32) (local $s i32)
       (local.set $s (call $self))
       ${repeat('(local.get $n)', `(drop (call $object_bind_value (local.get $s) (i32.const 0) (i32.const 8) (i32.const ${T.VECTOR3}) (i32.add (i32.const 4096) (i32.and (i32.mul (local.get $i) (i32.const 16)) (i32.const 65535)))))`)})`,
    { pages: 2, manifest: { extends: cls, signals: [{ name: 'ping', args: [] }] } },
  );

/** Plain wasm: memory to the cap, recursion, and the pure loop every stall is compared with. */
const PLAIN = () =>
  wat(`(module
    (memory 1)
    (func (export "spin") (loop $l (br $l)))
    (func (export "grow_fill") (result i32)
      (drop (memory.grow (i32.const 1023)))
      (memory.fill (i32.const 0) (i32.const 255) (i32.mul (memory.size) (i32.const 65536)))
      (memory.size))
    (func $recurse (export "recurse") (param i32) (result i32)
      local.get 0 i32.const 1 i32.add call $recurse))`);

/** The loop whose stall is the baseline: stopped by fuel alone. */
export const SPIN = PLAIN;

/**
 * A benign mix of host calls, run before every attack so the crate's code is warm (tiered up by V8), as it is
 * in a game page that has been running scripts for a while: a fresh page's first host calls run in V8's
 * baseline tier, up to ~3× slower, which would measure the compiler, not the cost model.
 */
export const WARMUP = () =>
  withCustomSection(
    wat(`(module
  (import "ugc" "log" (func $log (param i32 i32)))
  (import "ugc" "new_int" (func $new_int (param i64) (result i32)))
  (import "ugc" "new_string" (func $new_string (param i32 i32) (result i32)))
  (import "ugc" "release" (func $release (param i32) (result i32)))
  (import "ugc" "type_of" (func $type_of (param i32) (result i32)))
  (import "ugc" "array_new" (func $array_new (result i32)))
  (import "ugc" "array_push" (func $array_push (param i32 i32) (result i32)))
  (import "ugc" "dict_new" (func $dict_new (result i32)))
  (import "ugc" "dict_set" (func $dict_set (param i32 i32 i32) (result i32)))
  (import "ugc" "dict_keys" (func $dict_keys (param i32) (result i32)))
  (import "ugc" "var_to_bytes" (func $var_to_bytes (param i32 i32 i32) (result i32)))
  (import "ugc" "var_from_bytes" (func $var_from_bytes (param i32 i32) (result i32)))
  (import "ugc" "value_read" (func $value_read (param i32 i32 i32) (result i32)))
  (memory 2)
  (func (export "mix") (local $a i32) (local $d i32) (local $s i32) (local $n i32) (local $i i64)
    (local.set $a (call $array_new))
    (local.set $d (call $dict_new))
    (loop $l
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (call $log (i32.const 0) (i32.const 64))
      (local.set $s (call $new_string (i32.const 0) (i32.const 256)))
      (drop (call $type_of (local.get $s)))
      (drop (call $value_read (local.get $s) (i32.const 4096) (i32.const 4096)))
      (drop (call $array_push (local.get $a) (local.get $s)))
      (drop (call $dict_set (local.get $d) (call $new_int (local.get $i)) (local.get $s)))
      (drop (call $release (local.get $s)))
      (local.set $n (call $var_to_bytes (local.get $a) (i32.const 8192) (i32.const 65536)))
      (if (i32.gt_s (local.get $n) (i32.const 0))
        (then (drop (call $release (call $var_from_bytes (i32.const 8192) (local.get $n))))))
      (drop (call $release (call $dict_keys (local.get $d))))
      (br $l))))`),
    'ugc_abi',
    [1, 0, 0, 0],
  );

/**
 * Exception handling (needs a policy allowing it): the guest catches what a host function throws and carries
 * on. `attack(n, mode)`: mode 0 → log out of bounds (a bad_pointer trap); 1 → a 64 KiB log (under the cost
 * model, running out of fuel inside the host call).
 */
const CATCHER = () =>
  withCustomSection(
    wat(`(module
      (import "ugc" "log" (func $log (param i32 i32)))
      (memory 2)
      (func (export "attack") (param $n i32) (param $mode i32) (local $i i32)
        ${repeat(
          '(local.get $n)',
          `(try (do
             (if (local.get $mode)
               (then (call $log (i32.const 0) (i32.const 65536)))
               (else (call $log (i32.const -1) (i32.const 10)))))
           (catch_all))`,
        )}))`),
    'ugc_abi',
    [1, 0, 0, 0],
  );
/** The default policy plus these features (the page adds them to `rt.policy().features`). */
const EXCEPTIONS_POLICY = { addFeatures: ['exceptions', 'legacy_exceptions'] };

/** A bridge read: object_get of `position` on self (served by the bridge: no setNodeProperty). */
const BRIDGE_READER = () =>
  guest(
    ['self', 'object_get', 'release'],
    `(data (i32.const 0) "global_position")
     (func (export "noop"))
     (func (export "attack") (param $n i32) (local $i i32) (local $s i32)
       (local.set $s (call $self))
       ${repeat('(local.get $n)', '(drop (call $release (call $object_get (local.get $s) (i32.const 0) (i32.const 15))))')})`,
  );

/** WASI: writes 64 KiB chunks to stdout, forever (`forever`) or `argv[1]` MiB (parsed from args). */
const WASI_WRITER = (forever) => () =>
  wat(`(module
    (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
    (memory (export "memory") 4)
    (func (export "_start") (local $left i32) (local $p i32) (local $c i32)
      (memory.fill (i32.const 65536) (i32.const 120) (i32.const 65536))
      (i32.store (i32.const 0) (i32.const 65536)) ;; iovec: buf
      (i32.store (i32.const 4) (i32.const 65536)) ;; iovec: len
      ${
        forever
          ? '(loop $l (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))) (br $l))'
          : `;; argv[1] as decimal MiB: args_get(argv at 16, buf at 1024)
      (drop (call $args_get (i32.const 16) (i32.const 1024)))
      (local.set $p (i32.load (i32.const 20)))
      (block $end (loop $digit
        (local.set $c (i32.load8_u (local.get $p)))
        (br_if $end (i32.lt_u (local.get $c) (i32.const 48)))
        (local.set $left (i32.add (i32.mul (local.get $left) (i32.const 10)) (i32.sub (local.get $c) (i32.const 48))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $digit)))
      (local.set $left (i32.mul (local.get $left) (i32.const 16)))
      (block $done (loop $l
        (br_if $done (i32.eqz (local.get $left)))
        (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
        (local.set $left (i32.sub (local.get $left) (i32.const 1)))
        (br $l)))`
      }))`);

// ---------------------------------------------------------------------------------------------------------
// Variant bytes for var_from_bytes (written into guest memory at 0 by a `poke` step).

const u32 = (x) => [x & 0xff, (x >>> 8) & 0xff, (x >>> 16) & 0xff, (x >>> 24) & 0xff];
/** An Array header claiming 2^31 − 1 elements, followed by nothing. */
const LYING_ARRAY = [...u32(28), ...u32(0x7fffffff)];
/** A PackedByteArray claiming 2^31 − 1 bytes, followed by 8. */
const LYING_PACKED = [...u32(29), ...u32(0x7fffffff), 0, 0, 0, 0, 0, 0, 0, 0];

// ---------------------------------------------------------------------------------------------------------
// The corpus.

const workbench = (name, cls, what, steps, expect, { params = {}, ...more } = {}) => ({
  name,
  cls,
  what,
  module: WORKBENCH,
  scenario: calls,
  params: { load: { self: { id: 7, class: 'Node3D' } }, steps, ...params },
  expect,
  ...more,
});

export const ATTACKS = [
  // (1) host work not charged ------------------------------------------------------------------------------
  {
    name: 'log-16k',
    cls: 'host-work',
    what: '4,000 × ugc.log of 16 KiB UTF-8 (no script host)',
    module: LOG_ONLY,
    scenario: calls,
    params: { steps: [{ export: 'attack', args: [4000, 16384, 97] }] },
    expect: ['fuel_exhausted'],
  },
  {
    name: 'log-16k-bad-utf8',
    cls: 'host-work',
    what: '4,000 × ugc.log of 16 KiB of 0xFF (lossy decode)',
    module: LOG_ONLY,
    scenario: calls,
    params: { steps: [{ export: 'attack', args: [4000, 16384, 255] }] },
    expect: ['fuel_exhausted'],
  },
  {
    name: 'log-16k-hosted',
    cls: 'host-work',
    what: '2,000 × ugc.log of 16 KiB from a script with a script host (the crate logs it too)',
    module: LOG_HOSTED,
    scenario: calls,
    params: { steps: [{ export: 'attack', args: [2000, 16384, 255] }] },
    expect: ['fuel_exhausted'],
  },
  workbench(
    'type_of-9MiB-string',
    'host-work',
    'type_of × 300 on a kept 9 MiB String (copied per call)',
    [
      { export: 'make_string', args: [9 * MIB] },
      { export: 'type_of_loop', args: [300] },
    ],
    ['fuel_exhausted'],
  ),
  workbench(
    'value_read-8MiB',
    'host-work',
    'value_read × 200 of a kept 8 MiB PackedByteArray into an 8 MiB buffer',
    [
      { export: 'make_bytes', args: [8 * MIB] },
      { export: 'value_read_loop', args: [200] },
    ],
    ['fuel_exhausted'],
  ),
  workbench(
    'new_string-8MiB-loop',
    'host-work',
    '100 × new_string of 8 MiB, released each time',
    [{ export: 'new_string_loop', args: [100, 8 * MIB] }],
    ['fuel_exhausted'],
  ),
  workbench(
    'new_value-packed-vector3-36MiB',
    'host-work',
    '20 × new_value(PackedVector3Array) from 36 MiB of guest memory, released',
    [{ export: 'new_value_loop', args: [20, T.PACKED_VECTOR3, 36 * MIB] }],
    ['fuel_exhausted'],
  ),
  {
    name: 'blend-shapes-60KiB-name',
    cls: 'host-work',
    what: '1,000 × object_set_value(blend_shapes/ + 60 KiB name) on a MeshInstance3D',
    module: WRITER('MeshInstance3D'),
    scenario: calls,
    params: {
      load: { self: { id: 7, class: 'MeshInstance3D' } },
      steps: [{ export: 'blend_loop', args: [1000, 60 * 1024] }],
    },
    expect: ['fuel_exhausted', 'ok'],
  },
  workbench(
    'error-log-60KiB-names',
    'host-work',
    '2,000 × emit_signal of an undeclared 60 KiB name (each error message formats it)',
    [{ export: 'bad_signal_loop', args: [2000, 60 * 1024] }],
    ['fuel_exhausted', 'ok'],
  ),
  workbench(
    'last_error-huge-cap',
    'host-work',
    'one 60 KiB error message, then 5,000 × last_error with a 24 MiB cap',
    [{ export: 'last_error_loop', args: [5000, 60 * 1024] }],
    ['fuel_exhausted', 'ok'],
  ),
  workbench(
    'dict_keys-100k-repeat',
    'host-work',
    'a kept 100,000-key Dictionary, then dict_keys × 300 (released)',
    [
      { export: 'make_dict', args: [100_000] },
      { export: 'dict_keys_loop', args: [300] },
    ],
    ['fuel_exhausted'],
  ),
  workbench(
    'object_call-100k-args',
    'host-work',
    'a kept 100,000-element Array, then 300 × object_call(self, rotate_y, it)',
    [
      { export: 'make_array', args: [100_000] },
      { export: 'call_big_args_loop', args: [300] },
    ],
    ['fuel_exhausted'],
  ),
  workbench(
    'var_from_bytes-1M-nils',
    'host-work',
    '10 × var_from_bytes of an Array of 1,000,000 NILs (4 MB of input each)',
    [
      { export: 'poke', poke: { array: 1_000_000 } },
      { export: 'decode_loop', args: [10, 8 + 4_000_000] },
    ],
    ['fuel_exhausted'],
  ),
  workbench(
    'dict-colliding-keys',
    'host-work',
    '4,000 keys [[[[[i]]]]] in one Dictionary: equal to the hashed depth (4), so every key collides',
    [{ export: 'colliding_keys', args: [4000] }],
    ['fuel_exhausted'],
  ),
  {
    name: 'bind-rebind-flood',
    cls: 'host-work',
    what: '300,000 × object_bind_value(position) at a moving address',
    module: WRITER('Node3D'),
    scenario: calls,
    params: {
      load: { self: { id: 7, class: 'Node3D' } },
      steps: [{ export: 'bind_loop', args: [300_000] }],
    },
    expect: ['fuel_exhausted', 'ok'],
  },

  // (2) exponential host work -----------------------------------------------------------------------------
  workbench(
    'var_to_bytes-doubled-20',
    'exponential',
    'var_to_bytes of an Array holding the same Array twice, 20 levels (2^20 nodes)',
    [{ export: 'make_doubled', args: [20] }, { export: 'var_to_bytes_doubled' }],
    ['fuel_exhausted'],
  ),
  workbench(
    'emit_signal-doubled-20',
    'exponential',
    'emit_signal with the 20-level doubled Array as its argument (encoded into the batch)',
    [{ export: 'make_doubled', args: [20] }, { export: 'emit_doubled' }],
    ['fuel_exhausted'],
  ),
  workbench(
    'dict-key-doubled-20',
    'exponential',
    'the 20-level doubled Array as a Dictionary key, looked up with an equal copy (deep compare)',
    [{ export: 'make_doubled', args: [20] }, { export: 'dict_key_doubled' }],
    ['fuel_exhausted'],
  ),
  workbench(
    'object_call-doubled-20',
    'exponential',
    'object_call(self, rotate_y, [doubled 20 levels])',
    [{ export: 'make_doubled', args: [20] }, { export: 'call_doubled' }],
    ['fuel_exhausted', 'ok'],
  ),

  // (3) crate memory ----------------------------------------------------------------------------------------
  workbench(
    'keep-8MiB-strings',
    'memory',
    '128 calls, each keeping a fresh 8 MiB String (1 GiB of distinct host values)',
    [{ export: 'keep_string', args: [8 * MIB], repeat: 128 }],
    ['memory_limit', 'fuel_exhausted'],
    { memory: true, cycle: [{ export: 'keep_string', args: [MIB], repeat: 4 }] },
  ),
  workbench(
    'push-9MiB-string-across-calls',
    'memory',
    '100 calls, each pushing the kept 9 MiB String into a kept Array (a copy per push)',
    [
      { export: 'make_string', args: [9 * MIB] },
      { export: 'push_kept', repeat: 100 },
    ],
    ['memory_limit', 'ok', 'fuel_exhausted'],
    {
      memory: true,
      cycle: [
        { export: 'make_string', args: [MIB] },
        { export: 'push_kept', repeat: 4 },
      ],
    },
  ),
  {
    name: 'batch-flood-across-calls',
    cls: 'memory',
    what: '64 calls × 250,000 writes (position/scale alternating: row entries), no takeBatch',
    module: WRITER('Node3D'),
    scenario: calls,
    params: {
      load: { self: { id: 7, class: 'Node3D' } },
      steps: [{ export: 'set_loop', args: [250_000, 1], repeat: 64 }],
    },
    expect: ['memory_limit', 'fuel_exhausted'],
    memory: true,
    cycle: [{ export: 'set_loop', args: [20_000, 1], repeat: 2 }],
  },
  {
    name: 'batch-flood-one-call',
    cls: 'memory',
    what: 'one call writing position until its fuel runs out (columnar entries)',
    module: WRITER('Node3D'),
    scenario: calls,
    params: {
      load: { self: { id: 7, class: 'Node3D' } },
      steps: [{ export: 'set_loop', args: [2_000_000, 0] }],
    },
    expect: ['fuel_exhausted'],
  },
  {
    name: 'signal-flood-across-calls',
    cls: 'memory',
    what: '30 calls × 400,000 emit_signal(ping), no takeBatch',
    module: WRITER('Node3D'),
    scenario: calls,
    params: {
      load: { self: { id: 7, class: 'Node3D' } },
      steps: [{ export: 'ping_loop', args: [400_000], repeat: 30 }],
    },
    expect: ['memory_limit', 'fuel_exhausted'],
    memory: true,
    cycle: [{ export: 'ping_loop', args: [20_000], repeat: 2 }],
  },
  workbench(
    'handle-flood',
    'memory',
    '200,000 × new_int never released (past max_live_handles = 65,536)',
    [{ export: 'handle_flood', args: [200_000] }],
    ['ok', 'fuel_exhausted'],
    { memory: true, cycle: [{ export: 'handle_flood', args: [70_000] }] },
  ),
  workbench(
    'self-cycles',
    'memory',
    '100,000 Arrays holding themselves (var_to_bytes refused each time), released: cycles leak until dispose',
    [{ export: 'self_cycles', args: [100_000] }],
    ['ok', 'fuel_exhausted'],
    { memory: true, cycle: [{ export: 'self_cycles', args: [5_000] }] },
  ),
  workbench(
    'var_from_bytes-lying-count',
    'memory',
    '100,000 × var_from_bytes of an Array header claiming 2^31 − 1 elements',
    [
      { export: 'poke', poke: { bytes: LYING_ARRAY } },
      { export: 'decode_loop', args: [100_000, LYING_ARRAY.length] },
    ],
    ['ok', 'fuel_exhausted'],
  ),
  workbench(
    'var_from_bytes-lying-packed',
    'memory',
    '100,000 × var_from_bytes of a PackedByteArray claiming 2^31 − 1 bytes',
    [
      { export: 'poke', poke: { bytes: LYING_PACKED } },
      { export: 'decode_loop', args: [100_000, LYING_PACKED.length] },
    ],
    ['ok', 'fuel_exhausted'],
  ),
  workbench(
    'var_from_bytes-deep-200k',
    'memory',
    '1,000 × var_from_bytes of 200,000 nested one-element Arrays (1.6 MB)',
    [
      { export: 'poke', poke: { nested: 200_000 } },
      { export: 'decode_loop', args: [1000, 1_600_000 + 4] },
    ],
    ['ok', 'fuel_exhausted'],
  ),
  {
    name: 'memory-grow-to-cap',
    cls: 'memory',
    what: 'memory.grow to the cap (64 MiB) and fill it (guest memory, not the crate)',
    module: PLAIN,
    scenario: calls,
    params: { steps: [{ export: 'grow_fill' }] },
    expect: ['ok', 'fuel_exhausted'],
  },
  workbench(
    'crate-oom-one-call',
    'memory',
    'ONE call pushing a kept 9 MiB String up to 1,000 times (issue 13 (3): crate memory to 4 GiB), then dispose()',
    [
      { export: 'make_string', args: [9 * MIB] },
      { export: 'push_loop', args: [1000] },
    ],
    ['memory_limit', 'fuel_exhausted'],
    { slow: true },
  ),

  // Shared instancing (rt.loadShared): the same attacks through a group's view, where a fault takes down
  // every node of the group and the crate's hosts share one batch sink.
  workbench(
    'shared-type_of-9MiB-string',
    'host-work',
    'rt.loadShared view: type_of × 300 on a kept 9 MiB String',
    [
      { export: 'make_string', args: [9 * MIB] },
      { export: 'type_of_loop', args: [300] },
    ],
    ['fuel_exhausted'],
    { params: { shared: true } },
  ),
  workbench(
    'shared-keep-8MiB-strings',
    'memory',
    'rt.loadShared view: 128 calls, each keeping a fresh 8 MiB String',
    [{ export: 'keep_string', args: [8 * MIB], repeat: 128 }],
    ['memory_limit', 'fuel_exhausted'],
    {
      params: { shared: true },
      memory: true,
      cycle: [{ export: 'keep_string', args: [MIB], repeat: 4 }],
    },
  ),
  workbench(
    'shared-emit_signal-doubled-20',
    'exponential',
    'rt.loadShared view: emit_signal with the 20-level doubled Array (into the group batch)',
    [{ export: 'make_doubled', args: [20] }, { export: 'emit_doubled' }],
    ['fuel_exhausted'],
    { params: { shared: true } },
  ),

  // (4) re-entrancy -----------------------------------------------------------------------------------------
  {
    name: 'reenter-onlog-refuel',
    cls: 'reentrancy',
    what: 'fuel 5,000; 200,000 logs, onLog calls into the same script (refuels it today)',
    module: LOG_ONLY,
    scenario: reenter,
    params: { action: 'call', load: { fuel: 5000 }, args: [200_000, 0, 97] },
    expect: ['fuel_exhausted', 'reentrant', 'reentrancy', 'not_allowed'],
  },
  {
    name: 'dispose-in-onlog',
    cls: 'reentrancy',
    what: 'onLog disposes the script at the first of 200,000 logs',
    module: LOG_ONLY,
    scenario: reenter,
    params: { action: 'dispose', args: [200_000, 0, 97] },
    expect: ['disposed', 'reentrant', 'reentrancy'],
  },
  {
    name: 'reset-in-onlog',
    cls: 'reentrancy',
    what: 'onLog resets the script at the first of 200,000 logs',
    module: LOG_ONLY,
    scenario: reenter,
    params: { action: 'reset', args: [200_000, 0, 97] },
    expect: ['faulted', 'reentrant', 'reentrancy', 'disposed'],
  },
  {
    name: 'bridge-reenter',
    cls: 'reentrancy',
    what: 'the bridge answers object_get by calling into the same script, 10,000 times',
    module: BRIDGE_READER,
    scenario: bridgeReenter,
    params: { load: { self: { id: 7, class: 'Node3D' } }, args: [10_000] },
    expect: ['reentrant', 'reentrancy', 'trap', 'fuel_exhausted'],
  },
  {
    name: 'exceptions-swallow-bad-pointer',
    cls: 'reentrancy',
    what: 'exceptions allowed: 100,000 out-of-bounds logs, each host trap caught by catch_all',
    module: CATCHER,
    scenario: calls,
    params: { policy: EXCEPTIONS_POLICY, steps: [{ export: 'attack', args: [100_000, 0] }] },
    expect: ['bad_pointer'],
  },
  {
    name: 'exceptions-swallow-host-fuel',
    cls: 'reentrancy',
    what: 'exceptions allowed: 2,000 × 64 KiB logs inside try/catch_all (fuel running out in the host)',
    module: CATCHER,
    scenario: calls,
    params: { policy: EXCEPTIONS_POLICY, steps: [{ export: 'attack', args: [2000, 1] }] },
    expect: ['fuel_exhausted'],
  },
  {
    name: 'deep-recursion',
    cls: 'reentrancy',
    what: 'unbounded recursion (control: stack_overflow)',
    module: PLAIN,
    scenario: calls,
    params: { steps: [{ export: 'recurse', args: [0] }] },
    expect: ['stack_overflow'],
  },

  // (5) big modules -----------------------------------------------------------------------------------------
  {
    name: 'load-12MB-data',
    cls: 'load',
    what: 'rt.load (instance) of a 12 MB module (one data segment)',
    scenario: bigModule,
    params: { kind: 'data', mb: 12 },
    expect: ['ok', 'load_failed'],
  },
  {
    name: 'load-4MB-code',
    cls: 'load',
    what: 'rt.load (instance) of a 4 MB module of 15,000 functions (validate + prepare + compile)',
    scenario: bigModule,
    params: { kind: 'code', mb: 4 },
    expect: ['ok'],
  },
  {
    name: 'load-12MB-data-worker',
    cls: 'load',
    what: 'rt.load (worker) of the 12 MB module',
    scenario: bigModule,
    params: { kind: 'data', mb: 12, isolation: 'worker' },
    expect: ['ok', 'load_failed'],
  },

  // (6) WASI -----------------------------------------------------------------------------------------------
  {
    name: 'wasi-spawn-unread',
    cls: 'wasi',
    what: 'spawnWasi writing stdout forever, never read, for 1 s',
    module: WASI_WRITER(true),
    scenario: wasiUnread,
    params: { ms: 1000 },
    expect: ['ok'],
    queuedBound: 64 << 20,
  },
  {
    name: 'wasi-run-64MiB',
    cls: 'wasi',
    what: 'runWasi collecting 64 MiB of stdout',
    module: WASI_WRITER(false),
    scenario: wasiRun,
    params: { mib: 63 },
    expect: ['ok'],
  },
];

/** The attack named `name` (throws for an unknown name, so a renamed attack breaks its test loudly). */
export function attack(name) {
  const found = ATTACKS.find((a) => a.name === name);
  if (!found) throw new Error(`no hostile attack named ${name}`);
  return found;
}

// ---------------------------------------------------------------------------------------------------------
// The page side: installed once per page, then `window.hostile.run(spec)`.

/** Installs `window.hostile` in a page that has `window.ugc` and `window.rt` (tests-web/runtime-harness.mjs). */
export function installHostilePage() {
  const codeOf = (error) => {
    if (error instanceof window.ugc.UgcError) return error.code;
    if (error && typeof error.code === 'string' && /Error$/.test(error.name ?? '')) return error.code;
    return `untyped: ${String(error?.message ?? error).slice(0, 120)}`;
  };
  const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

  /**
   * The watchdog: a MessageChannel ticker; the largest gap between two ticks is the longest time the page
   * could not run anything else (a frame, an input event).
   */
  function watchdog() {
    const channel = new MessageChannel();
    let last = performance.now();
    let max = 0;
    let running = true;
    channel.port1.onmessage = () => {
      const now = performance.now();
      if (now - last > max) max = now - last;
      last = now;
      if (running) channel.port2.postMessage(0);
    };
    channel.port2.postMessage(0);
    return {
      async stop() {
        // Two more ticks, so a stall that ended the attack is measured too.
        await new Promise((ok) => setTimeout(ok, 0));
        await new Promise((ok) => setTimeout(ok, 0));
        running = false;
        channel.port1.close();
        return max;
      },
    };
  }

  /** The bytes a `poke` step asks for at guest address 0 (var_from_bytes inputs). */
  function pokeBytes(poke) {
    if (poke.bytes) return new Uint8Array(poke.bytes);
    if (poke.array) {
      const out = new Uint8Array(8 + 4 * poke.array);
      const view = new DataView(out.buffer);
      view.setUint32(0, 28, true);
      view.setUint32(4, poke.array, true);
      return out; // NIL elements are four zero bytes
    }
    if (poke.nested) {
      const out = new Uint8Array(8 * poke.nested + 4);
      const view = new DataView(out.buffer);
      for (let i = 0; i < poke.nested; i++) {
        view.setUint32(8 * i, 28, true);
        view.setUint32(8 * i + 4, 1, true);
      }
      return out; // the innermost element is NIL
    }
    throw new Error('unknown poke');
  }

  /** A module built in the page: `data` (one segment of `mb` MB) or `code` (many small functions). */
  function buildModule({ kind, mb }) {
    const bytes = [];
    const leb = (n) => {
      const out = [];
      do {
        let b = n & 0x7f;
        n >>>= 7;
        if (n) b |= 0x80;
        out.push(b);
      } while (n);
      return out;
    };
    const section = (id, body) => [id, ...leb(body.length), ...body];
    const name = [...new TextEncoder().encode('run')];
    const size = Math.round(mb * 1e6);
    const parts = [[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]];
    parts.push(section(1, [1, 0x60, 0, 0])); // type 0: [] -> []
    if (kind === 'data') {
      parts.push(section(3, [1, 0]));
      const pages = Math.ceil(size / 65536) + 1;
      parts.push(section(5, [1, 0, ...leb(pages)]));
      parts.push(section(7, [1, name.length, ...name, 0, 0]));
      parts.push(section(10, [1, 2, 0, 0x0b]));
      const head = [1, 0, 0x41, 0, 0x0b, ...leb(size)];
      const body = new Uint8Array(head.length + size).fill(7);
      body.set(head);
      const sectionHead = [11, ...leb(body.length)];
      const flat = parts.flat();
      const out = new Uint8Array(flat.length + sectionHead.length + body.length);
      out.set(flat);
      out.set(sectionHead, flat.length);
      out.set(body, flat.length + sectionHead.length);
      return out;
    }
    // code: n functions, each a chain of i32.const/drop pairs sized so the whole is ~mb MB.
    // The default policy allows 20,000 functions.
    const n = 15_000;
    const per = Math.max(4, Math.floor(size / n));
    const pairs = Math.floor((per - 4) / 3);
    const fn = [0, ...Array.from({ length: pairs }, () => [0x41, 0x01, 0x1a]).flat(), 0x0b];
    const fnBody = [...leb(fn.length), ...fn];
    parts.push(section(3, [...leb(n), ...new Array(n).fill(0)]));
    parts.push(section(7, [1, name.length, ...name, 0, 0]));
    const code = new Uint8Array(leb(n).length + n * fnBody.length);
    code.set(leb(n));
    for (let i = 0, at = leb(n).length; i < n; i++, at += fnBody.length) code.set(fnBody, at);
    const flat = parts.flat();
    const sectionHead = [10, ...leb(code.length)];
    const out = new Uint8Array(flat.length + sectionHead.length + code.length);
    out.set(flat);
    out.set(sectionHead, flat.length);
    out.set(code, flat.length + sectionHead.length);
    return out;
  }

  const runtimes = new Map();
  const ctxFor = (bytes) => ({
    rt: window.rt,
    ugc: window.ugc,
    bytes,
    codeOf,
    sleep,
    buildModule,
    watch: () => {
      const dog = watchdog();
      return { stop: () => dog.stop() };
    },
    runtime: async (policy) => {
      const key = JSON.stringify(policy);
      const features = [...window.rt.policy().features, ...(policy.addFeatures ?? [])];
      if (!runtimes.has(key)) runtimes.set(key, await window.ugc.createRuntime({ policy: { features } }));
      return runtimes.get(key);
    },
  });

  /** The bytes of the `poke` steps: they become a data segment of the module, not a call. */
  const pokesOf = (params) => (params.steps ?? []).filter((s) => s.poke).map((s) => pokeBytes(s.poke));

  const stallOf = async (fn) => {
    const dog = watchdog();
    // Let the ticker start before the attack.
    await new Promise((ok) => setTimeout(ok, 0));
    const t0 = performance.now();
    const result = await fn();
    const wall = performance.now() - t0;
    const stall = await dog.stop();
    return { result, stall, wall };
  };

  window.hostile = {
    codeOf,
    buildModule,
    /** The stall of the pure-wasm loop `spin` stopped by `fuel` (median of `reps`). */
    /** Runs the WARMUP module's host-call mix until its fuel runs out, `rounds` times (see WARMUP). */
    async warm(bytes, rounds = 6) {
      for (let i = 0; i < rounds; i++) {
        const script = await window.rt.load(new Uint8Array(bytes), { fuel: 20_000_000 });
        try {
          script.callSync('mix');
        } catch {
          // fuel_exhausted (or memory_limit), as intended
        }
        script.dispose();
      }
    },
    async baseline(spinBytes, fuel, reps = 5) {
      const script = await window.rt.load(new Uint8Array(spinBytes), { fuel });
      const stalls = [];
      for (let i = 0; i < reps; i++) {
        const { stall } = await stallOf(async () => {
          try {
            script.callSync('spin');
          } catch {
            // fuel_exhausted, as intended
          }
        });
        stalls.push(stall);
        await script.reset();
      }
      script.dispose();
      return stalls.sort((a, b) => a - b)[stalls.length >> 1];
    },
    /**
     * Runs one attack: `{ moduleBytes, scenario (source), params }` → `{ outcome, fuel, stall, wall,
     * memBefore, memAfter, extra }`. A `poke` step presets guest memory (a data segment, see withPoke).
     */
    async run({ moduleBytes, scenario, params }) {
      const fn = (0, eval)(`(${scenario})`);
      const bytes = moduleBytes ? new Uint8Array(moduleBytes) : null;
      const pokes = pokesOf(params);
      const steps = params.steps?.filter((s) => !s.poke);
      const ctx = ctxFor(bytes);
      if (pokes.length) ctx.bytes = withPoke(bytes, pokes[0]);
      window.gc?.();
      const memBefore = window.rt.stats().coreMemoryBytes;
      const { result, stall, wall } = await stallOf(() => fn(ctx, steps ? { ...params, steps } : params));
      const memAfter = window.rt.stats().coreMemoryBytes;
      // A scenario that measured its own stall (after its load) reports that one.
      return { ...result, stall: result.stall ?? stall, wall, memBefore, memAfter };
    },
    /**
     * `cycles` × (load → the cycle steps → dispose), at most `maxMs`: the crate memory after the first
     * `warmup` cycles and its high-water mark at the end.
     */
    async cycles({ moduleBytes, scenario, params, cycles, warmup, maxMs }) {
      const fn = (0, eval)(`(${scenario})`);
      const ctx = ctxFor(new Uint8Array(moduleBytes));
      const t0 = performance.now();
      let afterWarmup = null;
      let high = window.rt.stats().coreMemoryBytes;
      const start = high;
      const outcomes = {};
      let done = 0;
      for (; done < cycles && performance.now() - t0 < maxMs; done++) {
        const r = await fn(ctx, params);
        outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
        high = Math.max(high, window.rt.stats().coreMemoryBytes);
        if (done + 1 === warmup) afterWarmup = high;
      }
      return { done, start, afterWarmup, high, outcomes, ms: performance.now() - t0 };
    },
  };

  /**
   * The module with its memory's bytes at 0 preset: a data segment appended (guests cannot receive
   * bytes from the embedder before their first call otherwise).
   */
  function withPoke(bytes, data) {
    // Rebuild the data section: append one active segment for memory 0 at offset 0. The workbench has no
    // data section of its own, so a new one goes right before the custom sections (after code).
    const leb = (n) => {
      const out = [];
      do {
        let b = n & 0x7f;
        n >>>= 7;
        if (n) b |= 0x80;
        out.push(b);
      } while (n);
      return out;
    };
    const readLeb = (at) => {
      let n = 0;
      let shift = 0;
      for (;;) {
        const b = bytes[at++];
        n |= (b & 0x7f) << shift;
        shift += 7;
        if (!(b & 0x80)) return [n >>> 0, at];
      }
    };
    // Find the end of the code section (id 10).
    let at = 8;
    let insertAt = bytes.length;
    while (at < bytes.length) {
      const id = bytes[at];
      const [len, body] = readLeb(at + 1);
      if (id === 10) {
        insertAt = body + len;
        break;
      }
      at = body + len;
    }
    const segment = [0, 0x41, 0, 0x0b, ...leb(data.length)];
    const sectionBody = new Uint8Array(1 + segment.length + data.length);
    sectionBody[0] = 1;
    sectionBody.set(segment, 1);
    sectionBody.set(data, 1 + segment.length);
    const head = [11, ...leb(sectionBody.length)];
    const out = new Uint8Array(bytes.length + head.length + sectionBody.length);
    out.set(bytes.subarray(0, insertAt));
    out.set(head, insertAt);
    out.set(sectionBody, insertAt + head.length);
    out.set(bytes.subarray(insertAt), insertAt + head.length + sectionBody.length);
    return out;
  }
}

/** What `window.hostile.run` needs for `attack`, as plain data for page.evaluate. */
export function attackSpec(a, { cycle = false } = {}) {
  const params = cycle ? { ...a.params, steps: a.cycle } : a.params;
  return {
    moduleBytes: a.module ? Array.from(a.module()) : null,
    scenario: a.scenario.toString(),
    params,
  };
}
