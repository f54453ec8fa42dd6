// The script benchmark keeps working: GDScript and Wasm columns (tiny sizes; timings are never checked here),
// and the Wasm workloads do exactly the GDScript work.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  MATH_WAT,
  MOVE_CALLS_WAT,
  MOVE_HANDLES_WAT,
  MOVE_SETONLY_WAT,
  MOVE_WAT,
  benchModules,
} from '../godot-web-export/bench/modules.mjs';
import { wat } from '../scripts/lib/wasm-build.mjs';
import { baselineOf, compare, formatReport, problems, runBench } from '../scripts/bench-godot.mjs';

const VARIANTS = [
  'none',
  'empty',
  'wasm-empty',
  'move',
  'wasm-move',
  'math',
  'wasm-math',
  'orbit',
  'wasm-orbit',
  'jscall',
  'wasm-handles-move',
  'wasm-calls-move',
];

test('every (variant, N) cell is measured, Wasm children run and really move / compute', async () => {
  const counts = [3, 20];
  const result = await runBench([
    `--counts=${counts.join(',')}`,
    `--variants=${VARIANTS.join(',')}`,
    '--warmup=1',
    '--min-frames=2',
    '--max-frames=2',
    '--load-timeout-ms=30000',
  ]);
  assert.deepEqual(result.config.counts, counts);
  assert.equal(result.rows.length, VARIANTS.length * counts.length);
  for (const row of result.rows) {
    assert.equal(row.frames, 2, JSON.stringify(row));
    // The page timed the same frames' ugcGodot.frame calls.
    assert.equal(row.js.frames, 2, JSON.stringify(row));
    assert.ok(row.min_us <= row.median_us && row.median_us <= row.max_us, JSON.stringify(row));
  }
  assert.deepEqual(result.problems, []);
  const row = (v, n) => result.rows.find((r) => r.variant === v && r.n === n);
  for (const n of counts) {
    for (const v of [
      'wasm-empty',
      'wasm-move',
      'wasm-math',
      'wasm-orbit',
      'wasm-handles-move',
      'wasm-calls-move',
    ]) {
      assert.equal(row(v, n).failed, 0, JSON.stringify(row(v, n)));
      assert.ok(row(v, n).load_ms >= 0);
    }
    // Every node's position.x grew (read back from the Node3D after the timed frames), as with GDScript.
    assert.equal(row('wasm-move', n).worked, n);
    assert.equal(row('wasm-handles-move', n).worked, n);
    assert.equal(row('wasm-calls-move', n).worked, n);
    assert.equal(row('move', n).worked, n);
    // Every node's accumulator (call_wasm("acc") through the shared instance, per node slot) is non-zero.
    assert.equal(row('wasm-math', n).worked, n);
    assert.equal(row('math', n).worked, n);
    assert.equal(row('wasm-orbit', n).worked, n);
    assert.equal(row('orbit', n).worked, n);
  }
  // jscall nodes really called JS every frame: (3 + 20) nodes × (1 warm-up + 2 measured frames) at least.
  assert.ok(result.jsTicks >= 23 * 3, `jsTicks ${result.jsTicks}`);
  assert.equal(result.comparison.length, 4 * counts.length);
  // The compute workloads were also timed as raw wasm, and their ceiling is reported next to the speed-up.
  assert.deepEqual(
    result.raw.map((r) => r.workload),
    ['math', 'orbit'],
  );
  assert.ok(result.raw.every((r) => r.us_per_node > 0));
  assert.ok(result.comparison.filter((c) => c.raw_speedup !== null).length === 2 * counts.length);
  assert.ok(result.comparison.every((c) => c.valid));
  assert.equal(result.loadavg.before.length, 3);
  const report = formatReport(result);
  assert.match(
    report,
    /\| +N \| +none \| +empty \| +wasm-empty \| +move \| +wasm-move \| +math \| +wasm-math \| +orbit \| +wasm-orbit \| +jscall \| +wasm-handles-move \| +wasm-calls-move \|/,
  );
  assert.match(report, /GDScript vs Wasm/);
  assert.match(report, /\| +math \| +20 \|/);
  assert.match(report, /where the time goes/);
});

test('an `<impl>-<workload>` column is compared with the GDScript column of its workload', () => {
  const variants = ['none', 'empty', 'move', 'wasm-move', 'wasm-fib', 'wasm-cached-move'];
  assert.equal(baselineOf('wasm-move', variants), 'move');
  assert.equal(baselineOf('wasm-cached-move', variants), 'move');
  assert.equal(baselineOf('wasm-fib', variants), 'empty');
  assert.equal(baselineOf('move', variants), 'empty');
  assert.equal(baselineOf('empty', variants), null);
});

test('the comparison refuses rows that measured nothing', () => {
  const config = { counts: [10], variants: ['move', 'wasm-move', 'math', 'wasm-math'] };
  const ok = { failed: 0, worked: 10, error: {} };
  const rows = [
    { variant: 'move', n: 10, median_us: 900, min_us: 800, ...ok },
    {
      variant: 'wasm-move',
      n: 10,
      median_us: 300,
      min_us: 200,
      failed: 10,
      worked: 0,
      error: { code: 'trap', message: 'x' },
    },
    { variant: 'math', n: 10, median_us: 30_000, min_us: 30_000, ...ok },
    { variant: 'wasm-math', n: 10, median_us: 1000, min_us: 1000, ...ok, worked: 9 },
  ];
  const [move, math] = compare(config, rows);
  assert.deepEqual(
    { ...move, speedup: Math.round(move.speedup), speedup_min: Math.round(move.speedup_min) },
    {
      workload: 'move',
      n: 10,
      raw_speedup: null,
      gdscript_ms: 0.9,
      wasm_ms: 0.3,
      speedup: 3,
      gdscript_min_ms: 0.8,
      wasm_min_ms: 0.2,
      speedup_min: 4,
      target: 1,
      met: false,
      valid: false,
    },
  );
  assert.equal(math.valid, false);
  assert.equal(math.met, false);
  assert.deepEqual(problems(rows), [
    'wasm-move N=10: 10 of 10 children not running (trap x)',
    'wasm-math N=10: only 9 of 10 children show their work',
  ]);
  rows[1] = { ...rows[1], failed: 0, worked: 10 };
  rows[3] = { ...rows[3], worked: 10 };
  const again = compare(config, rows);
  assert.ok(again.every((c) => c.valid && c.met));
  // With the raw-wasm timing: GDScript's µs per node (minus `none`, absent here) ÷ raw wasm's.
  const withRaw = compare(config, rows, [{ workload: 'math', n: 10, us_per_node: 2 }]);
  assert.equal(withRaw[1].raw_speedup, 30_000 / 10 / 2);
  assert.equal(withRaw[0].raw_speedup, null);
  assert.deepEqual(problems(rows), []);
});

/** Instantiates a bench module with JS stand-ins for the ugc imports it uses. */
async function instantiate(bytes, ugc) {
  const { instance } = await WebAssembly.instantiate(bytes, { ugc });
  return instance.exports;
}

test('wasm-math does the float work of math.gd, bit for bit, with one accumulator per node slot', async () => {
  let slot = 0;
  const m = await instantiate(benchModules()['math.wasm'], { node_slot: () => slot });
  assert.match(MATH_WAT, /1\.000001/);
  // scripts/math.gd in JS (both are IEEE f64, no fused multiply-add).
  const reference = (acc, delta) => {
    let x = acc + delta;
    for (let i = 0; i < 1000; i++) {
      x = x * 1.000001 + 0.5;
      x = x - Math.floor(x * 0.001) * 1000.0;
    }
    return x;
  };
  const expected = [0, 0, 0];
  for (slot = 0; slot < 3; slot++) m._ready();
  // Slot 20,000 needs 3 pages (8 bytes per slot from byte 1024): _ready grows memory.
  slot = 20_000;
  m._ready();
  for (let frame = 0; frame < 4; frame++) {
    for (slot = 0; slot < 3; slot++) {
      const delta = 0.016 + slot * 0.001 + frame * 1e-4;
      m._process(delta);
      expected[slot] = reference(expected[slot], delta);
    }
  }
  for (slot = 0; slot < 3; slot++) assert.equal(m.acc(), expected[slot]);
  slot = 20_000;
  assert.equal(m.acc(), 0);
});

test('wasm-orbit does the float work of orbit.gd, bit for bit, with one (x, y, z) per node slot', async () => {
  let slot = 0;
  const m = await instantiate(benchModules()['orbit.wasm'], { node_slot: () => slot });
  // scripts/orbit.gd's constants, read from the script itself so the two cannot drift apart.
  const gd = readFileSync(new URL('../godot-web-export/bench/scripts/orbit.gd', import.meta.url), 'utf8');
  const constant = (name) => Number(gd.match(new RegExp(`const ${name} := ([0-9.]+)`))[1]);
  const [C, S] = [constant('C'), constant('S')];
  assert.ok(Math.abs(C - Math.cos(0.02)) < 1e-15 && Math.abs(S - Math.sin(0.02)) < 1e-15);
  // scripts/orbit.gd in JS (IEEE f64, no fused multiply-add).
  const reference = ([x0, y0, z0], delta) => {
    let [x, y, z] = [x0 + delta, y0, z0];
    for (let i = 0; i < 1000; i++) {
      const nx = x * C - y * S;
      y = x * S + y * C;
      x = nx;
      z = z * 0.999 + 0.001;
    }
    return [x, y, z];
  };
  const expected = [
    [0, 0, 0],
    [0, 0, 0],
  ];
  for (slot = 0; slot < 2; slot++) m._ready();
  for (let frame = 0; frame < 3; frame++) {
    for (slot = 0; slot < 2; slot++) {
      const delta = 0.016 + slot * 0.002 + frame * 1e-4;
      m._process(delta);
      expected[slot] = reference(expected[slot], delta);
    }
  }
  for (slot = 0; slot < 2; slot++) assert.equal(m.acc(), expected[slot][0]);
  assert.notEqual(expected[0][0], expected[1][0]);
});

/**
 * JS stand-ins for the ABI functions the move modules import: a node at (1.5, 2, 3) behind handle 50, `self` of
 * slot s is 40 + s, new values get handles from 100; every call is logged in `calls`.
 */
function moveStandIns() {
  const t = { calls: [], slot: 0, memory: null };
  const vec = new Map([[50, [1.5, 2, 3]]]);
  const text = (ptr, len) => new TextDecoder().decode(new Uint8Array(t.memory.buffer, ptr, len));
  let nextHandle = 100;
  t.ugc = {
    node_slot: () => t.slot,
    self: () => {
      t.calls.push(['self', t.slot]);
      return 40 + t.slot;
    },
    object_get: (obj, ptr, len) => {
      t.calls.push(['object_get', obj, text(ptr, len)]);
      return 50;
    },
    value_read: (h, ptr, cap) => {
      t.calls.push(['value_read', h, cap]);
      new Float32Array(t.memory.buffer, ptr, 3).set(vec.get(h));
      return 12;
    },
    new_value: (type, ptr, len) => {
      const h = nextHandle++;
      vec.set(h, [...new Float32Array(t.memory.buffer.slice(ptr, ptr + len))]);
      t.calls.push(['new_value', type, len]);
      return h;
    },
    object_set: (obj, ptr, len, h) => {
      t.calls.push(['object_set', obj, text(ptr, len), vec.get(h)]);
      return 0;
    },
    // The node's position lives at handle 50's entry: the one-call imports read and write it directly.
    object_get_value: (obj, np, nl, type, ptr, cap) => {
      t.calls.push(['object_get_value', obj, text(np, nl), type, cap]);
      if (cap >= 12) new Float32Array(t.memory.buffer, ptr, 3).set(vec.get(50));
      return 12;
    },
    object_set_value: (obj, np, nl, type, ptr, len) => {
      const value = [...new Float32Array(t.memory.buffer.slice(ptr, ptr + len))];
      vec.set(50, value);
      t.calls.push(['object_set_value', obj, text(np, nl), type, value]);
      return 0;
    },
    release: (h) => {
      t.calls.push(['release', h]);
      return 0;
    },
    // Seeds the bound bytes with the node's position, as the host does; `t.bound` remembers where they are.
    object_bind_value: (obj, np, nl, type, ptr) => {
      t.calls.push(['object_bind_value', obj, text(np, nl), type]);
      new Float32Array(t.memory.buffer, ptr, 3).set(vec.get(50));
      t.bound = ptr;
      return 12;
    },
  };
  return t;
}

/** A bench module with its memory exported (the bench's keep theirs private) so the stand-ins can read it. */
async function withExportedMemory(name, source, t) {
  assert.equal(WebAssembly.Module.exports(new WebAssembly.Module(benchModules()[name])).length, 2);
  const m = await instantiate(wat(source.replace('(memory 1)', '(memory (export "memory") 1)')), t.ugc);
  t.memory = m.memory;
  return m;
}

test('wasm-move binds position once in _ready, then moves it with memory writes only', async () => {
  const t = moveStandIns();
  const m = await withExportedMemory('move.wasm', MOVE_WAT, t);
  const bound = (slot) => {
    t.slot = slot;
    m._ready();
    return t.bound;
  };
  const first = bound(1);
  const second = bound(2);
  assert.deepEqual(t.calls, [
    ['self', 1],
    ['object_bind_value', 41, 'position', 9],
    ['self', 2],
    ['object_bind_value', 42, 'position', 9],
  ]);
  assert.ok(second - first >= 12, 'one Vector3 per slot');
  t.calls.length = 0;
  t.slot = 1;
  m._process(0.25);
  m._process(0.5);
  t.slot = 2;
  m._process(1);
  assert.deepEqual(t.calls, [], 'no host call per frame');
  assert.deepEqual([...new Float32Array(t.memory.buffer, first, 3)], [2.25, 2, 3]);
  assert.deepEqual([...new Float32Array(t.memory.buffer, second, 3)], [2.5, 2, 3]);
  // A refused binding (or one of another length) traps in _ready instead of silently moving nothing.
  for (const result of [-8, 8]) {
    const f = moveStandIns();
    f.ugc.object_bind_value = () => result;
    const failing = await withExportedMemory('move.wasm', MOVE_WAT, f);
    assert.throws(() => failing._ready(), WebAssembly.RuntimeError, `object_bind_value → ${result}`);
  }
});

test('wasm-calls-move reads position and writes x + delta back in two one-call host calls, no value handles', async () => {
  const t = moveStandIns();
  const m = await withExportedMemory('calls-move.wasm', MOVE_CALLS_WAT, t);
  t.slot = 1;
  m._ready();
  assert.deepEqual(t.calls, [['self', 1]]);
  t.calls.length = 0;
  m._process(0.25);
  m._process(0.5);
  assert.deepEqual(t.calls, [
    ['object_get_value', 41, 'position', 9, 12],
    ['object_set_value', 41, 'position', 9, [1.75, 2, 3]],
    ['object_get_value', 41, 'position', 9, 12],
    ['object_set_value', 41, 'position', 9, [2.25, 2, 3]],
  ]);
  // A failing ABI call, or a read of another length, traps instead of silently doing nothing.
  for (const [name, result] of [
    ['object_set_value', -8],
    ['object_get_value', -3],
    ['object_get_value', 8],
  ]) {
    const f = moveStandIns();
    f.ugc[name] = () => result;
    const failing = await withExportedMemory('calls-move.wasm', MOVE_CALLS_WAT, f);
    failing._ready();
    assert.throws(() => failing._process(0.25), WebAssembly.RuntimeError, `${name} → ${result}`);
  }
});

test('wasm-handles-move reads position, adds delta to x, writes it back and releases both handles', async () => {
  const t = moveStandIns();
  const m = await withExportedMemory('handles-move.wasm', MOVE_HANDLES_WAT, t);
  t.slot = 1;
  m._ready();
  assert.deepEqual(t.calls, [['self', 1]]);
  t.calls.length = 0;
  m._process(0.25);
  assert.deepEqual(t.calls, [
    ['object_get', 41, 'position'],
    ['value_read', 50, 12],
    ['release', 50],
    ['new_value', 9, 12],
    ['object_set', 41, 'position', [1.75, 2, 3]],
    ['release', 100],
  ]);
  // A failing ABI call traps instead of silently doing nothing.
  t.ugc.object_set = () => -8;
  const failing = await withExportedMemory('handles-move.wasm', MOVE_HANDLES_WAT, t);
  failing._ready();
  assert.throws(() => failing._process(0.25), WebAssembly.RuntimeError);
});

test('wasm-setonly-move reads position once in _ready, then only writes x + delta per frame', async () => {
  const t = moveStandIns();
  const m = await withExportedMemory('setonly-move.wasm', MOVE_SETONLY_WAT, t);
  t.slot = 2;
  m._ready();
  assert.deepEqual(t.calls, [
    ['self', 2],
    ['object_get', 42, 'position'],
    ['value_read', 50, 12],
    ['release', 50],
  ]);
  t.calls.length = 0;
  m._process(0.25);
  m._process(0.5);
  assert.deepEqual(t.calls, [
    ['new_value', 9, 12],
    ['object_set', 42, 'position', [1.75, 2, 3]],
    ['release', 100],
    ['new_value', 9, 12],
    ['object_set', 42, 'position', [2.25, 2, 3]],
    ['release', 101],
  ]);
});
