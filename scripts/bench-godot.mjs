#!/usr/bin/env node
// GDScript baseline benchmark in the real Godot 4.6 web engine (headless Chromium): N Node3D children with one
// workload script each; the time of the whole `_process` pass per frame (median over frames).
//
//   node scripts/bench-godot.mjs [--counts=100,1000,10000] [--variants=none,empty,move,math,jscall]
//                                [--warmup=3] [--min-frames=5] [--max-frames=60] [--budget-ms=1500] [--json=out.json]
//
// Variants are columns. `none` (script-less children) is the measuring overhead; every other column is also shown
// as µs per node (minus `none`) and as a ratio to its baseline from the same run: `<impl>-<workload>` (e.g. a
// future `wasm-move`) against the GDScript `<workload>` column, anything else against `empty`.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT, bootGodot } from '../tests-web/lib/godot.mjs';

export const BENCH_PROJECT = path.join(REPO_ROOT, 'godot-web-export/bench');
// The `jscall` workload calls this once per node per frame.
const BENCH_PAGE_JS = '<script>window.ugcBench = { ticks: 0, tick() { window.ugcBench.ticks++; } };</script>';
const ENGINE_KEYS = ['counts', 'variants', 'warmup', 'min-frames', 'max-frames', 'budget-ms'];

/**
 * Run the bench project; resolve with `{ config, rows, jsTicks, engine }`, rows being
 * `{ variant, n, frames, median_us, min_us, max_us, spawn_us }` and jsTicks the calls the `jscall` workload made.
 */
export async function runBench(engineArgs = [], { timeout = 600_000 } = {}) {
  const godot = await bootGodot({
    projectDir: BENCH_PROJECT,
    args: ['--', ...engineArgs],
    head: BENCH_PAGE_JS,
  });
  try {
    await godot.waitForLine(/^UGC_BENCH_DONE$/, { timeout });
    const config = JSON.parse(godot.console.grep(/^UGC_BENCH_BEGIN /)[0].slice('UGC_BENCH_BEGIN '.length));
    const rows = godot.console.grep(/^UGC_BENCH \{/).map((l) => JSON.parse(l.slice('UGC_BENCH '.length)));
    // Release builds swallow script errors, so count what actually reached JS.
    const jsTicks = await godot.page.evaluate(() => window.ugcBench.ticks);
    return { config, rows, jsTicks, engine: godot.console.grep(/^Godot Engine v/)[0] ?? '' };
  } finally {
    await godot.close();
  }
}

/** The column a variant is compared with (see the header comment). */
export function baselineOf(variant, variants) {
  const dash = variant.indexOf('-');
  if (dash > 0 && variants.includes(variant.slice(dash + 1))) return variant.slice(dash + 1);
  return variant === 'none' || variant === 'empty' ? null : 'empty';
}

const fmt = (x, digits = 3) => (x >= 100 ? x.toFixed(1) : x.toPrecision(digits));

/** Plain-text tables: ms/frame, µs/node, ratio to baseline. */
export function formatReport({ config, rows, engine }) {
  const variants = config.variants;
  const counts = config.counts;
  const cell = (v, n) => rows.find((r) => r.variant === v && r.n === n);
  const table = (title, value) => {
    const header = ['N', ...variants];
    const lines = counts.map((n) => [n.toLocaleString('en-US'), ...variants.map((v) => value(v, n) ?? '—')]);
    const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)));
    const row = (cells) => `| ${cells.map((c, i) => String(c).padStart(widths[i])).join(' | ')} |`;
    return [
      title,
      row(header),
      `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
      ...lines.map(row),
    ].join('\n');
  };
  const perNode = (v, n) => {
    const c = cell(v, n);
    const none = cell('none', n);
    if (!c || v === 'none') return null;
    return (c.median_us - (none?.median_us ?? 0)) / n;
  };
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
  ].join('\n');
}

async function main() {
  const argv = process.argv.slice(2);
  const engineArgs = argv.filter((a) => ENGINE_KEYS.some((k) => a.startsWith(`--${k}=`)));
  const unknown = argv.filter((a) => !engineArgs.includes(a) && !a.startsWith('--json='));
  if (unknown.length) throw new Error(`unknown arguments: ${unknown.join(' ')}`);
  if (!engineArgs.some((a) => a.startsWith('--warmup='))) engineArgs.push('--warmup=3');
  const result = await runBench(engineArgs);
  process.stdout.write(`${formatReport(result)}\n`);
  const json = argv.find((a) => a.startsWith('--json='));
  if (json) writeFileSync(json.slice('--json='.length), `${JSON.stringify(result, null, 2)}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    process.stderr.write(`${err.stack ?? err}\n`);
    process.exitCode = 1;
  });
}
