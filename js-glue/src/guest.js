// One running guest: instantiation, metered calls, fault tracking and stats.
//
// This is the engine both isolation backends share: the instance backend drives it on the page's thread,
// the worker backend drives it inside a dedicated Web Worker. It is synchronous on purpose (callSync).

import { UgcError } from './errors.js';
import { fuelControl } from './fuel.js';
import { HostContext, buildImports } from './host-imports.js';

/** Reserved exports prepare adds (see crate/src/prepare). */
export const FUEL_EXPORT = '__ugc_fuel';
export const MEMORY_EXPORT = '__ugc_memory';
/** The guest's start function, moved out of the start section so it can run metered after fuel is set. */
export const START_EXPORT = '__ugc_start';
export const RESERVED_PREFIX = '__ugc_';

// V8's trap messages (src/common/message-template.h) → stable trap kinds.
const TRAP_KINDS = [
  [/unreachable/, 'unreachable'],
  [/divide by zero|remainder by zero/, 'divide_by_zero'],
  [/divide result unrepresentable/, 'integer_overflow'],
  [/float unrepresentable/, 'invalid_conversion'],
  [/memory access out of bounds|unaligned/, 'memory_out_of_bounds'],
  [/table index is out of bounds|invalid index into function table/, 'table_out_of_bounds'],
  [/signature mismatch|null function/, 'indirect_call_mismatch'],
  [/null/, 'null_reference'],
  [/illegal cast/, 'bad_cast'],
  [/out of bounds/, 'out_of_bounds'],
];

function trapKind(message) {
  for (const [pattern, kind] of TRAP_KINDS) if (pattern.test(message)) return kind;
  return 'other';
}

/**
 * Turns whatever a guest call (or instantiation) threw into a UgcError.
 * `fuelLeft` is the fuel left after the throw, a number (null when the module is not metered).
 */
export function classify(error, fuelLeft, where) {
  if (error instanceof UgcError) return error;
  const at = where ? ` (in ${where})` : '';
  if (error instanceof WebAssembly.RuntimeError) {
    // Metered code runs `unreachable` when fuel would go negative and leaves the global negative.
    if (fuelLeft !== null && fuelLeft < 0) {
      return new UgcError('fuel_exhausted', `fuel exhausted${at}`, { export: where });
    }
    return new UgcError('trap', `${error.message}${at}`, { trap: trapKind(error.message), export: where });
  }
  if (error instanceof RangeError) {
    if (/call stack/i.test(error.message)) {
      return new UgcError('stack_overflow', `${error.message}${at}`, { export: where });
    }
    if (/memory|allocat/i.test(error.message)) {
      return new UgcError('memory_limit', `${error.message}${at}`, { export: where });
    }
  }
  if (error instanceof WebAssembly.LinkError || error instanceof WebAssembly.CompileError) {
    return new UgcError('load_failed', `${error.message}${at}`, { export: where });
  }
  if (typeof WebAssembly.Exception === 'function' && error instanceof WebAssembly.Exception) {
    return new UgcError('trap', `uncaught wasm exception${at}`, {
      trap: 'uncaught_exception',
      export: where,
    });
  }
  // A TypeError at the JS↔wasm boundary (argument or result conversion): the guest never ran, or ran to
  // completion; it is the caller's mistake, so the script is not faulted.
  if (error instanceof TypeError) {
    return new UgcError('bad_argument', `${error.message}${at}`, { export: where });
  }
  return new UgcError('trap', `${error?.message ?? String(error)}${at}`, { trap: 'other', export: where });
}

export const FAULTLESS = new Set(['bad_argument', 'unknown_export', 'abi_error', 'reentrant']);

/**
 * Prepared modules up to this size are instantiated synchronously (`new WebAssembly.Instance`: no task hop, and
 * `reset()` is done when it returns). Bigger ones go through `WebAssembly.instantiate`: Chromium refuses a
 * synchronous instantiation of a module over 8 MB on the main thread, and its data segments are copied then.
 */
export const SYNC_INSTANTIATE_BYTES = 1024 * 1024;

/**
 * A call into a script (or shared instance) that is already running: from inside one of its own calls, through
 * an embedder callback (onLog, the bridge). Refused before anything runs, so the outer call keeps its fuel
 * budget and the crate objects it is using are not entered twice; the script is not faulted.
 */
export function reentrantError(what) {
  return new UgcError(
    'reentrant',
    `${what}: the script is already running (called from inside one of its own calls, e.g. from onLog or ` +
      `the bridge); wait until that call has returned`,
    { export: what },
  );
}

/**
 * How many live Wasm memories a Chromium page holds: each 32-bit memory reserves ~8 GiB of address space in
 * V8's sandbox, and the ~125th `new WebAssembly.Instance` of a module with a memory throws a RangeError.
 */
export const BROWSER_MEMORY_CAP = 120;

/**
 * What instantiation threw, typed. The browser's cap on live memories (a RangeError "Cannot allocate Wasm
 * memory") becomes a `memory_limit` naming the cap and the way out: shared instancing.
 */
export function instantiationError(error) {
  const typed = classify(error, null, 'instantiation');
  if (typed.code !== 'memory_limit') return typed;
  return new UgcError(
    'memory_limit',
    `cannot allocate a Wasm memory for a new instance: the browser caps the live Wasm memories of a page ` +
      `(about ${BROWSER_MEMORY_CAP} in Chromium, each reserving ~8 GiB of address space), and every ` +
      `"instancing": "node" script has its own. Give modules used by many nodes "instancing": "shared" ` +
      `(rt.loadShared) so one instance serves them all (${error.message})`,
    { export: 'instantiation', cause: error },
  );
}

// What `typeof` an argument of each wasm type must be. Other types (v128, references) cannot be passed.
const ARG_KINDS = { i32: 'number', f32: 'number', f64: 'number', i64: 'bigint' };

/**
 * The callable export `name` of `exports` with its argument check (argumentChecker, from `signatures[name]` when
 * the report has one), or an `unknown_export` error; the runtime's reserved `__ugc_*` exports are hidden.
 */
export function exportEntry(exports, signatures, name) {
  const fn =
    typeof name === 'string' && !name.startsWith(RESERVED_PREFIX) && Object.hasOwn(exports, name)
      ? exports[name]
      : undefined;
  if (typeof fn !== 'function') {
    throw new UgcError('unknown_export', `no exported function named ${JSON.stringify(String(name))}`, {
      export: String(name),
    });
  }
  const signature = signatures !== null && Object.hasOwn(signatures, name) ? signatures[name] : undefined;
  return argumentChecker(name, fn, signature?.params);
}

/**
 * The argument check for one export, built once: `check(args)` is a fast boolean test; `explain(args)` the
 * `bad_argument` error when it fails. Without a signature, the count is `fn.length` and any number or
 * BigInt passes (the JS API then converts or throws TypeError, still reported as bad_argument).
 */
export function argumentChecker(name, fn, params) {
  const kinds = params ? params.map((type) => ARG_KINDS[type] ?? 'unsupported') : null;
  const count = kinds ? kinds.length : fn.length;
  const check = (args) => {
    if (args.length !== count) return false;
    for (let i = 0; i < count; i++) {
      const kind = typeof args[i];
      if (kinds ? kind !== kinds[i] : kind !== 'number' && kind !== 'bigint') return false;
    }
    return true;
  };
  const explain = (args) => {
    if (args.length !== count) {
      return new UgcError('bad_argument', `${name} takes ${count} argument(s), got ${args.length}`, {
        export: name,
      });
    }
    const i = args.findIndex((arg, k) =>
      kinds ? typeof arg !== kinds[k] : !['number', 'bigint'].includes(typeof arg),
    );
    const want = !kinds
      ? 'a number or BigInt'
      : kinds[i] === 'bigint'
        ? 'a BigInt (i64)'
        : kinds[i] === 'number'
          ? `a number (${params[i]})`
          : `something JS cannot pass (${params[i]})`;
    return new UgcError('bad_argument', `${name}: argument ${i} must be ${want}, got ${typeof args[i]}`, {
      export: name,
    });
  };
  return { name, fn, check, explain };
}

export class Guest {
  /**
   * @param {WebAssembly.Module} module prepared and compiled
   * @param {object} options
   * @param {bigint|null} options.fuel per-call fuel (null: the module is not metered)
   * @param {Array} options.abiImports host functions the ABI defines (from the crate)
   * @param {Object<string,{params:string[],results:string[]}>} [options.signatures] export signatures
   * @param {(message:string)=>void} [options.onLog]
   * @param {string} options.isolation reported in stats
   * @param {(() => object)|null} [options.hostFactory] creates the script's JsScriptHost (ABI modules only)
   * @param {object|null} [options.scratch] the crate's scratch-buffer writer (core.scratch) for host imports
   * @param {object|null} [options.meter] the crate's host-work meter (core.meter): host calls charge the guest's fuel
   */
  constructor(module, { fuel, abiImports, signatures, onLog, isolation, hostFactory, scratch, meter }) {
    this.hostFactory = hostFactory ?? null;
    this.scratch = scratch ?? null;
    this.meter = meter ?? null;
    /** One ScriptHost per script: created on the first instantiation, reset on every later one. */
    this.host = null;
    this.module = module;
    this.fuel = fuel;
    this.abiImports = abiImports;
    this.signatures = signatures ?? null;
    this.onLog = onLog ?? null;
    this.isolation = isolation;
    this.instance = null;
    this.exportCache = new Map();
    this.lastEntry = null;
    this.fault = null;
    this.calls = 0;
    this.metered = false;
    this.fuelCtl = null;
    this.fuelLimit = fuel === null ? null : Number(fuel);
    this.ctx = null;
    /** Whether a call (or host operation, or the start function) is on the stack: entering again is refused. */
    this.busy = false;
    /** What the running call rejects with once dispose()/reset() stopped it (see interrupt), else null. */
    this.abort = null;
    /** Run once an interrupted call has unwound: freeing, resolving a waiting reset(). */
    this.afterUnwind = [];
    /** The host's `[abiErrors, liveHandles]` as last read: a running call may hold the host borrowed. */
    this.hostStats = null;
  }

  /** The import object of a fresh instance: state cleared, host reset (or created), a new HostContext. */
  begin() {
    this.instance = null;
    this.exportCache.clear();
    this.lastEntry = null;
    this.fault = null;
    this.abort = null;
    if (this.host !== null) this.host.reset();
    else if (this.hostFactory !== null) this.host = this.hostFactory();
    this.ctx = new HostContext({
      onLog: this.onLog,
      host: this.host,
      scratch: this.scratch,
      meter: this.meter,
    });
    return buildImports(this.module, this.abiImports, this.ctx);
  }

  /** (Re)creates the instance synchronously and runs the guest's start function metered. Throws a UgcError. */
  instantiate() {
    const imports = this.begin();
    let instance;
    try {
      instance = new WebAssembly.Instance(this.module, imports);
    } catch (error) {
      this.fault = instantiationError(error);
      throw this.fault;
    }
    this.finish(instance);
  }

  /** The same through `WebAssembly.instantiate` (big modules, see SYNC_INSTANTIATE_BYTES). */
  async instantiateAsync() {
    const module = this.module;
    const imports = this.begin();
    const ctx = this.ctx;
    let instance;
    try {
      instance = await WebAssembly.instantiate(module, imports);
    } catch (error) {
      if (this.module !== module) throw new UgcError('disposed', 'script was disposed');
      const typed = instantiationError(error);
      if (this.ctx === ctx) this.fault = typed;
      throw typed;
    }
    // Disposed, or instantiated again, while this one was being made: it is nobody's instance.
    if (this.module !== module) throw new UgcError('disposed', 'script was disposed');
    if (this.ctx !== ctx) throw new UgcError('faulted', 'superseded by a later instantiation');
    this.finish(instance);
  }

  finish(instance) {
    this.instance = instance;
    this.ctx.attach(instance, MEMORY_EXPORT);
    const fuel = instance.exports[FUEL_EXPORT];
    if (this.fuel !== null && !(fuel instanceof WebAssembly.Global)) {
      throw new UgcError('load_failed', `metered module has no ${FUEL_EXPORT} export`, { reason: 'fuel' });
    }
    this.fuelCtl = this.fuel === null ? null : fuelControl(fuel, this.fuel);
    this.ctx.fuel = this.fuelCtl;
    const start = instance.exports[START_EXPORT];
    if (typeof start === 'function') {
      this.busy = true;
      try {
        this.invoke(START_EXPORT, start, []);
      } finally {
        this.leave();
      }
    }
    this.calls = 0;
    this.metered = false;
  }

  /** Ends a call, operation or start function; after an interrupted one, drops the instance and runs afterUnwind. */
  leave() {
    this.busy = false;
    if (this.abort === null) return;
    this.instance = null;
    this.exportCache.clear();
    this.lastEntry = null;
    const after = this.afterUnwind;
    this.afterUnwind = [];
    for (const fn of after) fn();
  }

  /**
   * Stops the running call: the guest traps at its next fuel check (fuel set to -1) or host call
   * (HostContext.stop), and the call rejects with `error`, whatever the guest does meanwhile. Resolves once the
   * call has unwound: crate objects it borrowed can be freed from then on.
   */
  interrupt(error) {
    if (this.abort === null) {
      this.abort = error;
      if (this.fuelCtl !== null) this.fuelCtl.set(-1);
      this.ctx?.stop(error);
    }
    return new Promise((resolve) => this.afterUnwind.push(resolve));
  }

  /** The callable export `name` with its argument check (see exportEntry), cached. */
  resolveExport(name) {
    const entry = exportEntry(this.instance.exports, this.signatures, name);
    this.exportCache.set(name, entry);
    return entry;
  }

  /** Calls export `name` with `args` (an array); returns its result. Throws a UgcError (`reentrant` from inside a call). */
  call(name, args) {
    if (this.busy) throw reentrantError(String(name));
    this.busy = true;
    try {
      return this.callInner(name, args);
    } finally {
      this.leave();
    }
  }

  callInner(name, args) {
    if (this.fault !== null) throw this.faultedError();
    if (this.instance === null) throw new UgcError('faulted', 'script is not instantiated');
    // Scripts call the same export over and over (e.g. _process): skip the map lookup for a repeat.
    let entry = this.lastEntry;
    if (entry === null || entry.name !== name) {
      entry = this.exportCache.get(name) ?? this.resolveExport(name);
      this.lastEntry = entry;
    }
    if (!entry.check(args)) throw entry.explain(args);
    return this.invoke(name, entry.fn, args);
  }

  invoke(name, fn, args) {
    const fuel = this.fuelCtl;
    if (fuel !== null) fuel.refuel();
    const ctx = this.ctx;
    ctx.fault = null;
    let result;
    try {
      // Spread-free calls for the common arities keep the hot path allocation-free.
      switch (args.length) {
        case 0:
          result = fn();
          break;
        case 1:
          result = fn(args[0]);
          break;
        case 2:
          result = fn(args[0], args[1]);
          break;
        case 3:
          result = fn(args[0], args[1], args[2]);
          break;
        default:
          result = fn(...args);
      }
    } catch (error) {
      this.calls++;
      this.metered = true;
      throw this.fail(error, name);
    }
    this.calls++;
    this.metered = true;
    // Stopped by dispose()/reset() after its last fuel check: it still does not return.
    if (this.abort !== null) throw this.abort;
    // The guest may have caught a host trap with exception handling; the fault stands regardless.
    if (ctx.fault !== null) throw this.fail(ctx.fault, name);
    return result;
  }

  /** Fuel the last call used, read when asked rather than after every call. */
  fuelUsed() {
    if (!this.metered || this.fuelCtl === null) return 0;
    const left = this.fuelCtl.left();
    return left < 0 ? this.fuelLimit : this.fuelLimit - left;
  }

  fail(error, name) {
    // An interrupted call fails as its interrupter says (its trap is the interruption, not the guest's fault).
    if (this.abort !== null) return this.abort;
    const left = this.fuelCtl !== null ? this.fuelCtl.left() : null;
    const typed = this.ctx.fault ?? classify(error, left, name);
    if (!FAULTLESS.has(typed.code)) this.fault = typed;
    return typed;
  }

  faultedError() {
    const fault = this.fault;
    return new UgcError('faulted', `script faulted (${fault.code}: ${fault.message}); call reset()`, {
      cause: fault,
      fault: fault.code,
    });
  }

  /**
   * Calls declared method `name` with `args` (Variant bytes of an Array): the Array is lent for the call,
   * the returned handle taken over. Returns the result as Variant bytes.
   */
  callMethod(name, args) {
    const host = this.requireHost();
    const lent = host.lend(args);
    let result;
    try {
      result = this.callInner(name, [lent]);
    } finally {
      // After a trap the instance is gone and reset() releases everything; the loan is ended otherwise.
      if (this.fault === null) host.end_lend(lent);
    }
    return host.take_returned(result);
  }

  /** Sets a declared property (Variant bytes), then runs `_property_changed(name)` when exported. */
  setProperty(name, value) {
    const host = this.requireHost();
    host.set_property(name, value);
    if (typeof this.instance?.exports._property_changed !== 'function') return;
    const lent = host.lend(this.nameBytes(name));
    try {
      this.callInner('_property_changed', [lent]);
    } finally {
      if (this.fault === null) host.end_lend(lent);
    }
  }

  /** A String Variant's bytes (type 4, length, UTF-8, padded to 4). */
  nameBytes(name) {
    const text = new TextEncoder().encode(name);
    const out = new Uint8Array(8 + ((text.length + 3) & ~3));
    const view = new DataView(out.buffer);
    view.setUint32(0, 4, true);
    view.setUint32(4, text.length, true);
    out.set(text, 8);
    return out;
  }

  requireHost() {
    if (this.host === null) {
      throw new UgcError('bad_argument', 'this script imports no ABI functions, so it has no script host');
    }
    return this.host;
  }

  /**
   * Runs one of the host's embedding-side operations (callMethod, property, takeBatch…). The crate's own
   * refusals (`{ code, message }`: not_found, wrong_type, bad_value…) become `abi_error` with `.reason`.
   * From inside a call: `reentrant` (the host may be borrowed by the crate call that led here).
   */
  hostOp(type, name, value) {
    if (this.busy) throw reentrantError(`${type}(${name ?? ''})`);
    this.busy = true;
    try {
      return this.hostOpInner(type, name, value);
    } catch (error) {
      if (error instanceof UgcError || typeof error?.code !== 'string') throw error;
      throw new UgcError('abi_error', `${type}(${name ?? ''}): ${error.code}: ${error.message}`, {
        reason: error.code,
      });
    } finally {
      this.leave();
    }
  }

  hostOpInner(type, name, value) {
    const host = this.requireHost();
    switch (type) {
      case 'callMethod':
        return this.callMethod(name, value);
      case 'setProperty':
        return this.setProperty(name, value);
      case 'getProperty':
        return host.property(name);
      case 'setNodeProperty':
        return host.set_node_property(name, value);
      case 'takeBatch':
        // A faulted script's writes are dropped with it (its last call did not finish), as a worker's are.
        if (this.fault !== null) throw this.faultedError();
        this.ctx?.harvestBindings(host);
        return host.take_batch_bytes();
      default:
        throw new UgcError('bad_argument', `unknown host operation ${type}`);
    }
  }

  stats() {
    const memory = this.ctx?.memory;
    // From inside a call the host may be borrowed by the crate (a bridge callback): its last counts then.
    if (this.host !== null && !this.busy) this.hostStats = this.host.stats();
    const host = this.host === null ? null : this.hostStats;
    return {
      abiErrors: host === null ? 0 : host[0],
      liveHandles: host === null ? 0 : host[1],
      // What the crate holds for this script now, its peak and its budget (the policy's max_host_memory).
      hostMemory: host === null ? null : { bytes: host[4], peak: host[5], limit: host[6] },
      fuelUsed: this.fuelUsed(),
      fuelLimit: this.fuelLimit,
      memoryBytes: memory ? memory.buffer.byteLength : 0,
      calls: this.calls,
      faulted: this.fault !== null,
      lastError: this.fault ? { code: this.fault.code, message: this.fault.message } : null,
      logs: this.ctx?.logCount ?? 0,
      isolation: this.isolation,
    };
  }

  /**
   * Frees the host and drops the instance. From inside a call, the call is stopped (rejecting `disposed`) and
   * the freeing waits until it has unwound: the crate refuses to free an object it is using.
   */
  dispose() {
    if (this.busy) {
      this.hostFactory = null;
      this.interrupt(new UgcError('disposed', 'script was disposed during this call'));
      this.afterUnwind.push(() => this.free());
      return;
    }
    this.free();
  }

  free() {
    if (this.host !== null) this.host.free();
    this.host = null;
    this.hostFactory = null;
    this.instance = null;
    this.exportCache.clear();
    this.lastEntry = null;
    this.ctx = null;
    this.fuelCtl = null;
    this.module = null;
  }
}
