// The assembled demo (dist/demo/, from scripts/build-demo.mjs) served as plain static files: the page's
// window.ugcDemo.status() reports the scene's Wasm scripts — the well-behaved ones running, the hostile one
// faulted with fuel_exhausted, the invalid one invalid — and the scene renders through WebGL (screenshot saved
// to test-results/godot-addon-demo.png and checked not to be blank).
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { launchBrowser } from './lib/browser.mjs';
import { REPO_ROOT } from './lib/godot.mjs';
import { serveStatic } from './lib/serve.mjs';

const DEMO = path.join(REPO_ROOT, 'dist', 'demo');

describe('ugc_wasm demo export (dist/demo)', () => {
  let server;
  let browser;
  let page;
  let log;
  let status;
  before(async () => {
    const build = await import('../scripts/build-demo.mjs');
    // Rebuild so the test sees the current addon and demo (cheap: a pack and some copies).
    const { spawnSync } = await import('node:child_process');
    const run = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts/build-demo.mjs')], {
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stderr);
    assert.ok(build.renderShell().includes('index.pck'));
    server = await serveStatic({ root: DEMO });
    browser = await launchBrowser();
    ({ page, log } = await browser.newPage());
    await page.setViewportSize({ width: 960, height: 540 });
    await page.goto(`${server.url}/index.html`);
    await page.waitForFunction(
      () => {
        const s = window.ugcDemo?.status();
        return s?.ready && s.scripts.length === 4 && s.scripts.every((x) => x.state !== 'loading');
      },
      null,
      { timeout: 90_000 },
    );
    // A few more frames so the HUD and tints are drawn.
    const frame = await page.evaluate(() => window.ugcDemo.status().frame);
    await page.waitForFunction((f) => window.ugcDemo.status().frame > f + 10, frame, {
      timeout: 30_000,
    });
    status = await page.evaluate(() => window.ugcDemo.status());
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('status() lists every Wasm script with its state and typed error', () => {
    assert.equal(status.ready, true);
    assert.ok(status.frame > 10);
    const byNode = Object.fromEntries(status.scripts.map((s) => [s.node, s]));
    assert.deepEqual(Object.keys(byNode).sort(), [
      '/root/Main/Avatar',
      '/root/Main/Hostile',
      '/root/Main/Invalid',
      '/root/Main/Spinner',
    ]);
    assert.equal(byNode['/root/Main/Avatar'].state, 'running');
    assert.equal(byNode['/root/Main/Avatar'].module, 'spinner.wasm');
    assert.equal(byNode['/root/Main/Avatar'].error, null);
    assert.equal(byNode['/root/Main/Spinner'].state, 'running');
    assert.equal(byNode['/root/Main/Hostile'].state, 'faulted');
    assert.equal(byNode['/root/Main/Hostile'].error.code, 'fuel_exhausted');
    assert.equal(byNode['/root/Main/Invalid'].state, 'invalid');
    assert.equal(byNode['/root/Main/Invalid'].error.code, 'validation');
  });

  test('the engine reported the failures loudly and had no script errors', () => {
    assert.ok(log.grep(/ugc_wasm: \/root\/Main\/Hostile .*fuel_exhausted/).length >= 1);
    assert.ok(log.grep(/ugc_wasm: \/root\/Main\/Invalid .*validation/).length >= 1);
    assert.deepEqual(
      log.lines.filter((l) => /SCRIPT ERROR|Parse Error|Failed to load/.test(l)),
      [],
    );
  });

  test('the scene renders through WebGL (screenshot is not blank)', async () => {
    const png = await page.screenshot({ type: 'png' });
    mkdirSync(path.join(REPO_ROOT, 'test-results'), { recursive: true });
    writeFileSync(path.join(REPO_ROOT, 'test-results', 'godot-addon-demo.png'), png);
    const stats = await page.evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.width;
      c.height = img.height;
      const ctx = c.getContext('2d');
      ctx.drawImage(img, 0, 0);
      const data = ctx.getImageData(0, 0, c.width, c.height).data;
      const colors = new Set();
      for (let i = 0; i < data.length; i += 4 * 7)
        colors.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
      return { width: c.width, height: c.height, colors: colors.size };
    }, png.toString('base64'));
    assert.equal(stats.width, 960);
    // Sky gradient, lit meshes, tints and text: far more than the few colours of an empty page.
    assert.ok(stats.colors > 200, `only ${stats.colors} distinct colours: blank render?`);
  });
});
