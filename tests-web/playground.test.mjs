// www/index.html, the validation half: a module picked on the file input or from the examples gets its report
// (imports with signatures, exports, limits, features, size, SHA-256, manifest), its verdict changes with the
// policy, and each violation, clicked or chosen with the keyboard, highlights its byte in the hex view.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openPlayground, pickExample, pickFile, validated, verdict } from './playground-lib.mjs';
import { REPO_ROOT, wat, withCustomSection } from './runtime-harness.mjs';
import { GUEST } from './runtime-fixtures.mjs';

const example = (file) => readFileSync(join(REPO_ROOT, 'dist', 'examples', file));

let pg;
before(async () => {
  pg = await openPlayground();
});
after(async () => {
  assert.deepEqual(pg.pageErrors, [], 'no uncaught errors on the page');
  await pg.close();
});

/** The highlighted bytes of the hex view, and whether the first is inside the scroller's viewport. */
function highlighted(page) {
  return page.evaluate(() => {
    const scroller = document.getElementById('hex-view');
    const cells = [...scroller.querySelectorAll('.byte.hl')];
    const box = scroller.getBoundingClientRect();
    const first = cells[0]?.getBoundingClientRect();
    return {
      offsets: cells.map((c) => Number(c.dataset.offset)),
      current: scroller.querySelector('[aria-current="location"]')?.dataset.offset ?? null,
      inView: first ? first.top >= box.top && first.bottom <= box.bottom : false,
      rendered: scroller.querySelectorAll('.hex-row').length,
      status: document.getElementById('hex-status').textContent,
    };
  });
}

test('the examples list offers script and WASI modules from dist/examples/index.json', async () => {
  const index = JSON.parse(readFileSync(join(REPO_ROOT, 'dist', 'examples', 'index.json'), 'utf8'));
  const options = await pg.page.$$eval('#example option', (os) => os.map((o) => o.value).filter(Boolean));
  assert.deepEqual(
    options,
    index.map((e) => e.file),
  );
  for (const file of ['calculator.wasm', 'violations.wasm', 'spinner.wasm', 'hostile.wasm', 'invalid.wasm'])
    assert.ok(options.includes(file), `${file} is listed`);
  for (const entry of index) {
    assert.match(entry.kind, /^(script|wasi)$/);
    assert.ok(entry.description.length > 10, `${entry.file} has a description`);
  }
});

test('a module set on the file input shows its report: imports, exports, limits, size, hash', async () => {
  const { page } = pg;
  await pickFile(page, 'guest.wasm', GUEST);
  const shown = await verdict(page);
  assert.equal(shown.text, 'guest.wasm: valid');
  assert.deepEqual(shown.violations, []);
  const report = await page.evaluate(() => {
    const rows = (cls) =>
      [...document.querySelectorAll(`table.${cls} tbody tr`)].map((tr) =>
        [...tr.cells].map((td) => td.textContent),
      );
    const summary = Object.fromEntries(
      [...document.querySelectorAll('#report-body .summary dt')].map((dt) => [
        dt.textContent,
        dt.nextElementSibling.textContent,
      ]),
    );
    return { imports: rows('imports'), exports: rows('exports'), memories: rows('memories'), summary };
  });
  assert.deepEqual(report.imports, [['ugc', 'log', 'func', '(i32, i32) → ()']]);
  assert.ok(report.exports.some((r) => r[0] === 'add64' && r[3] === '(i64, i64) → (i64)'));
  assert.ok(report.exports.some((r) => r[0] === 'swap' && r[3] === '(i32, f64) → (f64, i32)'));
  assert.deepEqual(report.memories, [['1 … no maximum', '1 … 1024', 'maximum capped']]);
  assert.equal(report.summary.Size, `${GUEST.length} B (${GUEST.length} bytes)`);
  assert.equal(report.summary['SHA-256'], createHash('sha256').update(GUEST).digest('hex'));
  assert.equal(report.summary['ABI version'], '1');
  await pg.shot('report');
});

test('the manifest of a script is shown: extends, properties, signals, methods', async () => {
  const { page } = pg;
  await pickExample(page, 'spinner.wasm');
  const manifest = await page.evaluate(() => ({
    title: document.getElementById('manifest-title')?.textContent,
    properties: [...document.querySelectorAll('table.properties tbody tr')].map(
      (tr) => tr.cells[0].textContent,
    ),
    signals: [...document.querySelectorAll('table.signals tbody tr')].map((tr) => tr.cells[1].textContent),
    methods: [...document.querySelectorAll('table.methods tbody tr')].map((tr) => tr.cells[0].textContent),
    text: document.querySelector('.manifest').textContent,
  }));
  assert.equal(manifest.title, 'Manifest (ugc_script)');
  assert.deepEqual(manifest.properties, ['speed', 'count', 'label', 'tint', 'offset']);
  assert.deepEqual(manifest.signals, ['on: bool']);
  assert.deepEqual(manifest.methods, ['add', 'scale', 'frames']);
  assert.match(manifest.text, /Node3D/);
  assert.match(manifest.text, /Instancingnode — one instance per node \(the default\)/);

  const shared = withCustomSection(
    withCustomSection(wat('(module (func (export "_ready")))'), 'ugc_abi', [1, 0, 0, 0]),
    'ugc_script',
    JSON.stringify({ extends: 'Node', instancing: 'shared' }),
  );
  await pickFile(page, 'shared.wasm', shared);
  assert.match(await page.textContent('.manifest'), /Instancingshared — one instance serves every node/);
});

test('every violation has its code, message and offset; clicking one highlights its byte', async () => {
  const { page } = pg;
  await pickExample(page, 'violations.wasm');
  const shown = await verdict(page);
  assert.equal(shown.text, 'violations.wasm: rejected');
  assert.deepEqual(shown.violations.map((v) => v.code).sort(), [
    'abi_version_missing',
    'import_not_allowed',
    'lifecycle_signature_mismatch',
    'memory_too_large',
    'reserved_name',
  ]);
  for (const v of shown.violations) {
    assert.match(v.text, new RegExp(`^${v.code} .+ \\(offset ${v.offset}\\)$`));
  }
  const reserved = shown.violations.find((v) => v.code === 'reserved_name');
  await page.click(`#errors button[data-offset="${reserved.offset}"]`);
  const hl = await highlighted(page);
  assert.deepEqual(hl.offsets, [Number(reserved.offset)]);
  assert.equal(hl.current, reserved.offset);
  assert.ok(hl.inView, 'the highlighted byte is scrolled into view');
  assert.match(hl.status, new RegExp(`^reserved_name at offset ${reserved.offset} .*export section`));
  // The validator points at the export entry: the name's length, then the reserved name itself.
  const bytes = example('violations.wasm');
  const at = Number(reserved.offset);
  assert.equal(bytes[at], '__ugc_fuel'.length);
  assert.equal(new TextDecoder().decode(bytes.subarray(at + 1, at + 11)), '__ugc_fuel');
  await pg.shot('violation-highlight');
});

test('violations are reachable and operable with the keyboard alone', async () => {
  const { page } = pg;
  await pickExample(page, 'violations.wasm');
  const target = (await verdict(page)).violations.find((v) => v.code === 'memory_too_large');
  await page.focus('#example');
  let focused = null;
  for (let i = 0; i < 30 && focused !== target.offset; i++) {
    await page.keyboard.press('Tab');
    focused = await page.evaluate(() => document.activeElement?.dataset?.offset ?? null);
  }
  assert.equal(focused, target.offset, 'Tab reaches the violation');
  await page.keyboard.press('Enter');
  assert.deepEqual((await highlighted(page)).offsets, [Number(target.offset)]);
  // The hex view itself takes focus and scrolls with the keyboard.
  await page.focus('#hex-view');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'hex-view');
});

test('the verdict changes with the policy: defaults, strict, WASI service', async () => {
  const { page } = pg;
  await pickExample(page, 'heavy.wasm');
  assert.equal((await verdict(page)).text, 'heavy.wasm: valid');
  // Changing the policy re-validates at once (the radio's change handler).
  await page.check('input[name="policy"][value="strict"]');
  const strict = await verdict(page);
  assert.equal(strict.text, 'heavy.wasm: rejected');
  assert.deepEqual(strict.violations.map((v) => v.code).sort(), ['feature_not_allowed', 'memory_too_large']);
  await pg.shot('policy-strict');
  await page.check('input[name="policy"][value="defaults"]');
  assert.equal((await verdict(page)).text, 'heavy.wasm: valid');

  // A script is refused by the WASI profile for its `ugc` import; a WASI program by the script profile.
  await pickExample(page, 'calculator.wasm');
  await page.check('input[name="policy"][value="wasi"]');
  const wasi = await verdict(page);
  assert.equal(wasi.text, 'calculator.wasm: rejected');
  assert.ok(wasi.violations.some((v) => v.code === 'import_not_allowed' && /`ugc`\.`log`/.test(v.text)));
});

test('a WASI program opens under the WASI policy; the script policy refuses its imports', async () => {
  const { page } = pg;
  const index = JSON.parse(readFileSync(join(REPO_ROOT, 'dist', 'examples', 'index.json'), 'utf8'));
  const wasi = index.find((e) => e.kind === 'wasi');
  assert.ok(wasi, 'a WASI example is built (bash scripts/build-wasi-tests.sh)');
  await pickExample(page, wasi.file);
  assert.equal(await page.$eval('input[name="policy"]:checked', (i) => i.value), 'wasi');
  assert.equal((await verdict(page)).ok, 'true');
  assert.equal(await page.isVisible('#run-wasi'), true);
  assert.equal(await page.isVisible('#run-script'), false);
  await page.check('input[name="policy"][value="defaults"]');
  const refused = await verdict(page);
  assert.equal(refused.ok, 'false');
  assert.ok(refused.violations.every((v) => v.code === 'import_not_allowed'));
});

test('a large module renders only the visible rows; go to offset scrolls there', async () => {
  const { page } = pg;
  const index = JSON.parse(readFileSync(join(REPO_ROOT, 'dist', 'examples', 'index.json'), 'utf8'));
  const big = index.reduce((a, b) => (b.size > a.size ? b : a));
  assert.ok(big.size > 50_000, `the largest example (${big.file}) has thousands of rows`);
  await pickExample(page, big.file);
  const offset = big.size - 5;
  await page.fill('#goto-offset', `0x${offset.toString(16)}`);
  await page.press('#goto-offset', 'Enter');
  const hl = await highlighted(page);
  assert.deepEqual(hl.offsets, [offset]);
  assert.ok(hl.inView);
  assert.ok(
    hl.rendered < 80,
    `only the visible window is rendered (${hl.rendered} of ${big.size / 16} rows)`,
  );
  await pg.shot('hex-large');
  await page.fill('#goto-offset', String(big.size + 10));
  await page.press('#goto-offset', 'Enter');
  assert.match((await highlighted(page)).status, /not an offset inside the module/);
});

test('bytes that are not a module: rejected as malformed, no report, the bytes still shown', async () => {
  const { page } = pg;
  const garbage = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x0a, 0xff, 0xff]);
  await pickFile(page, 'garbage.wasm', garbage);
  const shown = await verdict(page);
  assert.equal(shown.text, 'garbage.wasm: rejected');
  assert.equal(shown.violations[0].code, 'malformed');
  assert.equal(await page.textContent('#report'), '(no report)');
  assert.equal(await page.$$eval('#hex-view .byte', (cells) => cells.length), garbage.length);
});

test('a file dropped on the drop zone is validated like a picked one', async () => {
  const { page } = pg;
  await pickExample(page, 'calculator.wasm');
  const bytes = Array.from(example('invalid.wasm'));
  await page.evaluate((data) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([new Uint8Array(data)], 'dropped.wasm', { type: 'application/wasm' }));
    const zone = document.getElementById('drop');
    zone.dispatchEvent(
      new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }),
    );
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }, bytes);
  await validated(page, 'dropped.wasm');
  const shown = await verdict(page);
  assert.equal(shown.text, 'dropped.wasm: rejected');
  assert.deepEqual(
    shown.violations.map((v) => v.code),
    ['import_not_allowed'],
  );
  assert.equal(await page.inputValue('#example'), '', 'the example choice is cleared');
});

test('a module taller than the browser allows (9 MB) still scrolls to any offset', async () => {
  const { page } = pg;
  // A custom section carrying 9 MB: 590k rows, more than fit an element's height, so positions are scaled.
  const payload = new Uint8Array(9 * 1024 * 1024).fill(0x41);
  const bytes = withCustomSection(wat('(module (func (export "f")))'), 'blob', payload);
  await pickFile(page, 'huge.wasm', bytes);
  const shown = await verdict(page);
  assert.equal(shown.text, 'huge.wasm: rejected');
  assert.ok(shown.violations.some((v) => v.code === 'custom_sections_too_large'));
  for (const offset of [bytes.length - 1, Math.floor(bytes.length / 2), 3]) {
    await page.fill('#goto-offset', String(offset));
    await page.press('#goto-offset', 'Enter');
    const hl = await highlighted(page);
    assert.deepEqual(hl.offsets, [offset]);
    assert.ok(hl.inView, `offset ${offset} is in view`);
    assert.ok(hl.rendered < 80);
  }
});

test('every visible control has an accessible name', async () => {
  const { page } = pg;
  const unnamed = () =>
    page.evaluate(() =>
      [...document.querySelectorAll('input, select, textarea, button, [tabindex]')]
        .filter((el) => el.offsetParent !== null || el.getClientRects().length > 0)
        .filter(
          (el) =>
            !(
              el.labels?.length ||
              el.getAttribute('aria-label') ||
              el.getAttribute('aria-labelledby') ||
              (el.tagName === 'BUTTON' && el.textContent.trim())
            ),
        )
        .map((el) => el.id || el.outerHTML.slice(0, 80)),
    );
  await pickExample(page, 'calculator.wasm');
  assert.deepEqual(await unnamed(), [], 'script module');
  const wasi = JSON.parse(readFileSync(join(REPO_ROOT, 'dist', 'examples', 'index.json'), 'utf8')).find(
    (e) => e.file === 'copy.wasm',
  );
  if (wasi) {
    await pickExample(page, wasi.file);
    assert.deepEqual(await unnamed(), [], 'WASI program with a file row');
  }
});
