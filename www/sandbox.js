// The sandbox page: a well-behaved script keeps running next to two hostile ones, each stopped by the
// runtime (fuel on the main thread, a timeout in a worker) and reset. `window.sandbox` exposes the counts
// for the end-to-end test.
import { createRuntime } from '../dist/ugc-wasm.js';

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const EXPORT_TICK = [0x07, 0x08, 0x01, 0x04, 0x74, 0x69, 0x63, 0x6b, 0x00, 0x00]; // export "tick" = func 0

// (func (export "tick") (loop (br 0)))
const SPINNER = new Uint8Array([
  ...HEADER,
  ...[0x01, 0x04, 0x01, 0x60, 0x00, 0x00], // type 0: [] -> []
  ...[0x03, 0x02, 0x01, 0x00], // func 0: type 0
  ...EXPORT_TICK,
  ...[0x0a, 0x09, 0x01, 0x07, 0x00, 0x03, 0x40, 0x0c, 0x00, 0x0b, 0x0b], // loop br 0 end end
]);

// (global $n (mut i32) (i32.const 0)) (func (export "tick") (result i32) n += 1; return n)
const COUNTER = new Uint8Array([
  ...HEADER,
  ...[0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f], // type 0: [] -> [i32]
  ...[0x03, 0x02, 0x01, 0x00],
  ...[0x06, 0x06, 0x01, 0x7f, 0x01, 0x41, 0x00, 0x0b], // global 0: mut i32 = 0
  ...EXPORT_TICK,
  ...[0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x23, 0x00, 0x41, 0x01, 0x6a, 0x24, 0x00, 0x23, 0x00, 0x0b],
]);

const state = (window.sandbox = {
  frames: 0,
  counter: 0,
  spinnerStops: 0,
  spinnerLastError: null,
  workerStops: 0,
  workerLastError: null,
  failure: null,
});

function show(id, fields) {
  const section = document.getElementById(id);
  for (const [name, value] of Object.entries(fields)) {
    const cell = section.querySelector(`[data-field="${name}"]`);
    cell.textContent = String(value);
    if (name === 'state') cell.dataset.state = value;
  }
}

async function main() {
  const rt = await createRuntime();
  const counter = await rt.load(COUNTER);
  const spinner = await rt.load(SPINNER, { fuel: 1_000_000 });
  const worker = await rt.load(SPINNER, { isolation: 'worker', fuel: 1e15, timeoutMs: 500 });

  // The worker spinner: one call at a time; each ends in a timeout, then the worker is replaced.
  (async function spinInWorker() {
    for (;;) {
      show('worker', { state: 'running' });
      try {
        await worker.call('tick');
      } catch (error) {
        state.workerStops++;
        state.workerLastError = error.code;
        show('worker', { state: 'stopped', stops: state.workerStops, error: error.code });
        await worker.reset();
      }
    }
  })();

  function frame() {
    state.frames++;
    state.counter = counter.callSync('tick');
    show('counter', { state: 'running', value: state.counter, fuel: counter.stats().fuelUsed });
    try {
      spinner.callSync('tick');
    } catch (error) {
      state.spinnerStops++;
      state.spinnerLastError = error.code;
      show('spinner', { state: 'stopped', stops: state.spinnerStops, error: error.code });
      spinner.reset();
    }
    requestAnimationFrame(frame);
  }
  requestAnimationFrame(frame);
}

main().catch((error) => {
  state.failure = `${error.code ?? error.name}: ${error.message}`;
  const alert = document.getElementById('failure');
  alert.textContent = state.failure;
  alert.hidden = false;
});
