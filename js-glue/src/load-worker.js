// The page's side of js-glue/src/prepare-worker.js: one worker per page validates, prepares and compiles big
// modules (runtime.js OFF_THREAD_BYTES), its jobs sharing the worker's crate. It is kept while jobs come and
// terminated after IDLE_MS without one: the crate it holds is warm after its first job (V8 cannot optimise
// a wasm function while it runs, so a cold crate validates a whole big module in its baseline tier, several
// times slower), but an idle worker should not hold memory forever.

import { UgcError, ValidationError } from './errors.js';
import { crateModule } from './core.js';

const WORKER_URL = new URL('./prepare-worker.js', import.meta.url);
const IDLE_MS = 5_000;
/** A job not answered in this long (a worker that cannot boot, or a hung one) fails and ends the worker. */
const JOB_TIMEOUT_MS = 120_000;

let worker = null;
let nextId = 1;
const pending = new Map();
/** Jobs whose bytes the worker holds between their digest and their prepare: it must not be ended meanwhile. */
let held = 0;
let idleTimer = null;

/** The typed error for a job's `{ code, message, reason, errors, report }`. */
function jobError(wire) {
  if (wire.code === 'validation') return new ValidationError(wire.errors ?? [], wire.report ?? null);
  return new UgcError(wire.code, wire.message, { reason: wire.reason ?? 'internal' });
}

/** Fails every job in flight and ends the worker (the next job starts a new one). */
function crash(message, reason = 'worker') {
  const failed = [...pending.values()];
  pending.clear();
  held = 0;
  stop();
  for (const job of failed) {
    clearTimeout(job.timer);
    job.reject(new UgcError('load_failed', message, { reason }));
  }
}

function stop() {
  clearTimeout(idleTimer);
  idleTimer = null;
  if (worker !== null) {
    worker.onmessage = worker.onerror = worker.onmessageerror = null;
    worker.terminate();
    worker = null;
  }
}

function idle() {
  if (pending.size === 0 && held === 0 && worker !== null) idleTimer = setTimeout(stop, IDLE_MS);
}

function start() {
  const w = new Worker(WORKER_URL, { type: 'module', name: 'ugc-load' });
  w.onmessage = ({ data }) => {
    const job = pending.get(data?.id);
    if (job === undefined) return;
    pending.delete(data.id);
    clearTimeout(job.timer);
    if (data.error) job.reject(jobError(data.error));
    else job.resolve(data);
    idle();
  };
  w.onerror = (event) => {
    event.preventDefault();
    crash(`the load worker failed: ${event.message ?? 'unknown error'}`);
  };
  w.onmessageerror = () => crash('the load worker sent an unreadable message');
  return w;
}

function request(message, transfer = []) {
  return new Promise((resolve, reject) => {
    clearTimeout(idleTimer);
    idleTimer = null;
    try {
      worker ??= start();
    } catch (error) {
      reject(
        new UgcError('load_failed', `cannot start the load worker: ${error?.message}`, { reason: 'worker' }),
      );
      return;
    }
    const timer = setTimeout(
      () => crash(`the load worker did not answer in ${JOB_TIMEOUT_MS} ms`, 'timeout'),
      JOB_TIMEOUT_MS,
    );
    pending.set(message.id, { resolve, reject, timer });
    try {
      worker.postMessage(message, transfer);
    } catch (error) {
      pending.delete(message.id);
      clearTimeout(timer);
      reject(
        new UgcError('load_failed', `cannot send to the load worker: ${error?.message}`, {
          reason: 'worker',
        }),
      );
    }
  });
}

/**
 * Hands `input` to the load worker (transferred: detached here) and resolves `{ job, digest }`: the hex SHA-256
 * of the bytes (null without WebCrypto), hashed there because WebCrypto hashes on the calling thread (~2 ms per
 * MB). The worker keeps the bytes for `prepareOffThread(job)` or `dropOffThread(job)`, one of which must follow.
 */
export async function digestOffThread(input) {
  const job = nextId++;
  const { digest } = await request({ type: 'digest', id: job, bytes: input }, [input.buffer]);
  held++;
  return { job, digest };
}

/**
 * Validates the bytes of `job` against `policy` (plain JSON), prepares them with `prepareOptions` and compiles
 * them, in the load worker. Resolves `{ report, module, size }`; rejects with a ValidationError or a UgcError
 * carrying `.reason`.
 */
export function prepareOffThread(job, policy, prepareOptions) {
  held = Math.max(0, held - 1);
  return request({ type: 'prepare', id: job, policy, prepareOptions, crate: crateModule() });
}

/** Forgets the bytes of `job` (its module was in the cache after all). */
export function dropOffThread(job) {
  held = Math.max(0, held - 1);
  worker?.postMessage({ type: 'drop', id: job });
  idle();
}
