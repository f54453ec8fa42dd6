// The runtime's WASI entry points (rt.runWasi / rt.spawnWasi / rt.fetchModule, docs/WASI.md): every program
// is checked against the `wasi` policy profile (plus createRuntime's `wasiPolicy` overrides) and prepared by
// the crate (memory cap, fuel metering) before the host in run.js runs it in a dedicated worker. Modules from
// a URL go through fetch-module.js and are checked once per content.

import { UgcError, ValidationError } from '../errors.js';
import { runWasi, spawnWasi } from './run.js';
import { WasiModuleStore, isWasiModule, sha256Hex } from './fetch-module.js';
import { deferredSpawn } from './deferred.js';

/** Accepts an ArrayBuffer or any ArrayBuffer view; anything else is `bad_argument`. */
function toBytes(bytes) {
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  throw new UgcError('bad_argument', 'module bytes must be an ArrayBuffer or a typed array');
}

export class CheckedWasi {
  #core;
  #overrides;
  #profile = null;
  #modules = new WasiModuleStore();
  #fingerprint = null;

  /** @param core the crate (core.js) @param overrides partial `wasi` profile fields, or undefined */
  constructor(core, overrides) {
    this.#core = core;
    this.#overrides = overrides;
  }

  #policy() {
    return (this.#profile ??= this.#core.profile('wasi', this.#overrides));
  }

  /**
   * A WASI program checked against the `wasi` profile (plus createRuntime's `wasiPolicy` overrides) and
   * prepared with its memory cap and fuel metering, with the run options' fuel/timeout defaults filled in.
   * A module from `fetchModule` was checked and prepared when it was fetched: it is used as it is.
   */
  #prepared(source, opts) {
    if (opts === null || typeof opts !== 'object') {
      throw new UgcError('bad_argument', 'WASI options must be an object');
    }
    const policy = this.#policy();
    const limits = policy.limits();
    if (isWasiModule(source)) {
      if (!source.metered && opts.fuel !== undefined) {
        throw new UgcError('bad_argument', 'fuel given but the module was fetched with metering: false');
      }
      const runOptions = {
        ...opts,
        fuel: source.metered ? (opts.fuel ?? BigInt(limits.fuel)) : undefined,
        timeoutMs: wasiTimeout(opts, limits),
      };
      return { prepared: source.module, runOptions };
    }
    const input = toBytes(source);
    const verdict = this.#core.validate(input, policy);
    if (!verdict.ok) throw new ValidationError(verdict.errors, verdict.report);
    const prepared = this.#core.prepare(input, {
      maxMemoryPages: limits.maxMemoryPages,
      maxTableElements: limits.maxTableElements,
      metering: limits.metering,
    });
    const runOptions = {
      ...opts,
      fuel: opts.fuel ?? BigInt(limits.fuel),
      timeoutMs: wasiTimeout(opts, limits),
    };
    return { prepared, runOptions };
  }

  /**
   * Downloads (streamed, with progress), checks and compiles a WASI module once per content: later calls for
   * the same `sha256` (or the same URL, whose hash is recorded) are served from memory or Cache Storage
   * without fetching. The result is accepted by runWasi/spawnWasi. See docs/WASI.md "Modules from a URL".
   * @param {string|URL} url
   * @param {{ sha256?: string, onProgress?: (p: { url, phase, loaded?, total?, source? }) => void,
   *   signal?: AbortSignal, metering?: boolean, compileStreaming?: boolean, refresh?: boolean,
   *   persist?: boolean }} [opts] metering: false = timeout-only (no fuel); then compileStreaming: false
   *   compiles the checked bytes instead of teeing the response into WebAssembly.compileStreaming
   */
  async fetchModule(url, opts = {}) {
    if (opts === null || typeof opts !== 'object') {
      throw new UgcError('bad_argument', 'fetchModule options must be an object');
    }
    const policy = this.#policy();
    const limits = policy.limits();
    const metering = opts.metering ?? limits.metering;
    if (typeof metering !== 'boolean') throw new UgcError('bad_argument', 'metering must be a boolean');
    const json = policy.toJSON();
    // Validation depends on the whole policy: modules checked under another policy are other cache entries.
    this.#fingerprint ??= (await sha256Hex(new TextEncoder().encode(JSON.stringify(json)))).slice(0, 16);
    const prepareOptions = {
      maxMemoryPages: limits.maxMemoryPages,
      maxTableElements: limits.maxTableElements,
      metering,
    };
    return this.#modules.fetch(url, opts, {
      variant: `${this.#fingerprint}-${metering ? 'metered' : 'unmetered'}`,
      maxBytes: Number(json.max_module_size),
      // Measured both ways (docs/WASI.md): the teed streaming compile is the default where it is possible.
      streaming: !metering && opts.compileStreaming !== false,
      metered: metering,
      validate: (bytes) => {
        const verdict = this.#core.validate(bytes, policy);
        if (!verdict.ok) throw new ValidationError(verdict.errors, verdict.report);
        return verdict.report;
      },
      // Unmetered, the module runs as downloaded unless a cap must be lowered: a table maximum, or a memory
      // maximum below what the engine allows anyway (65536 pages for wasm32).
      needsRewrite: (report) =>
        metering ||
        report.tables.some((t) => t.capped) ||
        report.memories.some((m) => m.capped && (m.memory64 || (m.effective.maximum ?? 0) < 65536)),
      prepare: (bytes) => this.#core.prepare(bytes, prepareOptions),
    });
  }

  /** How fetchModule calls were served: `{ downloads, memoryHits, storageHits }`. */
  moduleStats() {
    return { ...this.#modules.stats };
  }

  /** Empties fetchModule's caches (`{ persistent: true }` also deletes the Cache Storage entries). */
  async clearModules({ persistent = false } = {}) {
    if (persistent) await this.#modules.clear();
    else this.#modules.forgetCompiled();
  }

  /**
   * Runs a WASI preview-1 command to completion in a dedicated worker (docs/WASI.md). `source`: bytes, a
   * module from fetchModule, or `{ url, sha256?, metering? }` (fetched first; opts.onProgress/opts.signal apply).
   */
  async runWasi(source, opts = {}) {
    if (isUrlSource(source)) {
      const { url, ...fetchOptions } = source;
      source = await this.fetchModule(url, {
        ...fetchOptions,
        onProgress: opts?.onProgress,
        signal: opts?.signal,
      });
    }
    const { prepared, runOptions } = this.#prepared(source, opts);
    return runWasi(prepared, runOptions);
  }

  /** Starts a long-running WASI service in a dedicated worker, with streamed stdout/stderr (docs/WASI.md). */
  spawnWasi(source, opts = {}) {
    if (isUrlSource(source)) {
      // The handle is returned at once; the process starts when the module is fetched (or fails `exited`).
      const { url, ...fetchOptions } = source;
      return deferredSpawn((signal) =>
        this.fetchModule(url, {
          ...fetchOptions,
          onProgress: opts?.onProgress,
          signal: opts?.signal ? AbortSignal.any([signal, opts.signal]) : signal,
        }).then((module) => this.spawnWasi(module, opts)),
      );
    }
    const { prepared, runOptions } = this.#prepared(source, opts);
    return spawnWasi(prepared, runOptions);
  }
}

/** The run's wall-clock limit: the policy's unless given; `null` means none (a service; fuel still applies). */
function wasiTimeout(opts, limits) {
  return opts.timeoutMs === null ? null : (opts.timeoutMs ?? limits.timeoutMs);
}

/** `{ url, … }` (not bytes, not a fetched module): a module to fetch before running. */
function isUrlSource(source) {
  return (
    typeof source === 'object' &&
    source !== null &&
    !ArrayBuffer.isView(source) &&
    !(source instanceof ArrayBuffer) &&
    !isWasiModule(source) &&
    'url' in source
  );
}
