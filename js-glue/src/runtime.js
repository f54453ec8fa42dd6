// createRuntime(): the public entry point. Validates (policy) → prepares (memory cap, metering) → compiles
// (cached) → instantiates in the chosen isolation backend, and hands back a Script.

import { loadCore } from './core.js';
import { digestOffThread, dropOffThread, prepareOffThread } from './load-worker.js';
import { UgcError, ValidationError } from './errors.js';
import { manifestModule } from './manifest.js';
import { InstanceBackend } from './instance-backend.js';
import { WorkerBackend } from './worker-backend.js';
import { ModuleCache } from './module-cache.js';
import { needsScriptHost } from './host-imports.js';
import { Script } from './script.js';
import { SharedGroup } from './shared.js';
import { MemoryBudget, definesMemory } from './memory-budget.js';
import { CheckedWasi } from './wasi/checked.js';

const ISOLATIONS = new Set(['instance', 'worker']);
const MAX_FUEL = (1n << 63n) - 1n;

/**
 * Modules at least this big are hashed, validated, prepared and compiled in the load worker
 * (js-glue/src/load-worker.js): on the page, validate + prepare cost ~40–70 ms per MB, each one synchronous
 * crate call. Below it the page spends a few milliseconds, less than a round trip to the worker costs.
 */
export const OFF_THREAD_BYTES = 64 * 1024;

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
  #memories = new MemoryBudget();
  #wasiOverrides;
  #wasiEntry = null;
  #policyJson;
  #maxModuleSize;

  constructor(core, policy, onLog, wasiOverrides) {
    this.#core = core;
    this.#policy = policy;
    this.#policyJson = policy.toJSON();
    this.#maxModuleSize = Number(this.#policyJson.max_module_size ?? this.#policyJson.maxModuleSize);
    this.#wasiOverrides = wasiOverrides;
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

  #variants = {
    encode: (value) => this.#core.encodeVariant(value),
    decode: (bytes) => this.#core.decodeVariant(bytes),
  };

  /** A plain JS value as Godot binary Variant bytes (`var_to_bytes`), see docs/JS-API.md "Values". */
  encodeVariant(value) {
    return this.#core.encodeVariant(value);
  }

  /** Godot binary Variant bytes (`var_to_bytes`, e.g. `script.takeBatch()`) as a plain JS value. */
  decodeVariant(bytes) {
    return this.#core.decodeVariant(toBytes(bytes));
  }

  /** The host ABI: `{ version, imports: [{ module, name, params, results }] }`. */
  abi() {
    return structuredClone(this.#abi);
  }

  /** The default capability rules: `{ classes: { Node3D: { parent, properties, property_prefixes, methods } }, always_refused }`. */
  capabilities() {
    return this.#core.capabilities();
  }

  /** The effective policy (script profile plus the overrides given to createRuntime). */
  policy() {
    return this.#policy.toJSON();
  }

  /** Runtime-wide counters: live scripts, their Wasm memories (docs/JS-API.md "Memory budget"), the cache. */
  stats() {
    const cache = this.#cache;
    return {
      liveScripts: this.#live, // scripts plus shared groups
      wasmMemories: this.#memories.stats(),
      cachedModules: cache.size,
      cacheHits: cache.hits,
      compiles: cache.misses,
      coreMemoryBytes: this.#core.memoryBytes(),
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
    const node = options.self ?? {};
    if (node === null || typeof node !== 'object') {
      throw new UgcError('bad_argument', 'self must be an object { id, class }');
    }
    const selfId = node.id ?? 1;
    if (!((typeof selfId === 'bigint' && selfId >= 0n) || (Number.isSafeInteger(selfId) && selfId >= 0))) {
      throw new UgcError('bad_argument', `self.id must be a non-negative integer, got ${String(selfId)}`);
    }
    const selfClass = node.class ?? '';
    if (typeof selfClass !== 'string') throw new UgcError('bad_argument', 'self.class must be a string');
    const bridge = options.bridge ?? null;
    if (bridge !== null) {
      if (
        typeof bridge !== 'object' ||
        ['classOf', 'get', 'call'].some((f) => typeof bridge[f] !== 'function')
      ) {
        throw new UgcError('bad_argument', 'bridge must be an object with classOf, get and call functions');
      }
      if (isolation !== 'instance') {
        throw new UgcError('bad_argument', 'a bridge needs instance isolation (its calls are synchronous)');
      }
    }
    return { isolation, fuel, maxMemoryPages, timeoutMs, onLog, selfId: BigInt(selfId), selfClass, bridge };
  }

  /**
   * The compiled module and report for `input`, from the cache when this module was loaded before with the
   * same prepare options. The key is the SHA-256 of the bytes (WebCrypto, native speed) so a cache hit skips
   * validation too; validation depends only on the bytes and this runtime's fixed policy. Without WebCrypto
   * (insecure contexts) the validator's own SHA-256 is the key and every load validates.
   */
  async #compiled(input, prepareOptions) {
    const options = `${prepareOptions.maxMemoryPages}/${prepareOptions.maxTableElements}/${prepareOptions.metering}`;
    // The manifest is all the script hosts need of the bytes: taken now, because a big module's bytes go to
    // the load worker, and so a big module is not copied into the crate for every script.
    const manifest = manifestModule(input);
    const subtle = globalThis.crypto?.subtle;
    let verdict = null;
    let digest;
    /** A big module's job in the load worker, which holds its bytes from the digest on. */
    let job = null;
    if (input.length >= OFF_THREAD_BYTES) {
      ({ job, digest } = await digestOffThread(input));
      if (digest === null) {
        // No WebCrypto: the validator's SHA-256 is the key, known only after the whole job.
        const made = await this.#made(prepareOffThread(job, this.#policyJson, prepareOptions), manifest);
        return this.#cache.get(`${made.report.sha256}/${options}`, () => made);
      }
    } else if (subtle) {
      digest = hex(await subtle.digest('SHA-256', input));
    } else {
      verdict = this.#validated(input);
      digest = verdict.report.sha256;
    }
    const key = `${digest}/${options}`;
    if (job !== null && this.#cache.has(key)) dropOffThread(job);
    return this.#cache.get(key, () => {
      if (job !== null) return this.#made(prepareOffThread(job, this.#policyJson, prepareOptions), manifest);
      const report = (verdict ?? this.#validated(input)).report;
      const prepared = this.#core.prepare(input, prepareOptions);
      const compiling = WebAssembly.compile(prepared).then(
        (module) => ({ report, module, size: prepared.length }),
        (error) => {
          throw new UgcError('load_failed', `compiling the prepared module failed: ${error.message}`, {
            reason: 'compile',
          });
        },
      );
      return this.#made(compiling, manifest);
    });
  }

  /** A cache entry from what validate + prepare + compile made (`{ report, module, size }`). */
  async #made(making, manifest) {
    const { report, module, size } = await making;
    // Which instancing the module's manifest asks for. A malformed manifest is not this step's failure:
    // the script host refuses it (load_failed) for modules that have one, and the others never read it.
    let instancing = 'node';
    try {
      instancing = this.#core.instancing(manifest);
    } catch {
      // keep the default
    }
    report.manifest = { instancing };
    return { module, report, signatures: exportSignatures(report), instancing, manifest, size };
  }

  /**
   * A private copy of the module bytes to load, refused (`validation`, the validator's `module_too_large`)
   * before the copy when they exceed the policy's `max_module_size`: nothing of an oversized module is
   * read, copied or hashed.
   */
  #loadInput(bytes) {
    const view = toBytes(bytes);
    const max = this.#maxModuleSize;
    if (view.byteLength > max) {
      throw new ValidationError(
        [
          {
            code: 'module_too_large',
            message: `module is ${view.byteLength} bytes, the policy allows at most ${max}`,
            offset: null,
          },
        ],
        null,
      );
    }
    // A private copy: the caller may reuse its buffer while we await.
    return view.slice();
  }

  #validated(input) {
    const verdict = this.#core.validate(input, this.#policy);
    if (!verdict.ok) throw new ValidationError(verdict.errors, verdict.report);
    return verdict;
  }

  /**
   * WASI preview-1 programs (docs/WASI.md): checked against the `wasi` profile (plus createRuntime's
   * `wasiPolicy` overrides), prepared, and run in dedicated workers — js-glue/src/wasi/checked.js.
   */
  #wasi() {
    return (this.#wasiEntry ??= new CheckedWasi(this.#core, this.#wasiOverrides));
  }

  /** Runs a WASI command to completion: `source` is bytes, a fetchModule result or `{ url, sha256? }`. */
  async runWasi(source, opts = {}) {
    return this.#wasi().runWasi(source, opts);
  }

  /** Starts a long-running WASI service with streamed stdout/stderr (same sources as runWasi). */
  spawnWasi(source, opts = {}) {
    return this.#wasi().spawnWasi(source, opts);
  }

  /** Downloads, checks and compiles a WASI module once per content (cached by SHA-256). */
  async fetchModule(url, opts = {}) {
    return this.#wasi().fetchModule(url, opts);
  }

  /** How fetchModule calls were served: `{ downloads, memoryHits, storageHits }`. */
  wasiModuleStats() {
    return this.#wasi().moduleStats();
  }

  /** Empties fetchModule's caches (`{ persistent: true }` also deletes the Cache Storage entries). */
  async clearWasiModules(options) {
    return this.#wasi().clearModules(options);
  }

  /** Validates, prepares, compiles (once per module and options) and instantiates a script. */
  async load(bytes, options = {}) {
    const input = this.#loadInput(bytes);
    const opts = this.#loadOptions(options);
    // Counted now, before the first await: see memory-budget.js.
    const release = definesMemory(input) ? this.#memories.take('node') : () => {};
    try {
      return await this.#loadNode(input, opts, release);
    } catch (error) {
      release();
      throw error;
    }
  }

  async #loadNode(input, opts, release) {
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
      moduleSize: compiled.size,
    };
    if (needsScriptHost(compiled.module)) {
      // The host lives next to the guest: on this thread for instance isolation, in the worker otherwise.
      const hostSpec = {
        bytes: compiled.manifest,
        selfId: opts.selfId,
        selfClass: opts.selfClass,
        maxLiveHandles: this.#limits.maxLiveHandles,
        maxHostMemory: this.#limits.maxHostMemory,
      };
      if (opts.isolation === 'worker') backendOptions.hostSpec = hostSpec;
      else {
        backendOptions.hostFactory = () => this.#core.scriptHost({ ...hostSpec, bridge: opts.bridge });
        backendOptions.scratch = this.#core.scratch;
        backendOptions.meter = this.#core.meter;
      }
    }
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
    const script = new Script(backend, {
      isolation: opts.isolation,
      instancing: compiled.instancing,
      report: compiled.report,
      onDispose: () => {
        this.#live--;
        release();
      },
      variants: this.#variants,
    });
    this.#memories.follow(script, release);
    return script;
  }

  /**
   * `'node'` or `'shared'`: the `instancing` the module's manifest asks for (docs/ABI.md), so a caller can
   * choose between load and loadShared before loading. Reads only the manifest; a malformed one is `load_failed`.
   */
  instancing(bytes) {
    return this.#core.instancing(manifestModule(toBytes(bytes)));
  }

  /**
   * Validates, prepares, compiles (cached like load) and instantiates ONE instance that many nodes share
   * (docs/JS-API.md "Shared instancing"): `group.attach({ self })` adds a node. Instance isolation only. Every
   * call makes a new group: keep one per module (and options) to share it.
   */
  async loadShared(bytes, options = {}) {
    const input = this.#loadInput(bytes);
    if (options !== null && typeof options === 'object' && (options.isolation ?? 'instance') !== 'instance') {
      throw new UgcError('bad_argument', 'shared instancing needs instance isolation');
    }
    const opts = this.#loadOptions(options ?? {});
    // A group serving one node-instanced script (the Godot addon's) is counted as one: it is what rt.load is.
    const budget = options?.instancing ?? 'shared';
    if (budget !== 'shared' && budget !== 'node') {
      throw new UgcError('bad_argument', `instancing must be 'shared' or 'node', got ${String(budget)}`);
    }
    // Counted now, before the first await: see memory-budget.js.
    const release = definesMemory(input) ? this.#memories.take(budget) : () => {};
    try {
      return await this.#loadGroup(input, opts, release);
    } catch (error) {
      release();
      throw error;
    }
  }

  async #loadGroup(input, opts, release) {
    const compiled = await this.#compiled(input, {
      maxMemoryPages: opts.maxMemoryPages,
      maxTableElements: this.#limits.maxTableElements,
      metering: this.#limits.metering,
    });
    const core = this.#core;
    const { maxLiveHandles, maxHostMemory } = this.#limits;
    const bridge = opts.bridge ?? undefined;
    const group = new SharedGroup(compiled.module, {
      fuel: opts.fuel,
      abiImports: this.#abi.imports,
      signatures: compiled.signatures,
      onLog: opts.onLog,
      report: compiled.report,
      variants: this.#variants,
      hostGroup: needsScriptHost(compiled.module) ? core.hostGroup(compiled.manifest) : null,
      makeHost: (hostGroup, node, slot) =>
        hostGroup.host(node.id, node.class, slot, maxLiveHandles, maxHostMemory, bridge),
      scratch: core.scratch,
      meter: core.meter,
      moduleSize: compiled.size,
      onDispose: () => {
        this.#live--;
        release();
      },
    });
    this.#live++; // dispose() counts it down, also on a failed start
    try {
      await group.start();
    } catch (error) {
      group.dispose();
      throw error;
    }
    this.#memories.follow(group, release);
    return group;
  }
}

/**
 * Loads the crate and returns a runtime.
 * @param {object} [options]
 * @param {object} [options.policy] partial policy; missing fields come from the `script` profile
 * @param {(message: string) => void} [options.onLog] default sink for guests' `ugc.log`
 * @param {object} [options.wasiPolicy] partial overrides of the `wasi` profile used by runWasi/spawnWasi
 */
export async function createRuntime(options = {}) {
  const core = await loadCore();
  return new Runtime(core, core.policy(options.policy), options.onLog, options.wasiPolicy);
}
