// Shared instancing (docs/ABI.md "Instancing", docs/JS-API.md "rt.loadShared"): ONE WebAssembly.Instance
// serves many nodes. Each node still has its own ScriptHost (handle table, `self`, declared properties); the
// instance's `ugc.*` imports go to the host of the node whose call is running, which the group switches
// before every call. The hosts share one batch sink, so the whole group's writes cross to the game in one
// `takeBatch()`. Guest statics are shared: per-node state lives in guest memory indexed by `ugc.node_slot()`.
//
// Fault containment: a trap, fuel exhaustion, stack overflow or memory_limit in ANY node's call may leave the
// shared memory inconsistent, so it faults the whole group: every view reports the same error. Other groups
// and scripts are untouched.

import { UgcError } from './errors.js';
import { fuelControl } from './fuel.js';
import { HostContext, buildImports } from './host-imports.js';
import {
  FAULTLESS,
  FUEL_EXPORT,
  MEMORY_EXPORT,
  START_EXPORT,
  SYNC_INSTANTIATE_BYTES,
  classify,
  exportEntry,
  instantiationError,
  reentrantError,
} from './guest.js';

/** A min-heap of free slots: attach takes the smallest, so slots stay dense. */
class SlotHeap {
  #heap = [];

  get size() {
    return this.#heap.length;
  }

  push(slot) {
    const heap = this.#heap;
    let i = heap.push(slot) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent] <= slot) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = slot;
  }

  pop() {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= heap.length) break;
        const child = left + 1 < heap.length && heap[left + 1] < heap[left] ? left + 1 : left;
        if (heap[child] >= last) break;
        heap[i] = heap[child];
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }

  clear() {
    this.#heap.length = 0;
  }
}

/** `{ id: BigInt, class }` from attach's `self`, or a `bad_argument`. */
function nodeOf(self) {
  if (self === null || typeof self !== 'object') {
    throw new UgcError('bad_argument', 'attach needs { self: { id, class } }');
  }
  const id = self.id;
  if (!((typeof id === 'bigint' && id >= 0n) || (Number.isSafeInteger(id) && id >= 0))) {
    throw new UgcError('bad_argument', `self.id must be a non-negative integer, got ${String(id)}`);
  }
  const cls = self.class ?? '';
  if (typeof cls !== 'string') throw new UgcError('bad_argument', 'self.class must be a string');
  return { id: BigInt(id), class: cls };
}

/** One node's view of a shared instance: the Script API (docs/JS-API.md), answered by its group. */
export class SharedView {
  /** @internal the group, or null once detached. Fields are plain for the callEach hot path. */
  _group;
  /** @internal this node's JsScriptHost (null when the module needs none). */
  _host;
  /** @internal this node's slot (`ugc.node_slot()`). */
  _slot;
  /** @internal calls made for this node. */
  _calls = 0;
  /** @internal the host's `[abiErrors, liveHandles]` as last read. */
  _hostStats = null;

  constructor(group, host, slot, self) {
    this._group = group;
    this._host = host;
    this._slot = slot;
    /** `{ id: BigInt, class }` of the node. */
    this.self = self;
    this.report = group.report;
  }

  get isolation() {
    return 'instance';
  }

  get instancing() {
    return 'shared';
  }

  /** The node's slot (`ugc.node_slot()`); -1 once detached. */
  get slot() {
    return this._slot;
  }

  get group() {
    return this._group;
  }

  /** The group's fault (shared by every view), or null. */
  get fault() {
    return this._group?.fault ?? null;
  }

  /** `'running'`, `'faulted'` (the group faulted) or `'disposed'` (detached). */
  get state() {
    if (this._group === null) return 'disposed';
    return this._group.fault === null ? 'running' : 'faulted';
  }

  #live() {
    const group = this._group;
    if (group === null) throw new UgcError('disposed', 'the view was detached from its shared instance');
    return group;
  }

  /** Calls export `name` for this node; returns its result. Throws a UgcError. */
  callSync(name, ...args) {
    return this.#live()._call(this, name, args);
  }

  async call(name, ...args) {
    return this.callSync(name, ...args);
  }

  /** Calls declared method `name` with `args` (JS values) as a Godot Array; its result as a JS value. */
  async callMethod(name, ...args) {
    const group = this.#live();
    return group._variants.decode(group._hostOp(this, 'callMethod', name, group._variants.encode(args)));
  }

  /** Like callMethod, synchronously and in bytes: `args` are Variant bytes of an Array; returns Variant bytes. */
  callMethodBytes(name, argsBytes) {
    return this.#live()._hostOp(this, 'callMethod', name, argsBytes);
  }

  /** Sets declared property `name` (a JS value, or Variant bytes as an ArrayBuffer/Uint8Array), then runs `_property_changed`. */
  setPropertySync(name, value) {
    const group = this.#live();
    group._hostOp(this, 'setProperty', name, group._encode(value));
  }

  async setProperty(name, value) {
    this.setPropertySync(name, value);
  }

  /** The current value of declared property `name` (a JS value). */
  property(name) {
    const group = this.#live();
    return group._variants.decode(group._hostOp(this, 'getProperty', name));
  }

  async getProperty(name) {
    return this.property(name);
  }

  /**
   * The current value of declared property `name` as Godot binary Variant bytes (a fresh Uint8Array), for
   * `bytes_to_var` on the Godot side: a Vector3 or Color arrives intact, typed. Throws `abi_error` (reason
   * `not_found`) for an undeclared name, like property().
   */
  propertyBytes(name) {
    return this.#live()._hostOp(this, 'getProperty', name);
  }

  /** Tells the host an engine property of this node (e.g. `position`), readable by the guest. */
  setNodeProperty(name, value) {
    const group = this.#live();
    group._hostOp(this, 'setNodeProperty', name, group._encode(value));
  }

  /** The GROUP's batch (every node's writes): see SharedGroup.takeBatch. */
  async takeBatch() {
    return this.#live().takeBatch();
  }

  stats() {
    return this.#live()._viewStats(this);
  }

  /** A shared instance resets as a whole: `group.reset()`. */
  async reset() {
    throw new UgcError('bad_argument', 'a shared instance resets as a whole: call group.reset()');
  }

  /** Detaches the node: frees its slot (reused by the next attach) and its handles. Idempotent. */
  dispose() {
    this._group?._detach(this);
  }
}

/**
 * One shared instance and the nodes attached to it. Created by `rt.loadShared`; `start()` instantiates.
 */
export class SharedGroup {
  #module;
  #fuel;
  #fuelLimit;
  #abiImports;
  #signatures;
  #hostGroup;
  #makeHost;
  #scratch;
  #meter;
  #onDispose;
  #instance = null;
  #ctx = null;
  #fuelCtl = null;
  #exportCache = new Map();
  #views = new Set();
  #free = new SlotHeap();
  #nextSlot = 0;
  #calls = 0;
  #metered = false;
  #current = null;
  #moduleSize;
  /** Whether a call, host operation, take or the start function is on the stack: entering again is refused. */
  #busy = false;
  /** What the running call rejects with once dispose()/reset() stopped it, else null. */
  #abort = null;
  /** Run once an interrupted call has unwound (freeing, a waiting reset). */
  #afterUnwind = [];
  /** A view detached during its own call: its host is freed (and its slot reused) once the call unwound. */
  #detachedRunning = null;
  /** The group's batch length as last read (the running call may hold the crate's objects borrowed). */
  #batchLen = 0;

  /**
   * @param {WebAssembly.Module} module prepared and compiled
   * @param {object} options `{ fuel, abiImports, signatures, onLog, report, variants, hostGroup (JsHostGroup or
   *   null), makeHost(hostGroup, node, slot), scratch (core.scratch), meter (core.meter), onDispose }`
   */
  constructor(module, options) {
    this.#module = module;
    this.#fuel = options.fuel;
    this.#fuelLimit = options.fuel === null ? null : Number(options.fuel);
    this.#abiImports = options.abiImports;
    this.#signatures = options.signatures ?? null;
    this.#hostGroup = options.hostGroup;
    this.#makeHost = options.makeHost;
    this.#scratch = options.scratch ?? null;
    this.#meter = options.meter ?? null;
    this.#onDispose = options.onDispose;
    this.#moduleSize = options.moduleSize ?? 0;
    const onLog = options.onLog ?? null;
    /** @internal log sink: the message and the node that logged (null during the start function). */
    this._onLog = onLog === null ? null : (message) => onLog(message, this.#current?.self ?? null);
    /** @internal */
    this._variants = options.variants;
    /** The validator's report of the module. */
    this.report = options.report;
    /** The group's fault (a UgcError), or null. */
    this.fault = null;
  }

  get isolation() {
    return 'instance';
  }

  get instancing() {
    return 'shared';
  }

  /** Attached views. */
  get size() {
    return this.#views.size;
  }

  get disposed() {
    return this.#module === null;
  }

  #alive() {
    if (this.#module === null) throw new UgcError('disposed', 'the shared instance was disposed');
  }

  /**
   * (Re)creates the instance and runs the guest's start function metered (no node: `node_slot()` is -1).
   * Synchronous for small modules; a Promise for big ones (WebAssembly.instantiate, see SYNC_INSTANTIATE_BYTES).
   */
  start() {
    this.#instance = null;
    this.#exportCache.clear();
    this.fault = null;
    this.#abort = null;
    const module = this.#module;
    const startHost =
      this.#hostGroup === null ? null : this.#makeHost(this.#hostGroup, { id: 0n, class: '' }, 0);
    const ctx = new HostContext({
      onLog: this._onLog,
      host: startHost,
      scratch: this.#scratch,
      meter: this.#meter,
    });
    ctx.slot = -1;
    this.#ctx = ctx;
    const done = () => {
      if (startHost !== null) startHost.free();
      ctx.host = null;
    };
    let imports;
    try {
      imports = buildImports(module, this.#abiImports, ctx);
    } catch (error) {
      done();
      throw error;
    }
    if (this.#moduleSize <= SYNC_INSTANTIATE_BYTES) {
      try {
        let instance;
        try {
          instance = new WebAssembly.Instance(module, imports);
        } catch (error) {
          throw (this.fault = instantiationError(error));
        }
        this.#finish(instance, ctx);
      } finally {
        done();
      }
      return undefined;
    }
    return WebAssembly.instantiate(module, imports).then(
      (instance) => {
        try {
          if (this.#module !== module) throw new UgcError('disposed', 'the shared instance was disposed');
          if (this.#ctx !== ctx) throw new UgcError('faulted', 'superseded by a later reset()');
          this.#finish(instance, ctx);
        } finally {
          done();
        }
      },
      (error) => {
        done();
        if (this.#module !== module) throw new UgcError('disposed', 'the shared instance was disposed');
        const typed = instantiationError(error);
        if (this.#ctx === ctx) this.fault = typed;
        throw typed;
      },
    );
  }

  #finish(instance, ctx) {
    this.#instance = instance;
    ctx.attach(instance, MEMORY_EXPORT);
    const fuel = instance.exports[FUEL_EXPORT];
    if (this.#fuel !== null && !(fuel instanceof WebAssembly.Global)) {
      throw new UgcError('load_failed', `metered module has no ${FUEL_EXPORT} export`, { reason: 'fuel' });
    }
    this.#fuelCtl = this.#fuel === null ? null : fuelControl(fuel, this.#fuel);
    ctx.fuel = this.#fuelCtl;
    const start = instance.exports[START_EXPORT];
    if (typeof start === 'function') {
      this.#busy = true;
      try {
        this.#invoke(null, START_EXPORT, start, []);
      } finally {
        this.#leave();
      }
    }
    this.#calls = 0;
    this.#metered = false;
  }

  /** Entering the group: refused (`reentrant`) from inside one of its calls. */
  #enter(what) {
    if (this.#busy) throw reentrantError(what);
    this.#busy = true;
  }

  /** Ends a call or operation; after an interrupted one, drops the instance and runs afterUnwind. */
  #leave() {
    this.#busy = false;
    const detached = this.#detachedRunning;
    if (detached !== null) {
      this.#detachedRunning = null;
      for (const view of detached) {
        view.host?.free();
        if (!this.disposed) this.#free.push(view.slot);
      }
    }
    if (this.#abort === null) return;
    this.#instance = null;
    this.#exportCache.clear();
    const after = this.#afterUnwind;
    this.#afterUnwind = [];
    for (const fn of after) fn();
  }

  /**
   * Stops the running call: the guest traps at its next fuel check (fuel -1) or host call (HostContext.stop) and
   * the call rejects with `error`. Resolves once it has unwound.
   */
  #interrupt(error) {
    if (this.#abort === null) {
      this.#abort = error;
      if (this.#fuelCtl !== null) this.#fuelCtl.set(-1);
      this.#ctx?.stop(error);
    }
    return new Promise((resolve) => this.#afterUnwind.push(resolve));
  }

  /**
   * A view for one node (`self: { id, class }`, class empty: the manifest's `extends`), in the smallest free
   * slot. Attaching to a faulted group works (the view is faulted too) so callers can report it per node.
   */
  attach({ self } = {}) {
    this.#alive();
    const node = nodeOf(self);
    const slot = this.#free.size > 0 ? this.#free.pop() : this.#nextSlot++;
    let host = null;
    try {
      if (this.#hostGroup !== null) host = this.#makeHost(this.#hostGroup, node, slot);
    } catch (error) {
      this.#free.push(slot);
      throw error;
    }
    const view = new SharedView(this, host, slot, node);
    this.#views.add(view);
    return view;
  }

  /** @internal */
  _detach(view) {
    if (view._group !== this) return;
    this.#views.delete(view);
    if (this.#busy && view === this.#current) {
      // Its call is running (the detach came from a callback of it): the crate may be using its host, and its
      // slot's memory is still being written. Both are released once the call has unwound.
      (this.#detachedRunning ??= []).push({ host: view._host, slot: view._slot });
    } else {
      if (view._host !== null) view._host.free();
      this.#free.push(view._slot);
    }
    view._group = null;
    view._host = null;
    view._slot = -1;
  }

  #entry(name) {
    let entry = this.#exportCache.get(name);
    if (entry !== undefined) return entry;
    entry = exportEntry(this.#instance.exports, this.#signatures, name);
    this.#exportCache.set(name, entry);
    return entry;
  }

  #faultedError() {
    const fault = this.fault;
    return new UgcError(
      'faulted',
      `shared instance faulted (${fault.code}: ${fault.message}); call group.reset()`,
      { cause: fault, fault: fault.code },
    );
  }

  #ready() {
    this.#alive();
    if (this.fault !== null) throw this.#faultedError();
    if (this.#instance === null) throw new UgcError('faulted', 'the shared instance is not instantiated');
  }

  /** @internal callSync for one view; `reentrant` from inside a call of the group. */
  _call(view, name, args) {
    this.#alive();
    this.#enter(String(name));
    try {
      return this.#callView(view, name, args);
    } finally {
      this.#leave();
    }
  }

  #callView(view, name, args) {
    this.#ready();
    const entry = this.#entry(name);
    if (!entry.check(args)) throw entry.explain(args);
    const result = this.#invoke(view, name, entry.fn, args);
    // Detached by a callback of this very call: it ran to its end (stopping it midway could leave the shared
    // memory inconsistent for every node), but its caller gets what a detached view gets.
    if (view !== null && view._group !== this) {
      throw new UgcError('disposed', 'the view was detached from its shared instance during this call');
    }
    return result;
  }

  #invoke(view, name, fn, args) {
    const ctx = this.#ctx;
    if (view !== null) {
      ctx.host = view._host;
      ctx.slot = view._slot;
      view._calls++;
    }
    this.#current = view;
    if (this.#fuelCtl !== null) this.#fuelCtl.refuel();
    ctx.fault = null;
    let result;
    try {
      result = args.length === 0 ? fn() : args.length === 1 ? fn(args[0]) : fn(...args);
    } catch (error) {
      throw this.#fail(error, name);
    } finally {
      this.#calls++;
      this.#metered = true;
      this.#current = null;
    }
    // Stopped by dispose()/reset() after its last fuel check: it still does not return.
    if (this.#abort !== null) throw this.#abort;
    if (ctx.fault !== null) throw this.#fail(ctx.fault, name);
    return result;
  }

  /** The typed error for what a call threw; a fault (anything but a caller's mistake) faults the group. */
  #fail(error, name) {
    // An interrupted call fails as its interrupter says; the instance is replaced or freed anyway.
    if (this.#abort !== null) return this.#abort;
    const left = this.#fuelCtl !== null ? this.#fuelCtl.left() : null;
    const typed = this.#ctx.fault ?? classify(error, left, name);
    if (!FAULTLESS.has(typed.code) && this.fault === null) {
      this.fault = typed;
      // The instance's memory may be inconsistent: nothing it queued is applied.
      this.#hostGroup?.clear_batch();
    }
    return typed;
  }

  /**
   * The hot path: calls export `name` with `args` once per view, in order. Returns null, or the group's fault
   * `{ code, message, export }` (then every view is faulted and the remaining views were not called; a
   * faulted group returns its fault without calling anything). A view of another group or a detached one is a
   * `bad_argument` throw (views before it were called).
   */
  callEach(views, name, ...args) {
    this.#alive();
    if (this.fault !== null) return this.#faultInfo();
    this.#enter(String(name));
    try {
      return this.#each(views, name, args);
    } finally {
      this.#leave();
    }
  }

  #each(views, name, args) {
    if (this.#instance === null) throw new UgcError('faulted', 'the shared instance is not instantiated');
    const entry = this.#entry(name);
    if (!entry.check(args)) throw entry.explain(args);
    const fn = entry.fn;
    const ctx = this.#ctx;
    const fuel = this.#fuelCtl;
    const n = views.length;
    const a0 = args[0];
    const arity = args.length;
    let i = 0;
    try {
      for (; i < n; i++) {
        const view = views[i];
        if (view._group !== this) throw this.#foreign(view);
        ctx.host = view._host;
        ctx.slot = view._slot;
        this.#current = view;
        view._calls++;
        if (fuel !== null) fuel.refuel();
        if (arity === 0) fn();
        else if (arity === 1) fn(a0);
        else fn(...args);
        if (ctx.fault !== null || this.#abort !== null) break;
      }
    } catch (error) {
      if (
        this.#abort === null &&
        error instanceof UgcError &&
        error.code === 'bad_argument' &&
        i < n &&
        views[i]?._group !== this
      ) {
        this.#calls += i;
        this.#current = null;
        throw error;
      }
      this.#fail(error, name);
      i++; // the failing call ran too
    }
    this.#current = null;
    this.#calls += Math.min(i, n);
    if (i > 0) this.#metered = true;
    if (this.#abort !== null) throw this.#abort;
    if (ctx.fault !== null && this.fault === null) this.#fail(ctx.fault, name);
    ctx.fault = null;
    return this.fault === null ? null : this.#faultInfo();
  }

  #foreign(view) {
    return new UgcError(
      'bad_argument',
      view?._group === null
        ? 'callEach: a view in the list was detached'
        : 'callEach: a view in the list belongs to another shared instance',
    );
  }

  #faultInfo() {
    const f = this.fault;
    return { code: f.code, message: f.message, export: f.export ?? null, trap: f.trap };
  }

  /**
   * Every view's queued writes (property sets, command calls, signals) since the last take, in call order, as
   * one Godot Array in the binary Variant format (one crate call for the whole group); the queue starts empty.
   */
  takeBatch() {
    this.#alive();
    this.#enter('takeBatch');
    try {
      if (this.#hostGroup === null) return EMPTY_ARRAY;
      if (this.fault === null) this.#ctx?.harvestBindings(this.#hostGroup);
      return this.#hostGroup.take_batch_bytes();
    } catch (error) {
      throw new UgcError('abi_error', `takeBatch: ${error?.message ?? String(error)}`, {
        reason: error?.code,
      });
    } finally {
      this.#leave();
    }
  }

  /**
   * Re-instantiates the instance (fresh memory); every view stays attached with its slot, handles released.
   * Returns a Promise; for a small module the new instance is in place when reset() returns. From inside a
   * call of the group, that call is stopped first (it rejects `faulted`) and the reset happens once it unwound.
   */
  reset() {
    try {
      this.#alive();
      if (this.#busy) {
        const unwound = this.#interrupt(
          new UgcError('faulted', 'the shared instance was reset during this call', { reason: 'reset' }),
        );
        return unwound.then(() => {
          this.#alive();
          return this.#resetNow();
        });
      }
      return Promise.resolve(this.#resetNow());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #resetNow() {
    for (const view of this.#views) view._host?.reset();
    this.#hostGroup?.clear_batch();
    return this.start();
  }

  /** @internal host operations for one view (callMethod, setProperty…), as Guest.hostOp does for a script. */
  _hostOp(view, type, name, value) {
    const host = view._host;
    if (host === null) {
      throw new UgcError('bad_argument', 'this script imports no ABI functions, so it has no script host');
    }
    this.#alive();
    this.#enter(`${type}(${name ?? ''})`);
    try {
      switch (type) {
        case 'callMethod': {
          const lent = host.lend(value);
          let result;
          try {
            result = this.#callView(view, name, [lent]);
          } finally {
            if (this.fault === null) host.end_lend(lent);
          }
          return host.take_returned(result);
        }
        case 'setProperty': {
          host.set_property(name, value);
          if (typeof this.#instance?.exports._property_changed !== 'function') return undefined;
          const lent = host.lend(NAME.bytes(name));
          try {
            this.#callView(view, '_property_changed', [lent]);
          } finally {
            if (this.fault === null) host.end_lend(lent);
          }
          return undefined;
        }
        case 'getProperty':
          return host.property(name);
        case 'setNodeProperty':
          return host.set_node_property(name, value);
        default:
          throw new UgcError('bad_argument', `unknown host operation ${type}`);
      }
    } catch (error) {
      if (error instanceof UgcError || typeof error?.code !== 'string') throw error;
      throw new UgcError('abi_error', `${type}(${name ?? ''}): ${error.code}: ${error.message}`, {
        reason: error.code,
      });
    } finally {
      this.#leave();
    }
  }

  /** @internal */
  _encode(value) {
    if (value instanceof ArrayBuffer) return new Uint8Array(value);
    if (value instanceof Uint8Array) return value;
    return this._variants.encode(value);
  }

  #fuelUsed() {
    if (!this.#metered || this.#fuelCtl === null) return 0;
    const left = this.#fuelCtl.left();
    return left < 0 ? this.#fuelLimit : this.#fuelLimit - left;
  }

  /** Group-wide counters. */
  stats() {
    this.#alive();
    const memory = this.#ctx?.memory;
    return {
      views: this.#views.size,
      calls: this.#calls,
      fuelUsed: this.#fuelUsed(),
      fuelLimit: this.#fuelLimit,
      memoryBytes: memory ? memory.buffer.byteLength : 0,
      batchLen: this.#batchLength(),
      faulted: this.fault !== null,
      lastError: this.fault ? { code: this.fault.code, message: this.fault.message } : null,
      logs: this.#ctx?.logCount ?? 0,
      isolation: 'instance',
      instancing: 'shared',
    };
  }

  #batchLength() {
    // From inside a call the crate may be using the group's objects (a bridge callback): the last length then.
    if (this.#hostGroup !== null && !this.#busy) this.#batchLen = this.#hostGroup.batch_len();
    return this.#hostGroup === null ? 0 : this.#batchLen;
  }

  /** @internal per-view stats, shaped like Script.stats(). */
  _viewStats(view) {
    const group = this.stats();
    // The running view's host may be borrowed by the crate (a bridge callback): its last counts then.
    if (view._host !== null && !(this.#busy && view === this.#current)) view._hostStats = view._host.stats();
    const host = view._host === null ? null : (view._hostStats ?? [0, 0]);
    return {
      abiErrors: host === null ? 0 : host[0],
      liveHandles: host === null ? 0 : host[1],
      hostMemory: host === null ? null : { bytes: host[4], peak: host[5], limit: host[6] },
      fuelUsed: group.fuelUsed,
      fuelLimit: group.fuelLimit,
      memoryBytes: group.memoryBytes,
      calls: view._calls,
      faulted: group.faulted,
      lastError: group.lastError,
      logs: group.logs,
      isolation: 'instance',
      instancing: 'shared',
      slot: view._slot,
    };
  }

  /**
   * Frees the instance, every view's host and the group's batch; later use fails with `disposed`. Idempotent.
   * From inside a call of the group, that call is stopped (it rejects `disposed`) and the freeing waits until
   * it has unwound: the crate refuses to free an object it is using.
   */
  dispose() {
    if (this.#module === null) return;
    this.#module = null;
    const views = [...this.#views];
    this.#views.clear();
    for (const view of views) {
      view._group = null;
      view._slot = -1;
    }
    const free = () => {
      for (const view of views) {
        view._host?.free();
        view._host = null;
      }
      this.#free.clear();
      this.#hostGroup?.free();
      this.#hostGroup = null;
      this.#instance = null;
      this.#ctx = null;
      this.#fuelCtl = null;
      this.#exportCache.clear();
    };
    if (this.#busy) {
      this.#interrupt(new UgcError('disposed', 'the shared instance was disposed during this call'));
      this.#afterUnwind.push(free);
    } else {
      free();
    }
    this.#onDispose();
  }
}

/** An empty Godot Array (`var_to_bytes([])`): the batch of a group without script hosts. */
const EMPTY_ARRAY = new Uint8Array([28, 0, 0, 0, 0, 0, 0, 0]);

/** String Variant bytes of a property name (for `_property_changed`). */
const NAME = {
  encoder: new TextEncoder(),
  bytes(name) {
    const text = this.encoder.encode(name);
    const out = new Uint8Array(8 + ((text.length + 3) & ~3));
    const view = new DataView(out.buffer);
    view.setUint32(0, 4, true);
    view.setUint32(4, text.length, true);
    out.set(text, 8);
    return out;
  },
};
