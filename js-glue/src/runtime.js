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

  /** Validates, prepares, compiles (once per module and options) and instantiates a script. */
  async load(bytes, options = {}) {
    const input = toBytes(bytes);
    const opts = this.#loadOptions(options);
    const verdict = this.#core.validate(input, this.#policy);
    if (!verdict.ok) throw new ValidationError(verdict.errors, verdict.report);
    const prepareOptions = {
      maxMemoryPages: opts.maxMemoryPages,
      maxTableElements: this.#limits.maxTableElements,
      metering: this.#limits.metering,
    };
    const key = `${verdict.report.sha256}/${opts.maxMemoryPages}/${prepareOptions.maxTableElements}/${prepareOptions.metering}`;
    const compiled = await this.#cache.get(key, async () => {
      const prepared = this.#core.prepare(input, prepareOptions);
      try {
        return await WebAssembly.compile(prepared);
      } catch (error) {
        throw new UgcError('load_failed', `compiling the prepared module failed: ${error.message}`);
      }
    });
    const backendOptions = {
      fuel: opts.fuel,
      abiImports: this.#abi.imports,
      signatures: exportSignatures(verdict.report),
      onLog: opts.onLog,
      timeoutMs: opts.timeoutMs,
    };
    const backend =
      opts.isolation === 'worker'
        ? new WorkerBackend(compiled, backendOptions)
        : new InstanceBackend(compiled, backendOptions);
    try {
      await backend.start();
    } catch (error) {
      backend.dispose();
      throw error;
    }
    this.#live++;
    return new Script(backend, {
      isolation: opts.isolation,
      report: verdict.report,
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
