// Shared by runtime-*/validate-* tests and the runtime benchmarks: serve the repo, open a blank page in
// Debian's Chromium (tests-web/lib), import dist/ugc-wasm.js there, and compile WAT fixtures with wabt's wat2wasm.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from './lib/browser.mjs';
import { serveStatic } from './lib/serve.mjs';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

const watCache = new Map();

/** WAT text → wasm bytes (wabt's wat2wasm, all features on). */
export function wat(source) {
  let bytes = watCache.get(source);
  if (bytes) return bytes;
  const dir = mkdtempSync(join(tmpdir(), 'ugc-wat-'));
  try {
    writeFileSync(join(dir, 'm.wat'), source);
    const result = spawnSync('wat2wasm', ['--enable-all', 'm.wat', '-o', 'm.wasm'], {
      cwd: dir,
      encoding: 'utf8',
    });
    if (result.error) throw new Error(`wat2wasm not found (apt-get install wabt): ${result.error.message}`);
    if (result.status !== 0) throw new Error(`wat2wasm failed:\n${result.stderr}\n${source}`);
    bytes = new Uint8Array(readFileSync(join(dir, 'm.wasm')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  watCache.set(source, bytes);
  return bytes;
}

/**
 * A served repo + Chromium + a blank page with `window.ugc` (the dist module) and `window.rt` (a runtime),
 * plus page helpers: `window.attempt(fn)` → `{ value }` or `{ error: { code, message, name, ... } }`.
 */
export async function openRuntimePage({ args = [] } = {}) {
  if (!existsSync(join(REPO_ROOT, 'dist', 'ugc-wasm.js')))
    throw new Error('dist/ missing: run npm run build');
  const server = await serveStatic({ root: REPO_ROOT });
  const url = server.url;
  const browser = await launchBrowser({ args: ['--js-flags=--expose-gc', ...args] });
  const { page } = await browser.newPage();
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(error));
  await page.goto(`${url}/www/bench/blank.html`);
  await page.evaluate(async () => {
    window.ugc = await import('/dist/ugc-wasm.js');
    window.rt = await window.ugc.createRuntime();
    // Results cross back to node as JSON-friendly values: BigInts become { bigint: '…' }.
    const plain = (value) =>
      typeof value === 'bigint'
        ? { bigint: value.toString() }
        : Array.isArray(value)
          ? value.map(plain)
          : value;
    window.plain = plain;
    window.attempt = async (fn) => {
      try {
        return { value: plain(await fn()) };
      } catch (error) {
        const { code, name, message, errors, trap, fault } = error;
        return {
          error: {
            code,
            name,
            message,
            errors,
            trap,
            fault,
            isUgcError: error instanceof window.ugc.UgcError,
          },
        };
      }
    };
    window.bytes = (array) => new Uint8Array(array);
  });
  return {
    page,
    url,
    pageErrors,
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

function leb128(value) {
  const out = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

/** `bytes` with a custom section `name` appended (wat2wasm does not emit `@custom` annotations). */
export function withCustomSection(bytes, name, payload) {
  const nameBytes = new TextEncoder().encode(name);
  const body = [...leb128(nameBytes.length), ...nameBytes, ...payload];
  return new Uint8Array([...bytes, 0, ...leb128(body.length), ...body]);
}

/** WAT → wasm declaring host ABI version 1 (the `ugc_abi` section every module importing `ugc` needs). */
export function guestWat(source) {
  return withCustomSection(wat(source), 'ugc_abi', [1, 0, 0, 0]);
}

/** Bytes as a plain array, for page.evaluate arguments. */
export const arr = (bytes) => Array.from(bytes);
