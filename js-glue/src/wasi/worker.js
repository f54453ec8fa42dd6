// Dedicated-worker entry for WASI runs: one run per worker (the page
// terminates the worker to stop a run, which is the only preemption a
// blocked or spinning guest allows). In JSPI mode, stdin chunks keep arriving
// as messages while the guest is suspended, and so do the page's read credits
// for its output (flow.js).

import { joinChunks, messageCredits } from './flow.js';
import { queueStdin } from './queue.js';
import { runCommand } from './runner.js';

const stdin = queueStdin();
const credits = messageCredits();
let started = false;

self.onmessage = ({ data }) => {
  if (data?.type === 'run' && !started) {
    started = true;
    runCommand(data, (m, transfer) => self.postMessage(m, transfer ?? []), { stdin, credits });
  } else if (data?.type === 'stdin') {
    stdin.push(data.chunk);
  } else if (data?.type === 'stdin-close') {
    stdin.close();
  } else if (data?.type === 'credit') {
    credits.add(data.bytes);
  } else if (data?.type === 'join') {
    // After the run: runWasi's output chunks come back to be joined here, off the page's main thread.
    const stdout = joinChunks(data.stdout);
    const stderr = joinChunks(data.stderr);
    self.postMessage({ type: 'joined', stdout, stderr }, [stdout.buffer, stderr.buffer]);
  }
};
