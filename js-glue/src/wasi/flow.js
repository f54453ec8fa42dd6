// Output flow control between a WASI program (worker) and the page that reads its stdout/stderr.
//
// The worker counts the bytes it has posted, the page counts (as credits) the bytes the embedder has read;
// the difference is what sits unread in the page. A program whose unread + not-yet-posted output exceeds the
// cap is paused inside fd_write until credits arrive, so a flood nobody reads costs the page at most the cap.
// Credits travel through a SharedArrayBuffer (cross-origin-isolated pages: the worker blocks in Atomics.wait)
// or as messages (JSPI: fd_write suspends the guest while the worker's event loop receives them). Without
// either the program cannot be paused, and the page stops it instead once the cap is exceeded.

import { WasiRunError } from './errors.js';

const FLUSH_BYTES = 64 * 1024;
const FLUSH_MS = 10;
const ACKED = 0; // Int32 cell of the credit buffer: bytes read by the embedder (wraps; only differences matter)

/** Unread stdout+stderr a spawned program may leave in the page before it is paused. */
export const DEFAULT_MAX_UNREAD_OUTPUT = 1024 * 1024;

export const createCreditBuffer = () => new SharedArrayBuffer(16);

/** The page's end of shared credits: `credit(n)` after the embedder has read n bytes. */
export function sharedCreditWriter(sab) {
  const cells = new Int32Array(sab);
  return (n) => {
    Atomics.add(cells, ACKED, n);
    Atomics.notify(cells, ACKED);
  };
}

/** The worker's end of shared credits: it may block until the page credits more. */
export function sharedCredits(sab) {
  const cells = new Int32Array(sab);
  return {
    acked: () => Atomics.load(cells, ACKED),
    waitSync: (seen) => void Atomics.wait(cells, ACKED, seen),
  };
}

/** The worker's end of message credits (worker.js feeds `add` from 'credit' messages). */
export function messageCredits() {
  let acked = 0;
  let wake = null;
  return {
    add(n) {
      acked = (acked + n) | 0;
      const w = wake;
      wake = null;
      w?.();
    },
    acked: () => acked,
    /** Resolves at the next credit. */
    next: () => new Promise((ok) => (wake = ok)),
  };
}

/** The chunks as one Uint8Array (a lone chunk as it is): runWasi's output, joined in the worker. */
export function joinChunks(chunks) {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** A Uint8Array that owns its whole buffer, so transferring it moves exactly these bytes. */
const owned = (c) => (c.byteOffset === 0 && c.byteLength === c.buffer.byteLength ? c : c.slice());

/**
 * The worker side: batches fd 1/2 writes into messages (many small writes become one message, a chunk never
 * waits more than FLUSH_MS, checked at the next write) and holds the program back when the page is full.
 * @param {(message: object, transfer?: Transferable[]) => void} post
 * @param {{ maxBytes?: number, cap?: number, credits?: object }} opts maxBytes: total output before
 *   `output_limit`; cap: unread bytes in the page (with `credits`, else unbounded)
 * @returns {{ write(fd, view), gate(): undefined | Promise<void>, flush() }} gate() after each fd_write to
 *   stdout/stderr: over the cap, blocks (shared credits) or returns a Promise to suspend on (message credits)
 *   until unread + held-back output is down to `cap - min(cap / 2, 64 KiB)`
 */
export function outputFlow(post, { maxBytes = Infinity, cap = Infinity, credits = null } = {}) {
  const limited = credits !== null && cap < Infinity;
  const pending = { 1: [], 2: [] };
  let pendingBytes = 0;
  let total = 0; // bytes the program wrote (accepted by fd_write)
  let sent = 0; // bytes posted (int32, wraps like the credit counter)
  let last = performance.now();
  const unread = () => (limited ? (sent - credits.acked()) | 0 : 0);
  const over = () => unread() + pendingBytes > cap;
  // A paused program resumes only once the reader has made real room (up to 64 KiB below the cap): resuming
  // at the first credit would let one small write through per credit, each its own message and suspension.
  const resumeAt = cap - Math.min(cap / 2, FLUSH_BYTES);
  const held = () => unread() + pendingBytes > resumeAt;

  /** Posts pending output, at most `room` bytes (splitting a chunk if needed), stdout before stderr. */
  const flush = (room = Infinity) => {
    for (const fd of [1, 2]) {
      const parts = pending[fd];
      while (parts.length > 0 && room > 0) {
        let n = 0;
        let k = 0;
        while (k < parts.length && n + parts[k].length <= room) n += parts[k++].length;
        let chunk;
        if (k === 0) {
          // The first part alone is larger than the room: post its head, keep its tail.
          chunk = parts[0].slice(0, room);
          parts[0] = parts[0].subarray(room);
        } else if (k === 1) {
          chunk = owned(parts.shift());
        } else {
          chunk = new Uint8Array(n);
          let at = 0;
          for (const p of parts.splice(0, k)) {
            chunk.set(p, at);
            at += p.length;
          }
        }
        pendingBytes -= chunk.length;
        room -= chunk.length;
        sent = (sent + chunk.length) | 0;
        post({ type: 'out', fd, chunk, written: total }, [chunk.buffer]);
      }
    }
    last = performance.now();
  };
  const room = () => (limited ? cap - unread() : Infinity);

  return {
    write(fd, view) {
      total += view.length;
      if (total > maxBytes) {
        throw new WasiRunError(
          'output_limit',
          `the program wrote more than ${maxBytes} bytes to stdout/stderr`,
        );
      }
      pending[fd].push(view.slice());
      pendingBytes += view.length;
      if (pendingBytes >= FLUSH_BYTES || performance.now() - last >= FLUSH_MS) flush(room());
    },
    /** Everything pending, whatever the room: only between writes, when unread + pending ≤ cap holds. */
    flush: () => flush(),
    gate() {
      if (!limited || !over()) return undefined;
      flush(room());
      if (!over()) return undefined;
      post({ type: 'flow', paused: true, written: total });
      const resumed = () => post({ type: 'flow', paused: false, written: total });
      if (credits.waitSync) {
        for (;;) {
          const seen = credits.acked();
          flush(room());
          if (!held()) break;
          credits.waitSync(seen);
        }
        resumed();
        return undefined;
      }
      return (async () => {
        for (;;) {
          const next = credits.next();
          flush(room());
          if (!held()) break;
          await next;
        }
        resumed();
      })();
    },
  };
}

/**
 * The page side of a spawned program's output: one ReadableStream per fd that pulls from a queue of
 * received chunks and credits each chunk once the embedder has read it. `highWaterMark: 0` keeps the
 * stream itself from reading ahead, so the queue is exactly the unread output.
 * @param {{ credit(n: number): void, onChunk?(): void }} hooks onChunk: after each arrival (to check a cap)
 */
export function outputStreams(hooks) {
  const stats = {
    unreadBytes: 0,
    maxUnreadBytes: 0,
    receivedBytes: 0,
    readBytes: 0,
    writtenBytes: 0,
    paused: false,
  };
  const give = (n) => {
    stats.readBytes += n;
    hooks.credit(n);
  };
  const make = () => {
    const queue = [];
    let controller;
    let waiting = null;
    let closed = false;
    let cancelled = false;
    const stream = new ReadableStream(
      {
        start: (c) => void (controller = c),
        pull(c) {
          if (queue.length > 0) {
            const chunk = queue.shift();
            stats.unreadBytes -= chunk.length;
            c.enqueue(chunk);
            give(chunk.length);
          } else if (closed) {
            c.close();
          } else {
            return new Promise((ok) => (waiting = ok));
          }
        },
        // A stream nobody will read must not hold the program back: what it gets from now on is dropped.
        cancel() {
          cancelled = true;
          const n = queue.reduce((s, c) => s + c.length, 0);
          queue.length = 0;
          stats.unreadBytes -= n;
          if (n > 0) give(n);
        },
      },
      { highWaterMark: 0 },
    );
    return {
      stream,
      push(chunk) {
        stats.receivedBytes += chunk.length;
        if (cancelled) {
          give(chunk.length);
        } else if (waiting) {
          const w = waiting;
          waiting = null;
          controller.enqueue(chunk);
          give(chunk.length);
          w();
        } else {
          queue.push(chunk);
          stats.unreadBytes += chunk.length;
          stats.maxUnreadBytes = Math.max(stats.maxUnreadBytes, stats.unreadBytes);
        }
      },
      close() {
        closed = true;
        if (waiting) {
          const w = waiting;
          waiting = null;
          controller.close();
          w();
        }
      },
    };
  };
  const fds = { 1: make(), 2: make() };
  return {
    stdout: fds[1].stream,
    stderr: fds[2].stream,
    stats,
    out(fd, chunk, written) {
      if (written !== undefined) stats.writtenBytes = written;
      fds[fd].push(chunk);
      hooks.onChunk?.();
    },
    flow({ paused, written }) {
      stats.paused = paused;
      stats.writtenBytes = written;
    },
    close() {
      stats.paused = false;
      fds[1].close();
      fds[2].close();
    },
  };
}
