// Blocking the current thread for a while, as poll_oneoff's clock
// subscriptions need. Atomics.wait sleeps without burning CPU but is only
// allowed off the main thread and needs a SharedArrayBuffer (cross-origin
// isolation in browsers); otherwise we spin on the clock until the deadline.

let cell; // Int32Array over a private SharedArrayBuffer, or null when Atomics.wait is unusable

function waitCell() {
  if (cell === undefined) {
    cell = null;
    try {
      const c = new Int32Array(new SharedArrayBuffer(4));
      Atomics.wait(c, 0, 0, 0); // throws on threads that may not block (a page's main thread)
      cell = c;
    } catch {
      // fall back to spinning
    }
  }
  return cell;
}

/** True when `blockingSleep` can sleep without spinning. */
export const canBlock = () => waitCell() !== null;

/** Blocks for `ms` milliseconds (fractions allowed). */
export function blockingSleep(ms) {
  if (!(ms > 0)) return;
  const deadline = performance.now() + ms;
  const c = waitCell();
  for (let left = ms; left > 0; left = deadline - performance.now()) {
    if (c) Atomics.wait(c, 0, 0, left);
  }
}
