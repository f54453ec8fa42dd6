// www/index.html works offline once loaded: its service worker (www/playground.sw.js) keeps the page, the
// runtime (worker entries and WASI host included) and the examples; with the web server stopped, the page
// reloads, opens an example and runs it in a worker and as a WASI program.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openPlayground, pickExample, runScript } from './playground-lib.mjs';

let pg;
before(async () => {
  pg = await openPlayground();
});
after(async () => {
  assert.deepEqual(pg.pageErrors, [], 'no uncaught errors on the page');
  await pg.close();
});

test('after one visit the playground reloads and runs with its server gone', async () => {
  const { page } = pg;
  await page.waitForFunction(() => document.documentElement.dataset.offline === 'ready', null, {
    timeout: 60_000,
  });
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);

  await pg.stopServer();
  const failed = await page.evaluate(() =>
    fetch('/dist/examples/index.json?no-such-file').then(
      () => 'fetched',
      () => 'failed',
    ),
  );
  assert.equal(failed, 'fetched', 'cached entries answer while the server is gone (ignoring the query)');
  assert.equal(
    await page.evaluate(() =>
      fetch('/README.md').then(
        () => 'fetched',
        () => 'failed',
      ),
    ),
    'failed',
    'the server really is gone: an uncached file fails',
  );

  await page.reload();
  await page.waitForSelector('#status[data-state="ready"]', { timeout: 30_000 });
  await pickExample(page, 'calculator.wasm');
  await page.check('input[name="isolation"][value="worker"]');
  const run = await runScript(page);
  assert.equal(run.text, 'add(2, 3) → 5 (i32)');
  assert.equal(run.isolation, 'worker');

  await pickExample(page, 'hello.wasm');
  await page.click('#wasi-run');
  await page.waitForSelector('#wasi-status[data-state="exited"]', { timeout: 60_000 });
  assert.equal(await page.textContent('#wasi-stdout'), 'hello from wasi\n');
  await pg.shot('offline');
});
