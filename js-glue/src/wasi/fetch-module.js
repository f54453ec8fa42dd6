// Big WASI modules from a URL: a streamed download (progress from Content-Length and the chunks), a SHA-256
// check, validation and prepare through callbacks (the crate lives in the runtime), compilation, and two
// caches keyed by content hash: compiled Modules in memory, the compiled bytes in Cache Storage.
//
// Validation and prepare (fuel metering rewrites the module) need the whole module as bytes, so a metered
// module is downloaded, checked, rewritten, then compiled. When nothing is rewritten (metering off and no cap
// to lower) the response is teed: one branch feeds `WebAssembly.compileStreaming` while the other is hashed
// and validated, and the compiled module is used only once validation has passed.
//
// A second start of the same content never fetches: by `sha256` when the caller gives it, else by the hash
// recorded for the URL on its first download (`refresh: true` downloads again).

import { WasiRunError } from './errors.js';

const CACHE_NAME = 'ugc-wasi-modules';
// Cache Storage keys must be http(s) URLs; these are never fetched (`.invalid` cannot resolve).
const KEY_BASE = 'https://ugc-wasm.invalid/wasi/';
const SHA256_RE = /^[0-9a-f]{64}$/;
const MAX_COMPILED = 16; // compiled modules kept in memory per runtime
/** Cache Storage writes still running, by key (shared by every store of the page: the storage is too). */
const pendingWrites = new Map();

/** A module handle made by a store: `rt.runWasi`/`rt.spawnWasi` accept only these (never a bare Module). */
const handles = new WeakSet();

export function isWasiModule(value) {
  return typeof value === 'object' && value !== null && handles.has(value);
}

function hex(buffer) {
  let out = '';
  for (const byte of new Uint8Array(buffer)) out += byte.toString(16).padStart(2, '0');
  return out;
}

export async function sha256Hex(bytes) {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) {
    throw new WasiRunError(
      'no_webcrypto',
      'fetching modules needs WebCrypto (a secure context: https or localhost)',
    );
  }
  return hex(await subtle.digest('SHA-256', bytes));
}

/** The whole body as one Uint8Array, reporting progress after each chunk; bounded by `maxBytes`. */
async function readBody(stream, { total, maxBytes, progress, url }) {
  const reader = stream.getReader();
  const chunks = [];
  let loaded = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      loaded += value.length;
      if (loaded > maxBytes) {
        throw new WasiRunError('too_large', `${url} is larger than the policy's ${maxBytes} bytes`, { url });
      }
      chunks.push(value);
      progress({ phase: 'download', loaded, total });
    }
  } catch (error) {
    reader.cancel().catch(() => {});
    if (error instanceof WasiRunError || error?.name === 'AbortError') throw error;
    throw new WasiRunError('fetch_failed', `downloading ${url} failed: ${error?.message ?? error}`, { url });
  }
  if (chunks.length === 1) return chunks[0];
  const bytes = new Uint8Array(loaded);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}

/** Content-Length as a number, or null when absent or when it counts compressed bytes. */
function contentLength(response) {
  if (response.headers.get('content-encoding')) return null;
  const n = Number(response.headers.get('content-length'));
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}

async function compile(bytes, url) {
  try {
    return await WebAssembly.compile(bytes);
  } catch (error) {
    throw new WasiRunError('compile_error', `compiling ${url} failed: ${error.message}`, { url });
  }
}

/**
 * Cache Storage of compiled bytes (prepared, or the original when nothing was rewritten) under
 * `<sha256 of the original>/<variant>`, plus the hash last seen for each URL. Missing or failing Cache Storage
 * (insecure context, private mode, quota) only costs the download: every method degrades to a miss.
 */
class PersistentModules {
  #name;
  #open = null;

  constructor(name) {
    this.#name = name;
  }

  #cache() {
    if (!globalThis.caches) return Promise.resolve(null);
    this.#open ??= caches.open(this.#name).catch(() => null);
    return this.#open;
  }

  async match(key) {
    await pendingWrites.get(key);
    const cache = await this.#cache();
    return (await cache?.match(KEY_BASE + key).catch(() => undefined)) ?? null;
  }

  /** Stores the module, then records `url` → `sha256`; lookups of either key wait for the write. */
  put(key, bytes, meta, url, sha256) {
    const urlKey = `url/${encodeURIComponent(url)}`;
    const write = (async () => {
      const cache = await this.#cache();
      const headers = { 'content-type': 'application/wasm' };
      for (const [k, v] of Object.entries(meta)) headers[`x-ugc-${k}`] = String(v);
      await cache?.put(KEY_BASE + key, new Response(bytes, { headers })).catch(() => {});
      await cache?.put(KEY_BASE + urlKey, new Response(sha256)).catch(() => {});
    })();
    for (const k of [key, urlKey]) {
      pendingWrites.set(k, write);
      write.then(() => pendingWrites.get(k) === write && pendingWrites.delete(k));
    }
    return write;
  }

  async urlHash(url) {
    const response = await this.match(`url/${encodeURIComponent(url)}`);
    const text = response ? (await response.text()).trim() : '';
    return SHA256_RE.test(text) ? text : null;
  }

  async clear() {
    this.#open = null;
    await globalThis.caches?.delete(this.#name).catch(() => {});
  }
}

/**
 * Fetches, checks, prepares and compiles WASI modules, caching them by content hash.
 * One store per runtime (its policy decides validation and prepare); Cache Storage is shared per origin, so
 * the caller's `variant` (policy fingerprint + prepare options) is part of every key.
 */
export class WasiModuleStore {
  #memory = new Map(); // `${sha256}/${variant}` -> Promise<handle>
  #urls = new Map(); // absolute URL -> sha256 learned from a download
  #inflight = new Map(); // URL + expected hash + variant -> the download in progress
  #persistent;
  /** How each fetchModule was served; `downloads` counts network fetches. */
  stats = { downloads: 0, memoryHits: 0, storageHits: 0 };

  constructor({ cacheName = CACHE_NAME } = {}) {
    this.#persistent = new PersistentModules(cacheName);
  }

  /** Forgets everything: the in-memory modules, learned URL hashes and the Cache Storage entries. */
  async clear() {
    this.#memory.clear();
    this.#urls.clear();
    await this.#persistent.clear();
  }

  /** Drops the in-memory compiled modules only (as a page reload would). */
  forgetCompiled() {
    this.#memory.clear();
    this.#urls.clear();
  }

  /**
   * @param {string|URL} url
   * @param {{ sha256?: string, onProgress?: (p: object) => void, signal?: AbortSignal, refresh?: boolean,
   *   persist?: boolean }} opts
   * @param {{ variant: string, maxBytes: number, streaming: boolean,
   *   validate(bytes: Uint8Array): object, needsRewrite(report: object): boolean,
   *   prepare(bytes: Uint8Array): Uint8Array, metered: boolean }} policy how this runtime checks modules
   * @returns {Promise<object>} a handle `{ module, sha256, size, metered, source, url, timings }`
   */
  async fetch(url, opts, policy) {
    if (opts === null || typeof opts !== 'object')
      throw new WasiRunError('invalid_option', 'options must be an object');
    const base = globalThis.location?.href;
    let absolute;
    try {
      absolute = new URL(String(url), base).href;
    } catch {
      throw new WasiRunError('invalid_option', `not a URL: ${String(url)}`);
    }
    let expected = null;
    if (opts.sha256 != null) {
      expected = String(opts.sha256).toLowerCase();
      if (!SHA256_RE.test(expected)) throw new WasiRunError('invalid_option', 'sha256 must be 64 hex digits');
    }
    if (opts.onProgress != null && typeof opts.onProgress !== 'function') {
      throw new WasiRunError('invalid_option', 'onProgress must be a function');
    }
    const progress = (p) => {
      try {
        opts.onProgress?.({ url: absolute, ...p });
      } catch {
        // a throwing progress callback must not break the load
      }
    };
    const started = performance.now();
    let known = null;
    if (!opts.refresh) {
      known = expected ?? this.#urls.get(absolute) ?? null;
      if (!known && opts.persist !== false) known = await this.#persistent.urlHash(absolute);
    }
    if (known) {
      const hit = await this.#cached(known, policy, absolute, progress, opts.persist !== false);
      if (hit) {
        progress({ phase: 'done', source: hit.source, loaded: hit.size, total: hit.size });
        return hit.with({ timings: { totalMs: performance.now() - started } });
      }
    }
    // Concurrent starts of the same module (several services at once) share one download.
    const flightKey = `${absolute}|${expected ?? ''}|${policy.variant}`;
    let flight = this.#inflight.get(flightKey);
    if (!flight) {
      flight = this.#download(absolute, expected, opts, policy, progress);
      this.#inflight.set(flightKey, flight);
      flight.then(
        () => this.#inflight.delete(flightKey),
        () => this.#inflight.delete(flightKey),
      );
    }
    const shared = await flight;
    const entry = shared.with({ timings: { ...shared.timings } });
    entry.timings.totalMs = performance.now() - started;
    progress({ phase: 'done', source: 'network', loaded: entry.size, total: entry.size });
    return entry;
  }

  /** Keeps a compiled module; the least recently used goes beyond MAX_COMPILED (compiled code is big). */
  #remember(key, handle) {
    this.#memory.delete(key);
    this.#memory.set(key, Promise.resolve(handle));
    while (this.#memory.size > MAX_COMPILED) this.#memory.delete(this.#memory.keys().next().value);
  }

  /** From memory, else from Cache Storage (compiled straight from the stored Response), else null. */
  async #cached(sha256, policy, url, progress, persist) {
    const key = `${sha256}/${policy.variant}`;
    const inMemory = this.#memory.get(key);
    if (inMemory) {
      const handle = await inMemory.catch(() => null);
      if (handle) {
        this.stats.memoryHits++;
        this.#remember(key, handle);
        return handle.with({ source: 'memory', url });
      }
    }
    if (!persist) return null;
    const stored = await this.#persistent.match(key);
    if (!stored) return null;
    progress({ phase: 'compile', source: 'cache' });
    const size = Number(stored.headers.get('x-ugc-size'));
    const metered = stored.headers.get('x-ugc-metered') === 'true';
    let module;
    try {
      module = await WebAssembly.compileStreaming(stored);
    } catch {
      return null; // an unreadable entry is a miss; the download replaces it
    }
    const handle = makeHandle({ module, sha256, size, metered, source: 'cache', url });
    this.#remember(key, handle);
    this.#urls.set(url, sha256);
    this.stats.storageHits++;
    return handle;
  }

  async #download(url, expected, opts, policy, progress) {
    const t0 = performance.now();
    let response;
    try {
      response = await fetch(url, { signal: opts.signal });
    } catch (error) {
      if (error?.name === 'AbortError')
        throw new WasiRunError('aborted', `fetching ${url} was aborted`, { url });
      throw new WasiRunError('fetch_failed', `fetching ${url} failed: ${error?.message ?? error}`, { url });
    }
    this.stats.downloads++;
    if (!response.ok) {
      response.body?.cancel().catch(() => {});
      throw new WasiRunError('fetch_failed', `fetching ${url} failed: HTTP ${response.status}`, {
        url,
        status: response.status,
      });
    }
    const total = contentLength(response);
    if (total !== null && total > policy.maxBytes) {
      response.body?.cancel().catch(() => {});
      throw new WasiRunError('too_large', `${url} is ${total} bytes, above the policy's ${policy.maxBytes}`, {
        url,
      });
    }
    progress({ phase: 'download', loaded: 0, total });
    // Streaming compile only where the downloaded bytes are what runs; the other branch is checked first.
    let streamed = null;
    let body = response.body;
    if (policy.streaming && body) {
      const [forCheck, forCompile] = body.tee();
      body = forCheck;
      streamed = WebAssembly.compileStreaming(
        new Response(forCompile, { headers: { 'content-type': 'application/wasm' } }),
      );
      streamed.catch(() => {}); // awaited only if validation passes
    }
    const read = (async () => {
      try {
        return await readBody(body, { total, maxBytes: policy.maxBytes, progress, url });
      } catch (error) {
        if (error?.name === 'AbortError')
          throw new WasiRunError('aborted', `fetching ${url} was aborted`, { url });
        throw error;
      }
    })();
    const bytes = await read;
    const downloadMs = performance.now() - t0;
    const tHash = performance.now();
    const sha256 = await sha256Hex(bytes);
    const hashMs = performance.now() - tHash;
    if (expected && sha256 !== expected) {
      throw new WasiRunError('sha256_mismatch', `${url}: expected SHA-256 ${expected}, got ${sha256}`, {
        url,
        expected,
        actual: sha256,
      });
    }
    const key = `${sha256}/${policy.variant}`;
    const t1 = performance.now();
    progress({ phase: 'validate', loaded: bytes.length, total: bytes.length });
    const report = policy.validate(bytes); // throws the runtime's ValidationError
    const validateMs = performance.now() - t1;
    let compiled = bytes;
    let prepareMs = 0;
    if (!streamed || policy.needsRewrite(report)) {
      const t2 = performance.now();
      progress({ phase: 'prepare', loaded: bytes.length, total: bytes.length });
      compiled = policy.prepare(bytes);
      prepareMs = performance.now() - t2;
    }
    const t3 = performance.now();
    progress({ phase: 'compile', loaded: bytes.length, total: bytes.length });
    let module;
    if (compiled === bytes && streamed) {
      try {
        module = await streamed;
      } catch (error) {
        throw new WasiRunError('compile_error', `compiling ${url} failed: ${error.message}`, { url });
      }
    } else {
      module = await compile(compiled, url);
    }
    const compileMs = performance.now() - t3;
    const handle = makeHandle({
      module,
      sha256,
      size: bytes.length,
      metered: policy.metered,
      source: 'network',
      url,
      streamingCompile: compiled === bytes && streamed !== null,
      timings: { downloadMs, hashMs, validateMs, prepareMs, compileMs },
    });
    this.#remember(key, handle);
    this.#urls.set(url, sha256);
    if (opts.persist !== false) {
      // Off the start-up path: writing tens of MB to Cache Storage takes longer than compiling them.
      this.#persistent.put(key, compiled, { size: bytes.length, metered: policy.metered }, url, sha256);
    }
    return handle;
  }
}

function makeHandle(fields) {
  const handle = Object.freeze({
    kind: 'wasi-module',
    streamingCompile: false,
    timings: {},
    ...fields,
    /** The same module with other metadata (how this start was served). */
    with(extra) {
      return makeHandle({ ...fields, timings: {}, ...extra });
    },
  });
  handles.add(handle);
  return handle;
}
