// Shared by runtime-*/validate-* tests and the runtime benchmarks: serve the repo, open a blank page in
// Debian's Chromium (tests-web/lib), import dist/ugc-wasm.js there, and compile WAT fixtures with wabt's wat2wasm.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from './lib/browser.mjs';
import { serveStatic } from './lib/serve.mjs';
import { wat, withCustomSection } from '../scripts/lib/wasm-build.mjs';

export { wat, withCustomSection };

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * A served repo + Chromium + a blank page with `window.ugc` (the dist module) and `window.rt` (a runtime),
 * plus page helpers: `window.attempt(fn)` → `{ value }` or `{ error: { code, message, name, ... } }`.
 */
export async function openRuntimePage({ args = [], crossOriginIsolated = false } = {}) {
  if (!existsSync(join(REPO_ROOT, 'dist', 'ugc-wasm.js')))
    throw new Error('dist/ missing: run npm run build');
  // Cross-origin isolation gives performance.now() 5 µs instead of 100 µs resolution (benchmarks).
  const server = await serveStatic({ root: REPO_ROOT, crossOriginIsolated });
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
        const { code, name, message, errors, trap, fault, reason } = error;
        return {
          error: {
            code,
            name,
            message,
            errors,
            trap,
            fault,
            reason,
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

/** WAT → wasm declaring host ABI version 1 (the `ugc_abi` section every module importing `ugc` needs). */
export function guestWat(source) {
  return withCustomSection(wat(source), 'ugc_abi', [1, 0, 0, 0]);
}

/** Bytes as a plain array, for page.evaluate arguments. */
export const arr = (bytes) => Array.from(bytes);
