#!/usr/bin/env node
// `npm run bench`: builds what the benchmarks need, runs every benchmark (native cargo benches, the in-browser
// ones in headless Chromium, the Godot one in the real engine), and writes docs/BENCHMARKS.md with its charts.
//
//   npm run bench [-- --quick] [--only=native,browser,godot] [--out=DIR] [--from=results.json]
//
// --quick     short runs, for checking the pipeline (the report says so)
// --only      the parts to run (default: all three)
// --out       where BENCHMARKS.md and the SVGs go (default: docs/)
// --from      skip running: rebuild the report from a results.json an earlier run saved
// Raw results of every run are kept in target/bench-report/results.json.

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBrowser, runGodot } from './bench/browser.mjs';
import { writePageFixtures } from './bench/fixtures.mjs';
import { runNative } from './bench/native.mjs';
import { CHARTS, buildReport } from './bench/report.mjs';
import { readJson, run } from './bench/run.mjs';

const REPO_ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const PARTS = ['native', 'browser', 'godot'];

export function parseArgs(argv) {
  const opts = { quick: false, only: PARTS, out: path.join(REPO_ROOT, 'docs'), from: null };
  for (const arg of argv) {
    const [key, value] = arg.split(/=(.*)/s);
    if (key === '--quick' && value === undefined) opts.quick = true;
    else if (key === '--only' && value) {
      opts.only = value.split(',').filter(Boolean);
      const unknown = opts.only.filter((p) => !PARTS.includes(p));
      if (unknown.length)
        throw new Error(`--only: unknown part ${unknown.join(', ')} (known: ${PARTS.join(', ')})`);
    } else if (key === '--out' && value) opts.out = path.resolve(value);
    else if (key === '--from' && value) opts.from = path.resolve(value);
    else throw new Error(`unknown argument ${arg} (see the header of scripts/bench.mjs)`);
  }
  return opts;
}

/** Sets the machine up and builds what the chosen parts need; every step is incremental. */
async function build(only) {
  await run('bash', ['scripts/setup.sh'], { cwd: REPO_ROOT }); // a fresh clone has no node_modules yet
  if (only.includes('browser') || only.includes('godot')) {
    await run('npm', ['run', 'build'], { cwd: REPO_ROOT });
    await run('bash', ['scripts/build-guests.sh'], { cwd: REPO_ROOT });
    await writePageFixtures(); // www/bench/index.html's copy of the fixtures, from the same WAT
  }
}

async function measure(opts) {
  const started = Date.now();
  const workDir = path.join(REPO_ROOT, 'target', 'bench-report');
  mkdirSync(workDir, { recursive: true });
  const errors = [];
  await build(opts.only);
  // Imported after set-up: it reads Chromium's path from the test helpers, which need node_modules.
  const { loadAverage, machineInfo } = await import('./bench/machine.mjs');
  const results = {
    meta: { quick: opts.quick, only: opts.only, machine: machineInfo(REPO_ROOT) },
    errors,
  };
  const ctx = {
    repoRoot: REPO_ROOT,
    workDir,
    targetDir: path.resolve(REPO_ROOT, process.env.CARGO_TARGET_DIR ?? 'target'),
    quick: opts.quick,
    errors,
  };
  if (opts.only.includes('native')) results.native = await runNative(ctx);
  if (opts.only.includes('browser')) results.browser = await runBrowser(ctx);
  if (opts.only.includes('godot')) results.godot = await runGodot(ctx);
  results.meta.loadAfter = loadAverage();
  results.meta.durationS = (Date.now() - started) / 1000;
  const saved = path.join(workDir, 'results.json');
  writeFileSync(saved, `${JSON.stringify(results, null, 2)}\n`);
  process.stderr.write(`\nraw results: ${path.relative(REPO_ROOT, saved)}\n`);
  return results;
}

/** Writes BENCHMARKS.md and the charts into `dir`; returns the files written. */
export function writeReport(results, dir) {
  const { markdown, charts } = buildReport(results);
  mkdirSync(dir, { recursive: true });
  const files = [path.join(dir, 'BENCHMARKS.md')];
  writeFileSync(files[0], markdown);
  for (const [name, svg] of Object.entries(charts)) {
    files.push(path.join(dir, name));
    writeFileSync(files.at(-1), svg);
  }
  // A chart this run could not draw (e.g. no Godot figures) must not linger from an earlier run.
  for (const name of CHARTS) if (!charts[name]) rmSync(path.join(dir, name), { force: true });
  return files;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const results = opts.from ? readJson(opts.from) : await measure(opts);
  for (const f of writeReport(results, opts.out))
    process.stderr.write(`wrote ${path.relative(REPO_ROOT, f)}\n`);
  if (results.errors.length) {
    process.stderr.write(
      `${results.errors.length} step(s) failed: ${results.errors.map((e) => e.step).join(', ')}\n`,
    );
    process.exitCode = 1;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    process.stderr.write(`${err.stack ?? err}\n`);
    process.exitCode = 2;
  });
}
