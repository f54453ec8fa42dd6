// rt.fetchModule / rt.runWasi({ url }) through dist/ugc-wasm.js in headless Chromium: a streamed download
// with progress, the SHA-256 check, the in-memory and Cache Storage caches (the server counts requests to
// prove a cached start does not fetch), the streaming-compile path without metering, and typed errors.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, wat } from './runtime-harness.mjs';
import { launchBrowser } from './lib/browser.mjs';
import { serveStatic } from './lib/serve.mjs';

const PROGRAMS = join(REPO_ROOT, 'guest/wasi-tests/target/wasm32-wasip1/release');
const CMARK = join(
  REPO_ROOT,
  'guest/wasi-tests/target/third-party/pulldown-cmark-0.13.0/bin/pulldown-cmark.wasm',
);
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

let server;
let slow; // a second origin that sends a module (cmark, or echo under /echo…) in 8 pieces, 30 ms apart (deterministic progress)
let slowUrl;
let browser;
let page;
let hello;
let echo;

const count = (path) => server.requests.filter((p) => p === path).length;

async function openPage() {
  const { page: p } = await browser.newPage();
  await p.goto(`${server.url}/www/bench/blank.html`);
  await p.evaluate(async () => {
    window.ugc = await import('/dist/ugc-wasm.js');
    window.rt = await window.ugc.createRuntime();
    window.attempt = async (fn) => {
      try {
        return { value: await fn() };
      } catch (error) {
        const { code, name, message, status, expected, actual, errors } = error;
        return { error: { code, name, message, status, expected, actual, errors } };
      }
    };
    window.text = (u8) => new TextDecoder().decode(u8);
    // A fetched handle as plain data.
    window.describe = (m) => ({
      sha256: m.sha256,
      size: m.size,
      metered: m.metered,
      source: m.source,
      streamingCompile: m.streamingCompile,
      isModule: m.module instanceof WebAssembly.Module,
    });
  });
  return p;
}

before(async () => {
  execFileSync('bash', ['scripts/build-wasi-tests.sh'], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (!existsSync(join(REPO_ROOT, 'dist', 'ugc-wasm.js')))
    throw new Error('dist/ missing: run npm run build');
  hello = readFileSync(join(PROGRAMS, 'hello.wasm'));
  echo = readFileSync(join(PROGRAMS, 'echo.wasm'));
  const corrupted = Uint8Array.from(echo);
  corrupted[corrupted.length - 10] ^= 0xff;
  server = await serveStatic({
    root: REPO_ROOT,
    files: {
      '/mods/hello.wasm': hello,
      '/mods/hello-copy.wasm': hello,
      '/mods/echo-corrupted.wasm': corrupted,
      '/mods/echo.wasm': echo,
      '/mods/random.wasm': readFileSync(join(PROGRAMS, 'random.wasm')),
      '/mods/cmark.wasm': { file: CMARK },
      '/mods/refused.wasm': wat(`(module (import "env" "system" (func)) (memory (export "memory") 1)
        (func (export "_start")))`),
    },
  });
  const cmark = readFileSync(CMARK);
  slow = createServer(async (req, res) => {
    const body = req.url.startsWith('/echo') ? echo : cmark;
    res.writeHead(200, {
      'Content-Type': 'application/wasm',
      'Content-Length': body.length,
      'Access-Control-Allow-Origin': '*',
      'Cache-Control': 'no-store',
    });
    const piece = Math.ceil(body.length / 8);
    for (let at = 0; at < body.length; at += piece) {
      res.write(body.subarray(at, at + piece));
      await new Promise((ok) => setTimeout(ok, 30));
    }
    res.end();
  });
  await new Promise((ok) => slow.listen(0, '127.0.0.1', ok));
  slowUrl = `http://127.0.0.1:${slow.address().port}/cmark.wasm`;
  browser = await launchBrowser();
  page = await openPage();
});
after(async () => {
  await browser?.close();
  await server?.close();
  slow?.closeAllConnections();
  slow?.close();
});

describe('rt.fetchModule', () => {
  test('a cold start downloads once with progress; the second start fetches nothing', async () => {
    const r = await page.evaluate(async () => {
      const first = await window.rt.fetchModule('/mods/cmark.wasm');
      const second = await window.rt.fetchModule('/mods/cmark.wasm');
      const run = await window.rt.runWasi(second, { args: ['pulldown-cmark'], stdin: '# Title\n' });
      return {
        first: window.describe(first),
        second: window.describe(second),
        stdout: window.text(run.stdout),
        metered: run.fuelApplied,
        stats: window.rt.wasiModuleStats(),
      };
    });
    const size = readFileSync(CMARK).length;
    assert.equal(r.first.source, 'network');
    assert.equal(r.first.size, size);
    assert.equal(r.first.sha256, sha256(readFileSync(CMARK)));
    assert.equal(r.first.metered, true);
    assert.equal(r.second.source, 'memory');
    assert.equal(r.stdout, '<h1>Title</h1>\n');
    assert.equal(r.metered, true, 'the fetched module was prepared with fuel metering');
    assert.equal(count('/mods/cmark.wasm'), 1, 'the second start did not fetch');
    assert.deepEqual(r.stats, { downloads: 1, memoryHits: 1, storageHits: 0 });
  });

  test('progress follows Content-Length and the chunks as they arrive', async () => {
    const events = await page.evaluate(async (url) => {
      const events = [];
      await window.rt.fetchModule(url, { onProgress: (p) => events.push(p), persist: false });
      return events;
    }, slowUrl);
    const size = readFileSync(CMARK).length;
    const downloads = events.filter((e) => e.phase === 'download');
    assert.ok(downloads.length >= 5, `one event per piece (8 sent 30 ms apart), got ${downloads.length}`);
    assert.ok(
      downloads.every((e) => e.total === size && e.url === slowUrl),
      'total from Content-Length',
    );
    const loaded = downloads.map((e) => e.loaded);
    assert.deepEqual(
      loaded,
      [...loaded].sort((a, b) => a - b),
      'loaded only grows',
    );
    assert.equal(loaded[0], 0);
    assert.equal(loaded.at(-1), size);
    const phases = [...new Set(events.map((e) => e.phase))];
    assert.deepEqual(phases, ['download', 'validate', 'prepare', 'compile', 'done']);
  });

  test('a new runtime and a reloaded page start from Cache Storage without fetching', async () => {
    const before = count('/mods/cmark.wasm');
    const fresh = await page.evaluate(async () => {
      const rt2 = await window.ugc.createRuntime();
      const m = await rt2.fetchModule('/mods/cmark.wasm');
      const run = await rt2.runWasi(m, { args: ['pulldown-cmark'], stdin: '*x*' });
      return { m: window.describe(m), stdout: window.text(run.stdout), stats: rt2.wasiModuleStats() };
    });
    assert.equal(fresh.m.source, 'cache');
    assert.equal(fresh.stdout, '<p><em>x</em></p>\n');
    assert.deepEqual(fresh.stats, { downloads: 0, memoryHits: 0, storageHits: 1 });
    const reloaded = await openPage();
    try {
      const m = await reloaded.evaluate(async () =>
        window.describe(await window.rt.fetchModule('/mods/cmark.wasm')),
      );
      assert.equal(m.source, 'cache');
      assert.equal(m.metered, true);
    } finally {
      await reloaded.close();
    }
    assert.equal(count('/mods/cmark.wasm'), before, 'no request after the first download');
  });

  test('a known sha256 is served by content, whatever the URL', async () => {
    const r = await page.evaluate(async (hash) => {
      const a = await window.rt.fetchModule('/mods/hello.wasm', { sha256: hash });
      const b = await window.rt.fetchModule('/mods/hello-copy.wasm', { sha256: hash.toUpperCase() });
      const out = await window.rt.runWasi(b, { args: ['hello'] });
      return { a: window.describe(a), b: window.describe(b), stdout: window.text(out.stdout) };
    }, sha256(hello));
    assert.equal(r.a.source, 'network');
    assert.equal(r.b.source, 'memory');
    assert.equal(r.stdout, 'hello from wasi\n');
    assert.equal(count('/mods/hello.wasm'), 1);
    assert.equal(count('/mods/hello-copy.wasm'), 0, 'the content was known: nothing fetched');
  });

  test('an abort during the download is a typed error', async () => {
    const r = await page.evaluate(
      (url) =>
        window.attempt(() => {
          const controller = new AbortController();
          return window.rt.fetchModule(url, {
            signal: controller.signal,
            persist: false,
            refresh: true,
            onProgress: (p) => p.loaded > 0 && controller.abort(),
          });
        }),
      slowUrl,
    );
    assert.equal(r.error?.code, 'aborted', JSON.stringify(r));
  });

  test('concurrent starts of one URL share a single download', async () => {
    const r = await page.evaluate(async () => {
      const all = await Promise.all([1, 2, 3].map(() => window.rt.fetchModule('/mods/random.wasm')));
      return all.map((m) => m.module === all[0].module);
    });
    assert.deepEqual(r, [true, true, true]);
    assert.equal(count('/mods/random.wasm'), 1);
  });

  test('a corrupted download is sha256_mismatch and is not cached', async () => {
    const good = sha256(echo);
    const r = await page.evaluate(
      (hash) => window.attempt(() => window.rt.fetchModule('/mods/echo-corrupted.wasm', { sha256: hash })),
      good,
    );
    assert.equal(r.error?.code, 'sha256_mismatch', JSON.stringify(r));
    assert.equal(r.error.name, 'WasiRunError');
    assert.equal(r.error.expected, good);
    assert.notEqual(r.error.actual, good);
    // Nothing was recorded: the good content is downloaded from its own URL.
    const ok = await page.evaluate(
      async (hash) => window.describe(await window.rt.fetchModule('/mods/echo.wasm', { sha256: hash })),
      good,
    );
    assert.equal(ok.source, 'network');
    const again = await page.evaluate(
      (hash) =>
        window.attempt(() =>
          window.rt.fetchModule('/mods/echo-corrupted.wasm', { sha256: hash, refresh: true }),
        ),
      'ab'.repeat(32),
    );
    assert.equal(again.error?.code, 'sha256_mismatch');
  });

  test('HTTP errors, refused modules and bad options are typed errors', async () => {
    const r = await page.evaluate(async () => ({
      missing: await window.attempt(() => window.rt.fetchModule('/mods/nope.wasm')),
      refused: await window.attempt(() => window.rt.fetchModule('/mods/refused.wasm')),
      refusedAgain: await window.attempt(() => window.rt.fetchModule('/mods/refused.wasm')),
      badHash: await window.attempt(() => window.rt.fetchModule('/mods/hello.wasm', { sha256: 'xyz' })),
      bareModule: await window.attempt(async () =>
        window.rt.runWasi(await WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]))),
      ),
    }));
    assert.equal(r.missing.error?.code, 'fetch_failed');
    assert.equal(r.missing.error.status, 404);
    assert.equal(r.refused.error?.code, 'validation');
    assert.ok(r.refused.error.errors.some((e) => e.code === 'import_not_allowed'));
    assert.equal(r.refusedAgain.error?.code, 'validation');
    assert.equal(count('/mods/refused.wasm'), 2, 'a refused module is not cached');
    assert.equal(r.badHash.error?.code, 'invalid_option');
    assert.equal(r.bareModule.error?.code, 'bad_argument', 'a bare Module never skips validation');
  });

  test("a download over the wasi policy's max_module_size is too_large, and never fully read", async () => {
    const r = await page.evaluate(async () => {
      const small = await window.ugc.createRuntime({ wasiPolicy: { max_module_size: 1024 } });
      return window.attempt(() => small.fetchModule('/mods/cmark.wasm', { refresh: true, persist: false }));
    });
    assert.equal(r.error?.code, 'too_large', JSON.stringify(r));
    assert.match(r.error.message, /1024/);
  });

  test('without metering the response is compiled while it streams; fuel is refused', async () => {
    const r = await page.evaluate(async () => {
      const m = await window.rt.fetchModule('/mods/echo.wasm', { metering: false, refresh: true });
      const p = window.rt.spawnWasi(m, { args: ['echo'], stdin: 'streamed\n' });
      p.closeStdin();
      const chunks = [];
      for await (const c of p.stdout) chunks.push(window.text(c));
      const code = await p.exited;
      const fuel = await window.attempt(async () => window.rt.spawnWasi(m, { fuel: 1000 }));
      return { m: window.describe(m), out: chunks.join(''), code, fuel };
    });
    assert.equal(r.m.metered, false);
    assert.equal(r.m.streamingCompile, true, 'compileStreaming on the teed response');
    assert.equal(r.out, '1: STREAMED\n');
    assert.equal(r.code, 0);
    assert.equal(r.fuel.error?.code, 'bad_argument');
  });

  test('spawnWasi({ url }) returns at once; stdin is queued until the module arrives', async () => {
    const r = await page.evaluate(
      async (url) => {
        const phases = [];
        const p = window.rt.spawnWasi(
          { url },
          { args: ['echo'], onProgress: (e) => phases.push(e.phase), timeoutMs: null },
        );
        const modeBefore = p.stdinMode;
        p.write('queued\n');
        p.closeStdin();
        const chunks = [];
        for await (const c of p.stdout) chunks.push(window.text(c));
        const code = await p.exited;
        const missing = window.rt.spawnWasi({ url: '/mods/missing.wasm' }, {});
        const missingOut = [];
        for await (const c of missing.stdout) missingOut.push(c);
        const killed = window.rt.spawnWasi({ url: '/mods/cmark.wasm', refresh: true }, {});
        killed.kill();
        const outcome = async (promise) =>
          promise.then(
            (v) => ({ value: v }),
            (e) => ({ code: e.code }),
          );
        return {
          modeBefore,
          modeAfter: p.stdinMode,
          out: chunks.join(''),
          code,
          phases: [...new Set(phases)],
          missing: await outcome(missing.exited),
          missingOut: missingOut.length,
          killed: await outcome(killed.exited),
        };
      },
      slowUrl.replace('cmark', 'echo'),
    );
    assert.equal(r.modeBefore, null);
    assert.equal(r.modeAfter, 'messages', 'not cross-origin isolated: JSPI');
    assert.equal(r.out, '1: QUEUED\n');
    assert.equal(r.code, 0);
    assert.deepEqual(r.phases, ['download', 'validate', 'prepare', 'compile', 'done']);
    assert.deepEqual(r.missing, { code: 'fetch_failed' });
    assert.equal(r.missingOut, 0, 'the streams just close');
    assert.deepEqual(r.killed, { code: 'killed' });
  });

  test('runWasi({ url, sha256 }) fetches, checks and runs in one call', async () => {
    const r = await page.evaluate(async (hash) => {
      const phases = [];
      const out = await window.rt.runWasi(
        { url: '/mods/hello.wasm', sha256: hash },
        { args: ['hello'], onProgress: (p) => phases.push(p.phase) },
      );
      const wrong = await window.attempt(() =>
        window.rt.runWasi({ url: '/mods/echo-corrupted.wasm', sha256: hash, refresh: true }, {}),
      );
      return { stdout: window.text(out.stdout), phases, wrong };
    }, sha256(hello));
    assert.equal(r.stdout, 'hello from wasi\n');
    assert.deepEqual(r.phases, ['done'], 'already in memory: no download, just done');
    assert.equal(r.wrong.error?.code, 'sha256_mismatch');
  });
});
