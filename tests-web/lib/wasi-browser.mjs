// Opens the WASI test page in the shared headless Chromium (browser.mjs: playwright-core, system chromium).

export { launchBrowser } from './browser.mjs';

/** Opens tests-web/pages/wasi.html and waits until its module has loaded; `page.pageErrors` collects errors. */
export async function openWasiPage(browser, baseUrl) {
  const { page, log } = await browser.newPage();
  await page.goto(`${baseUrl}/tests-web/pages/wasi.html`);
  await page.waitForFunction(() => window.wasiReady === true || window.wasiLoadError, null, {
    timeout: 30000,
  });
  const loadError = await page.evaluate(() => window.wasiLoadError);
  if (loadError) throw new Error(`wasi test page failed to load: ${loadError}`);
  page.pageErrors = log.pageErrors;
  return page;
}
