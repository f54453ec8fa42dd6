// The page side of the addon's WasiService node (godot-web-export/addons/ugc_wasm/wasi_service.gd): one object,
// exposed to GDScript as `window.ugcWasi`, that runs every service of the game through `rt.spawnWasi` (each in
// its own worker) and hands their output to Godot as LINES, all services at once, in one `poll()` per frame.
//
//   GDScript ── start(id, configJson) / write(id, text) / closeStdin(id) / kill(id) ──► (rare, explicit calls)
//            ── poll() ─────────────────────────────────────────────────────────────► once per frame, all services
//            ◄── null | Uint8Array (Godot Variant bytes of [[id, kind, a, b], …]) ──
//
// Event kinds: 'progress' (loaded, total bytes while a URL downloads), 'started' (stdinMode), 'out' / 'err'
// (one line, without its '\n'), 'exit' (code), 'failed' (code, message). Lines of a service always come before
// its 'exit'/'failed'. Values cross JavaScriptBridge only as strings and ints (docs: /work/shared/GODOT-WEB.md),
// hence JSON text in and Variant bytes out.

import { varToBytes } from './variant-writer.js';

export const WASI_SERVICES_PROTOCOL = 1;

const MAX_LINE_CHARS = 64 * 1024; // a longer line arrives in pieces of this size
const MAX_BACKLOG_BYTES = 8 * 1024 * 1024; // unpolled output per service before it is stopped

function base64ToBytes(base64) {
  const binary = atob(String(base64));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * Creates the services object (synchronously, so GDScript finds it at once).
 * @param {object} [options]
 * @param {string|null} [options.name='ugcWasi'] the `window` property GDScript looks up; null for none
 * @param {object|Promise<object>} options.runtime a runtime from createRuntime (or a promise of one)
 * @param {number} [options.maxBacklogBytes] unpolled output per service before it fails with `output_backlog`
 */
export function installWasiServices(options = {}) {
  const services = new WasiServices(options);
  const name = options.name === undefined ? 'ugcWasi' : options.name;
  if (name !== null) globalThis[name] = services;
  return services;
}

class WasiServices {
  #runtime = null;
  #runtimeError = null;
  #ready;
  #modules = new Map(); // key -> Uint8Array (a WasmModule's bytes, sent once)
  #services = new Map(); // id -> Service
  #events = [];
  #maxBacklog;

  constructor({ runtime, maxBacklogBytes = MAX_BACKLOG_BYTES } = {}) {
    this.#maxBacklog = maxBacklogBytes;
    /** Calls from GDScript by entry point (the addon promises one `poll` per frame for all services). */
    this.crossings = { poll: 0, start: 0, write: 0, closeStdin: 0, kill: 0, addModule: 0 };
    this.#ready = Promise.resolve(runtime).then(
      (rt) => {
        if (!rt || typeof rt.spawnWasi !== 'function') throw new Error('installWasiServices needs a runtime');
        this.#runtime = rt;
      },
      (error) => {
        this.#runtimeError = error;
      },
    );
  }

  protocol() {
    return WASI_SERVICES_PROTOCOL;
  }

  /** Stores a module's bytes once under `key` (its SHA-256), sent by GDScript as base64. */
  addModule(key, base64) {
    this.crossings.addModule++;
    this.#modules.set(String(key), base64ToBytes(base64));
  }

  hasModule(key) {
    return this.#modules.has(String(key));
  }

  /**
   * Starts service `id` (an int chosen by GDScript). `configJson`: `{ module: key } | { url, sha256? }` plus
   * `args`, `env`, `files` (path → string, or `{ base64 }` for bytes, or null for a directory), `stdin`,
   * `timeoutMs` (0 or absent: no wall-clock limit), `fuel` (0 or absent: the wasi policy's), `fuelPerInput`
   * (default true: the fuel is topped up whenever the service waits for stdin). Outcome arrives
   * through poll(): 'started' or 'failed'. Returns true when accepted.
   */
  start(id, configJson) {
    this.crossings.start++;
    id = Number(id);
    this.#services.get(id)?.stop();
    const service = new Service(id, this);
    this.#services.set(id, service);
    let config;
    try {
      config = JSON.parse(String(configJson));
      if (config === null || typeof config !== 'object') throw new Error('config must be a JSON object');
    } catch (error) {
      service.fail('invalid_option', `bad service config: ${error.message}`);
      return false;
    }
    service
      .launch(config)
      .catch((error) => service.fail(error?.code ?? 'start_failed', error?.message ?? String(error)));
    return true;
  }

  /** Text (UTF-8) for the service's stdin. Returns '' or an error code (`not_running`, `stdin_closed`, …). */
  write(id, text) {
    this.crossings.write++;
    return this.#withService(id, (s) => s.write(String(text)));
  }

  /** Bytes (base64) for the service's stdin; same result as write(). */
  writeBase64(id, base64) {
    this.crossings.write++;
    return this.#withService(id, (s) => s.write(base64ToBytes(base64)));
  }

  closeStdin(id) {
    this.crossings.closeStdin++;
    return this.#withService(id, (s) => s.closeStdin());
  }

  /** Stops the service: its 'failed' event has code `killed`. */
  kill(id) {
    this.crossings.kill++;
    return this.#withService(id, (s) => s.kill());
  }

  /** Stops the service without reporting anything (its node is gone). */
  forget(id) {
    this.#services.get(Number(id))?.stop();
    this.#services.delete(Number(id));
  }

  /** The one per-frame crossing: every event of every service since the last poll, or null. */
  poll() {
    this.crossings.poll++;
    if (this.#events.length === 0) return null;
    const events = this.#events;
    this.#events = [];
    for (const service of this.#services.values()) service.backlog = 0;
    return varToBytes(events);
  }

  /** What each service is doing, for pages and tests. */
  status() {
    return {
      ready: this.#runtime !== null,
      runtimeError: this.#runtimeError ? String(this.#runtimeError.message ?? this.#runtimeError) : null,
      crossings: { ...this.crossings },
      services: [...this.#services.values()].map((s) => s.describe()),
    };
  }

  // ---- used by Service ----

  async runtime() {
    await this.#ready;
    if (this.#runtimeError) {
      const error = new Error(
        `ugc-wasm runtime failed to start: ${this.#runtimeError.message ?? this.#runtimeError}`,
      );
      error.code = 'runtime_unavailable';
      throw error;
    }
    return this.#runtime;
  }

  module(key) {
    return this.#modules.get(String(key));
  }

  emit(service, event) {
    if (this.#services.get(service.id) !== service) return; // replaced or forgotten
    this.#events.push([service.id, ...event]);
  }

  get maxBacklog() {
    return this.#maxBacklog;
  }

  #withService(id, fn) {
    const service = this.#services.get(Number(id));
    if (!service) return 'unknown_service';
    try {
      return fn(service) ?? '';
    } catch (error) {
      return String(error?.code ?? 'write_failed');
    }
  }
}

/** Splits a byte stream into lines (UTF-8, '\n' or '\r\n'); a final line without '\n' is flushed at the end. */
export class LineSplitter {
  #decoder = new TextDecoder();
  #rest = '';

  push(chunk, emit) {
    this.#rest += this.#decoder.decode(chunk, { stream: true });
    let at;
    while ((at = this.#rest.indexOf('\n')) !== -1) {
      const line = this.#rest.slice(0, at);
      this.#rest = this.#rest.slice(at + 1);
      pieces(line.endsWith('\r') ? line.slice(0, -1) : line, emit);
    }
    // No line break in sight: do not let a partial line grow without bound.
    while (this.#rest.length > MAX_LINE_CHARS) {
      emit(this.#rest.slice(0, MAX_LINE_CHARS));
      this.#rest = this.#rest.slice(MAX_LINE_CHARS);
    }
  }

  end(emit) {
    this.#rest += this.#decoder.decode();
    if (this.#rest) pieces(this.#rest, emit);
    this.#rest = '';
  }
}

/** A line as pieces of at most MAX_LINE_CHARS. */
function pieces(line, emit) {
  if (line.length <= MAX_LINE_CHARS) return emit(line);
  for (let at = 0; at < line.length; at += MAX_LINE_CHARS) emit(line.slice(at, at + MAX_LINE_CHARS));
}

class Service {
  state = 'starting';
  process = null;
  pendingStdin = []; // writes before the process exists (a URL still downloading)
  stdinClosed = false;
  backlog = 0;
  lines = { out: 0, err: 0 };
  error = null;
  exitCode = null;
  #stopped = false;

  constructor(id, owner) {
    this.id = id;
    this.owner = owner;
  }

  async launch(config) {
    const rt = await this.owner.runtime();
    if (this.#stopped) return;
    let source;
    if (config.url) {
      source = await rt.fetchModule(String(config.url), {
        sha256: config.sha256 || undefined,
        onProgress: (p) => {
          if (p.phase === 'download') this.#emit(['progress', p.loaded, p.total ?? -1]);
        },
      });
    } else {
      source = this.owner.module(config.module ?? '');
      if (!source)
        throw Object.assign(new Error('the service has no module (send it with addModule)'), {
          code: 'module_missing',
        });
    }
    if (this.#stopped) return;
    const files = {};
    for (const [path, content] of Object.entries(config.files ?? {})) {
      files[path] =
        content !== null && typeof content === 'object' ? base64ToBytes(content.base64 ?? '') : content;
    }
    const opts = {
      args: config.args?.length ? config.args.map(String) : ['service.wasm'],
      env: config.env ?? {},
      files,
      timeoutMs: config.timeoutMs > 0 ? config.timeoutMs : null,
    };
    if (config.fuel > 0) opts.fuel = BigInt(config.fuel);
    if (config.fuelPerInput !== false) opts.fuelPerInput = true;
    if (config.stdin) opts.stdin = String(config.stdin);
    const p = rt.spawnWasi(source, opts);
    this.process = p;
    this.state = 'running';
    this.#emit(['started', p.stdinMode]);
    for (const chunk of this.pendingStdin) p.write(chunk);
    this.pendingStdin = [];
    if (this.stdinClosed) p.closeStdin();
    const pump = async (stream, kind) => {
      const splitter = new LineSplitter();
      const emit = (line) => {
        this.lines[kind]++;
        this.#emit([kind, line]);
      };
      for await (const chunk of stream) {
        if (this.#stopped) return;
        this.backlog += chunk.length;
        if (this.backlog > this.owner.maxBacklog) {
          this.kill('output_backlog', `more than ${this.owner.maxBacklog} bytes of output were not polled`);
          return;
        }
        splitter.push(chunk, emit);
      }
      splitter.end(emit);
    };
    const pumps = Promise.allSettled([pump(p.stdout, 'out'), pump(p.stderr, 'err')]);
    let outcome;
    try {
      outcome = { code: await p.exited };
    } catch (error) {
      outcome = { error };
    }
    await pumps;
    if (this.#stopped && !this.error) return;
    if (this.state !== 'running') return;
    if (outcome.error) this.fail(outcome.error.code ?? 'failed', outcome.error.message);
    else {
      this.state = 'exited';
      this.exitCode = outcome.code;
      this.#emit(['exit', outcome.code]);
    }
  }

  write(data) {
    if (this.state === 'exited' || this.state === 'failed') return 'not_running';
    if (this.stdinClosed) return 'stdin_closed';
    if (!this.process) {
      this.pendingStdin.push(data);
      return '';
    }
    this.process.write(data);
    return '';
  }

  closeStdin() {
    if (this.stdinClosed) return '';
    this.stdinClosed = true;
    this.process?.closeStdin();
    return '';
  }

  kill(code = 'killed', message = 'the service was killed') {
    if (this.state === 'exited' || this.state === 'failed') return 'not_running';
    this.fail(code, message);
    return '';
  }

  /** Reports a failure once and stops the worker. */
  fail(code, message) {
    if (this.state === 'exited' || this.state === 'failed') return;
    this.state = 'failed';
    this.error = { code: String(code), message: String(message) };
    this.#emit(['failed', this.error.code, this.error.message]);
    this.stop();
  }

  stop() {
    this.#stopped = true;
    this.process?.kill();
  }

  #emit(event) {
    this.owner.emit(this, event);
  }

  describe() {
    return {
      id: this.id,
      state: this.state,
      stdinMode: this.process?.stdinMode ?? null,
      lines: { ...this.lines },
      exitCode: this.exitCode,
      error: this.error,
    };
  }
}
