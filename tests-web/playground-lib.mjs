// Shared by the playground tests: serve the repository, open www/ in Debian's Chromium as a visitor would,
// and helpers that act on the page through its controls (file input, example list, buttons) only.

import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser } from './lib/browser.mjs';
import { serveStatic } from './lib/serve.mjs';
import { REPO_ROOT } from './runtime-harness.mjs';

export const SCREENSHOTS = join(REPO_ROOT, 'test-results');

/** Opens the playground; `close()` also reports uncaught page errors through `pageErrors`. */
export async function openPlayground() {
  for (const file of ['dist/ugc-wasm.js', 'dist/examples/index.json']) {
    if (!existsSync(join(REPO_ROOT, file))) throw new Error(`${file} missing: run npm run build`);
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  const server = await serveStatic({ root: REPO_ROOT });
  const browser = await launchBrowser();
  const { page, log } = await browser.newPage();
  await page.setViewportSize({ width: 1440, height: 1000 });
  await page.goto(`${server.url}/www/`);
  await page.waitForSelector('#status[data-state="ready"]', { timeout: 30_000 });
  return {
    page,
    log,
    url: server.url,
    /** Stops the web server: from then on every request to it fails, as when the visitor goes offline. */
    stopServer: () => server.close(),
    pageErrors: log.pageErrors,
    /** Saves a full-page screenshot as test-results/playground-<name>.png (a CI artifact). */
    shot: (name) => page.screenshot({ path: join(SCREENSHOTS, `playground-${name}.png`), fullPage: true }),
    async close() {
      await browser.close();
      await server.close().catch(() => {});
    },
  };
}

/** Waits until the page has validated the module called `name` (the status line says so). */
export function validated(page, name) {
  return page.waitForFunction(
    (n) => document.getElementById('status').textContent === `Validated ${n}.`,
    name,
    { timeout: 30_000 },
  );
}

/** Sets a file on the <input type="file"> like a person picking it. */
export async function pickFile(page, name, bytes) {
  await page.setInputFiles('#file', { name, mimeType: 'application/wasm', buffer: Buffer.from(bytes) });
  await validated(page, name);
}

/** Chooses an example from the list (its file name, e.g. `calculator.wasm`). */
export async function pickExample(page, file) {
  await page.selectOption('#example', file);
  await validated(page, file);
}

/** The verdict heading and the violations as shown. */
export function verdict(page) {
  return page.evaluate(() => ({
    text: document.getElementById('verdict').textContent,
    ok: document.getElementById('verdict').dataset.ok,
    violations: [...document.querySelectorAll('#errors li')].map((li) => ({
      text: li.textContent.trim(),
      code: li.querySelector('code')?.textContent,
      offset: li.querySelector('button')?.dataset.offset ?? null,
    })),
  }));
}

/** Clicks Run in the script runner and returns the outcome once it settles. */
export async function runScript(page) {
  await page.click('#run');
  await page.waitForSelector('#run-result:is([data-state="ok"], [data-state="error"])', { timeout: 30_000 });
  return page.evaluate(() => {
    const result = document.getElementById('run-result');
    const text = (id) => document.getElementById(id).textContent;
    return {
      state: result.dataset.state,
      code: result.dataset.code ?? null,
      text: result.textContent,
      statsShown: !document.getElementById('run-stats').hidden,
      fuel: text('stat-fuel'),
      memory: text('stat-memory'),
      time: text('stat-time'),
      isolation: text('stat-isolation'),
    };
  });
}
