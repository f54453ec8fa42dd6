// Dedicated-worker entry for WASI runs: one run per worker (the page
// terminates the worker to stop a run, which is the only preemption a
// blocked or spinning guest allows).

import { runCommand } from './runner.js';

self.onmessage = (ev) => {
  if (ev.data?.type === 'run') {
    self.onmessage = null; // one run per worker
    runCommand(ev.data, (m, transfer) => self.postMessage(m, transfer ?? []));
  }
};
