// Off-thread load for big modules (docs/JS-API.md "Big modules"): the crate's validate + prepare cost
// ~60–70 ms per MB of module and run synchronously, so for a big module they run here, followed by the
// compilation; the page only instantiates. Driven by js-glue/src/load-worker.js; jobs share the worker's crate.
//
// Request: { id, bytes (Uint8Array, transferred), policy (the runtime's effective policy, plain JSON),
//   prepareOptions, crate (the page's compiled crate: posting it shares its compiled code) }.
// Reply: { id, report, module (WebAssembly.Module), size (prepared bytes) } or
//   { id, error: { code, message, reason?, errors?, report? } }.

import { loadCore } from './core.js';

self.onmessage = async ({ data }) => {
  let reply;
  try {
    reply = await job(data);
  } catch (error) {
    reply = {
      error: {
        code: typeof error?.code === 'string' ? error.code : 'load_failed',
        message: String(error?.message ?? error),
        reason: typeof error?.reason === 'string' ? error.reason : 'internal',
      },
    };
  }
  reply.id = data?.id;
  self.postMessage(reply);
};

async function job({ bytes, policy, prepareOptions, crate }) {
  const core = await loadCore(crate ?? undefined).catch((error) => {
    throw Object.assign(new Error(`loading the crate in the load worker failed: ${error?.message}`), {
      code: 'load_failed',
      reason: 'worker',
    });
  });
  const handle = core.policy(policy);
  let verdict;
  try {
    verdict = core.validate(bytes, handle);
  } finally {
    handle.free();
  }
  if (!verdict.ok) {
    return {
      error: {
        code: 'validation',
        message: 'module rejected',
        errors: verdict.errors,
        report: verdict.report,
      },
    };
  }
  // core.prepare throws UgcErrors with `.reason` (memory_limit for the caps, load_failed otherwise).
  const prepared = core.prepare(bytes, prepareOptions);
  let module;
  try {
    module = await WebAssembly.compile(prepared);
  } catch (error) {
    throw Object.assign(new Error(`compiling the prepared module failed: ${error.message}`), {
      code: 'load_failed',
      reason: 'compile',
    });
  }
  return { report: verdict.report, module, size: prepared.length };
}
