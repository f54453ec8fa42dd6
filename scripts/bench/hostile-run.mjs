// Running the hostile corpus (scripts/bench/hostile-fixtures.mjs) in headless Chromium: one browser, and a
// FRESH PAGE PER ATTACK — the crate is loaded once per page, and an attack that grows its memory (it never
// shrinks) or leaves it broken would otherwise skew every attack after it. Shared by scripts/bench-hostile.mjs
// and tests-web/runtime-hostile-host.test.mjs.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from '../../tests-web/lib/browser.mjs';
import { serveStatic } from '../../tests-web/lib/serve.mjs';
import {
  CYCLE_SLACK,
  CYCLE_WARMUP,
  MEMORY_BOUND,
  SPIN,
  STALL_RATIO_TARGET,
  WARMUP,
  attackSpec,
  installHostilePage,
} from './hostile-fixtures.mjs';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DEFAULT_FUEL = 10_000_000;

/** A served repo + Chromium; `page()` opens a fresh page with `window.ugc`, `window.rt`, `window.hostile`. */
export async function openHostileSession() {
  if (!existsSync(join(REPO_ROOT, 'dist', 'ugc-wasm.js')))
    throw new Error('dist/ missing: run npm run build');
  // Cross-origin isolation: performance.now() at 5 µs instead of 100 µs, and performance.memory precise.
  const server = await serveStatic({ root: REPO_ROOT, crossOriginIsolated: true });
  const browser = await launchBrowser({ args: ['--js-flags=--expose-gc', '--enable-precise-memory-info'] });
  return {
    async page() {
      const { page } = await browser.newPage();
      const pageErrors = [];
      page.on('pageerror', (error) => pageErrors.push(String(error)));
      await page.goto(`${server.url}/www/bench/blank.html`);
      await page.evaluate(async () => {
        window.ugc = await import('/dist/ugc-wasm.js');
        window.rt = await window.ugc.createRuntime();
      });
      await page.evaluate(`(${installHostilePage.toString()})()`);
      // A warm crate, as in a page that has run scripts for a while (see WARMUP).
      await page.evaluate((bytes) => window.hostile.warm(bytes), Array.from(WARMUP()));
      return { page, pageErrors };
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/** `page.evaluate(fn, arg)`, or `{ crashed: message }` when the page dies or `ms` pass first. */
async function bounded(page, fn, arg, ms) {
  let timer;
  const timeout = new Promise((ok) => {
    timer = setTimeout(() => ok({ crashed: `no answer within ${ms} ms` }), ms);
  });
  try {
    return await Promise.race([
      page.evaluate(fn, arg).catch((error) => ({ crashed: String(error.message ?? error).split('\n')[0] })),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs one attack in a fresh page: `{ outcome, fuel, stall, wall, memBefore, memAfter, extra, pageErrors }`.
 * `twice`: run it once first and measure the second run (`coldStall` is the first's stall). V8 runs a crate
 * function in its baseline tier until it is hot, 2–4× slower; a page that has run scripts for a while has the
 * paths an attack uses warm, except those only that attack takes. Load and WASI attacks always run once (a
 * second load would hit the module cache).
 */
export async function runAttack(session, attack, { timeoutMs = 60_000, cycle = false, twice = false } = {}) {
  const { page, pageErrors } = await session.page();
  try {
    const once = () =>
      bounded(page, (spec) => window.hostile.run(spec), attackSpec(attack, { cycle }), timeoutMs);
    const repeat = twice && attack.cls !== 'load' && attack.cls !== 'wasi';
    const first = await once();
    if (first.crashed) return { outcome: `crashed: ${first.crashed}`, pageErrors };
    if (!repeat) return { ...first, coldStall: first.stall, pageErrors };
    const result = await once();
    if (result.crashed) return { outcome: `crashed: ${result.crashed}`, pageErrors };
    return { ...result, coldStall: first.stall, pageErrors };
  } finally {
    await page.close().catch(() => {});
  }
}

/** The baseline stall: the pure-wasm loop stopped by `fuel`, median of `reps`, in a fresh page. */
export async function measureBaseline(session, fuel, reps = 7) {
  const { page } = await session.page();
  try {
    return await page.evaluate(({ spin, fuel, reps }) => window.hostile.baseline(spin, fuel, reps), {
      spin: Array.from(SPIN()),
      fuel,
      reps,
    });
  } finally {
    await page.close();
  }
}

/** `cycles` × (load → the attack's `cycle` steps → dispose) in a fresh page, at most `maxMs` (a guard, not a measure). */
export async function runCycles(session, attack, { cycles = 1000, maxMs = 15_000 } = {}) {
  const { page } = await session.page();
  try {
    const spec = { ...attackSpec(attack, { cycle: true }), cycles, warmup: CYCLE_WARMUP, maxMs };
    const result = await bounded(page, (s) => window.hostile.cycles(s), spec, maxMs + 60_000);
    return result.crashed ? { crashed: result.crashed } : result;
  } finally {
    await page.close().catch(() => {});
  }
}

/** The fuel budget an attack runs with (what its baseline loop must be stopped by). */
export const fuelOf = (attack) => attack.params?.load?.fuel ?? DEFAULT_FUEL;

/**
 * The verdict on one measured attack: `{ contained, reasons }`; `reasons` lists every condition it missed
 * (outcome not expected, stall ratio, crate memory, cycles' high-water growth, queued WASI output).
 */
export function verdict(attack, r, baselineMs, cycles) {
  const reasons = [];
  if (!attack.expect.includes(r.outcome))
    reasons.push(`outcome ${r.outcome} ∉ {${attack.expect.join(', ')}}`);
  const ratio = r.stall / Math.max(baselineMs, 0.001);
  if (!(ratio <= STALL_RATIO_TARGET)) reasons.push(`stall ${ratio.toFixed(1)}× > ${STALL_RATIO_TARGET}×`);
  const growth = (r.memAfter ?? 0) - (r.memBefore ?? 0);
  if (growth > MEMORY_BOUND) reasons.push(`crate +${mib(growth)} > ${mib(MEMORY_BOUND)}`);
  if (r.extra?.disposeError) reasons.push(`dispose() threw ${r.extra.disposeError}`);
  if (cycles) {
    if (cycles.crashed) reasons.push(`cycles: ${cycles.crashed}`);
    else if (cycles.afterWarmup !== null && cycles.high - cycles.afterWarmup > CYCLE_SLACK)
      reasons.push(`cycles grew the high-water mark by ${mib(cycles.high - cycles.afterWarmup)}`);
  }
  if (attack.queuedBound && r.extra?.queuedBytes > attack.queuedBound)
    reasons.push(`${mib(r.extra.queuedBytes)} queued > ${mib(attack.queuedBound)}`);
  return { contained: reasons.length === 0, ratio, growth, reasons };
}

export const mib = (bytes) => `${(bytes / (1 << 20)).toFixed(bytes >= 10 << 20 ? 0 : 1)} MiB`;
