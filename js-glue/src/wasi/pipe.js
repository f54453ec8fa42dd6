// A single-producer, single-consumer byte pipe in a SharedArrayBuffer: the
// page writes, the WASI worker reads with a blocking Atomics.wait. This is
// what lets `fd_read(0)` block until data arrives in a long-running service.
// Needs SharedArrayBuffer, i.e. a cross-origin-isolated page (COOP + COEP).

const SEQ = 0; // bumped on every write and on close: what a blocked reader waits on
const WRITTEN = 1; // total bytes written (wraps; only differences matter)
const READ = 2; // total bytes read
const CLOSED = 3;
const HEADER = 16;

export const DEFAULT_PIPE_CAPACITY = 64 * 1024;

/** `capacity` must be a power of two so positions can wrap around 2^32 with a mask. */
export function createPipeBuffer(capacity = DEFAULT_PIPE_CAPACITY) {
  if (!(capacity > 0 && (capacity & (capacity - 1)) === 0))
    throw new RangeError('pipe capacity must be a power of two');
  return new SharedArrayBuffer(HEADER + capacity);
}

function views(sab) {
  return { ctrl: new Int32Array(sab, 0, 4), data: new Uint8Array(sab, HEADER), cap: sab.byteLength - HEADER };
}

/** The page's end: `write` queues bytes and never blocks; `close` ends the stream after queued bytes. */
export function pipeWriter(sab) {
  const { ctrl, data, cap } = views(sab);
  const queue = [];
  let closing = false;
  let waiting = false;

  const pushSome = (bytes) => {
    const w = Atomics.load(ctrl, WRITTEN);
    const free = cap - ((w - Atomics.load(ctrl, READ)) | 0);
    const n = Math.min(free, bytes.length);
    for (let i = 0; i < n;) {
      const at = (w + i) & (cap - 1);
      const run = Math.min(n - i, cap - at);
      data.set(bytes.subarray(i, i + run), at);
      i += run;
    }
    if (n > 0) {
      Atomics.store(ctrl, WRITTEN, (w + n) | 0);
      Atomics.add(ctrl, SEQ, 1);
      Atomics.notify(ctrl, SEQ);
    }
    return n;
  };
  const pump = () => {
    while (queue.length > 0) {
      const n = pushSome(queue[0]);
      if (n < queue[0].length) {
        queue[0] = queue[0].subarray(n);
        waitForRoom();
        return;
      }
      queue.shift();
    }
    if (closing) {
      Atomics.store(ctrl, CLOSED, 1);
      Atomics.add(ctrl, SEQ, 1);
      Atomics.notify(ctrl, SEQ);
    }
  };
  const waitForRoom = () => {
    if (waiting) return;
    waiting = true;
    const seen = Atomics.load(ctrl, READ);
    const again = () => {
      waiting = false;
      pump();
    };
    const r = Atomics.waitAsync ? Atomics.waitAsync(ctrl, READ, seen) : null;
    if (r && r.async) r.value.then(again);
    else if (r) again();
    else setTimeout(again, 1);
  };

  return {
    write(bytes) {
      if (closing) throw new Error('stdin is closed');
      queue.push(bytes.slice()); // the caller may reuse its buffer
      pump();
    },
    close() {
      closing = true;
      pump();
    },
    /** Bytes queued on this side, not yet in the shared buffer. */
    get queued() {
      return queue.reduce((n, b) => n + b.length, 0);
    },
  };
}

/** The worker's end, as a WASI stdin source (see host.js `opts.stdin`). */
export function pipeReader(sab) {
  const { ctrl, data, cap } = views(sab);
  const available = () => (Atomics.load(ctrl, WRITTEN) - Atomics.load(ctrl, READ)) | 0;
  const closed = () => Atomics.load(ctrl, CLOSED) === 1;
  return {
    poll: () => available() > 0 || closed(),
    wait(ms) {
      const seq = Atomics.load(ctrl, SEQ);
      if (available() > 0 || closed()) return;
      Atomics.wait(ctrl, SEQ, seq, ms === Infinity ? undefined : Math.max(0, ms));
    },
    read(dest) {
      for (;;) {
        const seq = Atomics.load(ctrl, SEQ);
        const avail = available();
        if (avail > 0) {
          const r = Atomics.load(ctrl, READ);
          const n = Math.min(avail, dest.length);
          for (let i = 0; i < n;) {
            const at = (r + i) & (cap - 1);
            const run = Math.min(n - i, cap - at);
            dest.set(data.subarray(at, at + run), i);
            i += run;
          }
          Atomics.store(ctrl, READ, (r + n) | 0);
          Atomics.notify(ctrl, READ);
          return n;
        }
        if (closed()) return 0;
        Atomics.wait(ctrl, SEQ, seq);
      }
    },
  };
}
