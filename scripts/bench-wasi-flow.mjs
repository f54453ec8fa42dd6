#!/usr/bin/env node
// WASI output flow control, measured in headless Chromium: how much the page suffers while a program writes
// faster than anyone reads. Two scenarios, each on a cross-origin-isolated page (SharedArrayBuffer) and a
// plain one (JSPI), with a watchdog timer ticking every millisecond in the page:
//   flood     rt.spawnWasi of a program writing 4 KiB to stdout forever, nobody reading, for `--ms`
//   runWasi   runWasi of a program writing 64 MiB (64 KiB writes), from the call to the resolved result
//   read      spawnWasi of 32768 writes of 502 B read as they arrive, with the default cap vs without a cap
// Figures: the longest gap between two watchdog ticks (the longest main-thread stall) and the page's memory
// (V8 heap + ArrayBuffer backing stores, CDP Runtime.getHeapUsage, sampled every 50 ms; the peak above the
// page's idle level). Baseline in the same run: the same watchdog on the idle page for as long.
// Usage: node scripts/bench-wasi-flow.mjs [--quick] [--ms=1000] [--no-heap] [--json=path]

import { writeFileSync } from 'node:fs';
import { serveRepo } from '../tests-web/lib/wasi-serve.mjs';
import { launchBrowser, openWasiPage } from '../tests-web/lib/wasi-browser.mjs';
import { floodProgram } from '../tests-web/wasi-flow-programs.mjs';

const quick = process.argv.includes('--quick');
const floodMs = Number(process.argv.find((a) => a.startsWith('--ms='))?.slice(5) ?? (quick ? 500 : 1000));
const runMiB = quick ? 16 : 64;
const rounds = quick ? 1 : 5;
// --no-heap: no CDP sampling during the runs (to see whether the sampling itself adds to the stalls)
const sampleHeap = !process.argv.includes('--no-heap');
const flood = Array.from(floodProgram({ size: 251 * 64 })); // ~16 KB writes, no refill: the fastest flood
const big = Array.from(floodProgram({ size: 65536, count: runMiB * 16, refill: false }));
// Small writes read as they arrive: the credit round trips must not throttle a program that is being read.
const smallWrites = quick ? 8192 : 32768;
const small = Array.from(floodProgram({ size: 502, count: smallWrites }));
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

const browser = await launchBrowser();
const servers = { pipe: await serveRepo({ isolated: true }), messages: await serveRepo({ isolated: false }) };

async function measure(mode) {
  const page = await openWasiPage(browser, servers[mode].url);
  const cdp = await page.context().newCDPSession(page);
  const heap = async () => {
    if (!sampleHeap) return 0;
    const h = await cdp.send('Runtime.getHeapUsage');
    return h.usedSize + (h.backingStorageSize ?? 0);
  };
  const gc = () => cdp.send('HeapProfiler.collectGarbage');
  await page.evaluate(
    ({ flood, big, small }) => {
      window.flood = new Uint8Array(flood);
      window.big = new Uint8Array(big);
      window.small = new Uint8Array(small);
      window.dog = { max: 0, last: performance.now() };
      setInterval(() => {
        const t = performance.now();
        window.dog.max = Math.max(window.dog.max, t - window.dog.last);
        window.dog.last = t;
      }, 1);
    },
    { flood, big, small },
  );
  const resetDog = () =>
    page.evaluate(() => {
      window.dog.max = 0;
      window.dog.last = performance.now();
    });
  /** Samples the heap every 50 ms until `done()` resolves true; returns the peak. */
  const peakWhile = async (done) => {
    let peak = await heap();
    while (!(await done())) {
      peak = Math.max(peak, await heap());
      await sleep(50);
    }
    return Math.max(peak, await heap());
  };
  const out = { mode, idle: [], flood: [], run: [] };
  for (let r = 0; r < rounds; r++) {
    await gc();
    const idleHeap = await heap();
    await resetDog();
    const t0 = Date.now();
    const idlePeak = await peakWhile(async () => Date.now() - t0 >= floodMs);
    out.idle.push({
      stallMs: await page.evaluate(() => window.dog.max),
      heapMB: (idlePeak - idleHeap) / 1e6,
    });

    await gc();
    const floodBase = await heap();
    await page.evaluate(() => {
      window.proc = window.wasi.spawnWasi(window.flood, { args: ['flood'] });
      window.proc.exited.catch(() => {});
      window.dog.max = 0;
      window.dog.last = performance.now();
    });
    const t1 = Date.now();
    const floodPeak = await peakWhile(async () => Date.now() - t1 >= floodMs);
    const f = await page.evaluate(() => {
      const stats = typeof window.proc.stats === 'function' ? window.proc.stats() : null;
      window.proc.kill();
      return { stallMs: window.dog.max, stats };
    });
    out.flood.push({ ...f, heapMB: (floodPeak - floodBase) / 1e6 });
    await page.evaluate(() => (window.proc = null));

    await gc();
    const runBase = await heap();
    await page.evaluate(() => {
      window.runDone = false;
      window.dog.max = 0;
      window.dog.last = performance.now();
      window.runStarted = performance.now();
      window.wasi.runWasi(window.big, { args: ['big'] }).then(
        (res) => {
          window.runMs = performance.now() - window.runStarted;
          window.runStall = window.dog.max;
          window.runBytes = res.stdout.length;
          window.runDone = true;
        },
        (e) => {
          window.runError = e.code;
          window.runDone = true;
        },
      );
    });
    const runPeak = await peakWhile(() => page.evaluate(() => window.runDone));
    const res = await page.evaluate(() => ({
      stallMs: window.runStall,
      ms: window.runMs,
      bytes: window.runBytes,
      error: window.runError ?? null,
    }));
    if (res.error || res.bytes !== runMiB << 20) throw new Error(`runWasi failed: ${JSON.stringify(res)}`);
    out.run.push({ ...res, heapMB: (runPeak - runBase) / 1e6 });
  }
  // Throughput with a reader that keeps up, with and without back-pressure (maxUnreadOutputBytes: Infinity).
  out.readFlow = [];
  out.readFree = [];
  for (let r = 0; r < rounds; r++) {
    for (const [list, cap] of [
      [out.readFlow, null],
      [out.readFree, Infinity],
    ]) {
      list.push(
        await page.evaluate(async (cap) => {
          const t = performance.now();
          const p = window.wasi.spawnWasi(window.small, { maxUnreadOutputBytes: cap ?? undefined });
          let n = 0;
          const drain = async (s) => {
            for await (const c of s) n += c.length;
          };
          await Promise.all([drain(p.stdout), drain(p.stderr)]);
          await p.exited;
          return { ms: performance.now() - t, bytes: n };
        }, cap),
      );
    }
  }
  await page.close();
  const pick = (xs, k) => median(xs.map((x) => x[k]));
  // The least-disturbed round: a stall the code causes is in every round, the machine's preemption is not.
  const best = (xs, k) => Math.min(...xs.map((x) => x[k]));
  return {
    mode,
    idleStallBestMs: best(out.idle, 'stallMs'),
    floodStallBestMs: best(out.flood, 'stallMs'),
    runStallBestMs: best(out.run, 'stallMs'),
    idleStallMs: pick(out.idle, 'stallMs'),
    idleHeapMB: pick(out.idle, 'heapMB'),
    floodStallMs: pick(out.flood, 'stallMs'),
    floodHeapMB: pick(out.flood, 'heapMB'),
    floodStats: out.flood.at(-1).stats,
    runStallMs: pick(out.run, 'stallMs'),
    runHeapMB: pick(out.run, 'heapMB'),
    runMs: pick(out.run, 'ms'),
    readFlowMs: pick(out.readFlow, 'ms'),
    readFreeMs: pick(out.readFree, 'ms'),
    readBytes: out.readFlow[0].bytes,
    rounds: out,
  };
}

const results = { quick, floodMs, runMiB, smallWrites, modes: [] };
for (const mode of ['pipe', 'messages']) results.modes.push(await measure(mode));
await browser.close();
for (const s of Object.values(servers)) await s.close();

const f = (x, d = 1) => (x == null ? '—' : x.toFixed(d));
console.log(
  `\nWASI output flow control (headless Chromium, medians of ${rounds}; watchdog ticks every 1 ms)\n`,
);
for (const m of results.modes) {
  const label = m.mode === 'pipe' ? 'cross-origin isolated (SharedArrayBuffer)' : 'not isolated (JSPI)';
  const stall = (ms, bestMs) =>
    `longest stall ${f(ms)} ms (${f(ms / m.idleStallMs, 2)}x idle; best round ${f(bestMs)} ms)`;
  console.log(`${label}:`);
  console.log(
    `  idle page, ${floodMs} ms: longest stall ${f(m.idleStallMs)} ms (best round ${f(m.idleStallBestMs)} ms)`,
  );
  console.log(
    `  spawnWasi flood, unread, ${floodMs} ms: ${stall(m.floodStallMs, m.floodStallBestMs)}, ` +
      `page memory +${f(m.floodHeapMB)} MB` +
      (m.floodStats
        ? `; buffered ${m.floodStats.unreadBytes} B, program wrote ${m.floodStats.writtenBytes} B`
        : ''),
  );
  console.log(
    `  runWasi, ${runMiB} MiB of stdout: ${f(m.runMs, 0)} ms; ${stall(m.runStallMs, m.runStallBestMs)}, ` +
      `page memory peak +${f(m.runHeapMB)} MB`,
  );
  console.log(
    `  spawnWasi, ${smallWrites} writes of 502 B read as they arrive: ${f(m.readFlowMs, 0)} ms with the 1 MiB cap, ` +
      `${f(m.readFreeMs, 0)} ms without back-pressure -> ${f(m.readFlowMs / m.readFreeMs, 2)}x`,
  );
}

const jsonPath = process.argv.find((a) => a.startsWith('--json='))?.slice('--json='.length);
if (jsonPath) writeFileSync(jsonPath, `${JSON.stringify(results, null, 2)}\n`);
