// Headless Chromium for the WASI tests (playwright-core, system chromium; no downloads).

import { chromium } from 'playwright-core';

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchBrowser() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
}

/** Opens the WASI test page and waits until its module has loaded; page errors fail loudly. */
export async function openWasiPage(browser, baseUrl) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  await page.goto(`${baseUrl}/tests-web/pages/wasi.html`);
  await page.waitForFunction(() => window.wasiReady === true || window.wasiLoadError, null, {
    timeout: 30000,
  });
  const loadError = await page.evaluate(() => window.wasiLoadError);
  if (loadError) throw new Error(`wasi test page failed to load: ${loadError}`);
  page.pageErrors = errors;
  return page;
}
