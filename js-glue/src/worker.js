// Worker isolation, inside the worker: one guest per worker, driven by messages from WorkerBackend.
// Requests: { id, type: 'init' | 'call' | 'reset', ... }; replies: { id, value } or { id, error }, each
// with the guest's stats. Logs are forwarded as { type: 'log', message } before the reply they belong to.

import { UgcError, toWire } from './errors.js';
import { Guest, classify } from './guest.js';

let guest = null;
/** The crate, loaded only for scripts that need a ScriptHost (their host lives next to their guest). */
let hostFactory = null;
/** The crate's scratch-buffer writer (core.scratch), once the crate is loaded. */
let scratch = null;
/** The crate's host-work meter (core.meter), once the crate is loaded. */
let meter = null;

/** For ABI modules: loads the crate in this worker (once) so the guest's ScriptHost lives here. */
async function loadHost(request) {
  const { loadCore } = await import('./core.js');
  const core = await loadCore();
  hostFactory = () => core.scriptHost(request.hostSpec);
  scratch = core.scratch;
  meter = core.meter;
}

function handle(request) {
  switch (request.type) {
    case 'init':
      guest = new Guest(request.module, {
        fuel: request.fuel,
        abiImports: request.abiImports,
        signatures: request.signatures,
        onLog: (message) => self.postMessage({ type: 'log', message }),
        isolation: 'worker',
        hostFactory,
        scratch,
        meter,
      });
      guest.instantiate();
      return undefined;
    case 'loadHost':
      return undefined;
    case 'host':
      if (guest === null) throw new UgcError('faulted', 'script is not instantiated');
      return guest.hostOp(request.op, request.name, request.value);
    case 'reset':
      guest.instantiate();
      return undefined;
    case 'call':
      if (guest === null) throw new UgcError('faulted', 'script is not instantiated');
      return guest.call(request.name, request.args);
    default:
      throw new Error(`unknown request ${request.type}`);
  }
}

self.onmessage = async ({ data: request }) => {
  let reply;
  try {
    if (request.type === 'loadHost') await loadHost(request);
    reply = { id: request.id, value: handle(request) };
  } catch (error) {
    reply = { id: request.id, error: toWire(classify(error, null, request.name)) };
  }
  reply.stats = guest?.stats() ?? null;
  self.postMessage(reply);
};

self.postMessage({ type: 'booted' });
