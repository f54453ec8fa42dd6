// stdin fed by messages (the worker's onmessage) for JSPI mode: the guest
// suspends in fd_read until `ready()` resolves, so no SharedArrayBuffer is needed.

import { ERRNO } from './constants.js';
import { WasiErrno } from './errors.js';

export function queueStdin() {
  const chunks = [];
  let offset = 0; // into chunks[0]
  let closed = false;
  let wake = null;
  const poll = () => chunks.length > 0 || closed;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  return {
    push(chunk) {
      if (closed || chunk.length === 0) return;
      chunks.push(chunk);
      notify();
    },
    close() {
      closed = true;
      notify();
    },
    poll,
    ready: () => (poll() ? Promise.resolve() : new Promise((ok) => (wake = ok))),
    read(dest) {
      if (!poll()) throw new WasiErrno(ERRNO.AGAIN); // never report a false EOF
      let n = 0;
      while (n < dest.length && chunks.length > 0) {
        const head = chunks[0];
        const take = Math.min(dest.length - n, head.length - offset);
        dest.set(head.subarray(offset, offset + take), n);
        n += take;
        offset += take;
        if (offset === head.length) {
          chunks.shift();
          offset = 0;
        }
      }
      return n;
    },
  };
}
