// Host imports: the functions a guest may import (module `ugc`, see crate/src/abi.rs).
//
// Every host function is a factory taking the per-script HostContext, so adding one is one entry in
// HOST_FUNCTIONS. The import object is built from the ABI description the crate returns (`rt.abi()`)
// intersected with what the module actually imports, so a guest only ever sees what the policy let it import.

import { BindingHarvest } from './bindings.js';
import { UgcError } from './errors.js';

/** Longest log message kept (bytes); longer messages are truncated, not refused. */
export const MAX_LOG_BYTES = 16 * 1024;

const decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * What `ugc.log` costs a script without a script host, in fuel: the crate's `cost::CALL` and `cost::LOG_BYTE`
 * (crate/src/host/meter.rs), which charges it for scripts with one.
 */
const HOSTLESS_LOG_CALL = 300;
const HOSTLESS_LOG_BYTE = 4;

/**
 * What a running guest's host functions share: its memory, its log sink and the pending fault.
 * A host function that finds bad input calls `trap()`: that records the fault (so the runtime reports it
 * even if the guest swallows the exception with exception handling) and throws to unwind the guest.
 */
export class HostContext {
  constructor({ onLog, host, scratch, meter } = {}) {
    /** The crate's scratch-buffer writer (core.scratch) for slice-free host calls, or null. */
    this.scratch = scratch ?? null;
    /** The crate's host-work meter (core.meter), or null: then host work is not charged (no crate). */
    this.meter = meter ?? null;
    /** The guest's fuel control (fuel.js), set once the instance exists; null for an unmetered module. */
    this.fuel = null;
    /** The memory account of `host` (crate/src/host/account.rs): what the crate's allocations are charged to. */
    this.account = 0;
    this._host = null;
    /**
     * The script's JsScriptHost (crate), or null for modules that import only `ugc.log`. Under shared
     * instancing the group points it at the host of the node whose call is running, before each call:
     * every host function reads it at call time.
     */
    this.host = host ?? null;
    /**
     * The longest property, method or signal name the crate accepts (its `abi::MAX_NAME_LEN`, asked once: every
     * host has the same). A longer name is refused before it is copied out of guest memory.
     */
    this.maxName = this.host === null ? 0 : this.host.max_name_len();
    /** `ugc.node_slot()`: the running node's slot (0 under node instancing, -1 outside a node's call). */
    this.slot = 0;
    this.memory = null;
    this.fault = null;
    this.onLog = onLog ?? null;
    this.logCount = 0;
    this.view = new Uint8Array(0);
    /** Whether the module imports `object_bind_value`: only then can it have bindings to harvest. */
    this.binds = false;
    this.bindingHarvest = null;
  }

  /**
   * The end-of-frame harvest of the instance's property bindings (docs/ABI.md), before its batch is taken:
   * `source` is the crate object holding them (JsHostGroup or JsScriptHost). Nothing for a module that cannot bind.
   */
  harvestBindings(source) {
    if (!this.binds) return;
    this.bindingHarvest ??= new BindingHarvest(source);
    this.bindingHarvest.run(this.memory);
  }

  get host() {
    return this._host;
  }

  /** Switching hosts (shared instancing: before each node's call) switches the memory account too. */
  set host(host) {
    this._host = host;
    this.account = host === null ? 0 : (host.accountId ??= host.account());
  }

  /** Called once the instance exists; host functions run only after this. */
  attach(instance, memoryExport) {
    const memory = instance.exports[memoryExport];
    this.memory = memory instanceof WebAssembly.Memory ? memory : null;
    this.view = this.memory === null ? new Uint8Array(0) : new Uint8Array(this.memory.buffer);
  }

  /** Takes `units` of fuel from the guest (a hostless host call); traps `fuel_exhausted` when there are not enough. */
  charge(units) {
    if (this.fuel === null) return;
    const left = this.fuel.left() - units;
    if (left < 0) this.trap('fuel_exhausted', 'ugc.log: fuel ran out in the host work for it');
    this.fuel.set(left);
  }

  /**
   * Whether the open host call can pay for copying `len` input bytes into the crate. When it cannot, the call is
   * marked out of fuel (the metering wrapper traps the guest) and nothing is copied: a guest must not make the page
   * copy 64 MiB it could never pay for.
   */
  affords(len) {
    if (this.meter === null || this._host === null) return true;
    const cell = this.meter.cell();
    if (cell[0] >= len) return true;
    cell[0] = -1;
    cell[1] = 1;
    return false;
  }

  /**
   * Makes every later host call of this guest trap with `error` (dispose/reset during a call): the host
   * functions read `host`, `onLog` and the memory view when called, so swapping them is the whole check and
   * costs the calls nothing. The fault is recorded, so a guest catching the throw is still stopped.
   */
  stop(error) {
    const refuse = () => {
      this.fault = error;
      throw error;
    };
    this.fault = error;
    // Not through the `host` setter: the stand-in has no memory account.
    this._host = new Proxy({}, { get: () => refuse });
    this.account = 0;
    this.onLog = refuse;
    this.memory = null;
    this.view = new Uint8Array(0);
  }

  trap(code, message) {
    const error = new UgcError(code, message);
    this.fault = error;
    // The guest is done even if it catches the throw (exception handling): it stops at its next fuel check
    // instead of trapping the host over and over.
    if (this.fuel !== null) this.fuel.set(-1);
    throw error;
  }

  /**
   * Checks [ptr, ptr+len) lies in guest memory (else a `bad_pointer` trap); returns the unsigned start.
   * Checks against the cached view first and only re-reads `memory.buffer` (slow) when that fails.
   */
  range(ptr, len, fn) {
    // i32 arguments arrive signed; guest pointers and lengths are unsigned.
    const start = ptr >>> 0;
    const end = start + (len >>> 0);
    if (end <= this.view.length) return start;
    if (this.memory === null) this.trap('bad_pointer', `${fn}: the module has no memory to read from`);
    this.view = new Uint8Array(this.memory.buffer);
    if (end > this.view.length) {
      this.trap(
        'bad_pointer',
        `${fn}: range [${start}, ${end}) is outside guest memory (${this.view.length} bytes)`,
      );
    }
    return start;
  }

  /**
   * The unsigned start of [ptr, ptr+len) when it lies in guest memory, else -1: the ABI functions other
   * than `log` report a bad pointer as an error code (-4), never a trap.
   */
  check(ptr, len) {
    const start = ptr >>> 0;
    const end = start + (len >>> 0);
    if (end <= this.view.length) return start;
    if (this.memory === null) return -1;
    this.view = new Uint8Array(this.memory.buffer);
    return end <= this.view.length ? start : -1;
  }

  /** A copy-free view of guest memory [ptr, ptr+len), bounds-checked. */
  bytes(ptr, len, fn) {
    const start = this.range(ptr, len, fn);
    return this.view.subarray(start, start + (len >>> 0));
  }

  /** The UTF-8 string at [ptr, ptr+len), bounds-checked, at most `maxBytes` decoded. */
  string(ptr, len, fn, maxBytes) {
    const start = this.range(ptr, len, fn);
    const length = Math.min(len >>> 0, maxBytes);
    return length === 0 ? '' : decoder.decode(this.view.subarray(start, start + length));
  }
}

const BAD_POINTER = -4;

/** The longest input a function takes: the crate's name cap for a `named` input, else no cap. */
const inputCap = (ctx, named) => (named ? ctx.maxName : Infinity);

/**
 * An ABI function taking one `(ptr, len)` input at argument `at` (0 or 1): the view is passed to
 * `call(host, bytes, ...args)` (the crate copies it), or `bad_pointer` is recorded and -4 returned. A `named`
 * input (a property, method or signal name) longer than the crate's cap is refused as the crate would refuse it
 * (`name_too_long`, -10), without the copy. Fixed arities (no rest parameters) keep the guest→host path
 * allocation-free apart from the view.
 */
function withInput(name, at, call, named = false) {
  return (ctx) => {
    const bad = (ptr, len) => ctx.host.bad_pointer(name, ptr >>> 0, len >>> 0);
    const cap = inputCap(ctx, named);
    if (at === 0) {
      return (ptr, len, c) => {
        const start = ctx.check(ptr, len);
        if (start < 0) return bad(ptr, len);
        if (len >>> 0 > cap) return ctx.host.name_too_long(name, len >>> 0);
        if (!ctx.affords(len >>> 0)) return 0;
        return call(ctx.host, ctx.view.subarray(start, start + (len >>> 0)), ptr, len, c);
      };
    }
    return (a, ptr, len, d) => {
      const start = ctx.check(ptr, len);
      if (start < 0) return bad(ptr, len);
      if (len >>> 0 > cap) return ctx.host.name_too_long(name, len >>> 0);
      if (!ctx.affords(len >>> 0)) return 0;
      return call(ctx.host, ctx.view.subarray(start, start + (len >>> 0)), a, ptr, len, d);
    };
  };
}

/**
 * Like withInput, but when the context has the crate's scratch buffer the input is copied there and
 * `fast(host, len, a, d)` calls the crate's `*_scratch` method (no slice, so no allocation). The name cap is
 * checked before the copy, so an over-long name never grows the scratch buffer.
 */
function withScratchInput(name, at, call, fast, named = false) {
  const slow = withInput(name, at, call, named);
  return (ctx) => {
    if (ctx.scratch === null) return slow(ctx);
    const scratch = ctx.scratch;
    const cap = inputCap(ctx, named);
    if (at === 0) {
      return (ptr, len, c) => {
        const start = ctx.check(ptr, len);
        if (start < 0) return ctx.host.bad_pointer(name, ptr >>> 0, len >>> 0);
        if (len >>> 0 > cap) return ctx.host.name_too_long(name, len >>> 0);
        if (!ctx.affords(len >>> 0)) return 0;
        scratch.put(ctx.view, start, len >>> 0);
        return fast(ctx.host, len >>> 0, c);
      };
    }
    return (a, ptr, len, d) => {
      const start = ctx.check(ptr, len);
      if (start < 0) return ctx.host.bad_pointer(name, ptr >>> 0, len >>> 0);
      if (len >>> 0 > cap) return ctx.host.name_too_long(name, len >>> 0);
      if (!ctx.affords(len >>> 0)) return 0;
      scratch.put(ctx.view, start, len >>> 0);
      return fast(ctx.host, len >>> 0, a, d);
    };
  };
}

/**
 * An ABI function writing into `(ptr, cap)` at arguments 1–2 (`value_read`, `var_to_bytes`): the whole range
 * must lie in memory; the output is copied only when it fits; the full length (or an error) is returned.
 */
function withOutput(name, produce) {
  return (ctx) => (h, ptr, cap) => {
    const start = ctx.check(ptr, cap);
    if (start < 0) return ctx.host.bad_pointer(name, ptr >>> 0, cap >>> 0);
    const n = produce(ctx.host, h);
    if (n >= 0 && n <= cap >>> 0 && n > 0) ctx.view.set(ctx.host.output(), start);
    return n;
  };
}

/**
 * A function of numbers only: a direct call into the crate, on whichever host is current (shared instancing
 * switches `ctx.host` between calls). Fixed arities keep the call monomorphic.
 */
const direct = (method, arity) => (ctx) => {
  switch (arity) {
    case 0:
      return () => ctx.host[method]();
    case 1:
      return (a) => ctx.host[method](a);
    case 2:
      return (a, b) => ctx.host[method](a, b);
    default:
      return (a, b, c) => ctx.host[method](a, b, c);
  }
};

/**
 * `object_set_value(obj, name_ptr, name_len, ty, val_ptr, val_len)`: the per-frame write, so the leanest path —
 * both ranges checked (the name's first), copied back to back into the scratch buffer, one crate call with
 * numbers only. Without the scratch buffer, two views and the slice method.
 */
const objectSetValue = (ctx) => {
  const bad = (ptr, len) => ctx.host.bad_pointer('object_set_value', ptr >>> 0, len >>> 0);
  const long = (len) => ctx.host.name_too_long('object_set_value', len);
  const cap = ctx.maxName;
  if (ctx.scratch === null) {
    return (obj, np, nl, ty, vp, vl) => {
      const name = ctx.check(np, nl);
      if (name < 0) return bad(np, nl);
      const value = ctx.check(vp, vl);
      if (value < 0) return bad(vp, vl);
      if (nl >>> 0 > cap) return long(nl >>> 0);
      if (!ctx.affords((nl >>> 0) + (vl >>> 0))) return 0;
      const view = ctx.view;
      return ctx.host.object_set_value(
        obj,
        view.subarray(name, name + (nl >>> 0)),
        ty,
        view.subarray(value, value + (vl >>> 0)),
      );
    };
  }
  const scratch = ctx.scratch;
  return (obj, np, nl, ty, vp, vl) => {
    const name = ctx.check(np, nl);
    if (name < 0) return bad(np, nl);
    const value = ctx.check(vp, vl);
    if (value < 0) return bad(vp, vl);
    if (nl >>> 0 > cap) return long(nl >>> 0);
    if (!ctx.affords((nl >>> 0) + (vl >>> 0))) return 0;
    scratch.putPair(ctx.view, name, nl >>> 0, value, vl >>> 0);
    return ctx.host.object_set_value_scratch(obj, nl >>> 0, ty, vl >>> 0);
  };
};

/**
 * `object_get_value(obj, name_ptr, name_len, ty, out_ptr, out_cap)`: the per-frame read, so the leanest path —
 * both ranges checked (the name's first), the name copied to the scratch buffer, one crate call with numbers
 * only; the crate leaves the value at the start of the scratch buffer, copied from there straight into guest
 * memory when it fits (no fresh array). Without the scratch buffer, a name view and the output array.
 */
const objectGetValue = (ctx) => {
  const bad = (ptr, len) => ctx.host.bad_pointer('object_get_value', ptr >>> 0, len >>> 0);
  const long = (len) => ctx.host.name_too_long('object_get_value', len);
  const maxName = ctx.maxName;
  if (ctx.scratch === null) {
    return (obj, np, nl, ty, op, cap) => {
      const name = ctx.check(np, nl);
      if (name < 0) return bad(np, nl);
      const out = ctx.check(op, cap);
      if (out < 0) return bad(op, cap);
      if (nl >>> 0 > maxName) return long(nl >>> 0);
      if (!ctx.affords(nl >>> 0)) return 0;
      const n = ctx.host.object_get_value(obj, ctx.view.subarray(name, name + (nl >>> 0)), ty);
      if (n > 0 && n <= cap >>> 0) ctx.view.set(ctx.host.output(), out);
      return n;
    };
  }
  const scratch = ctx.scratch;
  return (obj, np, nl, ty, op, cap) => {
    const name = ctx.check(np, nl);
    if (name < 0) return bad(np, nl);
    const out = ctx.check(op, cap);
    if (out < 0) return bad(op, cap);
    if (nl >>> 0 > maxName) return long(nl >>> 0);
    if (!ctx.affords(nl >>> 0)) return 0;
    scratch.put(ctx.view, name, nl >>> 0);
    const n = ctx.host.object_get_value_scratch(obj, nl >>> 0, ty);
    if (n > 0 && n <= cap >>> 0) {
      if (!scratch.take(ctx.view, out, n)) ctx.view.set(ctx.host.output(), out);
    }
    return n;
  };
};

/**
 * `object_bind_value(obj, name_ptr, name_len, ty, ptr)`: once per node (in `_ready`), so the plain path. The crate
 * checks `(ptr, size of ty)` against the memory's length and leaves the property's current value in `output()`,
 * copied to `ptr` here (the guest finds the seed there).
 */
const objectBindValue = (ctx) => {
  ctx.binds = true;
  return (obj, np, nl, ty, ptr) => {
    const name = ctx.check(np, nl);
    if (name < 0) return ctx.host.bad_pointer('object_bind_value', np >>> 0, nl >>> 0);
    if (nl >>> 0 > ctx.maxName) return ctx.host.name_too_long('object_bind_value', nl >>> 0);
    if (!ctx.affords(nl >>> 0)) return 0;
    // A u32 for the crate: a full 4 GiB memory loses its last byte rather than wrapping to 0.
    const memoryLength = ctx.memory === null ? 0 : Math.min(ctx.memory.buffer.byteLength, 0xffffffff);
    const n = ctx.host.object_bind_value(
      obj,
      ctx.view.subarray(name, name + (nl >>> 0)),
      ty,
      ptr >>> 0,
      memoryLength,
    );
    if (n > 0) ctx.bytes(ptr, n, 'object_bind_value').set(ctx.host.output());
    return n;
  };
};

/** `module.name` → (ctx) => the JS function the guest imports. Only `log` works without a ScriptHost. */
const HOST_FUNCTIONS = new Map([
  [
    'ugc.log',
    (ctx) => (ptr, len) => {
      // Without a script host the crate is not called, so the glue charges the same cost itself.
      if (ctx.host === null)
        ctx.charge(HOSTLESS_LOG_CALL + HOSTLESS_LOG_BYTE * Math.min(len >>> 0, MAX_LOG_BYTES));
      const message = ctx.string(ptr, len, 'ugc.log', MAX_LOG_BYTES);
      ctx.logCount++;
      // The crate counts invalid UTF-8 as bad_utf8 (its own log is bounded).
      if (ctx.host !== null)
        ctx.host.log(ctx.view.subarray(ptr >>> 0, (ptr >>> 0) + Math.min(len >>> 0, MAX_LOG_BYTES)));
      if (ctx.onLog) ctx.onLog(message);
    },
  ],
  [
    'ugc.last_error',
    (ctx) => (ptr, cap) => {
      const start = ctx.check(ptr, cap);
      if (start < 0) return ctx.host.bad_pointer('last_error', ptr >>> 0, cap >>> 0);
      const message = ctx.host.last_error();
      ctx.view.set(message.subarray(0, Math.min(message.length, cap >>> 0)), start);
      return message.length;
    },
  ],
  ['ugc.retain', direct('retain', 1)],
  ['ugc.release', direct('release', 1)],
  ['ugc.type_of', direct('type_of', 1)],
  ['ugc.new_int', direct('new_int', 1)],
  ['ugc.new_float', direct('new_float', 1)],
  ['ugc.new_bool', direct('new_bool', 1)],
  [
    'ugc.new_string',
    withScratchInput(
      'new_string',
      0,
      (host, bytes) => host.new_string(bytes),
      (host, len) => host.new_string_scratch(len),
    ),
  ],
  [
    'ugc.new_value',
    withScratchInput(
      'new_value',
      1,
      (host, bytes, ty) => host.new_value(ty, bytes),
      (host, len, ty) => host.new_value_scratch(ty, len),
    ),
  ],
  ['ugc.value_read', withOutput('value_read', (host, h) => host.value_read(h))],
  ['ugc.as_int', direct('as_int', 1)],
  ['ugc.as_float', direct('as_float', 1)],
  ['ugc.var_from_bytes', withInput('var_from_bytes', 0, (host, bytes) => host.var_from_bytes(bytes))],
  ['ugc.var_to_bytes', withOutput('var_to_bytes', (host, h) => host.var_to_bytes(h))],
  ['ugc.array_new', direct('array_new', 0)],
  ['ugc.array_len', direct('array_len', 1)],
  ['ugc.array_get', direct('array_get', 2)],
  ['ugc.array_set', direct('array_set', 3)],
  ['ugc.array_push', direct('array_push', 2)],
  ['ugc.dict_new', direct('dict_new', 0)],
  ['ugc.dict_len', direct('dict_len', 1)],
  ['ugc.dict_get', direct('dict_get', 2)],
  ['ugc.dict_set', direct('dict_set', 3)],
  ['ugc.dict_keys', direct('dict_keys', 1)],
  ['ugc.self', direct('self_object', 0)],
  // Answered in JS (no crate call): the slot is the glue's bookkeeping, mirrored in the crate's ScriptHost.
  ['ugc.node_slot', (ctx) => () => ctx.slot],
  [
    'ugc.object_get',
    withScratchInput(
      'object_get',
      1,
      (host, bytes, obj) => host.object_get(obj, bytes),
      (host, len, obj) => host.object_get_scratch(obj, len),
      true,
    ),
  ],
  [
    'ugc.object_set',
    withScratchInput(
      'object_set',
      1,
      (host, bytes, obj, _ptr, _len, value) => host.object_set(obj, bytes, value),
      (host, len, obj, value) => host.object_set_scratch(obj, len, value),
      true,
    ),
  ],
  ['ugc.object_get_value', objectGetValue],
  ['ugc.object_set_value', objectSetValue],
  ['ugc.object_bind_value', objectBindValue],
  [
    'ugc.object_call',
    withInput(
      'object_call',
      1,
      (host, bytes, obj, _ptr, _len, args) => host.object_call(obj, bytes, args),
      true,
    ),
  ],
  [
    'ugc.emit_signal',
    withInput('emit_signal', 0, (host, bytes, _ptr, _len, args) => host.emit_signal(bytes, args), true),
  ],
]);

const FATAL_CODES = [null, 'fuel_exhausted', 'memory_limit'];

/**
 * Wraps host function `fn` (of `arity` i32/i64/f64 parameters) so the work the crate does for the guest is paid
 * out of the guest's own fuel (docs/ABI.md "Cost"): the crate's meter cell is opened with the fuel the guest has
 * left and the script's memory account, the call runs, and what is left is written back into the guest's fuel
 * counter. A call the crate had to stop (fuel or the script's host memory ran out) traps the guest. The cell's
 * previous contents are put back afterwards: host calls nest when the game answers a bridge question by calling
 * into another script. Fixed arities keep the hot path free of rest-parameter arrays.
 */
function metered(ctx, fn, arity, name) {
  const meter = ctx.meter;
  // Without a script host no crate work is done for the guest (`ugc.log` charges for itself then).
  if (meter === null || ctx.host === null) return fn;
  let fuel0 = 0;
  let fatal0 = 0;
  let account0 = 0;
  let start = 0;
  const open = () => {
    const cell = meter.cell();
    fuel0 = cell[0];
    fatal0 = cell[1];
    account0 = cell[2];
    start = ctx.fuel === null ? Infinity : ctx.fuel.left();
    cell[0] = start;
    cell[1] = 0;
    cell[2] = ctx.account;
  };
  const close = () => {
    // The call may have grown the crate's memory, detaching the old view: cell() makes a new one.
    const cell = meter.cell();
    const left = cell[0];
    const fatal = cell[1];
    cell[0] = fuel0;
    cell[1] = fatal0;
    cell[2] = account0;
    if (left !== start && ctx.fuel !== null) ctx.fuel.set(left < 0 ? -1 : left);
    if (fatal !== 0) {
      // trap() drains the guest's fuel too, so a guest catching the throw stops at its next fuel check.
      const code = FATAL_CODES[fatal] ?? 'fuel_exhausted';
      const detail =
        code === 'memory_limit'
          ? `the script's host memory went over its budget (the policy's max_host_memory)`
          : `fuel ran out in the host's work for it`;
      ctx.trap(code, `${name}: ${detail}`);
    }
  };
  switch (arity) {
    case 0:
      return () => {
        open();
        try {
          return fn();
        } finally {
          close();
        }
      };
    case 1:
      return (a) => {
        open();
        try {
          return fn(a);
        } finally {
          close();
        }
      };
    case 2:
      return (a, b) => {
        open();
        try {
          return fn(a, b);
        } finally {
          close();
        }
      };
    case 3:
      return (a, b, c) => {
        open();
        try {
          return fn(a, b, c);
        } finally {
          close();
        }
      };
    case 4:
      return (a, b, c, d) => {
        open();
        try {
          return fn(a, b, c, d);
        } finally {
          close();
        }
      };
    case 5:
      return (a, b, c, d, e) => {
        open();
        try {
          return fn(a, b, c, d, e);
        } finally {
          close();
        }
      };
    default:
      return (...args) => {
        open();
        try {
          return fn(...args);
        } finally {
          close();
        }
      };
  }
}

/** Host functions the glue answers without a ScriptHost. */
const HOSTLESS = new Set(['ugc.log', 'ugc.node_slot']);

/** Whether a compiled module needs a ScriptHost: it imports a `ugc` function other than `log`/`node_slot`. */
export function needsScriptHost(module) {
  return WebAssembly.Module.imports(module).some((i) => i.module === 'ugc' && !HOSTLESS.has(`ugc.${i.name}`));
}

/** Names of the host functions this runtime implements, for checking against the ABI at start-up. */
export function implementedHostFunctions() {
  return [...HOST_FUNCTIONS.keys()];
}

/**
 * The import object for `module`: one host function per function import, each of which must be in the ABI
 * (`abiImports`, from the crate) and implemented here. Anything else is a `load_failed` — the validator
 * should have refused the module already, so this is the second line of defence.
 */
export function buildImports(module, abiImports, ctx) {
  const arity = new Map(abiImports.map((f) => [`${f.module}.${f.name}`, f.params.length]));
  const imports = {};
  for (const { module: mod, name, kind } of WebAssembly.Module.imports(module)) {
    const key = `${mod}.${name}`;
    const factory = HOST_FUNCTIONS.get(key);
    if (kind !== 'function' || !arity.has(key) || factory === undefined) {
      throw new UgcError('load_failed', `import ${key} (${kind}) is not provided by the host`);
    }
    if (!HOSTLESS.has(key) && ctx.host === null) {
      throw new UgcError('load_failed', `import ${key} needs a script host, which this script has none of`);
    }
    (imports[mod] ??= {})[name] = metered(ctx, factory(ctx), arity.get(key), key);
  }
  return imports;
}
