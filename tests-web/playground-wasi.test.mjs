// www/index.html, the run half for WASI programs: args, env, stdin sent at start and typed live, text files
// added in the form; stdout/stderr stream in while the program runs; exit code and the resulting files.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openPlayground, pickExample } from './playground-lib.mjs';
import { REPO_ROOT } from './runtime-harness.mjs';

const index = JSON.parse(readFileSync(join(REPO_ROOT, 'dist', 'examples', 'index.json'), 'utf8'));
const built = (file) => index.some((e) => e.file === file);
const needs = (file) =>
  built(file) ? {} : { skip: `${file} not built (bash scripts/build-wasi-tests.sh, then npm run build)` };

let pg;
before(async () => {
  pg = await openPlayground();
});
after(async () => {
  assert.deepEqual(pg.pageErrors, [], 'no uncaught errors on the page');
  await pg.close();
});

/** Clicks Run and waits for the program to end; returns the status, exit code and both streams. */
async function runToEnd(page) {
  await page.click('#wasi-run');
  return settled(page);
}

async function settled(page) {
  await page.waitForSelector(
    '#wasi-status:is([data-state="exited"], [data-state="failed"], [data-state="error"])',
    {
      timeout: 60_000,
    },
  );
  return page.evaluate(() => {
    const status = document.getElementById('wasi-status');
    return {
      state: status.dataset.state,
      code: status.dataset.code ?? null,
      exitCode: status.dataset.exitCode ?? null,
      text: status.textContent,
      stdout: document.getElementById('wasi-stdout').textContent,
      stderr: document.getElementById('wasi-stderr').textContent,
    };
  });
}

test(
  'args and env reach the program; its output and exit code are shown',
  needs('args_env.wasm'),
  async () => {
    const { page } = pg;
    await pickExample(page, 'args_env.wasm');
    await page.fill('#wasi-args', 'prog\nfirst arg\nsecond');
    await page.fill('#wasi-env', 'GREETING=hello playground\nLANG=C');
    const run = await runToEnd(page);
    assert.equal(run.state, 'exited');
    assert.equal(run.exitCode, '0');
    assert.match(run.stdout, /^arg 0 prog\narg 1 first arg\narg 2 second\n/);
    assert.match(run.stdout, /env GREETING=hello playground\n/);
    assert.match(run.stdout, /env LANG=C\n/);
  },
);

test('a non-zero exit code is reported with both streams', needs('exit_code.wasm'), async () => {
  const { page } = pg;
  await pickExample(page, 'exit_code.wasm');
  await page.fill('#wasi-args', 'exit_code\n7');
  const run = await runToEnd(page);
  assert.equal(run.state, 'failed');
  assert.equal(run.exitCode, '7');
  assert.match(run.text, /^Exited with code 7/);
  assert.equal(run.stdout, 'exiting with 7\n');
  assert.equal(run.stderr, 'bye\n');
});

test(
  'stdin: the text given at start, then lines typed while it runs, stream back',
  needs('echo.wasm'),
  async () => {
    const { page } = pg;
    await pickExample(page, 'echo.wasm');
    await page.fill('#wasi-stdin', 'first line\n');
    await page.check('#wasi-keep-stdin');
    await page.click('#wasi-run');
    // Output arrives while the program still runs (it waits for more stdin).
    await page.waitForFunction(
      () => document.getElementById('wasi-stdout').textContent === '1: FIRST LINE\n',
    );
    assert.equal(await page.getAttribute('#wasi-status', 'data-state'), 'running');
    await page.fill('#wasi-line', 'typed live');
    await page.press('#wasi-line', 'Enter');
    await page.waitForFunction(() =>
      document.getElementById('wasi-stdout').textContent.includes('2: TYPED LIVE\n'),
    );
    await pg.shot('wasi-streaming');
    await page.click('#wasi-eof');
    const run = await settled(page);
    assert.equal(run.exitCode, '0');
    assert.equal(run.stdout, '1: FIRST LINE\n2: TYPED LIVE\n');
    assert.equal(run.stderr, 'eof after 2 lines\n');
    await page.uncheck('#wasi-keep-stdin');
  },
);

test('Kill stops a program waiting for stdin, with the typed error', needs('echo.wasm'), async () => {
  const { page } = pg;
  await pickExample(page, 'echo.wasm');
  await page.check('#wasi-keep-stdin');
  await page.click('#wasi-run');
  await page.waitForFunction(() =>
    document.getElementById('wasi-stdout').textContent.includes('2: PLAYGROUND'),
  );
  await page.click('#wasi-kill');
  const run = await settled(page);
  assert.equal(run.state, 'error');
  assert.equal(run.code, 'killed');
  await page.uncheck('#wasi-keep-stdin');
});

test(
  'a text file added in the form is read; the files it writes are listed',
  needs('copy.wasm'),
  async () => {
    const { page } = pg;
    await pickExample(page, 'copy.wasm');
    // Replace the preset's file with one added through the form.
    await page.click('.file-remove');
    await page.click('#wasi-add-file');
    await page.fill('.file-path', '/work/notes.txt');
    await page.fill('.file-content', 'written in the playground\nsecond line\n');
    await page.fill('#wasi-args', 'copy\n/work/notes.txt\n/work/copy.txt');
    const run = await runToEnd(page);
    assert.equal(run.exitCode, '0');
    assert.equal(run.stdout, 'copied 38\n');
    const files = await page.$$eval('table.files-out tbody tr', (rows) =>
      rows.map((tr) => [...tr.cells].slice(0, 4).map((td) => td.textContent)),
    );
    assert.deepEqual(files, [
      ['/work/copy.txt', 'new', '38 B', 'written in the playground\nsecond line\n'],
      ['/work/notes.txt', 'unchanged', '38 B', 'written in the playground\nsecond line\n'],
    ]);
    await pg.shot('wasi-files');
  },
);

test('a third-party program renders Markdown from stdin', needs('pulldown-cmark.wasm'), async () => {
  const { page } = pg;
  await pickExample(page, 'pulldown-cmark.wasm');
  await page.fill('#wasi-stdin', '# Title\n\nSome *emphasis*.\n');
  const run = await runToEnd(page);
  assert.equal(run.exitCode, '0');
  assert.equal(run.stdout, '<h1>Title</h1>\n<p>Some <em>emphasis</em>.</p>\n');
});

test('a fuel budget too small stops the program with fuel_exhausted', needs('hello.wasm'), async () => {
  const { page } = pg;
  await pickExample(page, 'hello.wasm');
  await page.fill('#wasi-fuel', '1000');
  const run = await runToEnd(page);
  assert.equal(run.state, 'error');
  assert.equal(run.code, 'fuel_exhausted');
  await page.fill('#wasi-fuel', '');
  assert.equal((await runToEnd(page)).stdout, 'hello from wasi\n');
});

test(
  'a memory cap below what the program declares refuses it with `validation`',
  needs('hello.wasm'),
  async () => {
    const { page } = pg;
    await pickExample(page, 'hello.wasm');
    await page.fill('#wasi-memory-pages', '8');
    const refused = await runToEnd(page);
    assert.equal(refused.code, 'validation');
    assert.match(refused.text, /memory_too_large/);
    await page.fill('#wasi-memory-pages', '64');
    const run = await runToEnd(page);
    assert.equal(run.exitCode, '0');
    assert.equal(run.stdout, 'hello from wasi\n');
    await page.fill('#wasi-memory-pages', '');
  },
);
