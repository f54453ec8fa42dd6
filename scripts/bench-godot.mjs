#!/usr/bin/env node
// Script benchmark in the real Godot 4.6 web engine (headless Chromium): N Node3D children with one workload each,
// written once as GDScript (`empty`, `move`, `math`, `orbit`) and once as a Wasm module run by the ugc_wasm addon
// (`wasm-empty`, `wasm-move`, …, godot-web-export/bench/modules.mjs, shared instancing); the time of the
// whole `_process` pass per frame (median over frames), Wasm including the UgcRuntime autoload's crossing, every
// guest call and the write batch applied to the nodes. Needs `npm run build` (dist/) for the Wasm variants.
//
//   node scripts/bench-godot.mjs [--counts=100,1000,10000]
//        [--variants=none,empty,wasm-empty,move,wasm-move,math,wasm-math,orbit,wasm-orbit,jscall]
//        [--warmup=3] [--min-frames=5] [--max-frames=60] [--budget-ms=1500] [--load-timeout-ms=120000]
//        [--json=out.json]
//   node scripts/bench-godot.mjs --probe=1 [--counts=…] [--reps=20]   (the pieces of a Wasm frame on the Godot
//        side, godot-web-export/bench/probe.gd: crossing, bytes_to_var, apply loops; median µs and ns per node)
//
// Variants are columns. `none` (script-less children) is the measuring overhead; every other column is also shown
// as µs per node (minus `none`) and as a ratio to its baseline from the same run: `<impl>-<workload>` (e.g.
// `wasm-move`) against the GDScript `<workload>` column, anything else against `empty`. Last, the comparison the
// issue asks for: per workload and N, GDScript ms, Wasm ms and the speed-up (GDScript ms / Wasm ms, whole pass)
// against its target (≥ 1× for empty and move, ≥ 30× for math and orbit), and for the compute workloads the
// ceiling: GDScript against the same module run as raw wasm in the same page (no runtime).
//
// Exit status 1 when a Wasm column measured nothing: a child that did not reach `running`, or (move, math) a child
// whose work left no mark (see `worked` below).
//
// --json=path writes (stable; docs/BENCHMARKS.md is generated from it):
//   {
//     "engine": "Godot Engine v4.6.stable…",
//     "config": { "counts": [100, …], "variants": ["none", …], "warmup", "min_frames", "max_frames",
//                 "budget_ms", "load_timeout_ms" },
//     "rows": [ { "variant": "wasm-move", "n": 1000,
//                 "frames", "median_us", "min_us", "max_us",  // the timed pass, µs per frame
//                 "spawn_us",                                  // creating and adding the N children
//                 "load_ms",                                   // Wasm: until every child left "loading" (else 0)
//                 "worked",   // children showing their work (move: position.x > 0; math: accumulator ≠ 0), -1: n/a
//                 "failed",   // Wasm children not "running" after the timed frames (0 for GDScript)
//                 "error",                                     // the first failed child's { code, message, detail }
//                 "js": { "frame_us", "call_each_us", "take_batch_us", "answer_bytes", "frames" },
//                 "applied", "apply_us" } ],   // per frame (mean): batch entries UgcRuntime applied, µs doing it
//                 // medians over the timed frames of the page side: ugcGodot.frame (all JS work of the frame),
//                 // the shared groups' callEach and takeBatch (null without loadShared), the answer's bytes
//     "comparison": [ { "workload": "move", "n": 1000, "gdscript_ms", "wasm_ms",
//                       "speedup",           // gdscript_ms / wasm_ms (medians)
//                       "gdscript_min_ms", "wasm_min_ms", "speedup_min",  // the same from the fastest frames
//                       // (on a shared, loaded machine other processes only ever add time: min is the steadier)
//                       "target",            // the minimum speed-up: 1 (empty, move) or 30 (math, orbit)
//                       "raw_speedup",       // math, orbit: GDScript µs/node ÷ raw wasm µs/node (else null)
//                       "met",               // valid && speedup >= target
//                       "valid" } ],         // neither row has a problem (below)
//     "problems": [ "wasm-move N=100: 3 of 100 children failed (trap …)" ],  // why the exit status is 1
//     "probes": [ { "probe": "bytes_to_var", "n": 1000, "median_us", "bytes" } ],  // only with --probe=1
//     "raw": [ { "workload": "math", "n": 1000, "us_per_node" } ],  // the module as raw wasm, same page
//     "jsTicks": 123,                         // calls the `jscall` workload made into the page
//     "loadavg": { "before": [1, 5, 15 min], "after": [1, 5, 15 min] }   // os.loadavg() around the run
//   }
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchModules } from '../godot-web-export/bench/modules.mjs';
import { readProjectFiles } from '../godot-web-export/tools/pck.mjs';
import { addonFiles, glueServe } from '../tests-web/godot-addon-lib.mjs';
import { REPO_ROOT, bootGodot } from '../tests-web/lib/godot.mjs';

export const BENCH_PROJECT = path.join(REPO_ROOT, 'godot-web-export/bench');
// The page: `window.ugcBench` (the `jscall` workload calls tick() once per node per frame; probe.gd's `crossing`
// calls bytes(n); bench.gd brackets each cell's timed frames with begin()/end()) and the addon's glue, installed
// as in the demo's shell, on a runtime whose hot calls are timed: per frame, the JS time of `ugcGodot.frame`, of
// the shared groups' `callEach` and `takeBatch` (if the runtime has `loadShared`), and the answer's size.
const BENCH_PAGE = `<script>
window.ugcBench = {
  ticks: 0,
  tick() { window.ugcBench.ticks++; },
  bytes(n) {
    const b = window.ugcBench;
    return b.buffer?.length === n ? b.buffer : (b.buffer = new Uint8Array(n));
  },
  frames: [],
  recording: false,
  begin() { this.frames = []; this.recording = true; },
  end() {
    this.recording = false;
    const median = (key, scale) => {
      const v = this.frames.map((f) => f[key]).sort((a, b) => a - b);
      return v.length ? Math.round(v[v.length >> 1] * scale) : null;
    };
    return JSON.stringify({ frame_us: median('frame', 1000), call_each_us: median('callEach', 1000),
      take_batch_us: median('takeBatch', 1000), answer_bytes: median('bytes', 1), frames: this.frames.length });
  },
};
</script>
<script type="module">
import { createRuntime } from './dist/ugc-wasm.js';
import { installGodotBridge } from './dist/godot/ugc-godot.js';
const bench = window.ugcBench;
let current = null;
const timed = (fn, key) => (...args) => {
  const t0 = performance.now();
  try { return fn(...args); } finally { if (current) current[key] += performance.now() - t0; }
};
const runtime = createRuntime().then((rt) => {
  if (typeof rt.loadShared === 'function') {
    const loadShared = rt.loadShared.bind(rt);
    rt.loadShared = async (...args) => {
      const group = await loadShared(...args);
      group.callEach = timed(group.callEach.bind(group), 'callEach');
      group.takeBatch = timed(group.takeBatch.bind(group), 'takeBatch');
      return group;
    };
  }
  return rt;
});
const bridge = installGodotBridge({ runtime, loadOptions: { fuel: 2000000 } });
const frame = bridge.frame.bind(bridge);
bridge.frame = (...args) => {
  current = { frame: 0, callEach: 0, takeBatch: 0, bytes: 0 };
  const t0 = performance.now();
  const answer = frame(...args);
  current.frame = performance.now() - t0;
  current.bytes = answer?.length ?? 0;
  if (bench.recording) bench.frames.push(current);
  current = null;
  return answer;
};
</script>`;
const ENGINE_KEYS = [
  'counts',
  'variants',
  'warmup',
  'min-frames',
  'max-frames',
  'budget-ms',
  'load-timeout-ms',
  'probe',
  'reps',
];
/** The minimum speed-up of Wasm over GDScript, per workload. */
export const TARGETS = { empty: 1, move: 1, math: 30, orbit: 30 };
/**
 * Compute workloads also timed as raw wasm in the same page after the bench (the bench's module instantiated
 * straight with `WebAssembly.instantiate`: no runtime, no fuel, no Godot): GDScript ÷ raw is the most any runtime
 * could reach on that workload.
 */
const RAW_WORKLOADS = ['math', 'orbit'];
export const WASM_PREFIX = 'wasm-';
/** Only these project files go into the pack (modules.mjs is the modules' source, not a project file). */
const PACKED = /\.(gd|tscn|tres|godot)$/;

/** The bench project as pack files: bench/ itself, the ugc_wasm addon, the Wasm workloads under modules/. */
export function benchProjectFiles() {
  const files = new Map([...readProjectFiles(BENCH_PROJECT)].filter(([p]) => PACKED.test(p)));
  for (const [p, text] of Object.entries(addonFiles())) files.set(p, text);
  for (const [name, bytes] of Object.entries(benchModules())) files.set(`modules/${name}`, bytes);
  return files;
}

/**
 * Run the bench project; resolve with the JSON shape above (`problems` included). `onPage(godot)` runs once the
 * engine started, before the bench finishes (e.g. to instrument the page).
 */
export async function runBench(engineArgs = [], { timeout = 600_000, onPage } = {}) {
  const before = os.loadavg();
  const godot = await bootGodot({
    files: benchProjectFiles(),
    args: ['--', ...engineArgs],
    head: BENCH_PAGE,
    serve: glueServe(),
  });
  try {
    if (onPage) await onPage(godot);
    await godot.waitForLine(/^UGC_BENCH_DONE$/, { timeout });
    const config = JSON.parse(godot.console.grep(/^UGC_BENCH_BEGIN /)[0].slice('UGC_BENCH_BEGIN '.length));
    const rows = godot.console.grep(/^UGC_BENCH \{/).map((l) => JSON.parse(l.slice('UGC_BENCH '.length)));
    const probes = godot.console.grep(/^UGC_PROBE \{/).map((l) => JSON.parse(l.slice('UGC_PROBE '.length)));
    // Release builds swallow script errors, so count what actually reached JS.
    const jsTicks = await godot.page.evaluate(() => window.ugcBench.ticks);
    const raw = await measureRaw(godot.page, config);
    return {
      engine: godot.console.grep(/^Godot Engine v/)[0] ?? '',
      config,
      rows,
      raw,
      comparison: compare(config, rows, raw),
      problems: problems(rows),
      probes,
      jsTicks,
      loadavg: { before, after: os.loadavg() },
    };
  } finally {
    await godot.close();
  }
}

/**
 * RAW_WORKLOADS with both columns in the run, as raw wasm in `page`: `[{ workload, n, us_per_node }]`, the median
 * over 25 frames (after 5 warm-up frames) of `_process` called for n = min(1,000, largest N) node slots.
 */
async function measureRaw(page, config) {
  const out = [];
  const modules = benchModules();
  const n = Math.min(1000, Math.max(...config.counts));
  for (const workload of RAW_WORKLOADS) {
    if (!config.variants.includes(workload) || !config.variants.includes(`${WASM_PREFIX}${workload}`))
      continue;
    const bytes = Array.from(modules[`${workload}.wasm`]);
    const usPerNode = await page.evaluate(
      async ({ bytes, n }) => {
        let slot = 0;
        const imports = { ugc: { node_slot: () => slot } };
        const { instance } = await WebAssembly.instantiate(new Uint8Array(bytes), imports);
        const { _ready, _process } = instance.exports;
        for (slot = 0; slot < n; slot++) _ready();
        const frames = [];
        for (let f = 0; f < 30; f++) {
          const t0 = performance.now();
          for (slot = 0; slot < n; slot++) _process(0.016);
          if (f >= 5) frames.push(performance.now() - t0);
        }
        frames.sort((a, b) => a - b);
        return (frames[frames.length >> 1] * 1000) / n;
      },
      { bytes, n },
    );
    out.push({ workload, n, us_per_node: usPerNode });
  }
  return out;
}

/**
 * Per workload with both a GDScript and a `wasm-` column, per N: the speed-up and whether it meets the target;
 * with `raw` (measureRaw), also `raw_speedup`: GDScript's µs per node (minus the `none` column) ÷ raw wasm's.
 */
export function compare(config, rows, raw = []) {
  const out = [];
  const cell = (v, n) => rows.find((r) => r.variant === v && r.n === n);
  for (const variant of config.variants) {
    if (!variant.startsWith(WASM_PREFIX)) continue;
    const workload = variant.slice(WASM_PREFIX.length);
    if (!config.variants.includes(workload)) continue;
    for (const n of config.counts) {
      const g = cell(workload, n);
      const w = cell(variant, n);
      if (!g || !w) continue;
      const speedup = g.median_us / w.median_us;
      const target = TARGETS[workload] ?? null;
      const valid = rowProblem(g) === null && rowProblem(w) === null;
      const r = raw.find((x) => x.workload === workload);
      const none = cell('none', n)?.median_us ?? 0;
      out.push({
        workload,
        n,
        raw_speedup: r ? (g.median_us - none) / n / r.us_per_node : null,
        gdscript_ms: g.median_us / 1000,
        wasm_ms: w.median_us / 1000,
        speedup,
        gdscript_min_ms: g.min_us / 1000,
        wasm_min_ms: w.min_us / 1000,
        speedup_min: g.min_us / w.min_us,
        target,
        met: target === null ? null : valid && speedup >= target,
        valid,
      });
    }
  }
  return out;
}

/** Why a row measured nothing (a Wasm child not running, or work that left no mark), or null. */
function rowProblem(r) {
  const name = `${r.variant} N=${r.n}`;
  if (r.failed > 0)
    return `${name}: ${r.failed} of ${r.n} children not running (${r.error?.code} ${r.error?.message})`;
  if (r.worked >= 0 && r.worked < r.n) return `${name}: only ${r.worked} of ${r.n} children show their work`;
  return null;
}

/** Every row's problem (see rowProblem); empty when all is well. */
export function problems(rows) {
  return rows.map(rowProblem).filter((p) => p !== null);
}

/** The column a variant is compared with (see the header comment). */
export function baselineOf(variant, variants) {
  const dash = variant.lastIndexOf('-');
  if (dash > 0 && variants.includes(variant.slice(dash + 1))) return variant.slice(dash + 1);
  return variant === 'none' || variant === 'empty' ? null : 'empty';
}

const fmt = (x, digits = 3) => (Math.abs(x) >= 100 ? x.toFixed(1) : x.toPrecision(digits));

/** Plain-text tables: ms/frame, µs/node, ratio to baseline, and the GDScript-vs-Wasm comparison. */
export function formatReport({
  config,
  rows,
  engine,
  comparison = compare(config, rows),
  problems: bad = [],
  probes = [],
}) {
  const variants = config.variants;
  const counts = config.counts;
  const cell = (v, n) => rows.find((r) => r.variant === v && r.n === n);
  const grid = (title, header, lines) => {
    const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)));
    const row = (cells) => `| ${cells.map((c, i) => String(c).padStart(widths[i])).join(' | ')} |`;
    return [
      title,
      row(header),
      `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
      ...lines.map(row),
    ].join('\n');
  };
  const table = (title, value) =>
    grid(
      title,
      ['N', ...variants],
      counts.map((n) => [n.toLocaleString('en-US'), ...variants.map((v) => value(v, n) ?? '—')]),
    );
  const perNode = (v, n) => {
    const c = cell(v, n);
    const none = cell('none', n);
    if (!c || v === 'none') return null;
    return (c.median_us - (none?.median_us ?? 0)) / n;
  };
  const probeTable = probes.length
    ? [
        '',
        grid(
          'Godot-side pieces of a Wasm frame (probe.gd): median µs, and ns per node',
          ['probe', ...counts.map((n) => `N=${n.toLocaleString('en-US')}`), 'ns/node at max N'],
          [...new Set(probes.map((p) => p.probe))].map((name) => {
            const at = (n) => probes.find((p) => p.probe === name && p.n === n);
            const last = at(counts[counts.length - 1]);
            return [
              name,
              ...counts.map((n) => (at(n) ? fmt(at(n).median_us) : '—')),
              last ? fmt((last.median_us * 1000) / last.n) : '—',
            ];
          }),
        ),
      ]
    : [];
  if (rows.length === 0) return [`${engine}`, ...probeTable].join('\n');
  return [
    `${engine}`,
    `frames per cell: ${config.min_frames}–${config.max_frames} after ${config.warmup} warm-up frames (budget ${config.budget_ms} ms)`,
    '',
    table('script time per frame, median ms (the whole _process pass over N children)', (v, n) =>
      cell(v, n) ? fmt(cell(v, n).median_us / 1000) : null,
    ),
    '',
    table('µs per node per frame (minus the `none` column)', (v, n) => {
      const x = perNode(v, n);
      return x === null ? null : fmt(x);
    }),
    '',
    table(
      'ratio to baseline, same run (baseline: `empty`, or the GDScript column of the same workload)',
      (v, n) => {
        const base = baselineOf(v, variants);
        const x = perNode(v, n);
        const b = base ? perNode(base, n) : null;
        return x === null || !b ? null : `${fmt(x / b)}×`;
      },
    ),
    ...(comparison.length
      ? [
          '',
          grid(
            'GDScript vs Wasm, script time per frame (median ms), speed-up = GDScript / Wasm',
            [
              'workload',
              'N',
              'GDScript ms',
              'Wasm ms',
              'speed-up',
              'target',
              'met',
              'min: GDScript',
              'Wasm',
              'speed-up',
              'raw wasm ceiling',
            ],
            comparison.map((c) => [
              c.workload,
              c.n.toLocaleString('en-US'),
              fmt(c.gdscript_ms),
              fmt(c.wasm_ms),
              `${fmt(c.speedup)}×`,
              c.target === null ? '—' : `≥ ${c.target}×`,
              !c.valid ? 'invalid' : c.met === null ? '—' : c.met ? 'yes' : 'NO',
              fmt(c.gdscript_min_ms),
              fmt(c.wasm_min_ms),
              `${fmt(c.speedup_min)}×`,
              c.raw_speedup == null ? '—' : `${fmt(c.raw_speedup)}×`,
            ]),
          ),
        ]
      : []),
    ...breakdownTable(config, rows, cell),
    ...probeTable,
    ...(bad.length
      ? ['', 'PROBLEMS (these columns measured nothing useful):', ...bad.map((p) => `  ${p}`)]
      : []),
  ].join('\n');
}

/** Where a Wasm column's time goes, from the page's own timing of the same frames (row.js). */
function breakdownTable(config, rows, cell) {
  const wasm = rows.filter((r) => r.variant.startsWith(WASM_PREFIX) && r.js);
  if (!wasm.length) return [];
  const us = (x) => (x === null || x === undefined ? '—' : fmt(x));
  const lines = wasm.map((r) => {
    const none = cell('none', r.n)?.median_us ?? 0;
    return [
      r.variant,
      r.n.toLocaleString('en-US'),
      us(r.median_us),
      us(r.js.frame_us),
      us(r.js.call_each_us),
      us(r.js.take_batch_us),
      us(r.median_us - r.js.frame_us - none),
      us(r.apply_us),
      us(((r.median_us - none) * 1000) / r.n),
      fmt(r.js.answer_bytes / 1024),
    ];
  });
  const header = [
    'variant',
    'N',
    'total µs',
    'JS frame()',
    'callEach',
    'takeBatch',
    'Godot side',
    'of which apply',
    'ns/node',
    'answer KiB',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)));
  const row = (cells) => `| ${cells.map((c, i) => String(c).padStart(widths[i])).join(' | ')} |`;
  return [
    '',
    'Wasm columns, where the time goes (median µs per frame): JS frame() is all page-side work (callEach: the',
    'guest calls and host imports; takeBatch: the batch encode); Godot side = total − JS frame() − `none`',
    '(the crossing, bytes_to_var and the apply loop, UgcRuntime.apply_usec per frame); ns/node = (total − `none`) / N',
    row(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...lines.map(row),
  ];
}

async function main() {
  const argv = process.argv.slice(2);
  const engineArgs = argv.filter((a) => ENGINE_KEYS.some((k) => a.startsWith(`--${k}=`)));
  const unknown = argv.filter((a) => !engineArgs.includes(a) && !a.startsWith('--json='));
  if (unknown.length) throw new Error(`unknown arguments: ${unknown.join(' ')}`);
  if (!engineArgs.some((a) => a.startsWith('--warmup='))) engineArgs.push('--warmup=3');
  const result = await runBench(engineArgs);
  process.stdout.write(`${formatReport(result)}\n`);
  process.stdout.write(
    `load average (1, 5, 15 min): before ${fmtLoad(result.loadavg.before)}, after ${fmtLoad(result.loadavg.after)}\n`,
  );
  const json = argv.find((a) => a.startsWith('--json='));
  if (json) writeFileSync(json.slice('--json='.length), `${JSON.stringify(result, null, 2)}\n`);
  if (result.problems.length) process.exitCode = 1;
}

const fmtLoad = (l) => l.map((x) => x.toFixed(2)).join(' ');

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    process.stderr.write(`${err.stack ?? err}\n`);
    process.exitCode = 1;
  });
}
