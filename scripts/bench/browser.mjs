// The in-browser half of `npm run bench` (headless Chromium) and the Godot one: each bench script is run as
// its own process with `--json=path`, exactly as a person would run it, so its printed table stays the same.

import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { readJson, run } from './run.mjs';

/** `[key, script, args(quick)]` of the browser benches, in the order they run. */
export const BROWSER_BENCHES = [
  ['runtime', 'scripts/bench-runtime.mjs', (quick) => (quick ? ['--quick'] : [])],
  ['abi', 'scripts/bench-abi.mjs', (quick) => (quick ? ['--quick'] : [])],
  ['fuel', 'scripts/bench-fuel.mjs', (quick) => ['--rounds', quick ? '15' : '151']],
  ['wasi', 'scripts/bench-wasi.mjs', (quick) => (quick ? ['--quick'] : [])],
  ['wasiFlow', 'scripts/bench-wasi-flow.mjs', (quick) => (quick ? ['--quick'] : [])],
  ['hostile', 'scripts/bench-hostile.mjs', (quick) => (quick ? ['--quick'] : [])],
];

// N = 100, 1,000, 10,000 as issue #6 asks; quick mode stops at 1,000 with fewer frames.
const GODOT_ARGS = (quick) =>
  quick ? ['--counts=100,1000', '--warmup=2', '--min-frames=3', '--max-frames=10'] : [];

/**
 * Runs a bench script with `--json`; its figures even when it exits non-zero after writing them (e.g.
 * bench-godot.mjs flags a Wasm column that measured nothing): the failure is then pushed to `errors`.
 */
async function runJsonScript({ repoRoot, workDir, errors }, key, script, args) {
  const json = path.join(workDir, `${key}.json`);
  rmSync(json, { force: true });
  try {
    await run(process.execPath, [script, ...args, `--json=${json}`], { cwd: repoRoot });
  } catch (err) {
    if (!existsSync(json)) throw err;
    errors.push({ step: key, message: `${err.message} (its figures are reported, see its output)` });
  }
  return readJson(json);
}

/** Runs the browser benches; returns `{ runtime, abi, fuel, wasi, wasiFlow, hostile }` minus the ones that failed (→ errors). */
export async function runBrowser(ctx) {
  const { quick, errors } = ctx;
  const out = {};
  for (const [key, script, args] of BROWSER_BENCHES) {
    try {
      out[key] = await runJsonScript(ctx, key, script, args(quick));
    } catch (err) {
      errors.push({ step: `browser ${key}`, message: String(err.message ?? err) });
    }
  }
  return out;
}

/** Runs scripts/bench-godot.mjs (owned by the Godot benchmark; called as is). */
export async function runGodot(ctx) {
  const { quick, errors } = ctx;
  try {
    return await runJsonScript(ctx, 'godot', 'scripts/bench-godot.mjs', GODOT_ARGS(quick));
  } catch (err) {
    errors.push({ step: 'godot', message: String(err.message ?? err) });
    return undefined;
  }
}
