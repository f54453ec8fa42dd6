// createRuntime(): the public entry point. Validates (policy) → prepares (memory cap, metering) → compiles
// (cached) → instantiates in the chosen isolation backend, and hands back a Script.

import { loadCore } from './core.js';
import { UgcError, ValidationError } from './errors.js';
import { InstanceBackend } from './instance-backend.js';
import { WorkerBackend } from './worker-backend.js';
import { ModuleCache } from './module-cache.js';
import { Script } from './script.js';

const ISOLATIONS = new Set(['instance', 'worker']);
const MAX_FUEL = (1n << 63n) - 1n;

/** Accepts an ArrayBuffer or any ArrayBuffer view; anything else is `bad_argument`. */
function toBytes(bytes) {
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  throw new UgcError('bad_argument', 'module bytes must be an ArrayBuffer or a typed array');
}

function positiveInteger(value, name, max) {
  if (typeof value === 'bigint' ? value <= 0n || value > max : !Number.isSafeInteger(value) || value <= 0) {
    throw new UgcError('bad_argument', `${name} must be a positive integer, got ${String(value)}`);
  }
  if (BigInt(value) > BigInt(max)) {
    throw new UgcError('bad_argument', `${name} ${value} exceeds the policy's limit of ${max}`);
  }
  return value;
}

function hex(buffer) {
  let out = '';
  for (const byte of new Uint8Array(buffer)) out += byte.toString(16).padStart(2, '0');
  return out;
}

/** `{ [export]: { params, results } }` for the exported functions in a validator report. */
function exportSignatures(report) {
  const signatures = Object.create(null);
  for (const entry of report.exports) {
    if (entry.kind === 'func' && entry.signature) signatures[entry.name] = entry.signature;
  }
  return signatures;
}

class Runtime {
  #core;
  #policy;
  #limits;
  #abi;
  #cache = new ModuleCache();
  #onLog;
  #live = 0;

  constructor(core, policy, onLog) {
    this.#core = core;
    this.#policy = policy;
    this.#limits = policy.limits();
    this.#abi = core.abi();
    this.#onLog = onLog ?? null;
  }

  /** `{ ok, report, errors: [{ code, message, offset }] }`; never throws on a bad module. */
  validate(bytes, policy) {
    const input = toBytes(bytes);
    if (policy === undefined) return this.#core.validate(input, this.#policy);
    const handle = this.#core.policy(policy);
    try {
      return this.#core.validate(input, handle);
    } finally {
      handle.free();
    }
  }

  /** The host ABI: `{ version, imports: [{ module, name, params, results }] }`. */
  abi() {
    return structuredClone(this.#abi);
  }

  /** The effective policy (script profile plus the overrides given to createRuntime). */
  policy() {
    return this.#policy.toJSON();
  }

  /** Runtime-wide counters: live scripts and the compiled-module cache. */
  stats() {
    const cache = this.#cache;
    return {
      liveScripts: this.#live,
      cachedModules: cache.size,
      cacheHits: cache.hits,
      compiles: cache.misses,
    };
  }

  #loadOptions(options) {
    if (options === null || typeof options !== 'object') {
      throw new UgcError('bad_argument', 'load options must be an object');
    }
    const limits = this.#limits;
    const isolation = options.isolation ?? 'instance';
    if (!ISOLATIONS.has(isolation)) {
      throw new UgcError(
        'bad_argument',
        `isolation must be 'instance' or 'worker', got ${String(isolation)}`,
      );
    }
    let fuel = null;
    if (limits.metering) {
      fuel = BigInt(positiveInteger(options.fuel ?? limits.fuel, 'fuel', MAX_FUEL));
    } else if (options.fuel !== undefined) {
      throw new UgcError('bad_argument', 'fuel given but the policy disables metering');
    }
    const maxMemoryPages =
      options.maxMemoryPages === undefined
        ? limits.maxMemoryPages
        : positiveInteger(options.maxMemoryPages, 'maxMemoryPages', limits.maxMemoryPages);
    const timeoutMs = options.timeoutMs ?? limits.timeoutMs;
    if (!(typeof timeoutMs === 'number' && timeoutMs > 0)) {
      throw new UgcError('bad_argument', `timeoutMs must be a positive number, got ${String(timeoutMs)}`);
    }
    const onLog = options.onLog ?? this.#onLog;
    if (onLog !== null && typeof onLog !== 'function')
      throw new UgcError('bad_argument', 'onLog must be a function');
    return { isolation, fuel, maxMemoryPages, timeoutMs, onLog };
  }

  /**
   * The compiled module and report for `input`, from the cache when this module was loaded before with the
   * same prepare options. The key is the SHA-256 of the bytes (WebCrypto, native speed) so a cache hit skips
   * validation too; validation depends only on the bytes and this runtime's fixed policy. Without WebCrypto
   * (insecure contexts) the validator's own SHA-256 is the key and every load validates.
   */
  async #compiled(input, prepareOptions) {
    const options = `${prepareOptions.maxMemoryPages}/${prepareOptions.maxTableElements}/${prepareOptions.metering}`;
    const subtle = globalThis.crypto?.subtle;
    let verdict = null;
    let digest;
    if (subtle) {
      digest = hex(await subtle.digest('SHA-256', input));
    } else {
      verdict = this.#validated(input);
      digest = verdict.report.sha256;
    }
    return this.#cache.get(`${digest}/${options}`, async () => {
      const report = (verdict ?? this.#validated(input)).report;
      const prepared = this.#core.prepare(input, prepareOptions);
      let module;
      try {
        module = await WebAssembly.compile(prepared);
      } catch (error) {
        throw new UgcError('load_failed', `compiling the prepared module failed: ${error.message}`);
      }
      return { module, report, signatures: exportSignatures(report) };
    });
  }

  #validated(input) {
    const verdict = this.#core.validate(input, this.#policy);
    if (!verdict.ok) throw new ValidationError(verdict.errors, verdict.report);
    return verdict;
  }

  /** Validates, prepares, compiles (once per module and options) and instantiates a script. */
  async load(bytes, options = {}) {
    // A private copy: the caller may reuse its buffer while we await.
    const input = toBytes(bytes).slice();
    const opts = this.#loadOptions(options);
    const compiled = await this.#compiled(input, {
      maxMemoryPages: opts.maxMemoryPages,
      maxTableElements: this.#limits.maxTableElements,
      metering: this.#limits.metering,
    });
    const backendOptions = {
      fuel: opts.fuel,
      abiImports: this.#abi.imports,
      signatures: compiled.signatures,
      onLog: opts.onLog,
      timeoutMs: opts.timeoutMs,
    };
    const backend =
      opts.isolation === 'worker'
        ? new WorkerBackend(compiled.module, backendOptions)
        : new InstanceBackend(compiled.module, backendOptions);
    try {
      await backend.start();
    } catch (error) {
      backend.dispose();
      throw error;
    }
    this.#live++;
    return new Script(backend, {
      isolation: opts.isolation,
      report: compiled.report,
      onDispose: () => this.#live--,
    });
  }
}

/**
 * Loads the crate and returns a runtime.
 * @param {object} [options]
 * @param {object} [options.policy] partial policy; missing fields come from the `script` profile
 * @param {(message: string) => void} [options.onLog] default sink for guests' `ugc.log`
 */
export async function createRuntime(options = {}) {
  const core = await loadCore();
  return new Runtime(core, core.policy(options.policy), options.onLog);
}
