// www/index.html: picking a .wasm file shows the validator's verdict, errors and report.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openRuntimePage } from './runtime-harness.mjs';
import { FORBIDDEN_IMPORT, GUEST } from './runtime-fixtures.mjs';

let harness;
before(async () => {
  harness = await openRuntimePage();
  await harness.page.goto(`${harness.url}/www/`);
  await harness.page.waitForSelector('#status[data-state="ready"]');
});
after(async () => {
  assert.deepEqual(harness.pageErrors, [], 'no uncaught errors on the page');
  await harness.close();
});

async function pick(name, bytes) {
  const { page } = harness;
  await page.setInputFiles('#file', { name, mimeType: 'application/wasm', buffer: Buffer.from(bytes) });
  await page.waitForFunction(
    (n) => document.getElementById('status').textContent === `Validated ${n}.`,
    name,
  );
  return page.evaluate(() => ({
    verdict: document.getElementById('verdict').textContent,
    ok: document.getElementById('verdict').dataset.ok,
    errors: [...document.querySelectorAll('#errors li')].map((li) => li.textContent),
    report: JSON.parse(document.getElementById('report').textContent),
  }));
}

test('a valid module shows "valid", no errors and its report', async () => {
  const shown = await pick('guest.wasm', GUEST);
  assert.equal(shown.verdict, 'guest.wasm: valid');
  assert.equal(shown.ok, 'true');
  assert.deepEqual(shown.errors, []);
  assert.match(shown.report.sha256, /^[0-9a-f]{64}$/);
});

test('a refused module shows "rejected" and each error with its code', async () => {
  const shown = await pick('forbidden.wasm', FORBIDDEN_IMPORT);
  assert.equal(shown.verdict, 'forbidden.wasm: rejected');
  assert.equal(shown.ok, 'false');
  assert.ok(shown.errors.length >= 1);
  assert.match(shown.errors[0], /^[a-z][a-z0-9_]* /);
});
