// www/index.html, the run half for scripts: call an export with typed arguments in instance and worker
// isolation, with a fuel and memory budget, and read the result or the typed error, fuel and memory used and
// the time per call; a declared method through callMethod — only through the page's controls.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openPlayground, pickExample, pickFile, runScript } from './playground-lib.mjs';
import { REPO_ROOT } from './runtime-harness.mjs';
import { GUEST } from './runtime-fixtures.mjs';

let pg;
before(async () => {
  pg = await openPlayground();
});
after(async () => {
  assert.deepEqual(pg.pageErrors, [], 'no uncaught errors on the page');
  await pg.close();
});

async function setIsolation(page, isolation) {
  await page.check(`input[name="isolation"][value="${isolation}"]`);
}

async function setCall(page, exportName, args) {
  await page.selectOption('#export', `export:${exportName}`);
  for (const [i, value] of args.entries()) await page.fill(`#arg-${i}`, value);
}

for (const isolation of ['instance', 'worker']) {
  test(`${isolation}: an export runs with typed arguments; result, fuel, memory and time are shown`, async () => {
    const { page } = pg;
    await pickExample(page, 'calculator.wasm');
    await setIsolation(page, isolation);
    // The example's preset: add(2, 3).
    assert.equal(await page.inputValue('#arg-0'), '2');
    await page.fill('#repeat', '50');
    const add = await runScript(page);
    assert.equal(add.state, 'ok');
    assert.equal(add.text, 'add(2, 3) → 5 (i32)');
    assert.ok(add.statsShown);
    assert.match(add.fuel, /^[1-9]\d* of 10000000$/);
    assert.equal(add.memory, '65536 bytes (1 pages)');
    assert.match(
      add.time,
      /^(\d+\.\d+ (ms|µs)|below the clock’s resolution \(raise Repeat\)) \(50 calls in \d+\.\d+ ms\)$/,
    );
    assert.equal(add.isolation, isolation);

    // i64 beyond 2^53 goes through as a BigInt; several results come back typed.
    await page.fill('#repeat', '1');
    await setCall(page, 'add64', ['9007199254740993', '-1']);
    assert.equal((await runScript(page)).text, 'add64(9007199254740993, -1) → 9007199254740992 (i64)');
    await setCall(page, 'divmod', ['17', '5']);
    assert.equal((await runScript(page)).text, 'divmod(17, 5) → [3 (i32), 2 (i32)]');
    await setCall(page, 'div_f64', ['1', '4']);
    assert.equal((await runScript(page)).text, 'div_f64(1, 4) → 0.25 (f64)');

    // Growing memory under a 4-page cap: memory.grow succeeds to the cap, then returns -1.
    await page.fill('#memory-pages', '4');
    await setCall(page, 'grow', ['3']);
    assert.equal((await runScript(page)).text, 'grow(3) → 1 (i32)');
    const capped = await runScript(page);
    assert.equal(capped.text, 'grow(3) → -1 (i32)');
    assert.equal(capped.memory, '262144 bytes (4 pages)');
    await page.fill('#memory-pages', '');
    await pg.shot(`run-${isolation}`);
  });
}

for (const isolation of ['instance', 'worker']) {
  test(`${isolation}: a looping export is stopped by fuel with the typed error, then runs again`, async () => {
    const { page } = pg;
    await pickExample(page, 'hostile.wasm');
    await setIsolation(page, isolation);
    assert.equal(await page.inputValue('#arg-0'), '0.016');
    await page.fill('#fuel', '200000');
    const stopped = await runScript(page);
    assert.equal(stopped.state, 'error');
    assert.equal(stopped.code, 'fuel_exhausted');
    assert.match(stopped.text, /^fuel_exhausted _process failed: .*export _process/);
    assert.equal(stopped.memory, 'none (the module has no memory)');
    assert.equal(stopped.fuel, '200000 of 200000');
    assert.match(stopped.isolation, /faulted/);
    await pg.shot(`fuel-${isolation}`);
    // The next run resets the faulted instance first: the same typed error, not `faulted`.
    assert.equal((await runScript(page)).code, 'fuel_exhausted');
    await page.fill('#fuel', '');
  });
}

test('a trap and a bad argument are typed errors; the script keeps working after the trap', async () => {
  const { page } = pg;
  await pickExample(page, 'calculator.wasm');
  await setIsolation(page, 'instance');
  await setCall(page, 'div_i32', ['1', '0']);
  const trap = await runScript(page);
  assert.equal(trap.code, 'trap');
  assert.match(trap.text, /trap kind divide_by_zero/);
  await setCall(page, 'div_i32', ['9', 'three']);
  const bad = await runScript(page);
  assert.equal(bad.code, 'bad_argument');
  assert.match(bad.text, /argument #2 \(i32\): an integer is expected/);
  await setCall(page, 'div_i32', ['9', '3']);
  assert.equal((await runScript(page)).text, 'div_i32(9, 3) → 3 (i32)');
});

test('worker isolation: the timeout stops an endless loop that has fuel to spare', async () => {
  const { page } = pg;
  await pickExample(page, 'calculator.wasm');
  await setIsolation(page, 'worker');
  await page.fill('#fuel', String(10n ** 15n));
  await page.fill('#timeout', '300');
  await setCall(page, 'spin', []);
  const timeout = await runScript(page);
  assert.equal(timeout.code, 'timeout');
  await page.fill('#fuel', '');
  await page.fill('#timeout', '');
});

test('a module the chosen policy refuses fails to load with `validation` and its violations', async () => {
  const { page } = pg;
  await pickExample(page, 'heavy.wasm');
  await setIsolation(page, 'instance');
  assert.equal((await runScript(page)).text, 'splat_sum(7) → 7 (i32)');
  await page.check('input[name="policy"][value="strict"]');
  const refused = await runScript(page);
  assert.equal(refused.code, 'validation');
  assert.match(refused.text, /memory_too_large/);
  assert.match(refused.text, /feature_not_allowed/);
  await page.check('input[name="policy"][value="defaults"]');
});

test('ugc.log output of a call shows in the log', async () => {
  const { page } = pg;
  await pickFile(page, 'guest.wasm', GUEST);
  await setIsolation(page, 'instance');
  await setCall(page, 'hello', []);
  assert.equal((await runScript(page)).text, 'hello() → no result');
  assert.equal(await page.textContent('#run-log'), 'hello from guest');
});

const sdkBuilt = (file) =>
  existsSync(join(REPO_ROOT, 'dist', 'examples', file))
    ? {}
    : { skip: `${file} not built (bash scripts/build-guests.sh, then npm run build)` };

for (const isolation of ['instance', 'worker']) {
  test(
    `${isolation}: a declared method of an SDK script is called with Variant arguments`,
    sdkBuilt('face_driver.wasm'),
    async () => {
      const { page } = pg;
      await pickExample(page, 'face_driver.wasm');
      await setIsolation(page, isolation);
      // The example's preset selects the manifest method `express` with a Dictionary argument.
      assert.equal(await page.inputValue('#export'), 'method:express');
      await page.fill('#method-args', '[{"smile": 1, "jaw": 0.25}]');
      const run = await runScript(page);
      assert.equal(run.state, 'ok');
      assert.match(run.text, /^express\(\{"smile":1,"jaw":0\.25\}\) → \{/);
      const weights = JSON.parse(run.text.slice(run.text.indexOf('→') + 2));
      assert.equal(weights.mouthSmileLeft, 1);
      assert.equal(weights.jawOpen, 0.25);
      assert.match(run.fuel, /^[1-9]\d* of 10000000$/);
      await page.fill('#method-args', '{"smile": 1}');
      const bad = await runScript(page);
      assert.equal(bad.code, 'bad_argument');
      assert.match(bad.text, /JSON array/);
    },
  );
}
