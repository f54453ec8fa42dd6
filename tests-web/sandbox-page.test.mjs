// www/sandbox.html as a person sees it: the well-behaved script keeps counting while the hostile ones are
// stopped (fuel on the main thread, timeout in the worker) and reset, again and again.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser } from './lib/browser.mjs';
import { serveStatic } from './lib/serve.mjs';
import { REPO_ROOT } from './runtime-harness.mjs';

let server;
let browser;

before(async () => {
  assert.ok(existsSync(join(REPO_ROOT, 'dist', 'ugc-wasm.js')), 'dist/ missing: run npm run build');
  server = await serveStatic({ root: REPO_ROOT });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test('a hostile script is stopped within its fuel while another keeps running', async () => {
  const { page, log } = await browser.newPage();
  await page.goto(`${server.url}/www/sandbox.html`);
  await page.waitForFunction(
    () => window.sandbox && window.sandbox.spinnerStops >= 5 && window.sandbox.workerStops >= 2,
    null,
    { timeout: 30_000 },
  );
  const s = await page.evaluate(() => ({ ...window.sandbox }));
  assert.equal(s.failure, null);
  assert.equal(s.spinnerLastError, 'fuel_exhausted');
  assert.equal(s.workerLastError, 'timeout');
  // The counter ran on every frame, hostile neighbours or not.
  assert.equal(s.counter, s.frames);
  assert.ok(s.frames >= s.spinnerStops);
  assert.equal(await page.textContent('#spinner [data-field="error"]'), 'fuel_exhausted');
  assert.equal(await page.textContent('#counter [data-field="state"]'), 'running');
  mkdirSync(join(REPO_ROOT, 'test-results'), { recursive: true });
  await page.screenshot({ path: join(REPO_ROOT, 'test-results', 'sandbox.png'), fullPage: true });
  assert.deepEqual(log.pageErrors, []);
});
