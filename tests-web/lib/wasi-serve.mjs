// The WASI tests' server: the repo root over 127.0.0.1 (shared serve.mjs), optionally cross-origin isolated
// (COOP/COEP) so SharedArrayBuffer — and so the stdin pipe — is available.

import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { serveStatic } from './serve.mjs';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** `cache` lets the browser keep what it fetched (the benchmark wants warm module loads, tests want fresh files). */
export function serveRepo({ isolated = true, cache = false } = {}) {
  return serveStatic({
    root: REPO_ROOT,
    crossOriginIsolated: isolated,
    headers: cache ? { 'Cache-Control': 'max-age=600' } : {},
  });
}
