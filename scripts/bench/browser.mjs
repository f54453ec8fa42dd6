// The in-browser half of `npm run bench` (headless Chromium) and the Godot one: each bench script is run as
// its own process with `--json=path`, exactly as a person would run it, so its printed table stays the same.

import { rmSync } from 'node:fs';
import path from 'node:path';
import { readJson, run } from './run.mjs';

/** `[key, script, args(quick)]` of the browser benches, in the order they run. */
export const BROWSER_BENCHES = [
  ['runtime', 'scripts/bench-runtime.mjs', (quick) => (quick ? ['--quick'] : [])],
  ['abi', 'scripts/bench-abi.mjs', (quick) => (quick ? ['--quick'] : [])],
  ['fuel', 'scripts/bench-fuel.mjs', (quick) => ['--rounds', quick ? '15' : '151']],
  ['wasi', 'scripts/bench-wasi.mjs', (quick) => (quick ? ['--quick'] : [])],
];

// N = 100, 1,000, 10,000 as issue #6 asks; quick mode stops at 1,000 with fewer frames.
const GODOT_ARGS = (quick) =>
  quick ? ['--counts=100,1000', '--warmup=2', '--min-frames=3', '--max-frames=10'] : [];

async function runJsonScript(repoRoot, workDir, key, script, args) {
  const json = path.join(workDir, `${key}.json`);
  rmSync(json, { force: true });
  await run(process.execPath, [script, ...args, `--json=${json}`], { cwd: repoRoot });
  return readJson(json);
}

/** Runs the browser benches; returns `{ runtime, abi, fuel, wasi }` minus the ones that failed (→ errors). */
export async function runBrowser({ repoRoot, workDir, quick, errors }) {
  const out = {};
  for (const [key, script, args] of BROWSER_BENCHES) {
    try {
      out[key] = await runJsonScript(repoRoot, workDir, key, script, args(quick));
    } catch (err) {
      errors.push({ step: `browser ${key}`, message: String(err.message ?? err) });
    }
  }
  return out;
}

/** Runs scripts/bench-godot.mjs (owned by the Godot benchmark; called as is). */
export async function runGodot({ repoRoot, workDir, quick, errors }) {
  try {
    return await runJsonScript(repoRoot, workDir, 'godot', 'scripts/bench-godot.mjs', GODOT_ARGS(quick));
  } catch (err) {
    errors.push({ step: 'godot', message: String(err.message ?? err) });
    return undefined;
  }
}
