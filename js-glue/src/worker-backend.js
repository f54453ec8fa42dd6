// Worker isolation, on the page's side: the guest runs in a dedicated Web Worker, so a guest that hogs the
// CPU cannot freeze the page and a wall-clock `timeoutMs` can be enforced with worker.terminate().
// The compiled WebAssembly.Module is posted to the worker (structured clone shares the compiled code), so
// the crate is never loaded in the worker: validation, prepare and compilation stay on the page (cached).

import { UgcError, fromWire } from './errors.js';
import { FAULTLESS } from './guest.js';

const WORKER_URL = new URL('./worker.js', import.meta.url);
/** How long a new worker may take to fetch and evaluate its modules; not part of the script's timeoutMs. */
const BOOT_TIMEOUT_MS = 30_000;

export class WorkerBackend {
  /**
   * @param {WebAssembly.Module} module
   * @param {object} options fuel, abiImports, signatures, onLog, timeoutMs
   */
  constructor(module, { fuel, abiImports, signatures, onLog, timeoutMs, hostSpec }) {
    this.init = { type: 'init', module, fuel, abiImports, signatures };
    this.hostSpec = hostSpec ?? null;
    this.onLog = onLog ?? null;
    this.timeoutMs = timeoutMs;
    this.worker = null;
    this.booting = null;
    this.ready = Promise.resolve();
    this.pending = new Map();
    this.nextId = 1;
    this.fault = null;
    this.lastStats = null;
    this.fuelLimit = fuel === null ? null : Number(fuel);
  }

  /** Starts a worker and instantiates the guest in it; calls made meanwhile wait for it. */
  start() {
    // Loading the crate in the worker (ABI modules only) is start-up, bounded like the boot, not by timeoutMs.
    this.ready = this.spawn()
      .then(() =>
        this.hostSpec === null
          ? undefined
          : this.request({ type: 'loadHost', hostSpec: this.hostSpec }, BOOT_TIMEOUT_MS),
      )
      .then(() => this.request(this.init));
    return this.ready;
  }

  /** Starts a worker and resolves once its modules are loaded (it posts `booted`). */
  spawn() {
    const worker = new Worker(WORKER_URL, { type: 'module', name: 'ugc-script' });
    const booted = new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => this.crash(new UgcError('load_failed', `script worker did not start in ${BOOT_TIMEOUT_MS} ms`)),
        BOOT_TIMEOUT_MS,
      );
      this.booting = { resolve, reject, timer };
    });
    worker.onmessage = ({ data }) => this.receive(data);
    worker.onerror = (event) => {
      event.preventDefault();
      this.crash(new UgcError('load_failed', `script worker failed: ${event.message ?? 'unknown error'}`));
    };
    worker.onmessageerror = () =>
      this.crash(new UgcError('load_failed', 'script worker sent an unreadable message'));
    this.worker = worker;
    return booted;
  }

  request(message, timeoutMs = this.timeoutMs) {
    if (this.worker === null) return Promise.reject(this.faultedError());
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.timedOut(id), timeoutMs);
      this.pending.set(id, { resolve, reject, timer, name: message.name });
      try {
        this.worker.postMessage({ ...message, id });
      } catch (error) {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new UgcError('bad_argument', `cannot send to the script worker: ${error.message}`));
      }
    });
  }

  receive(data) {
    if (data.type === 'booted') {
      if (this.booting) {
        clearTimeout(this.booting.timer);
        this.booting.resolve();
        this.booting = null;
      }
      return;
    }
    if (data.type === 'log') {
      if (this.onLog) this.onLog(data.message);
      return;
    }
    const entry = this.pending.get(data.id);
    if (data.stats) this.lastStats = data.stats;
    if (entry === undefined) return;
    this.pending.delete(data.id);
    clearTimeout(entry.timer);
    if (data.error === undefined) {
      entry.resolve(data.value);
      return;
    }
    const error = fromWire(data.error);
    if (!FAULTLESS.has(error.code) && error.code !== 'faulted') this.fault = error;
    entry.reject(error);
  }

  timedOut(id) {
    const entry = this.pending.get(id);
    if (entry === undefined) return;
    const what = entry.name ? `call to ${entry.name}` : 'script start-up';
    this.crash(
      new UgcError('timeout', `${what} exceeded ${this.timeoutMs} ms; worker terminated`, {
        export: entry.name,
      }),
      id,
    );
  }

  /** Kills the worker and fails everything in flight: `id` with `error`, the rest as faulted. */
  crash(error, id) {
    this.fault = error;
    this.terminate();
    if (this.booting) {
      clearTimeout(this.booting.timer);
      this.booting.reject(error);
      this.booting = null;
    }
    for (const [pendingId, entry] of this.pending) {
      clearTimeout(entry.timer);
      entry.reject(pendingId === id || id === undefined ? error : this.faultedError());
    }
    this.pending.clear();
  }

  terminate() {
    if (this.worker !== null) {
      this.worker.onmessage = null;
      this.worker.onerror = null;
      this.worker.terminate();
      this.worker = null;
    }
  }

  faultedError() {
    const fault = this.fault ?? new UgcError('faulted', 'script worker is not running');
    return new UgcError('faulted', `script faulted (${fault.code}: ${fault.message}); call reset()`, {
      cause: fault,
      fault: fault.code,
    });
  }

  async call(name, args) {
    // A call made while (re)starting goes after the guest is instantiated, or fails with the start's fault.
    await this.ready.catch(() => {});
    if (this.fault !== null) throw this.faultedError();
    for (let i = 0; i < args.length; i++) {
      const kind = typeof args[i];
      if (kind !== 'number' && kind !== 'bigint') {
        throw new UgcError('bad_argument', `${name}: argument ${i} must be a number or BigInt, got ${kind}`, {
          export: name,
        });
      }
    }
    return this.request({ type: 'call', name, args });
  }

  /** A ScriptHost operation, run in the worker next to the guest (values cross as Variant bytes). */
  async hostOp(op, name, value) {
    await this.ready.catch(() => {});
    if (this.fault !== null) throw this.faultedError();
    return this.request({ type: 'host', op, name, value });
  }

  stats() {
    const base = this.lastStats ?? {
      fuelUsed: 0,
      fuelLimit: this.fuelLimit,
      memoryBytes: 0,
      calls: 0,
      abiErrors: 0,
      liveHandles: 0,
      logs: 0,
      lastError: null,
    };
    const fault = this.fault;
    return {
      ...base,
      faulted: fault !== null || base.faulted === true,
      lastError: fault ? { code: fault.code, message: fault.message } : base.lastError,
      isolation: 'worker',
    };
  }

  /**
   * A fresh instance: in the same worker after a trap, in a new worker after a timeout or crash. With a call
   * in flight (e.g. reset() from onLog), the worker is terminated — the only way to stop a running guest here
   * — the call rejects `faulted` (`.reason: 'reset'`) and a new worker starts, as after a timeout.
   */
  async reset() {
    if (this.worker !== null && (this.pending.size > 0 || this.booting !== null)) {
      this.crash(new UgcError('faulted', 'the script was reset during this call', { reason: 'reset' }));
    }
    this.fault = null;
    this.lastStats = null;
    if (this.worker === null) {
      await this.start();
    } else {
      await this.request({ type: 'reset' });
    }
  }

  dispose() {
    this.crash(new UgcError('disposed', 'script was disposed'));
    this.init = null;
    this.hostSpec = null;
  }
}
