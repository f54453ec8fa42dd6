// The shared browser-test helpers in tests-web/lib/: static server and Chromium console capture.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { launchBrowser } from './lib/browser.mjs';
import { IMMUTABLE, serveStatic } from './lib/serve.mjs';

/** GET without URL normalisation (fetch would resolve `..` before sending). */
function rawGet(url, rawPath) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path: rawPath, method: 'GET' }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('serveStatic', () => {
  let dir;
  let server;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'ugc-serve-'));
    mkdirSync(path.join(dir, 'root'));
    mkdirSync(path.join(dir, 'pkg'));
    writeFileSync(path.join(dir, 'root', 'index.html'), '<p>root</p>');
    writeFileSync(path.join(dir, 'root', 'm.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d]));
    writeFileSync(path.join(dir, 'pkg', 'lib.mjs'), 'export {}');
    writeFileSync(path.join(dir, 'secret.txt'), 'outside');
    server = await serveStatic({
      root: path.join(dir, 'root'),
      mounts: { '/pkg/': path.join(dir, 'pkg') },
      files: { '/gen.json': '{"a":1}', '/bytes.bin': new Uint8Array([1, 2, 3]) },
    });
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('serves the root, mounts and in-memory files with the right MIME types', async () => {
    const cases = [
      ['/', 'text/html; charset=utf-8', '<p>root</p>'],
      ['/m.wasm', 'application/wasm', null],
      ['/pkg/lib.mjs', 'text/javascript; charset=utf-8', 'export {}'],
      ['/gen.json', 'application/json; charset=utf-8', '{"a":1}'],
    ];
    for (const [p, type, body] of cases) {
      const res = await fetch(server.url + p);
      assert.equal(res.status, 200, p);
      assert.equal(res.headers.get('content-type'), type, p);
      assert.equal(res.headers.get('cache-control'), 'no-store', p);
      if (body !== null) assert.equal(await res.text(), body, p);
    }
    assert.deepEqual(
      [...new Uint8Array(await (await fetch(`${server.url}/bytes.bin`)).arrayBuffer())],
      [1, 2, 3],
    );
    assert.ok(server.requests.includes('/gen.json'));
  });

  test('404 for missing files and directories, 403 for paths escaping a mount, 405 for POST', async () => {
    assert.equal((await fetch(`${server.url}/nope.js`)).status, 404);
    assert.equal((await fetch(`${server.url}/pkg/`)).status, 404);
    assert.equal((await rawGet(server.url, '/pkg/..%2f..%2fsecret.txt')).status, 403);
    assert.equal((await fetch(`${server.url}/gen.json`, { method: 'POST' })).status, 405);
  });

  test('files, mounts and per-file headers can change while it runs', async () => {
    server.setFile('/late.txt', 'late');
    server.setFile('/alias.wasm', { file: path.join(dir, 'root', 'm.wasm'), headers: IMMUTABLE });
    server.mount('/other/', path.join(dir, 'pkg'));
    assert.equal(await (await fetch(`${server.url}/late.txt`)).text(), 'late');
    const alias = await fetch(`${server.url}/alias.wasm`);
    assert.equal(alias.headers.get('cache-control'), IMMUTABLE['Cache-Control']);
    assert.equal(alias.headers.get('content-type'), 'application/wasm');
    assert.equal((await fetch(`${server.url}/other/lib.mjs`)).status, 200);
    server.deleteFile('/late.txt');
    server.unmount('/other/');
    assert.equal((await fetch(`${server.url}/late.txt`)).status, 404);
    assert.equal((await fetch(`${server.url}/other/lib.mjs`)).status, 404);
  });

  test('crossOriginIsolated sends COOP/COEP', async () => {
    const coi = await serveStatic({ files: { '/x.txt': 'x' }, crossOriginIsolated: true });
    try {
      const res = await fetch(`${coi.url}/x.txt`);
      assert.equal(res.headers.get('cross-origin-opener-policy'), 'same-origin');
      assert.equal(res.headers.get('cross-origin-embedder-policy'), 'require-corp');
    } finally {
      await coi.close();
    }
  });
});

describe('launchBrowser + PageLog', () => {
  let browser;
  let server;
  before(async () => {
    browser = await launchBrowser();
    server = await serveStatic({
      files: {
        '/page.html': `<!doctype html><script>
          console.log('first');
          console.error('bad thing');
          setTimeout(() => console.log('later ' + crossOriginIsolated), 300);
          setTimeout(() => { throw new Error('boom'); }, 400);
        </script>`,
      },
    });
  });
  after(async () => {
    await server?.close();
    await browser?.close();
  });

  test('collects console lines by type and page errors; waits for past and future lines', async () => {
    const { page, log } = await browser.newPage();
    try {
      await page.goto(`${server.url}/page.html`);
      assert.equal(await log.waitForLine(/^first$/), 'first');
      assert.equal(await log.waitForLine(/^later /, { timeout: 10_000 }), 'later false');
      await page.waitForTimeout(300);
      assert.deepEqual(log.grep(/^(first|later)/), ['first', 'later false']);
      assert.equal(log.errors[0], 'bad thing');
      assert.equal(log.pageErrors.length, 1);
      assert.match(log.pageErrors[0].message, /boom/);
    } finally {
      await page.close();
    }
  });

  test('waitForLine can fail at once on an uncaught page error instead of waiting out its timeout', async () => {
    const { page, log } = await browser.newPage();
    try {
      await page.goto(`${server.url}/page.html`);
      await assert.rejects(
        log.waitForLine(/never printed/, { timeout: 60_000, failOnPageError: true }),
        /page failed while waiting for \/never printed\/: Error: boom/,
      );
    } finally {
      await page.close();
    }
  });

  test('waitForLine rejects after its timeout, quoting the last lines', async () => {
    const { page, log } = await browser.newPage();
    try {
      await page.goto(`${server.url}/page.html`);
      await log.waitForLine(/^first$/);
      await assert.rejects(
        log.waitForLine(/never printed/, { timeout: 200 }),
        /timed out after 200 ms[\s\S]*first/,
      );
    } finally {
      await page.close();
    }
  });
});
