// The page side of the Godot addon (godot-web-export/addons/ugc_wasm): one object, exposed to GDScript through
// `JavaScriptBridge.get_interface('ugcGodot')`, that owns every Wasm script of the game and runs them all in a
// single crossing per frame. See docs/GODOT-ADDON.md for the protocol.
//
//   GDScript ── frame(deltaUs, commandsJson) ──► run queued commands, call _enter_tree/_ready/_process on every
//            ◄── null | Uint8Array ───────────  running script; return state changes and every script's batch of
//                                                node writes as one Godot Variant `[events, batch]`
//
// Method names avoid Object's own (`call`, `get`, `set`…): GDScript would dispatch those to the
// JavaScriptObject itself. Floats cross JavaScriptBridge narrowed to f32 and Arrays not at all (docs/GODOT.md),
// so deltas travel as integer microseconds, ObjectIDs as decimal text, commands as JSON text, Variants as
// base64 of `var_to_bytes`, and answers as Variant bytes GDScript decodes with `bytes_to_var` in one go.

import { createRuntime } from '../ugc-wasm.js';
import { GodotObjects, fromBase64, toBase64 } from './godot-objects.js';
import { ScriptGroups } from './script-groups.js';
import { RawArray, Writer, varToBytes } from './variant-writer.js';
import { installWasiServices } from './wasi-services.js';

export const PROTOCOL_VERSION = 2;

/** Load-time failures that mean "this module can never run" rather than "it misbehaved". */
const INVALID_CODES = new Set(['validation', 'load_failed', 'bad_argument', 'module_missing']);
/** Call failures refused before entering the guest: the script is fine. */
const HARMLESS = new Set(['bad_argument', 'unknown_export', 'abi_error']);

/** Lifecycle exports the host calls itself; everything else exported is a method GDScript may call. */
const LIFECYCLE = new Set([
  '_ready',
  '_enter_tree',
  '_exit_tree',
  '_process',
  '_physics_process',
  '_property_changed',
]);

/**
 * Creates the bridge object (synchronously, so GDScript can find it at once) and starts the runtime.
 *
 * @param {object} [options]
 * @param {string|null} [options.name='ugcGodot'] the `window` property GDScript looks up; null for none
 * @param {object} [options.runtime] an existing runtime (else `createRuntime({ policy })`)
 * @param {object} [options.policy] policy overrides for the runtime created here
 * @param {object} [options.loadOptions] options for every load (e.g. `{ fuel }`); isolation is always
 *   'instance' (frames call guests synchronously)
 * @param {object} [options.capabilities] the allow-list Godot enforces again before applying a batch
 *   (default: the runtime's own, `rt.capabilities()`); an embedding game narrowing the rules passes them here
 * @param {(node: string, message: string) => void} [options.onLog] where `ugc.log` goes (default console.log)
 * @param {boolean} [options.wasiServices=true] also install `window.ugcWasi` for WasiService nodes
 */
export function installGodotBridge(options = {}) {
  const bridge = new GodotBridge(options);
  const name = options.name === undefined ? 'ugcGodot' : options.name;
  if (name !== null) globalThis[name] = bridge;
  // The WasiService nodes' page side (window.ugcWasi, js-glue/src/godot/wasi-services.js).
  if (options.wasiServices !== false) {
    const runtime = options.runtime ?? createRuntime(options.policy ? { policy: options.policy } : {});
    bridge.wasi = installWasiServices({ runtime, name: name === null ? null : 'ugcWasi' });
  }
  return bridge;
}

class GodotBridge {
  #runtime = null;
  #runtimeError = null;
  #groups = null;
  #objects = new GodotObjects();
  #modules = new Map(); // key -> Uint8Array
  #scripts = new Map(); // script id -> entry
  #pending = []; // commands that arrived before the runtime was ready
  #events = [];
  #batch = new RawArray();
  #writer = new Writer();
  #answer = [null, this.#batch];
  #loadOptions;
  #capabilities;
  #onLog;

  constructor({ runtime, policy, loadOptions = {}, onLog, capabilities } = {}) {
    this.#loadOptions = { ...loadOptions, isolation: 'instance' };
    this.#capabilities = capabilities ?? null;
    this.#onLog = onLog ?? ((node, message) => console.log(`[ugc ${node}] ${message}`));
    /** Crossings from GDScript, by entry point: the frame protocol promises one `frame` per frame. */
    this.crossings = { frame: 0, physics: 0, addModule: 0, invoke: 0, property: 0 };
    this.frames = 0;
    /** Time spent in `frame` (ms, all frames): commands, every guest call, the batch. */
    this.frameMs = 0;
    /** Batch entries handed to Godot so far (all scripts). */
    this.batchEntries = 0;
    this.ready = Promise.resolve(runtime ?? createRuntime(policy ? { policy } : {})).then(
      (rt) => {
        this.#runtime = rt;
        const objects = this.#objects;
        this.#groups = new ScriptGroups(rt, { ...this.#loadOptions, bridge: objects });
        const queued = this.#pending;
        this.#pending = [];
        for (const command of queued) this.#command(command);
      },
      (error) => {
        this.#runtimeError = error;
        console.error(`ugc-wasm runtime failed to start: ${error.message}`);
      },
    );
  }

  /** The protocol version GDScript checks before anything else. */
  protocol() {
    return PROTOCOL_VERSION;
  }

  /**
   * GDScript's answerer for the runtime's object queries (a `JavaScriptBridge.create_callback` function, see
   * godot-objects.js); `null` disconnects it.
   */
  setQueryHandler(handler) {
    this.#objects.setHandler(handler);
  }

  /** GDScript's answer to the object query being asked (godot-objects.js). */
  answer(text) {
    this.#objects.answer(text);
  }

  /**
   * The capability allow-list as JSON text (`{ classes: { Node3D: { parent, properties: { position: 'rw' },
   * property_prefixes: { 'blend_shapes/': 'rw' }, methods: { rotate_y: 'command' } } }, always_refused: [] }`),
   * '' while the runtime is starting, or 'null' when neither the runtime nor the page supplies one.
   */
  capabilities() {
    if (this.#capabilities !== null) return JSON.stringify(this.#capabilities);
    if (this.#runtime === null) return '';
    const own = typeof this.#runtime.capabilities === 'function' ? this.#runtime.capabilities() : null;
    return JSON.stringify(own ?? null);
  }

  /** Stores a module's bytes once under `key` (GDScript sends each distinct module once, base64). */
  addModule(key, base64) {
    this.crossings.addModule++;
    this.#modules.set(String(key), fromBase64(String(base64)));
  }

  /**
   * The one per-frame crossing: applies queued commands (JSON array, '' for none), runs every running script's
   * pending lifecycle calls and `_process(delta)`, and returns `null` when nothing happened, else the bytes of
   * `[events, batch]` (Godot Variant format): events `[[id, state, code, message, detail], …]`, batch every
   * script's queued node writes in the ABI's format (docs/ABI.md, "The per-frame batch").
   */
  frame(deltaUs, commandsJson) {
    const start = performance.now();
    this.crossings.frame++;
    this.frames++;
    const answer = this.#frame(deltaUs, commandsJson);
    this.frameMs += performance.now() - start;
    return answer;
  }

  #frame(deltaUs, commandsJson) {
    if (commandsJson) for (const command of JSON.parse(commandsJson)) this.#command(command);
    if (this.#groups === null) return this.#flush();
    const delta = Number(deltaUs) / 1e6;
    for (const group of this.#groups.groups.values()) {
      if (group.handle === null || group.fault !== null) continue;
      if (group.pendingLifecycle) this.#runLifecycle(group);
      if (group.dirty) this.#rebuild(group);
      if (group.processViews.length > 0) {
        group.processRuns++;
        const fault = group.handle.callEach(group.processViews, '_process', delta);
        if (fault) this.#faultGroup(group, fault);
      }
    }
    return this.#flush();
  }

  /** Physics tick: `_physics_process(delta)` on every running script that exports it, same result shape. */
  physics(deltaUs) {
    this.crossings.physics++;
    if (this.#groups === null) return this.#flush();
    const delta = Number(deltaUs) / 1e6;
    for (const group of this.#groups.groups.values()) {
      if (group.handle === null || group.fault !== null) continue;
      if (group.dirty) this.#rebuild(group);
      if (group.physicsViews.length > 0) {
        group.physicsRuns++;
        const fault = group.handle.callEach(group.physicsViews, '_physics_process', delta);
        if (fault) this.#faultGroup(group, fault);
      }
    }
    return this.#flush();
  }

  /**
   * A method call from GDScript (`call_wasm`). A method in the ABI's form (`(args: i32) -> i32` in a module
   * with a script host) takes `argsBase64`, `var_to_bytes` of the argument Array, and answers
   * `{ ok: true, bytes: true, value: Uint8Array }` (the result's Variant bytes, for `bytes_to_var`); batched
   * writes it made reach Godot with the next frame's answer. Any other export takes `argsJson`, a JSON array
   * of numbers converted to its parameter types, and answers `{ ok: true, value }` (a number). Failures are
   * `{ ok: false, code, message, state }`.
   */
  invoke(id, name, argsJson, argsBase64) {
    this.crossings.invoke++;
    const entry = this.#runnable(id);
    if (entry.ok === false) return entry;
    const method = String(name);
    const signature = entry.methods.get(method);
    if (!signature)
      return { ok: false, code: 'unknown_export', message: `no method ${method}`, state: entry.state };
    if (entry.hasHost && isAbiMethod(signature)) {
      if (!argsBase64)
        return { ok: false, code: 'bad_argument', message: `${method} is not declared`, state: entry.state };
      const args = fromBase64(String(argsBase64));
      const result = this.#guard(entry, method, () => entry.view.callMethodBytes(method, args));
      if (!result.ok) return { ...result, state: entry.state };
      return { ok: true, bytes: true, value: this.#bytes(result.value) };
    }
    let args;
    try {
      args = JSON.parse(argsJson || '[]');
      if (!Array.isArray(args)) throw new TypeError('arguments must be a JSON array');
      args = args.map((arg, i) => convertArg(arg, signature.params[i]));
    } catch (error) {
      return { ok: false, code: 'bad_argument', message: error.message, state: entry.state };
    }
    const result = this.#guard(entry, method, () => entry.view.callSync(method, ...args));
    if (!result.ok) return { ...result, state: entry.state };
    const value = result.value;
    return {
      ok: true,
      bytes: false,
      value: Array.isArray(value) ? JSON.stringify(value.map(String)) : value,
    };
  }

  /**
   * The guest-side value of declared property `name` (the guest may have written it) as Variant bytes, or
   * null when the script is not running or does not declare it.
   */
  property(id, name) {
    this.crossings.property++;
    const entry = this.#scripts.get(Number(id));
    if (!entry || entry.state !== 'running' || !entry.view) return null;
    const view = entry.view;
    try {
      // Bytes keep every Variant type; a plain JS value (vectors as {x, y, z}) is only exact for scalars.
      if (typeof view.propertyBytes === 'function') return view.propertyBytes(String(name));
      return this.#bytes(view.property(String(name)));
    } catch {
      return null;
    }
  }

  /** Every script's state, for the page (`window.ugcDemo.status()`) and tests. */
  status() {
    const objects = this.#objects;
    return {
      ready: this.#runtime !== null,
      runtimeError: this.#runtimeError ? String(this.#runtimeError.message) : null,
      frame: this.frames,
      frameMs: this.frameMs,
      crossings: { ...this.crossings },
      batchEntries: this.batchEntries,
      queries: { count: objects.queries, ms: objects.queryMs },
      wasmMemories:
        typeof this.#runtime?.stats === 'function' ? (this.#runtime.stats().wasmMemories ?? null) : null,
      groups: this.#groups
        ? [...this.#groups.groups.values()].map((g) => ({
            key: g.key,
            shared: g.shared,
            size: g.entries.size,
            fault: g.fault,
          }))
        : [],
      scripts: [...this.#scripts.values()].map((e) => ({
        id: e.id,
        node: e.node,
        module: e.moduleName,
        state: e.state,
        error: e.error,
        shared: e.group?.shared ?? false,
        calls: this.#calls(e),
      })),
    };
  }

  // ---- commands -------------------------------------------------------------------------------------------

  #command(command) {
    if (this.#runtime === null) {
      if (this.#runtimeError) return this.#failRuntime(command);
      this.#pending.push(command);
      return;
    }
    const entry = this.#scripts.get(command.id);
    switch (command.op) {
      case 'attach':
        return this.#attach(command);
      case 'enter':
        if (entry) this.#queueLifecycle(entry, 'pendingEnter');
        return;
      case 'ready':
        if (entry) this.#queueLifecycle(entry, 'pendingReady');
        return;
      case 'prop':
        if (entry) this.#setProperty(entry, String(command.name), fromBase64(String(command.value)));
        return;
      case 'exit':
        if (entry?.state === 'running' && entry.exports.has('_exit_tree'))
          this.#guard(entry, '_exit_tree', () => entry.view.callSync('_exit_tree'));
        return;
      case 'detach':
        if (entry) {
          this.#groups.leave(entry);
          this.#scripts.delete(command.id);
        }
        return;
      default:
        console.error(`ugc-godot: unknown command ${JSON.stringify(command.op)}`);
    }
  }

  #attach({ id, oid, cls, node, module, moduleName, instancing, props, error }) {
    const old = this.#scripts.get(id);
    if (old) this.#groups.leave(old);
    const entry = {
      id,
      oid: BigInt(oid ?? 0),
      cls: String(cls ?? ''),
      node: String(node ?? ''),
      moduleName: String(moduleName ?? ''),
      state: 'loading',
      error: null,
      group: null,
      view: null,
      exports: new Set(),
      methods: new Map(),
      hasHost: false,
      hasProcess: false,
      hasPhysics: false,
      pendingEnter: false,
      pendingReady: false,
      readyCalled: false,
      props: Array.isArray(props) ? props : [],
      calls: { _enter_tree: 0, _ready: 0 },
      processSince: 0,
      physicsSince: 0,
    };
    this.#scripts.set(id, entry);
    // GDScript already refused the module (its manifest): record why.
    if (error) return this.#fail(entry, String(error.code), String(error.message), '');
    const bytes = module ? this.#modules.get(String(module)) : undefined;
    if (!bytes) {
      const message = module
        ? `module ${entry.moduleName || module} was never sent`
        : 'the node has no Wasm module';
      return this.#fail(entry, 'module_missing', message, '');
    }
    const shared = instancing === 'shared';
    const group = this.#groups.groupFor(entry, String(module), shared);
    entry.group = group;
    group.entries.add(entry);
    const self = { id: entry.oid, class: entry.cls };
    const onLog = shared
      ? (message) => this.#onLog(entry.moduleName, message)
      : (message) => this.#onLog(entry.node, message);
    this.#groups.load(group, bytes, onLog).then(
      (handle) => this.#start(entry, handle, self),
      (err) => {
        if (this.#scripts.get(id) !== entry) return;
        const detail = err.errors?.map((e) => e.code).join(',') ?? '';
        this.#fail(entry, err.code ?? 'load_failed', err.message, detail);
      },
    );
  }

  /** The instance is there: attach the node's view, seed its properties, queue its lifecycle. */
  #start(entry, handle, self) {
    if (this.#scripts.get(entry.id) !== entry) return; // detached or re-attached meanwhile
    const group = entry.group;
    if (group.fault !== null)
      return this.#fail(entry, group.fault.code, group.fault.message, group.fault.export);
    try {
      entry.view = handle.attach({ self });
    } catch (error) {
      return this.#fail(entry, error.code ?? 'load_failed', error.message, '');
    }
    for (const exp of handle.report?.exports ?? []) {
      if (exp.kind !== 'func') continue;
      entry.exports.add(exp.name);
      if (!LIFECYCLE.has(exp.name)) entry.methods.set(exp.name, exp.signature ?? { params: [] });
    }
    // Imports beyond `ugc.log` mean the module has a script host (handles, Variants).
    entry.hasHost = (handle.report?.imports ?? []).some((i) => i.module === 'ugc' && i.name !== 'log');
    entry.hasProcess = entry.exports.has('_process');
    entry.hasPhysics = entry.exports.has('_physics_process');
    entry.state = 'running';
    group.dirty = true;
    // Values the game set before the module loaded (and every declared one from the scene).
    const props = entry.props;
    entry.props = [];
    for (const [name, value] of props) {
      this.#setProperty(entry, String(name), fromBase64(String(value)));
      if (entry.state !== 'running') return;
    }
    if (entry.pendingEnter || entry.pendingReady) group.pendingLifecycle = true;
    this.#events.push([entry.id, 'running', '', '', [...entry.exports].join(',')]);
  }

  #setProperty(entry, name, bytes) {
    if (entry.state === 'loading') {
      entry.props.push([name, toBase64(bytes)]);
      return;
    }
    if (entry.state !== 'running') return;
    const result = this.#guard(entry, '_property_changed', () => entry.view.setPropertySync(name, bytes));
    if (!result.ok && entry.state === 'running')
      console.error(`ugc-godot: ${entry.node}.${name}: ${result.code} ${result.message}`);
  }

  #queueLifecycle(entry, flag) {
    entry[flag] = true;
    if (entry.group && entry.state === 'running') entry.group.pendingLifecycle = true;
  }

  #failRuntime(command) {
    if (command.op !== 'attach') return;
    this.#scripts.set(command.id, {
      id: command.id,
      node: String(command.node ?? ''),
      moduleName: String(command.moduleName ?? ''),
      state: 'invalid',
      error: { code: 'runtime_unavailable', message: String(this.#runtimeError.message) },
      calls: {},
    });
    this.#events.push([command.id, 'invalid', 'runtime_unavailable', String(this.#runtimeError.message), '']);
  }

  // ---- guest calls ----------------------------------------------------------------------------------------

  /** `_enter_tree` / `_ready` of the group's entries that are waiting for them (not per frame). */
  #runLifecycle(group) {
    group.pendingLifecycle = false;
    for (const entry of group.entries) {
      if (entry.state !== 'running') continue;
      if (entry.pendingEnter) {
        entry.pendingEnter = false;
        if (!this.#lifecycle(entry, '_enter_tree')) return;
      }
      if (entry.pendingReady) {
        entry.pendingReady = false;
        entry.readyCalled = true;
        group.dirty = true;
        if (!this.#lifecycle(entry, '_ready')) return;
      }
    }
  }

  /** Calls a lifecycle export once (if exported); false when the group faulted doing it. */
  #lifecycle(entry, name) {
    entry.calls[name]++;
    if (!entry.exports.has(name)) return true;
    return this.#guard(entry, name, () => entry.view.callSync(name)).ok;
  }

  /** Runs one call for `entry`; a fault takes down the entry's whole group (its instance). */
  #guard(entry, name, fn) {
    try {
      return { ok: true, value: fn() };
    } catch (error) {
      const code = error.code ?? 'trap';
      if (HARMLESS.has(code)) return { ok: false, code, message: String(error.message) };
      this.#faultGroup(entry.group, { code, message: String(error.message), export: name });
      return { ok: false, code, message: String(error.message) };
    }
  }

  #fail(entry, code, message, detail) {
    entry.state = INVALID_CODES.has(code) || code.startsWith('manifest_') ? 'invalid' : 'faulted';
    entry.error = { code, message: String(message) };
    if (detail) entry.error.detail = detail;
    this.#events.push([entry.id, entry.state, code, String(message), detail]);
  }

  #faultGroup(group, fault) {
    group.fault = fault;
    for (const entry of group.entries) {
      if (entry.state !== 'running' && entry.state !== 'loading') continue;
      entry.state = 'faulted';
      entry.error = { code: String(fault.code), message: String(fault.message), export: fault.export ?? '' };
      this.#events.push([entry.id, 'faulted', entry.error.code, entry.error.message, entry.error.export]);
    }
    group.dirty = true;
  }

  #rebuild(group) {
    group.rebuild();
    for (const entry of group.processEntries) entry.processSince ||= group.processRuns + 1;
  }

  #calls(entry) {
    const group = entry.group;
    const calls = { ...entry.calls };
    if (group && entry.processSince) calls._process = Math.max(0, group.processRuns - entry.processSince + 1);
    if (group && entry.hasPhysics && entry.readyCalled) calls._physics_process = group.physicsRuns;
    return calls;
  }

  #runnable(id) {
    const entry = this.#scripts.get(Number(id));
    if (!entry) return { ok: false, code: 'unknown_script', message: `no script ${id}` };
    if (entry.state !== 'running') {
      const code = entry.state === 'loading' ? 'not_loaded' : 'faulted';
      return { ok: false, code, message: `script is ${entry.state}`, state: entry.state };
    }
    return entry;
  }

  /** Variant bytes from whatever a view returned (bytes, or a plain value the runtime encodes). */
  #bytes(value) {
    if (value instanceof Uint8Array) return value;
    return this.#runtime.encodeVariant(value ?? null);
  }

  #flush() {
    const batch = this.#batch;
    batch.clear();
    if (this.#groups !== null) {
      for (const group of this.#groups.groups.values()) {
        // A faulted instance's writes are dropped with it (its last call did not finish).
        if (group.handle === null || group.fault !== null) continue;
        let bytes;
        try {
          bytes = group.handle.takeBatch();
        } catch (error) {
          this.#faultGroup(group, { code: error.code ?? 'trap', message: String(error.message), export: '' });
          continue;
        }
        // Merged by count rewrite: every entry kind (row tags 0-2, the columnar tag 3 of a run of writes) is one
        // Array element, copied as it is; `count` counts entries, not writes.
        if (bytes && bytes.length > 8) batch.add(bytes);
      }
    }
    if (this.#events.length === 0 && batch.count === 0) return null;
    this.batchEntries += batch.count;
    const answer = this.#answer;
    answer[0] = this.#events;
    if (this.#events.length > 0) this.#events = [];
    const writer = this.#writer;
    writer.reset();
    writer.value(answer);
    return writer.view();
  }
}

function isAbiMethod(signature) {
  const { params = [], results = [] } = signature;
  return params.length === 1 && params[0] === 'i32' && results.length === 1 && results[0] === 'i32';
}

function convertArg(value, type) {
  if (typeof value !== 'number' && typeof value !== 'boolean')
    throw new TypeError(`argument ${JSON.stringify(value)} is not a number`);
  const n = Number(value);
  if (type === 'i64') return BigInt(Math.trunc(n));
  if (type === 'i32') return n | 0;
  return n;
}

export { varToBytes };
