// The assembled demo (dist/demo/, from scripts/build-demo.mjs) served as plain static files: the page's
// window.ugcDemo.status() reports the scene's few hundred Wasm scripts (the SDK's examples) — all running, the
// hostile one faulted with fuel_exhausted, the invalid one invalid — the crowd keeps moving (the batch keeps
// flowing, consecutive frames differ) and the scene renders through WebGL (screenshot saved to
// test-results/godot-addon-demo.png and checked not to be blank).
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { launchBrowser } from './lib/browser.mjs';
import { REPO_ROOT } from './lib/godot.mjs';
import { serveStatic } from './lib/serve.mjs';

const DEMO = path.join(REPO_ROOT, 'dist', 'demo');
/** The plaza's scripts (demo/plaza.gd: 12 × 20 avatars, 40 spinners, 12 switches; face, sphere). */
const PLAZA = 12 * 20 + 40 + 12 + 24 + 2;
/** Plus the hostile and the invalid pillar; other parts of the game may add scenes with scripts of their own. */
const SCRIPTS = PLAZA + 2;

/** Distinct colours in a PNG screenshot (sampled), decoded by the page. */
function colourStats(page, png) {
  return page.evaluate(async (b64) => {
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
}

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
      (n) => {
        const s = window.ugcDemo?.status();
        return s?.ready && s.scripts.length >= n && s.scripts.every((x) => x.state !== 'loading');
      },
      SCRIPTS,
      { timeout: 120_000 },
    );
    // A few more frames so the HUD and tints are drawn.
    const frame = await page.evaluate(() => window.ugcDemo.status().frame);
    await page.waitForFunction((f) => window.ugcDemo.status().frame > f + 10, frame, {
      timeout: 30_000,
    });
    status = await page.evaluate(() => window.ugcDemo.status());
    // Frame rate over two seconds of wall time (printed; tests do not assert on time).
    const start = await page.evaluate(() => [window.ugcDemo.status().frame, performance.now()]);
    await page.waitForTimeout(2000);
    const end = await page.evaluate(() => [window.ugcDemo.status().frame, performance.now()]);
    const fps = ((end[0] - start[0]) * 1000) / (end[1] - start[1]);
    const glue = await page.evaluate(() => window.ugcGodot.status());
    console.log(
      `demo: ${status.scripts.length} scripts, ${fps.toFixed(1)} fps in headless Chromium (SwiftShader), ` +
        `${glue.batchEntries} batch entries so far, ${glue.queries.count} object queries ` +
        `(${((glue.queries.ms / Math.max(1, glue.queries.count)) * 1000).toFixed(1)} µs each)`,
    );
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('status() lists every Wasm script: a few hundred running, hostile faulted, invalid invalid', () => {
    assert.equal(status.ready, true);
    assert.ok(status.frame > 10);
    assert.ok(status.scripts.length >= SCRIPTS, `${status.scripts.length} scripts`);
    for (const s of status.scripts) assert.deepEqual(Object.keys(s), ['node', 'module', 'state', 'error']);
    const byNode = Object.fromEntries(status.scripts.map((s) => [s.node, s]));
    const plaza = status.scripts.filter((s) => s.node.startsWith('/root/Main/Plaza/'));
    assert.equal(plaza.length, PLAZA);
    assert.equal(byNode['/root/Main/Hostile'].state, 'faulted');
    assert.equal(byNode['/root/Main/Hostile'].error.code, 'fuel_exhausted');
    assert.equal(byNode['/root/Main/Invalid'].state, 'invalid');
    assert.equal(byNode['/root/Main/Invalid'].error.code, 'validation');
    const notRunning = plaza.filter((s) => s.state !== 'running');
    assert.deepEqual(notRunning.slice(0, 3), [], `${notRunning.length} scripts not running`);
    const modules = new Set(plaza.map((s) => s.module));
    assert.deepEqual([...modules].sort(), [
      'avatar_bob.wasm',
      'c_spinner.wasm',
      'drifter.wasm',
      'face_driver.wasm',
      'sphere_mesh.wasm',
      'toggle_prop.wasm',
    ]);
    assert.equal(byNode['/root/Main/Plaza/Crowd/Avatar0_0'].module, 'avatar_bob.wasm');
    assert.equal(byNode['/root/Main/Plaza/Crowd/Avatar0_0'].error, null);
  });

  test('everything else keeps moving: the batch flows and consecutive frames differ', async () => {
    const before = await page.evaluate(() => window.ugcGodot.status().batchEntries);
    const a = await page.screenshot({ type: 'png' });
    const frame = await page.evaluate(() => window.ugcDemo.status().frame);
    await page.waitForFunction((f) => window.ugcDemo.status().frame > f + 5, frame, { timeout: 30_000 });
    const b = await page.screenshot({ type: 'png' });
    const after = await page.evaluate(() => window.ugcGodot.status().batchEntries);
    assert.ok(after > before, `batch entries ${before} -> ${after}`);
    assert.notDeepEqual(a, b, 'two frames apart the picture did not change');
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
    const stats = await colourStats(page, png);
    assert.equal(stats.width, 960);
    // Sky gradient, lit meshes, tints and text: far more than the few colours of an empty page.
    assert.ok(stats.colors > 200, `only ${stats.colors} distinct colours: blank render?`);
  });
});
