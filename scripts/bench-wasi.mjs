#!/usr/bin/env node
// Benchmarks of the browser WASI host (headless Chromium, cross-origin isolated
// page). Every figure is printed with a baseline measured in the same run:
//   start-up      runWasi (worker + compile + instantiate + run) vs compile+instantiate in the page, per MB
//   stdout        MB/s through fd_write -> worker batching -> postMessage, vs the host in the page, vs a plain copy
//   file copy     1 MiB through fd_read/fd_write (in-memory FS) vs a plain chunked copy in the page
//   syscalls      ns per fd_fdstat_get / clock_time_get vs a raw wasm -> JS import call
//   from a URL    rt.fetchModule cold (download + SHA-256 + validate + prepare + compile; unmetered: teed
//                 compileStreaming) vs cached (memory; Cache Storage in a new runtime), per MB, vs a raw
//                 WebAssembly.compileStreaming(fetch(url)) and a bare download in the same page
// Usage: node scripts/bench-wasi.mjs [--quick] [--url-only]

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { REPO_ROOT, serveRepo } from '../tests-web/lib/wasi-serve.mjs';
import { launchBrowser, openWasiPage } from '../tests-web/lib/wasi-browser.mjs';

const quick = process.argv.includes('--quick');
const urlOnly = process.argv.includes('--url-only');
execFileSync('bash', ['scripts/build-wasi-tests.sh'], { cwd: REPO_ROOT, stdio: 'ignore' });
const server = await serveRepo({ isolated: true, cache: true });
const browser = await launchBrowser();
const page = await openWasiPage(browser, server.url);

const results = urlOnly
  ? null
  : await page.evaluate(async (quick) => {
      const { runWasi, createWasiHost, MemFS } = window.wasi;
      const reps = quick ? 3 : 7;
      const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
      const time = async (fn) => {
        const t = performance.now();
        await fn();
        return performance.now() - t;
      };
      const medianOf = async (fn) => {
        const xs = [];
        for (let i = 0; i < reps; i++) xs.push(await time(fn));
        return median(xs);
      };
      const out = {};

      // ---- start-up ----
      // Floor: spawning a trivial worker and hearing back from it.
      const trivial = URL.createObjectURL(new Blob(['postMessage(1)'], { type: 'text/javascript' }));
      out.workerFloor = await medianOf(
        () =>
          new Promise((ok) => {
            const w = new Worker(trivial);
            w.onmessage = () => {
              w.terminate();
              ok();
            };
          }),
      );
      const startup = [];
      for (const [name, args] of [
        ['hello', ['hello']],
        ['/guest/wasi-tests/target/third-party/flite.wasm', ['flite', '--version']],
      ]) {
        const bytes = await window.program(name);
        const mb = bytes.length / 1e6;
        const inPage = await medianOf(async () => {
          const host = createWasiHost({ args });
          const m = await WebAssembly.compile(bytes);
          await WebAssembly.instantiate(m, host.imports);
        });
        const worker = await medianOf(() => runWasi(bytes, { args }));
        const module = await WebAssembly.compile(bytes);
        const workerModule = await medianOf(() => runWasi(module, { args }));
        window.wasi.prewarmWasi();
        await new Promise((ok) => setTimeout(ok, 300)); // let the spare load
        const warm = [];
        for (let r = 0; r < reps; r++) {
          warm.push(await time(() => runWasi(module, { args })));
          await new Promise((ok) => setTimeout(ok, 300)); // the next spare loads off the measured path
        }
        const prewarmed = median(warm);
        window.wasi.stopPrewarmWasi();
        startup.push({ name: name.split('/').pop(), mb, inPage, worker, workerModule, prewarmed });
      }
      out.startup = startup;

      // ---- stdout throughput ----
      const mib = quick ? 16 : 64;
      const stdoutBytes = await window.program('bench_stdout');
      const viaWorker = await medianOf(async () => {
        const r = await runWasi(stdoutBytes, { args: ['b', String(mib)] });
        if (r.stdout.length !== mib << 20) throw new Error('short stdout');
      });
      const stdoutModule = await WebAssembly.compile(stdoutBytes);
      const inThread = await medianOf(async () => {
        const chunks = [];
        const host = createWasiHost({ args: ['b', String(mib)], stdout: (v) => chunks.push(v.slice()) });
        host.start(await WebAssembly.instantiate(stdoutModule, host.imports));
      });
      const src = new Uint8Array(64 * 1024).fill(120);
      const plainCopy = await medianOf(async () => {
        const chunks = [];
        for (let i = 0; i < mib * 16; i++) chunks.push(src.slice());
      });
      out.stdout = { mib, viaWorker, inThread, plainCopy };

      // ---- 1 MiB file through fd_read/fd_write ----
      const copyModule = await WebAssembly.compile(await window.program('copy'));
      const oneMiB = crypto.getRandomValues(new Uint8Array(65536));
      const input = new Uint8Array(1 << 20);
      for (let i = 0; i < 16; i++) input.set(oneMiB, i * 65536);
      const fileCopy = {};
      for (const chunk of [4096, 65536]) {
        // The same program on an empty file gives the fixed cost (instantiate, std start-up, opens) to subtract.
        const copyOnce = (data) => {
          const fs = MemFS.fromFiles({ '/data/in.bin': data });
          const host = createWasiHost({
            args: ['copy', '/data/in.bin', '/data/out.bin', String(chunk)],
            fs,
            preopens: ['/data'],
          });
          const inst = new WebAssembly.Instance(copyModule, host.imports);
          const t = performance.now();
          host.start(inst);
          const ms = performance.now() - t;
          if (fs.lookup('/data/out.bin').size !== data.length) throw new Error('copy failed');
          return ms;
        };
        const empty = [];
        const runs = [];
        for (let i = 0; i < reps * 3; i++) {
          empty.push(copyOnce(new Uint8Array(0)));
          runs.push(copyOnce(input));
        }
        const plain = [];
        for (let i = 0; i < reps * 3; i++) {
          const t = performance.now();
          const dst = new Uint8Array(input.length);
          const buf = new Uint8Array(chunk);
          for (let at = 0; at < input.length; at += chunk) {
            buf.set(input.subarray(at, at + chunk));
            dst.set(buf, at);
          }
          plain.push(performance.now() - t);
        }
        fileCopy[chunk] = {
          wasi: median(runs),
          fixed: median(empty),
          plain: median(plain),
          // Minima too: on a loaded machine a millisecond task is often preempted, which the median shows.
          wasiMin: Math.min(...runs),
          fixedMin: Math.min(...empty),
          plainMin: Math.min(...plain),
        };
      }
      out.fileCopy = fileCopy;

      // ---- per-call overhead ----
      const n = quick ? 200000 : 2000000;
      const sysModule = await WebAssembly.compile(await window.program('syscalls'));
      const host = createWasiHost({});
      const inst = await WebAssembly.instantiate(sysModule, {
        ...host.imports,
        bench: { noop: (a, b) => (a + b) | 0 },
      });
      host.bind(inst);
      const perCall = {};
      for (const fn of ['loop_noop', 'loop_clock', 'loop_fdstat']) {
        inst.exports[fn](100000); // warm up (tier-up of both the wasm loop and the JS import)
        perCall[fn] = ((await medianOf(() => inst.exports[fn](n))) * 1e6) / n;
      }
      // clock_time_get is bounded below by the browser's own clock read.
      let sink = 0;
      const t0 = performance.now();
      for (let i = 0; i < n; i++) sink += performance.now();
      perCall.performanceNow = ((performance.now() - t0) * 1e6) / n + (sink < 0 ? 1 : 0);
      out.perCall = perCall;
      return out;
    }, quick);

// ---- start-up from a URL (the runtime's fetchModule, dist/ugc-wasm.js) ----
const fromUrl = await page.evaluate(async (quick) => {
  const ugc = await import('/dist/ugc-wasm.js');
  const rt = await ugc.createRuntime();
  const reps = quick ? 2 : 3;
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  let q = 0;
  // A fresh query string per cold run: a new HTTP-cache key, so every cold run really downloads.
  const fresh = (url) => `${url}?cold=${Date.now()}-${q++}`;
  const timed = async (fn) => {
    const xs = [];
    for (let i = 0; i < reps; i++) {
      const t = performance.now();
      await fn();
      xs.push(performance.now() - t);
    }
    return median(xs);
  };
  const rows = [];
  for (const url of [
    '/guest/wasi-tests/target/wasm32-wasip1/release/hello.wasm',
    '/guest/wasi-tests/target/third-party/pulldown-cmark-0.13.0/bin/pulldown-cmark.wasm',
    '/guest/wasi-tests/target/third-party/flite.wasm',
  ]) {
    const download = await timed(async () => new Uint8Array(await (await fetch(fresh(url))).arrayBuffer()));
    const rawStreaming = await timed(() => WebAssembly.compileStreaming(fetch(fresh(url))));
    let size = 0;
    const phases = [];
    const cold = await timed(async () => {
      const m = await rt.fetchModule(fresh(url), { refresh: true });
      size = m.size;
      phases.push(m.timings);
    });
    const coldUnmetered = await timed(async () => {
      const m = await rt.fetchModule(fresh(url), { refresh: true, metering: false });
      if (!m.streamingCompile) throw new Error('expected the streaming path');
    });
    const coldBuffered = await timed(async () => {
      const m = await rt.fetchModule(fresh(url), { refresh: true, metering: false, compileStreaming: false });
      if (m.streamingCompile) throw new Error('expected the buffered path');
    });
    await rt.fetchModule(url); // the plain URL, recorded for the cached runs
    const memory = await timed(async () => {
      const m = await rt.fetchModule(url);
      if (m.source !== 'memory') throw new Error(`expected a memory hit, got ${m.source}`);
    });
    const storage = await timed(async () => {
      const fresh = await ugc.createRuntime(); // empty in-memory cache: served by Cache Storage
      const m = await fresh.fetchModule(url);
      if (m.source !== 'cache') throw new Error(`expected a Cache Storage hit, got ${m.source}`);
    });
    const t = phases[phases.length >> 1];
    rows.push({
      name: url.split('/').pop(),
      mb: size / 1e6,
      download,
      rawStreaming,
      cold,
      coldUnmetered,
      coldBuffered,
      memory,
      storage,
      t,
    });
  }
  await rt.clearWasiModules({ persistent: true });
  return rows;
}, quick);

const f = (x, d = 2) => x.toFixed(d);

function printUrl() {
  console.log(
    'start-up from a URL (rt.fetchModule -> compiled Module; localhost, so the download is nearly free):',
  );
  for (const r of fromUrl) {
    const perMb = (ms) => `${f(ms, 1)} ms (${f(ms / r.mb, 1)} ms/MB)`;
    console.log(`  ${r.name.padEnd(20)} ${f(r.mb, 3).padStart(7)} MB`);
    console.log(
      `    baselines: download only ${perMb(r.download)}; raw compileStreaming(fetch) ${perMb(r.rawStreaming)}`,
    );
    console.log(
      `    cold, metered   ${perMb(r.cold)} -> ${f(r.cold / r.rawStreaming)}x raw ` +
        `(download ${f(r.t.downloadMs, 1)}, SHA-256 ${f(r.t.hashMs, 1)}, validate ${f(r.t.validateMs, 1)}, prepare ${f(r.t.prepareMs, 1)}, compile ${f(r.t.compileMs, 1)} ms)`,
    );
    console.log(
      `    cold, unmetered ${perMb(r.coldUnmetered)} -> ${f(r.coldUnmetered / r.rawStreaming)}x raw (teed compileStreaming)`,
    );
    console.log(
      `    cold, unmetered ${perMb(r.coldBuffered)} -> ${f(r.coldBuffered / r.rawStreaming)}x raw (buffered: download, check, compile the bytes)`,
    );
    console.log(
      `    cached: memory ${f(r.memory, 2)} ms; Cache Storage (new runtime) ${perMb(r.storage)} -> ` +
        `${f(r.storage / r.cold, 2)}x cold metered, ${f(r.storage / r.rawStreaming)}x raw`,
    );
  }
}

if (results) {
  console.log(`\nWASI host benchmarks (headless Chromium, medians${quick ? ', --quick' : ''})\n`);
  console.log(
    'start-up: runWasi (new worker + compile + instantiate + run to exit) vs compile+instantiate in the page',
  );
  console.log(`  floor: a trivial worker's first message ${f(results.workerFloor, 1)} ms`);
  for (const s of results.startup) {
    console.log(
      `  ${s.name.padEnd(12)} ${f(s.mb, 3).padStart(7)} MB: in page ${f(s.inPage, 1)} ms (${f(s.inPage / s.mb, 1)} ms/MB); ` +
        `runWasi(bytes) ${f(s.worker, 1)} ms (${f(s.worker / s.mb, 1)} ms/MB, ${f(s.worker / s.inPage)}x); ` +
        `runWasi(Module) ${f(s.workerModule, 1)} ms (${f(s.workerModule / s.inPage)}x); ` +
        `prewarmed runWasi(Module) ${f(s.prewarmed, 1)} ms (${f(s.prewarmed / s.inPage)}x)`,
    );
  }
  const mbps = (mib, ms) => (mib * 1.048576) / (ms / 1000);
  const so = results.stdout;
  console.log(`stdout, ${so.mib} MiB in 64 KiB writes:`);
  console.log(
    `  runWasi (worker, batched postMessage) ${f(mbps(so.mib, so.viaWorker), 0)} MB/s; host in page ${f(mbps(so.mib, so.inThread), 0)} MB/s; ` +
      `plain copy ${f(mbps(so.mib, so.plainCopy), 0)} MB/s -> worker/plain ${f(so.viaWorker / so.plainCopy)}x time, in-page/plain ${f(so.inThread / so.plainCopy)}x`,
  );
  console.log('1 MiB file copy via fd_read/fd_write (in-memory FS, host in page) vs a plain chunked copy:');
  for (const [chunk, r] of Object.entries(results.fileCopy)) {
    const marginal = Math.max(r.wasi - r.fixed, 1e-3);
    const marginalMin = Math.max(r.wasiMin - r.fixedMin, 1e-3);
    console.log(
      `  ${String(chunk).padStart(5)} B chunks: median run ${f(r.wasi, 3)} ms, empty-file run ${f(r.fixed, 3)} ms -> ` +
        `1 MiB costs ${f(marginal, 3)} ms (${f(1.048576 / (marginal / 1000), 0)} MB/s); plain copy ${f(r.plain, 3)} ms -> ${f(marginal / r.plain, 1)}x`,
    );
    console.log(
      `  ${' '.repeat(5)}   best runs: 1 MiB costs ${f(marginalMin, 3)} ms (${f(1.048576 / (marginalMin / 1000), 0)} MB/s); ` +
        `plain copy ${f(r.plainMin, 3)} ms -> ${f(marginalMin / r.plainMin, 1)}x`,
    );
  }
  const pc = results.perCall;
  console.log('per call (loop in wasm calling one import):');
  console.log(`  raw wasm->JS import  ${f(pc.loop_noop)} ns (baseline)`);
  console.log(
    `  clock_time_get       ${f(pc.loop_clock)} ns (${f(pc.loop_clock / pc.loop_noop, 1)}x; performance.now() alone ${f(pc.performanceNow)} ns -> ${f(pc.loop_clock / pc.performanceNow)}x of it)`,
  );
  console.log(`  fd_fdstat_get        ${f(pc.loop_fdstat)} ns (${f(pc.loop_fdstat / pc.loop_noop, 1)}x)`);
}
printUrl();

await browser.close();
await server.close();

// --json=path: also write the raw figures as JSON (npm run bench builds docs/BENCHMARKS.md from them).
const jsonPath = process.argv.find((a) => a.startsWith('--json='))?.slice('--json='.length);
if (jsonPath) writeFileSync(jsonPath, `${JSON.stringify({ quick, ...results, fromUrl }, null, 2)}\n`);
