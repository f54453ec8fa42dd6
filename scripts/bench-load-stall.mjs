#!/usr/bin/env node
// The longest main-thread stall while `rt.load` loads a big module (docs/JS-API.md "Big modules"): a
// watchdog in the page pings itself through a MessageChannel (no timer clamping) and records the largest gap
// between two pings while the load runs. Each module is built in the page (scripts/lib/big-module.mjs),
// uncached (a fresh runtime per load, distinct bytes), in instance isolation.
//
//   node scripts/bench-load-stall.mjs [--sizes=1,8,16] [--rounds=3] [--json=path]   (needs dist/)

import { writeFileSync } from 'node:fs';
import { openRuntimePage } from '../tests-web/runtime-harness.mjs';

const arg = (name, fallback) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const sizes = arg('sizes', '1,8,16').split(',').map(Number);
const rounds = Number(arg('rounds', '3'));
const jsonPath = arg('json', null);

const harness = await openRuntimePage();
const { page } = harness;
const results = await page.evaluate(
  async ({ sizes, rounds }) => {
    const { bigModule } = await import('/scripts/lib/big-module.mjs');
    const watch = () => {
      const channel = new MessageChannel();
      let last = performance.now();
      let worst = 0;
      let on = true;
      channel.port1.onmessage = () => {
        const now = performance.now();
        worst = Math.max(worst, now - last);
        last = now;
        if (on) channel.port2.postMessage(0);
      };
      channel.port2.postMessage(0);
      return () => {
        on = false;
        const now = performance.now();
        channel.port1.close();
        return Math.max(worst, now - last);
      };
    };
    const out = [];
    // The noise floor: the same watchdog over a second in which the page does nothing (the OS may deschedule
    // the page on a loaded machine; a stall below this is not the load's).
    {
      const stop = watch();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      out.push({
        mb: 0,
        size: 0,
        round: 0,
        worstStallMs: stop(),
        totalMs: 1000,
        outcome: 'idle',
        answer: null,
      });
    }
    for (const mb of sizes) {
      // Just under the size: the policy's 16 MiB cap includes everything.
      const codeBytes = mb * 1024 * 1024 - 64 * 1024;
      for (let round = 0; round < rounds; round++) {
        const bytes = bigModule({ codeBytes, steps: 1000 + round });
        const rt = await ugc.createRuntime();
        await new Promise((resolve) => setTimeout(resolve, 50));
        const stop = watch();
        const started = performance.now();
        let outcome = 'ok';
        let answer = null;
        try {
          const script = await rt.load(bytes, { fuel: 1_000_000_000 });
          answer = script.callSync('run', 1);
          script.dispose();
        } catch (error) {
          outcome = `${error.code ?? error.name}: ${String(error.message).slice(0, 120)}`;
        }
        const total = performance.now() - started;
        const worst = stop();
        out.push({ mb, size: bytes.length, round, worstStallMs: worst, totalMs: total, outcome, answer });
      }
    }
    return out;
  },
  { sizes, rounds },
);
await harness.close();

const idle = results.find((r) => r.mb === 0);
console.log(`noise floor: longest gap over an idle second ${idle.worstStallMs.toFixed(1)} ms`);
console.log('| module | longest stall (ms) | load total (ms) | outcome |');
console.log('| --- | --- | --- | --- |');
for (const mb of sizes) {
  const rows = results.filter((r) => r.mb === mb);
  const stalls = rows.map((r) => r.worstStallMs.toFixed(1)).join(' / ');
  const totals = rows.map((r) => r.totalMs.toFixed(0)).join(' / ');
  const outcomes = [...new Set(rows.map((r) => r.outcome))].join('; ');
  console.log(`| ${mb} MB (${rows[0].size} B) | ${stalls} | ${totals} | ${outcomes} |`);
}
if (jsonPath) writeFileSync(jsonPath, JSON.stringify(results, null, 2));
