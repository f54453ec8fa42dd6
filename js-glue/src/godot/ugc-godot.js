// The page side of the Godot addon (godot-web-export/addons/ugc_wasm): one object, exposed to GDScript through
// `JavaScriptBridge.get_interface('ugcGodot')`, that owns every Wasm script of the game and runs them all in a
// single crossing per frame. See docs/GODOT-ADDON.md for the protocol.
//
//   GDScript ── frame(deltaUs, commandsJson) ──► run queued commands, call _enter_tree/_ready/_process on every
//            ◄── null | Uint8Array ───────────  running script; return state changes as Godot Variant bytes
//
// Method names avoid Object's own (`call`, `get`, `set`…): GDScript would dispatch those to the
// JavaScriptObject itself. Floats cross JavaScriptBridge narrowed to f32 and Arrays not at all (docs/GODOT.md), so deltas travel as
// integer microseconds, commands and call arguments as JSON text, and results as `var_to_bytes` bytes that
// GDScript decodes with `bytes_to_var` in one go.

import { createRuntime } from '../ugc-wasm.js';
import { varToBytes } from './variant-writer.js';
import { installWasiServices } from './wasi-services.js';

export const PROTOCOL_VERSION = 1;

/** Load-time failures that mean "this module can never run" rather than "it misbehaved". */
const INVALID_CODES = new Set(['validation', 'load_failed', 'bad_argument', 'module_missing']);

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
 * @param {object} [options.loadOptions] options for every `rt.load` (e.g. `{ fuel }`); isolation is always
 *   'instance' (frames call guests synchronously)
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
  #modules = new Map(); // key -> Uint8Array
  #scripts = new Map(); // id -> entry
  #pending = []; // commands that arrived before the runtime was ready
  #events = [];
  #loadOptions;
  #onLog;

  constructor({ runtime, policy, loadOptions = {}, onLog } = {}) {
    this.#loadOptions = { ...loadOptions, isolation: 'instance' };
    this.#onLog = onLog ?? ((node, message) => console.log(`[ugc ${node}] ${message}`));
    /** Crossings from GDScript, by entry point: the frame protocol promises one `frame` per frame. */
    this.crossings = { frame: 0, physics: 0, addModule: 0, invoke: 0 };
    this.frames = 0;
    this.ready = Promise.resolve(runtime ?? createRuntime(policy ? { policy } : {})).then(
      (rt) => {
        this.#runtime = rt;
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

  /** Stores a module's bytes once under `key` (GDScript sends each distinct module once, base64). */
  addModule(key, base64) {
    this.crossings.addModule++;
    const binary = atob(String(base64));
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    this.#modules.set(String(key), bytes);
  }

  /**
   * The one per-frame crossing: applies queued commands (JSON array, '' for none), runs every running script's
   * pending lifecycle calls and `_process(delta)`, and returns `null` when nothing changed, else the bytes of
   * `[events, batch]` (Godot Variant format): events `[[id, state, code, message, detail], …]`, batch the
   * node-write batch of the ABI (null until the host is wired in).
   */
  frame(deltaUs, commandsJson) {
    this.crossings.frame++;
    this.frames++;
    if (commandsJson) for (const command of JSON.parse(commandsJson)) this.#command(command);
    const delta = Number(deltaUs) / 1e6;
    for (const entry of this.#scripts.values()) {
      if (entry.state !== 'running') continue;
      if (entry.pendingEnter && !this.#lifecycle(entry, '_enter_tree')) continue;
      if (entry.pendingReady && !this.#lifecycle(entry, '_ready')) continue;
      if (entry.hasProcess && entry.readyCalled) this.#invoke(entry, '_process', [delta]);
    }
    return this.#flush();
  }

  /** Physics tick: `_physics_process(delta)` on every running script that exports it, same result shape. */
  physics(deltaUs) {
    this.crossings.physics++;
    const delta = Number(deltaUs) / 1e6;
    for (const entry of this.#scripts.values()) {
      if (entry.state === 'running' && entry.hasPhysics && entry.readyCalled)
        this.#invoke(entry, '_physics_process', [delta]);
    }
    return this.#flush();
  }

  /**
   * A method call from GDScript (`call_wasm`): `argsJson` a JSON array of numbers, converted to the export's
   * parameter types. Returns `{ ok: true, value }` or `{ ok: false, code, message, state }`.
   */
  invoke(id, name, argsJson) {
    this.crossings.invoke++;
    const entry = this.#scripts.get(Number(id));
    if (!entry) return { ok: false, code: 'unknown_script', message: `no script ${id}` };
    if (entry.state !== 'running') {
      const code = entry.state === 'loading' ? 'not_loaded' : 'faulted';
      return { ok: false, code, message: `script is ${entry.state}`, state: entry.state };
    }
    const method = String(name);
    const signature = entry.methods.get(method);
    if (!signature)
      return { ok: false, code: 'unknown_export', message: `no method ${method}`, state: entry.state };
    let args;
    try {
      args = JSON.parse(argsJson || '[]');
      if (!Array.isArray(args)) throw new TypeError('arguments must be a JSON array');
      args = args.map((arg, i) => convertArg(arg, signature.params[i]));
    } catch (error) {
      return { ok: false, code: 'bad_argument', message: error.message, state: entry.state };
    }
    const result = this.#invoke(entry, method, args, { queueEvent: false });
    if (!result.ok) return { ...result, state: entry.state };
    const value = result.value;
    return {
      ok: true,
      value: Array.isArray(value) ? JSON.stringify(value.map(String)) : value,
    };
  }

  /** Every script's state, for the page (`window.ugcDemo.status()`) and tests. */
  status() {
    return {
      ready: this.#runtime !== null,
      runtimeError: this.#runtimeError ? String(this.#runtimeError.message) : null,
      frame: this.frames,
      crossings: { ...this.crossings },
      scripts: [...this.#scripts.values()].map((e) => ({
        id: e.id,
        node: e.node,
        module: e.moduleName,
        state: e.state,
        error: e.error,
        calls: { ...e.calls },
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
        if (entry) entry.pendingEnter = true;
        return;
      case 'ready':
        if (entry) entry.pendingReady = true;
        return;
      case 'exit':
        if (entry?.state === 'running' && entry.exports.has('_exit_tree'))
          this.#invoke(entry, '_exit_tree', []);
        return;
      case 'detach':
        if (entry) {
          entry.script?.dispose();
          this.#scripts.delete(command.id);
        }
        return;
      default:
        console.error(`ugc-godot: unknown command ${JSON.stringify(command.op)}`);
    }
  }

  #attach({ id, node, module, moduleName, error }) {
    this.#scripts.get(id)?.script?.dispose();
    const entry = {
      id,
      node: String(node ?? ''),
      moduleName: String(moduleName ?? ''),
      state: 'loading',
      error: null,
      script: null,
      exports: new Set(),
      methods: new Map(),
      hasProcess: false,
      hasPhysics: false,
      pendingEnter: false,
      pendingReady: false,
      readyCalled: false,
      calls: {},
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
    const onLog = (message) => this.#onLog(entry.node, message);
    this.#runtime.load(bytes, { ...this.#loadOptions, onLog }).then(
      (script) => {
        if (this.#scripts.get(id) !== entry) return script.dispose(); // detached or re-attached meanwhile
        entry.script = script;
        for (const exp of script.report?.exports ?? []) {
          if (exp.kind !== 'func') continue;
          entry.exports.add(exp.name);
          if (!LIFECYCLE.has(exp.name)) entry.methods.set(exp.name, exp.signature ?? { params: [] });
        }
        entry.hasProcess = entry.exports.has('_process');
        entry.hasPhysics = entry.exports.has('_physics_process');
        entry.state = 'running';
        this.#events.push([id, 'running', '', '', [...entry.exports].join(',')]);
      },
      (error) => {
        if (this.#scripts.get(id) !== entry) return;
        const detail = error.errors?.map((e) => e.code).join(',') ?? '';
        this.#fail(entry, error.code ?? 'load_failed', error.message, detail);
      },
    );
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

  /** Calls a lifecycle export once (if exported); false when the script faulted doing it. */
  #lifecycle(entry, name) {
    if (name === '_enter_tree') entry.pendingEnter = false;
    if (name === '_ready') {
      entry.pendingReady = false;
      entry.readyCalled = true;
    }
    if (!entry.exports.has(name)) return true;
    return this.#invoke(entry, name, []).ok;
  }

  #invoke(entry, name, args, { queueEvent = true } = {}) {
    entry.calls[name] = (entry.calls[name] ?? 0) + 1;
    try {
      return { ok: true, value: entry.script.callSync(name, ...args) };
    } catch (error) {
      const code = error.code ?? 'trap';
      // Refused before entering the guest: the script is fine.
      if (code === 'bad_argument' || code === 'unknown_export')
        return { ok: false, code, message: error.message };
      entry.state = 'faulted';
      entry.error = { code, message: String(error.message), export: name };
      if (queueEvent) this.#events.push([entry.id, 'faulted', code, String(error.message), name]);
      return { ok: false, code, message: String(error.message) };
    }
  }

  #fail(entry, code, message, detail) {
    entry.state = INVALID_CODES.has(code) || code.startsWith('manifest_') ? 'invalid' : 'faulted';
    entry.error = { code, message: String(message) };
    if (detail) entry.error.detail = detail;
    this.#events.push([entry.id, entry.state, code, String(message), detail]);
  }

  #flush() {
    if (this.#events.length === 0) return null;
    const events = this.#events;
    this.#events = [];
    return varToBytes([events, null]);
  }
}

function convertArg(value, type) {
  if (typeof value !== 'number' && typeof value !== 'boolean')
    throw new TypeError(`argument ${JSON.stringify(value)} is not a number`);
  const n = Number(value);
  if (type === 'i64') return BigInt(Math.trunc(n));
  if (type === 'i32') return n | 0;
  return n;
}
