// A spawnWasi handle for a process that does not exist yet (its module is still downloading): the same shape
// as spawnWasi's, returned synchronously. Writes and closeStdin are queued until the process starts, the
// streams forward the real ones, kill() also cancels the download, and a failed download rejects `exited` and
// `result` (and closes the streams) like a failed run.

import { WasiRunError } from './errors.js';

/**
 * @param {(signal: AbortSignal) => Promise<object>} start resolves with the real spawnWasi handle
 * @returns the handle: { stdout, stderr, write, closeStdin, kill, exited, result, stats, stdinMode and outputMode
 *   (null until started) }
 */
export function deferredSpawn(start) {
  const controller = new AbortController();
  let inner = null;
  let killed = false;
  let closed = false;
  const queued = [];
  const killedError = () => new WasiRunError('killed', 'the process was killed');
  const started = (async () => {
    let handle;
    try {
      handle = await start(controller.signal);
    } catch (error) {
      throw killed ? killedError() : error;
    }
    if (killed) {
      handle.kill();
      throw killedError();
    }
    inner = handle;
    for (const chunk of queued) handle.write(chunk);
    if (closed) handle.closeStdin();
    return handle;
  })();
  started.catch(() => {});

  const forward = (name) => {
    let reader = null;
    return new ReadableStream(
      {
        async pull(controller) {
          let handle;
          try {
            handle = await started;
          } catch {
            controller.close(); // the failure is on `exited`/`result`, as for a failed run
            return;
          }
          reader ??= handle[name].getReader();
          const { value, done } = await reader.read();
          if (done) controller.close();
          else controller.enqueue(value);
        },
        cancel(reason) {
          return reader?.cancel(reason);
        },
      },
      // Reading ahead here would take chunks (and credits) the embedder has not read: no queue of its own.
      { highWaterMark: 0 },
    );
  };
  const result = started.then((h) => h.result);
  const exited = started.then((h) => h.exited);
  result.catch(() => {});
  exited.catch(() => {});
  return {
    stdout: forward('stdout'),
    stderr: forward('stderr'),
    get stdinMode() {
      return inner?.stdinMode ?? null;
    },
    get outputMode() {
      return inner?.outputMode ?? null;
    },
    /** The process's output flow (spawnWasi's `stats()`), or null until it has started. */
    stats: () => inner?.stats() ?? null,
    write(bytes) {
      if (inner) return inner.write(bytes);
      if (closed) throw new WasiRunError('stdin_closed', 'write() after closeStdin()');
      if (killed) throw new WasiRunError('process_ended', 'write() after the program ended');
      queued.push(typeof bytes === 'string' ? bytes : new Uint8Array(bytes));
    },
    closeStdin() {
      if (inner) return inner.closeStdin();
      closed = true;
    },
    kill() {
      if (inner) return inner.kill();
      killed = true;
      controller.abort();
    },
    exited,
    result,
  };
}
