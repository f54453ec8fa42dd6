// Off-thread load for big modules (docs/JS-API.md "Big modules"): hashing (the cache key), the crate's validate
// + prepare (~60–70 ms per MB, synchronous) and the compilation run here; the page only instantiates. Driven by
// js-glue/src/load-worker.js; jobs share the worker's crate.
//
// Requests:
//   { type: 'digest', id, bytes (transferred) }: keeps the bytes under `id`; replies { id, digest } (hex SHA-256,
//     null without WebCrypto).
//   { type: 'prepare', id, policy (the runtime's effective policy, plain JSON), prepareOptions, crate (the page's
//     compiled crate: posting it shares its compiled code) }: validates, prepares and compiles the bytes kept
//     under `id`; replies { id, report, module (WebAssembly.Module), size (prepared bytes) }.
//   { type: 'drop', id }: forgets the bytes (the page found the module in its cache); no reply.
// Failures reply { id, error: { code, message, reason?, errors?, report? } }.

import { loadCore } from './core.js';

/** Bytes between their digest and their prepare (or drop). */
const held = new Map();

self.onmessage = async ({ data }) => {
  if (data?.type === 'drop') {
    held.delete(data.id);
    return;
  }
  let reply;
  try {
    if (data.type === 'digest') {
      held.set(data.id, data.bytes);
      reply = { digest: await digest(data.bytes) };
    } else {
      const bytes = held.get(data.id);
      held.delete(data.id);
      if (bytes === undefined)
        throw Object.assign(new Error('no module bytes for this job'), { reason: 'worker' });
      reply = await prepare(bytes, data);
    }
  } catch (error) {
    reply = {
      error: {
        code: typeof error?.code === 'string' ? error.code : 'load_failed',
        message: String(error?.message ?? error),
        reason: typeof error?.reason === 'string' ? error.reason : 'internal',
      },
    };
  }
  reply.id = data.id;
  self.postMessage(reply);
};

async function digest(bytes) {
  const subtle = self.crypto?.subtle;
  if (!subtle) return null;
  let out = '';
  for (const byte of new Uint8Array(await subtle.digest('SHA-256', bytes)))
    out += byte.toString(16).padStart(2, '0');
  return out;
}

async function prepare(bytes, { policy, prepareOptions, crate }) {
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
