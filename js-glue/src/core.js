// The crate (validate, prepare, policy, abi), compiled to wasm32 with wasm-bindgen and loaded once per page.
// This is the only JS module that knows the bindings' names; everything else goes through it.

import init, * as bindings from './pkg/ugc_wasm.js';
import { UgcError } from './errors.js';

let ready = null;
/** The crate's wasm exports (for its linear memory size in stats). */
let exports = null;
/** The crate's compiled module, which workers instantiate rather than compile again (see crateModule). */
let compiled = null;

async function compileCrate() {
  const url = new URL('./pkg/ugc_wasm_bg.wasm', import.meta.url);
  try {
    return await WebAssembly.compileStreaming(fetch(url));
  } catch {
    // Served without `application/wasm`: compile the bytes.
    const response = await fetch(url);
    if (!response.ok) throw new Error(`failed to fetch the crate: ${response.status} ${url}`);
    return WebAssembly.compile(await response.arrayBuffer());
  }
}

const CAP_ERRORS = new Set(['memory_exceeds_cap', 'table_exceeds_cap']);
/** The script profile's `max_host_memory` (crate/src/policy.rs), for callers that pass none. */
const DEFAULT_HOST_MEMORY = 16 * 1024 * 1024;

/**
 * Loads and initialises the crate once; later calls share the same promise. `module`: the crate already
 * compiled (crateModule() of another thread, posted here), so a worker neither fetches nor compiles it.
 */
export function loadCore(module) {
  ready ??= (async () => {
    compiled = module ?? (await compileCrate());
    exports = await init({ module_or_path: compiled });
    return core;
  })();
  ready.catch(() => {
    ready = null;
  });
  return ready;
}

/**
 * The crate's compiled module, for a worker's loadCore. Posting it shares V8's compiled code, tiered-up
 * functions included: a fresh compilation in a worker runs its first megabytes of validation in the baseline
 * tier, several times slower.
 */
export function crateModule() {
  return compiled;
}

/** Rust returns errors as `{ code, message }` objects; make them UgcErrors. */
function rethrow(error, fallbackCode) {
  if (error && typeof error === 'object' && typeof error.code === 'string') {
    throw new UgcError(error.code, error.message ?? error.code);
  }
  throw new UgcError(fallbackCode, String(error?.message ?? error));
}

/**
 * Copies guest inputs into the crate's scratch buffer (one per thread, `scratchBuffer` in crate/src/web/host.rs)
 * so the hot host calls (`object_set`, `new_value`…) pass a length instead of a slice: a slice costs a JS view,
 * an allocation and a free in the crate per call. One writer per thread, because the buffer is.
 */
const scratch = {
  ptr: 0,
  cap: 0,
  view: new Uint8Array(0),
  /** A live view of the crate's memory with at least `len` bytes of scratch buffer at `ptr` (grown if needed). */
  reserve(len) {
    if (len > this.cap) {
      this.cap = Math.max(len, 256);
      this.ptr = bindings.scratchBuffer(this.cap);
    }
    return this.live(len);
  },
  /** The view of the crate's memory, made again when a grown memory detached it (its length is 0 then). */
  live(len) {
    if (this.ptr + len > this.view.length) this.view = new Uint8Array(exports.memory.buffer);
    return this.view;
  },
  /** Copies `src[start, start + len)` to the scratch buffer. */
  put(src, start, len) {
    const view = this.reserve(len);
    const ptr = this.ptr;
    if (len <= 32) for (let i = 0; i < len; i++) view[ptr + i] = src[start + i];
    else view.set(src.subarray(start, start + len), ptr);
  },
  /**
   * Copies the first `len` bytes of the scratch buffer to `dst[at, at + len)` (`object_get_value`'s output,
   * which the crate leaves there when the buffer holds it); false when it does not.
   */
  take(dst, at, len) {
    if (len > this.cap) return false;
    // The host call may have grown the crate's memory (a bridge call), detaching the view.
    const view = this.live(len);
    const ptr = this.ptr;
    if (len <= 32) for (let i = 0; i < len; i++) dst[at + i] = view[ptr + i];
    else dst.set(view.subarray(ptr, ptr + len), at);
    return true;
  },
  /** Copies `src[a, a + alen)` then `src[b, b + blen)` back to back (`object_set_value`'s name and value). */
  putPair(src, a, alen, b, blen) {
    const len = alen + blen;
    const view = this.reserve(len);
    const ptr = this.ptr;
    // Names and plain values are short: a loop beats creating two subarray views.
    if (len <= 64) {
      for (let i = 0; i < alen; i++) view[ptr + i] = src[a + i];
      const at = ptr + alen;
      for (let i = 0; i < blen; i++) view[at + i] = src[b + i];
    } else {
      view.set(src.subarray(a, a + alen), ptr);
      view.set(src.subarray(b, b + blen), ptr + alen);
    }
  },
};

/**
 * The crate's host-work meter (crate/src/host/meter.rs): three f64s in the crate's memory — the fuel a running
 * guest has left for host work, why a host call had to stop (0 none, 1 fuel, 2 host memory), and the memory
 * account the crate's allocations are charged to. host-imports.js opens it around every host call; reading and
 * writing it through a typed array costs no call into the crate.
 */
const meter = {
  at: 0,
  view: new Float64Array(0),
  /** A live view of the cell, made again when a grown memory detached the old one (its length is 0 then). */
  cell() {
    if (this.view.length === 0) {
      this.at ||= bindings.meterCell();
      this.view = new Float64Array(exports.memory.buffer, this.at, 3);
    }
    return this.view;
  },
};

const core = {
  /** The scratch-buffer writer for host imports (see `scratch` above). */
  scratch,
  /** The host-work meter for host imports (see `meter` above). */
  meter,

  /** A policy handle from a partial policy object (missing fields from the script profile). */
  policy(partial) {
    try {
      return new bindings.JsPolicy(partial == null ? undefined : JSON.stringify(partial));
    } catch (error) {
      rethrow(error, 'bad_argument');
    }
  },

  /** A policy handle for a built-in profile (`script`, `wasi`) with optional partial overrides. */
  profile(name, overrides) {
    try {
      return bindings.JsPolicy.fromProfile(name, overrides == null ? undefined : JSON.stringify(overrides));
    } catch (error) {
      rethrow(error, 'bad_argument');
    }
  },

  /** `{ ok, report, errors }` for `bytes` under `policy` (a JsPolicy). */
  validate(bytes, policy) {
    return bindings.validate(bytes, policy);
  },

  /**
   * The prepared module bytes (memory cap, metering, reserved exports). prepare's own codes become
   * `memory_limit` (the module needs more memory or table than the cap) or `load_failed`, kept as `.reason`.
   */
  prepare(bytes, options) {
    try {
      return bindings.prepare(bytes, options);
    } catch (error) {
      const reason = typeof error?.code === 'string' ? error.code : 'internal';
      const code = CAP_ERRORS.has(reason) ? 'memory_limit' : 'load_failed';
      throw new UgcError(code, `prepare: ${error?.message ?? String(error)}`, { reason });
    }
  },

  abi() {
    return bindings.abi();
  },

  /** The default capability rules (`Capabilities::to_json` in the crate, docs/CAPABILITIES.md); a fresh object. */
  capabilities() {
    return bindings.capabilities();
  },

  /** Bytes of the crate's linear memory on this thread (it only grows: flat means nothing leaks). */
  memoryBytes() {
    return exports?.memory?.buffer.byteLength ?? 0;
  },

  /**
   * A JsScriptHost for a script: `{ bytes (original module), selfId (BigInt), selfClass, maxLiveHandles,
   * maxHostMemory, bridge? ({ classOf, get, call }, same thread only) }`.
   * A malformed `ugc_script` manifest is a `load_failed`.
   */
  scriptHost({ bytes, selfId, selfClass, maxLiveHandles, maxHostMemory, bridge }) {
    try {
      return new bindings.JsScriptHost(
        bytes,
        selfId,
        selfClass,
        maxLiveHandles,
        maxHostMemory ?? DEFAULT_HOST_MEMORY,
        bridge ?? undefined,
      );
    } catch (error) {
      const reason = typeof error?.code === 'string' ? error.code : 'internal';
      throw new UgcError('load_failed', `script host: ${error?.message ?? String(error)}`, { reason });
    }
  },

  /**
   * The hosts' common part for a shared instance of the (original) module `bytes`: a JsHostGroup whose
   * `host(selfId, selfClass, slot, maxLiveHandles, maxHostMemory, bridge)` makes each node's JsScriptHost. A malformed
   * manifest is a `load_failed`.
   */
  hostGroup(bytes) {
    try {
      return new bindings.JsHostGroup(bytes);
    } catch (error) {
      const reason = typeof error?.code === 'string' ? error.code : 'internal';
      throw new UgcError('load_failed', `script host: ${error?.message ?? String(error)}`, { reason });
    }
  },

  /** `'node'` or `'shared'`: the module's manifest `instancing`; a malformed manifest is a `load_failed`. */
  instancing(bytes) {
    try {
      return bindings.manifestInstancing(bytes);
    } catch (error) {
      const reason = typeof error?.code === 'string' ? error.code : 'internal';
      throw new UgcError('load_failed', `manifest: ${error?.message ?? String(error)}`, { reason });
    }
  },

  /** A plain JS value as Godot binary Variant bytes (docs/JS-API.md); `abi_error` (bad_value) if it has none. */
  encodeVariant(value) {
    try {
      return bindings.encodeVariant(value);
    } catch (error) {
      throw abiError(error);
    }
  },

  /** Godot binary Variant bytes as a plain JS value. */
  decodeVariant(bytes) {
    try {
      return bindings.decodeVariant(bytes);
    } catch (error) {
      throw abiError(error);
    }
  },
};

function abiError(error) {
  const reason = typeof error?.code === 'string' ? error.code : 'internal';
  return new UgcError('abi_error', error?.message ?? String(error), { reason });
}
