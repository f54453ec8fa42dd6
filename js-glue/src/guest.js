// One running guest: instantiation, metered calls, fault tracking and stats.
//
// This is the engine both isolation backends share: the instance backend drives it on the page's thread,
// the worker backend drives it inside a dedicated Web Worker. It is synchronous on purpose (callSync).

import { UgcError } from './errors.js';
import { HostContext, buildImports } from './host-imports.js';

/** Reserved exports prepare adds (see crate/src/prepare). */
export const FUEL_EXPORT = '__ugc_fuel';
export const MEMORY_EXPORT = '__ugc_memory';
/** The guest's start function, moved out of the start section so it can run metered after fuel is set. */
export const START_EXPORT = '__ugc_start';
const RESERVED_PREFIX = '__ugc_';

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
 * `fuelLeft` is the fuel global after the throw (null when the module is not metered).
 */
export function classify(error, fuelLeft, where) {
  if (error instanceof UgcError) return error;
  const at = where ? ` (in ${where})` : '';
  if (error instanceof WebAssembly.RuntimeError) {
    // Metered code runs `unreachable` when fuel would go negative and leaves the global negative.
    if (fuelLeft !== null && fuelLeft < 0n) {
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

export const FAULTLESS = new Set(['bad_argument', 'unknown_export']);

const NUMBER_TYPES = new Set(['i32', 'f32', 'f64']);

/** Checks argument count and types before entering the guest, so bad input never faults a script. */
function checkArgs(name, fn, params, args) {
  const expected = params ? params.length : fn.length;
  if (args.length !== expected) {
    throw new UgcError('bad_argument', `${name} takes ${expected} argument(s), got ${args.length}`, {
      export: name,
    });
  }
  for (let i = 0; i < args.length; i++) {
    const type = params?.[i];
    const kind = typeof args[i];
    const ok =
      type === 'i64'
        ? kind === 'bigint'
        : NUMBER_TYPES.has(type)
          ? kind === 'number'
          : type === undefined && (kind === 'number' || kind === 'bigint');
    if (!ok) {
      const want = type === 'i64' ? 'a BigInt (i64)' : type ? `a number (${type})` : 'a number or BigInt';
      throw new UgcError('bad_argument', `${name}: argument ${i} must be ${want}, got ${kind}`, {
        export: name,
      });
    }
  }
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
   */
  constructor(module, { fuel, abiImports, signatures, onLog, isolation }) {
    this.module = module;
    this.fuel = fuel;
    this.abiImports = abiImports;
    this.signatures = signatures ?? null;
    this.onLog = onLog ?? null;
    this.isolation = isolation;
    this.instance = null;
    this.exportCache = new Map();
    this.fault = null;
    this.calls = 0;
    this.fuelUsed = 0;
    this.fuelUsedTotal = 0;
    this.ctx = null;
  }

  /** (Re)creates the instance and runs the guest's start function metered. Throws a UgcError. */
  instantiate() {
    this.instance = null;
    this.exportCache.clear();
    this.fault = null;
    this.ctx = new HostContext({ onLog: this.onLog });
    const imports = buildImports(this.module, this.abiImports, this.ctx);
    let instance;
    try {
      instance = new WebAssembly.Instance(this.module, imports);
    } catch (error) {
      throw classify(error, null, 'instantiation');
    }
    this.instance = instance;
    this.ctx.attach(instance, MEMORY_EXPORT);
    const fuel = instance.exports[FUEL_EXPORT];
    this.fuelGlobal = fuel instanceof WebAssembly.Global ? fuel : null;
    if (this.fuel !== null && this.fuelGlobal === null) {
      throw new UgcError('load_failed', `metered module has no ${FUEL_EXPORT} export`);
    }
    const start = instance.exports[START_EXPORT];
    if (typeof start === 'function') this.invoke(START_EXPORT, start, []);
    this.calls = 0;
  }

  /** The callable export `name`, or an `unknown_export` error. Reserved `__ugc_*` exports are hidden. */
  exportFn(name) {
    let fn = this.exportCache.get(name);
    if (fn !== undefined) return fn;
    fn =
      typeof name === 'string' && !name.startsWith(RESERVED_PREFIX) ? this.instance.exports[name] : undefined;
    if (typeof fn !== 'function' || !Object.hasOwn(this.instance.exports, name)) {
      throw new UgcError('unknown_export', `no exported function named ${JSON.stringify(String(name))}`, {
        export: String(name),
      });
    }
    this.exportCache.set(name, fn);
    return fn;
  }

  /** Calls export `name` with `args` (an array); returns its result. Throws a UgcError. */
  call(name, args) {
    if (this.fault !== null) throw this.faultedError();
    if (this.instance === null) throw new UgcError('faulted', 'script is not instantiated');
    const fn = this.exportFn(name);
    const signature =
      this.signatures !== null && Object.hasOwn(this.signatures, name) ? this.signatures[name] : undefined;
    checkArgs(name, fn, signature?.params, args);
    return this.invoke(name, fn, args);
  }

  invoke(name, fn, args) {
    const fuel = this.fuelGlobal;
    if (fuel !== null) fuel.value = this.fuel;
    this.ctx.fault = null;
    let result;
    try {
      result = fn(...args);
    } catch (error) {
      throw this.fail(error, name);
    } finally {
      this.calls++;
      if (fuel !== null) this.account(fuel.value);
    }
    // The guest may have caught a host trap with exception handling; the fault stands regardless.
    if (this.ctx.fault !== null) throw this.fail(this.ctx.fault, name);
    return result;
  }

  account(left) {
    const used = left < 0n ? this.fuel : this.fuel - left;
    this.fuelUsed = Number(used);
    this.fuelUsedTotal += this.fuelUsed;
  }

  fail(error, name) {
    const left = this.fuelGlobal !== null ? this.fuelGlobal.value : null;
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

  stats() {
    const memory = this.ctx?.memory;
    return {
      fuelUsed: this.fuelUsed,
      fuelUsedTotal: this.fuelUsedTotal,
      fuelLimit: this.fuel === null ? null : Number(this.fuel),
      memoryBytes: memory ? memory.buffer.byteLength : 0,
      calls: this.calls,
      faulted: this.fault !== null,
      lastError: this.fault ? { code: this.fault.code, message: this.fault.message } : null,
      logs: this.ctx?.logCount ?? 0,
      isolation: this.isolation,
    };
  }

  dispose() {
    this.instance = null;
    this.exportCache.clear();
    this.ctx = null;
    this.fuelGlobal = null;
    this.module = null;
  }
}
