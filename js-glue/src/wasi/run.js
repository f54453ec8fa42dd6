// Main-thread API: run a WASI command in a dedicated worker.
//   runWasi(bytesOrModule, opts)   -> Promise<{ exitCode, stdout, stderr, files, symlinks }>
//   spawnWasi(bytesOrModule, opts) -> { stdout, stderr, write, closeStdin, kill, exited, result }

import { WasiRunError } from './errors.js';
import { loadPersisted, savePersisted } from './persist.js';
import { createPipeBuffer, pipeWriter } from './pipe.js';
import { DEFAULT_MAX_UNREAD_OUTPUT, createCreditBuffer, outputStreams, sharedCreditWriter } from './flow.js';

const encoder = new TextEncoder();

/**
 * What this page supports. Streaming stdin works either through a SharedArrayBuffer pipe (needs a
 * cross-origin-isolated page) or, failing that, through JSPI (WebAssembly.Suspending) and messages.
 */
export function wasiSupport() {
  const sharedPipe = globalThis.crossOriginIsolated === true && typeof SharedArrayBuffer === 'function';
  const jspi = typeof WebAssembly.Suspending === 'function' && typeof WebAssembly.promising === 'function';
  return { worker: typeof Worker === 'function', sharedPipe, jspi, streamingStdin: sharedPipe || jspi };
}

const DEFAULT_WORKER_URL = new URL('./worker.js', import.meta.url);
/** runWasi keeps all output in memory: a hostile program must not be able to exhaust the page with it. */
const DEFAULT_MAX_OUTPUT = 64 * 1024 * 1024;
const spares = new Map(); // worker URL -> an idle, already-loaded worker (see prewarmWasi)

function newWorker(url) {
  return new Worker(url, { type: 'module', name: 'ugc-wasi' });
}

/** A worker for one run: the pre-warmed spare if there is one (then a new spare is started). */
function takeWorker(url) {
  const spare = spares.get(url);
  if (!spare) return newWorker(url);
  spares.set(url, newWorker(url));
  return spare;
}

/**
 * Keeps one idle WASI worker loaded so the next run skips worker start-up and module loading (each run
 * still gets a fresh worker: runs never share state). Call again after `stopPrewarmWasi()` to re-enable.
 * @param {{ workerUrl?: string|URL }} [opts]
 */
export function prewarmWasi(opts = {}) {
  const url = String(opts.workerUrl ?? DEFAULT_WORKER_URL);
  if (!spares.has(url)) spares.set(url, newWorker(url));
}

/** Terminates the idle pre-warmed workers. */
export function stopPrewarmWasi() {
  for (const w of spares.values()) w.terminate();
  spares.clear();
}

function toModuleInput(input) {
  if (input instanceof WebAssembly.Module) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input.slice(0));
  if (ArrayBuffer.isView(input))
    return new Uint8Array(input.buffer, input.byteOffset, input.byteLength).slice();
  throw new WasiRunError(
    'invalid_module',
    'expected the module as bytes (ArrayBuffer/Uint8Array) or a WebAssembly.Module',
  );
}

// Always a fresh copy: it may be transferred to the worker.
const toBytes = (b) => (typeof b === 'string' ? encoder.encode(b) : new Uint8Array(b));

// When runWasi's result has to be assembled in the page (its worker is gone: timeout, kill), it is done in
// steps of this many bytes, each its own task, so that tens of MiB never hold the main thread in one piece.
const ASSEMBLY_STEP = 1024 * 1024;
let yieldChannel = null;
const yielded = [];
/** Resolves in a later task (scheduler.yield where available; a MessageChannel is not clamped like timers). */
function nextTask() {
  if (typeof globalThis.scheduler?.yield === 'function') return globalThis.scheduler.yield();
  if (!yieldChannel) {
    yieldChannel = new MessageChannel();
    yieldChannel.port1.onmessage = () => yielded.shift()?.();
    yieldChannel.port1.unref?.(); // node (unit tests): an open port would keep the process alive
  }
  return new Promise((ok) => {
    yielded.push(ok);
    yieldChannel.port2.postMessage(0);
  });
}

/**
 * stdout and stderr each as one Uint8Array, joined by the program's (finished) worker: the chunks are
 * transferred there and the joined buffers back, so the page copies nothing. Terminates the worker.
 */
function joinInWorker(worker, out) {
  return new Promise((resolve, reject) => {
    const failed = () => {
      worker.terminate();
      reject(new WasiRunError('worker_error', 'the WASI worker failed while joining the output'));
    };
    worker.onmessage = ({ data }) => {
      if (data?.type !== 'joined') return;
      worker.terminate();
      resolve(data);
    };
    worker.onerror = (ev) => {
      ev.preventDefault?.();
      failed();
    };
    worker.onmessageerror = failed;
    const transfer = [...out[1], ...out[2]].map((c) => c.buffer);
    worker.postMessage({ type: 'join', stdout: out[1], stderr: out[2] }, transfer);
  });
}

/** Both outputs joined: in the worker when it is still there, else here in steps (timeout, kill, abort). */
async function joinOutput(worker, out) {
  if (worker && (out[1].length > 1 || out[2].length > 1)) return joinInWorker(worker, out);
  worker?.terminate();
  return { stdout: await assemble(out[1]), stderr: await assemble(out[2]) };
}

/** The chunks as one Uint8Array; a lone chunk (transferred from the worker, so ours) is used as it is. */
export async function assemble(chunks) {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  let step = 0;
  for (let i = 0; i < chunks.length; i++) {
    const c = chunks[i];
    chunks[i] = null; // copied chunks can be collected while the rest is assembled
    for (let off = 0; off < c.length;) {
      const n = Math.min(ASSEMBLY_STEP - step, c.length - off);
      out.set(n === c.length ? c : c.subarray(off, off + n), at);
      at += n;
      off += n;
      step += n;
      if (step >= ASSEMBLY_STEP) {
        step = 0;
        await nextTask();
      }
    }
  }
  return out;
}

function checkOptions(opts) {
  const bad = (what) => new WasiRunError('invalid_option', what);
  if (opts.args != null && !Array.isArray(opts.args)) throw bad('args must be an array of strings');
  for (const p of opts.preopens ?? []) {
    if (typeof p !== 'string' || !p.startsWith('/'))
      throw bad(`preopen ${JSON.stringify(p)} is not an absolute path`);
  }
  for (const [path, content] of Object.entries(opts.files ?? {})) {
    if (!path.startsWith('/')) throw bad(`file ${JSON.stringify(path)} is not an absolute path`);
    const ok =
      content === null ||
      typeof content === 'string' ||
      content instanceof ArrayBuffer ||
      ArrayBuffer.isView(content);
    if (!ok) throw bad(`file ${path}: content must be a string, bytes or null`);
    if (path.endsWith('/') && content !== null)
      throw bad(`${path} ends in '/' (a directory) but has content`);
  }
}

/** Starts the worker and routes its messages; `on` gets out(fd, chunk), exit(msg), fail(error). */
function launch(input, opts, extra, on) {
  const module = toModuleInput(input);
  checkOptions(opts);
  if (!wasiSupport().worker) throw new WasiRunError('no_worker', 'WASI runs need Web Workers');
  const worker = takeWorker(String(opts.workerUrl ?? DEFAULT_WORKER_URL));
  let done = false;
  let timer;
  // on.keepWorker: a program that ended by itself leaves its worker alive for on.exit/on.fail to use
  // (runWasi has it join the output); whoever keeps it terminates it.
  const finish = (keep = false) => {
    done = true;
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
    if (!keep) worker.terminate();
  };
  const stop = (code, message) => {
    if (done) return;
    finish();
    on.fail(new WasiRunError(code, message));
  };
  const onAbort = () => stop('aborted', 'the run was aborted');
  worker.onmessage = ({ data }) => {
    if (done) return;
    if (data.type === 'out') on.out(data.fd, data.chunk, data.written);
    else if (data.type === 'flow') on.flow?.(data);
    else if (data.type === 'started') on.started?.(data);
    else if (data.type === 'exit') {
      finish(on.keepWorker);
      on.exit(data, on.keepWorker ? worker : null);
    } else if (data.type === 'error') {
      finish(on.keepWorker);
      const error = new WasiRunError(data.code, data.message, data.where ? { where: data.where } : {});
      on.fail(error, on.keepWorker ? worker : null);
    }
  };
  worker.onerror = (ev) => {
    ev.preventDefault?.();
    stop('worker_error', `the WASI worker failed: ${ev.message ?? 'could not load worker.js'}`);
  };
  worker.onmessageerror = () => stop('worker_error', 'a message from the WASI worker could not be decoded');
  if (opts.timeoutMs != null) {
    timer = setTimeout(
      () => stop('timeout', `no exit after ${opts.timeoutMs} ms; the worker was terminated`),
      opts.timeoutMs,
    );
  }
  if (opts.signal) {
    if (opts.signal.aborted) queueMicrotask(onAbort);
    else opts.signal.addEventListener('abort', onAbort);
  }
  worker.postMessage({
    type: 'run',
    module,
    args: (opts.args ?? ['main.wasm']).map(String),
    env: opts.env ?? {},
    files: opts.files ?? {},
    preopens: opts.preopens ?? ['/'],
    fuel: opts.fuel ?? null,
    fuelPerInput: opts.fuelPerInput === true,
    maxFsBytes: opts.maxFsBytes,
    maxOutputBytes: opts.maxOutputBytes,
    ...extra,
  });
  return {
    kill: (code, message) => stop(code, message),
    post: (m, transfer) => done || worker.postMessage(m, transfer),
  };
}

/**
 * Runs a WASI command to completion in a dedicated worker.
 * @param {ArrayBuffer|Uint8Array|WebAssembly.Module} bytesOrModule
 * @param {{ args?: string[], env?: Record<string,string>, files?: Record<string, Uint8Array|string|null>,
 *   preopens?: string[], stdin?: Uint8Array|string, timeoutMs?: number, fuel?: number|bigint,
 *   signal?: AbortSignal, maxFsBytes?: number, maxOutputBytes?: number (default 64 MiB), workerUrl?: string|URL,
 *   persist?: { service: string, path: string } }} [opts] persist: load the preopen `path` from IndexedDB
 *   before the run (under opts.files) and save it back once the program exits (not after a trap/timeout)
 * @returns {Promise<{ exitCode: number, stdout: Uint8Array, stderr: Uint8Array,
 *   files: Record<string, Uint8Array|null>, symlinks: Record<string, string>, fuelApplied: boolean }>}
 *   fuelApplied: the module exports `__ugc_fuel` (prepared with metering) and opts.fuel was set on it.
 *   Rejects with WasiRunError (.code: timeout | trap | fuel_exhausted | compile_error | link_error |  invalid_option | output_limit |
 *   unknown_wasi_import | wasi_import_signature | missing_start | missing_memory | aborted | worker_error),
 *   carrying .stdout/.stderr written until then.
 */
export async function runWasi(bytesOrModule, opts = {}) {
  if (opts.persist) {
    const { service, path } = opts.persist;
    const saved = await loadPersisted(service, path);
    const r = await runWasiOnce(bytesOrModule, { ...opts, files: { ...saved, ...opts.files } });
    await savePersisted(service, path, r.files);
    return r;
  }
  return runWasiOnce(bytesOrModule, opts);
}

function runWasiOnce(bytesOrModule, opts) {
  return new Promise((resolve, reject) => {
    const out = { 1: [], 2: [] };
    let fuelApplied = false;
    launch(
      bytesOrModule,
      opts,
      {
        stdin: opts.stdin != null ? toBytes(opts.stdin) : undefined,
        maxOutputBytes: opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT,
      },
      {
        out: (fd, chunk) => out[fd].push(chunk),
        started: ({ metered }) => (fuelApplied = metered),
        keepWorker: true,
        exit: async ({ exitCode, files, symlinks }, worker) => {
          try {
            const { stdout, stderr } = await joinOutput(worker, out);
            resolve({ exitCode, stdout, stderr, files, symlinks, fuelApplied });
          } catch (err) {
            reject(err);
          }
        },
        fail: async (err, worker) => {
          const joined = await joinOutput(worker, out).catch(() => null);
          err.stdout = joined?.stdout ?? new Uint8Array(0);
          err.stderr = joined?.stderr ?? new Uint8Array(0);
          reject(err);
        },
      },
    );
  });
}

/**
 * Starts a WASI command and streams its output while it runs.
 * stdin is a live stream: `opts.stdin` (if any) first, then whatever write() sends, until closeStdin().
 * Transport (`opts.stdinMode`, chosen automatically): 'pipe' (SharedArrayBuffer ring buffer, needs a
 * cross-origin-isolated page), 'messages' (JSPI: the guest suspends in fd_read), or 'none' (only
 * `opts.stdin`, then EOF; write() throws `stdin_needs_cross_origin_isolation`).
 * Options are runWasi's, plus `fuelPerInput` (also accepted by runWasi): with a metered module, the fuel is
 * topped up to `opts.fuel` whenever the program waits for stdin with no timeout, so `fuel` bounds the work
 * per request instead of over the service's whole life. Output back-pressure (flow.js): the program is paused
 * in fd_write while more than `maxUnreadOutputBytes` (default 1 MiB) of its stdout+stderr is unread in the
 * page; `outputMode` (chosen like stdinMode) is how read credits reach the worker: 'pipe' (SharedArrayBuffer),
 * 'messages' (JSPI) or 'none' (cannot pause: the program is stopped with `output_backlog` beyond the cap).
 * @returns {{ stdout: ReadableStream<Uint8Array>, stderr: ReadableStream<Uint8Array>,
 *   write(bytes: Uint8Array|string): void, closeStdin(): void, kill(): void, stdinMode: string,
 *   outputMode: string, stats(): object,
 *   exited: Promise<number>, result: Promise<{ exitCode: number, files: object, symlinks: object }> }}
 */
export function spawnWasi(bytesOrModule, opts = {}) {
  const support = wasiSupport();
  const stdinMode = opts.stdinMode ?? (support.sharedPipe ? 'pipe' : support.jspi ? 'messages' : 'none');
  if (!['pipe', 'messages', 'none'].includes(stdinMode)) {
    throw new WasiRunError('invalid_option', `stdinMode must be 'pipe', 'messages' or 'none'`);
  }
  if ((stdinMode === 'pipe' && !support.sharedPipe) || (stdinMode === 'messages' && !support.jspi)) {
    throw noStreamingStdin();
  }
  const outputMode = opts.outputMode ?? (support.sharedPipe ? 'pipe' : support.jspi ? 'messages' : 'none');
  if (!['pipe', 'messages', 'none'].includes(outputMode)) {
    throw new WasiRunError('invalid_option', `outputMode must be 'pipe', 'messages' or 'none'`);
  }
  if ((outputMode === 'pipe' && !support.sharedPipe) || (outputMode === 'messages' && !support.jspi)) {
    throw new WasiRunError(
      'invalid_option',
      `outputMode '${outputMode}' needs ${outputMode === 'pipe' ? 'a cross-origin-isolated page' : 'JSPI'}`,
    );
  }
  const cap = opts.maxUnreadOutputBytes ?? DEFAULT_MAX_UNREAD_OUTPUT;
  if (!(typeof cap === 'number' && cap > 0)) {
    throw new WasiRunError('invalid_option', 'maxUnreadOutputBytes must be a positive number (or Infinity)');
  }
  const pipe = stdinMode === 'pipe' ? createPipeBuffer() : null;
  const writer = pipe ? pipeWriter(pipe) : null;
  const creditBuffer = outputMode === 'pipe' && cap < Infinity ? createCreditBuffer() : null;
  const creditShared = creditBuffer ? sharedCreditWriter(creditBuffer) : null;
  let handle = null;
  const output = outputStreams({
    credit(n) {
      if (n <= 0 || cap === Infinity) return;
      if (creditShared) creditShared(n);
      else if (outputMode === 'messages') handle?.post({ type: 'credit', bytes: n });
    },
    // Without a way to pause the program, the cap is enforced by stopping it.
    onChunk() {
      if (outputMode === 'none' && output.stats.unreadBytes > cap) {
        handle.kill(
          'output_backlog',
          `more than ${cap} bytes of output were not read (maxUnreadOutputBytes) and the program cannot be ` +
            'paused here (no SharedArrayBuffer, no JSPI)',
        );
      }
    },
  });
  const { stdout, stderr } = output;
  let ended = false;
  const closeStreams = () => {
    ended = true;
    output.close();
  };
  let fuelApplied = false;
  let resolveResult;
  let rejectResult;
  const result = new Promise((res, rej) => {
    resolveResult = res;
    rejectResult = rej;
  });
  const upFront = opts.stdin != null ? toBytes(opts.stdin) : undefined;
  handle = launch(
    bytesOrModule,
    opts,
    {
      stdinMode,
      stdinPipe: pipe ?? undefined,
      stdin: stdinMode === 'none' ? upFront : undefined,
      outputMode,
      outputCredits: creditBuffer ?? undefined,
      maxUnreadOutputBytes: cap,
    },
    {
      out: (fd, chunk, written) => output.out(fd, chunk, written),
      flow: (m) => output.flow(m),
      started: ({ metered }) => (fuelApplied = metered),
      exit: ({ exitCode, files, symlinks }) => {
        closeStreams();
        resolveResult({ exitCode, files, symlinks, fuelApplied });
      },
      fail: (err) => {
        closeStreams();
        rejectResult(err);
      },
    },
  );
  let closed = false;
  const send = (bytes) => {
    if (closed) throw new WasiRunError('stdin_closed', 'write() after closeStdin()');
    if (ended) throw new WasiRunError('process_ended', 'write() after the program ended');
    if (writer) writer.write(bytes);
    else handle.post({ type: 'stdin', chunk: bytes }, [bytes.buffer]);
  };
  if (upFront && stdinMode !== 'none') send(upFront);
  const exited = result.then((r) => r.exitCode);
  exited.catch(() => {}); // callers that only use the streams must not get unhandled rejections
  result.catch(() => {});
  return {
    stdout,
    stderr,
    stdinMode,
    outputMode,
    /**
     * Output flow: `{ outputMode, maxUnreadOutputBytes, unreadBytes, maxUnreadBytes, receivedBytes, readBytes,
     * writtenBytes, paused }` (bytes the program wrote are as last reported by its worker).
     */
    stats: () => ({ outputMode, maxUnreadOutputBytes: cap, ...output.stats }),
    write(bytes) {
      if (stdinMode === 'none') throw noStreamingStdin();
      send(toBytes(bytes));
    },
    closeStdin() {
      if (closed) return;
      closed = true;
      if (writer) writer.close();
      else if (stdinMode === 'messages') handle.post({ type: 'stdin-close' });
    },
    kill() {
      handle.kill('killed', 'the process was killed');
    },
    exited,
    result,
  };
}

function noStreamingStdin() {
  return new WasiRunError(
    'stdin_needs_cross_origin_isolation',
    'streaming stdin needs SharedArrayBuffer or JSPI: serve the page cross-origin isolated ' +
      '(Cross-Origin-Opener-Policy: same-origin, Cross-Origin-Embedder-Policy: require-corp), ' +
      'use a browser with WebAssembly JSPI, or pass all input up front as opts.stdin',
  );
}

export { WasiRunError };
