// Runs one WASI command in the current thread and reports through `post`
// (a worker's postMessage, or a callback in tests). The worker entry is a thin
// wrapper around this; the runtime's own worker may import it as well.

import { MemFS } from './fs.js';
import { createWasiHost } from './host.js';
import { checkWasiImports } from './imports.js';
import { pipeReader } from './pipe.js';
import { canBlock } from './sleep.js';
import { outputFlow, sharedCredits } from './flow.js';

function classify(err) {
  if (err?.code) return err.code;
  if (err instanceof WebAssembly.CompileError) return 'compile_error';
  if (err instanceof WebAssembly.LinkError) return 'link_error';
  if (err instanceof WebAssembly.RuntimeError || err instanceof RangeError) return 'trap';
  return 'internal_error';
}

/**
 * @param {object} msg { module: WebAssembly.Module | ArrayBuffer | Uint8Array, args, env, files, preopens,
 *   stdin?: Uint8Array|string, stdinPipe?: SharedArrayBuffer, fuel?: number|bigint, maxFsBytes?: number,
 *   maxOutputBytes?: number, fuelPerInput?: boolean, outputMode?: 'pipe'|'messages'|'none',
 *   outputCredits?: SharedArrayBuffer, maxUnreadOutputBytes?: number } fuelPerInput: top the fuel up to
 *   `fuel` whenever the guest waits for stdin with no timeout; outputMode: how the page's read credits arrive
 *   (flow.js), with the program paused beyond maxUnreadOutputBytes unread
 * @param {(message: object, transfer?: Transferable[]) => void} post
 * @param {{ stdin?: object, credits?: object }} [sources] a message-fed stdin (queue.js) when msg.stdinMode
 *   is 'messages'; message credits (flow.js messageCredits) when msg.outputMode is 'messages'
 */
export async function runCommand(msg, post, sources = {}) {
  const credits =
    msg.outputMode === 'pipe' && msg.outputCredits
      ? sharedCredits(msg.outputCredits)
      : msg.outputMode === 'messages'
        ? (sources.credits ?? null)
        : null;
  const out = outputFlow(post, {
    maxBytes: msg.maxOutputBytes ?? Infinity,
    cap: msg.maxUnreadOutputBytes ?? Infinity,
    credits,
  });
  let instance;
  let refuel = null;
  try {
    const bytes = msg.module instanceof WebAssembly.Module ? undefined : new Uint8Array(msg.module);
    const module = bytes ? await WebAssembly.compile(bytes) : msg.module;
    checkWasiImports(module, bytes);
    const fs = MemFS.fromFiles(msg.files ?? {}, msg.maxFsBytes ? { maxBytes: msg.maxFsBytes } : undefined);
    const host = createWasiHost({
      args: msg.args,
      env: msg.env,
      fs,
      preopens: msg.preopens,
      stdin: msg.stdinPipe
        ? pipeReader(msg.stdinPipe)
        : msg.stdinMode === 'messages'
          ? sources.stdin
          : msg.stdin,
      // JSPI when stdin arrives by message, and to sleep without spinning where Atomics.wait is unavailable.
      suspending:
        msg.stdinMode === 'messages' ||
        msg.outputMode === 'messages' ||
        (!canBlock() && typeof WebAssembly.Suspending === 'function'),
      outputGate: credits ? out.gate : undefined,
      stdout: (v) => out.write(1, v),
      stderr: (v) => out.write(2, v),
      onBlock: (reason) => {
        out.flush();
        // A service's fuel is a budget per request: topped up whenever it goes idle waiting for input.
        if (reason === 'stdin' && refuel) refuel();
      },
      // A host bug must not pass silently as EIO: say which import failed and why.
      onInternalError: (name, err) => console.error(`wasi host: internal error in ${name}:`, err),
    });
    instance = await WebAssembly.instantiate(module, host.imports);
    const fuelGlobal = instance.exports.__ugc_fuel;
    const metered = msg.fuel != null && fuelGlobal instanceof WebAssembly.Global;
    if (metered) fuelGlobal.value = BigInt(msg.fuel);
    if (metered && msg.fuelPerInput) refuel = () => (fuelGlobal.value = BigInt(msg.fuel));
    post({ type: 'started', metered });
    const exitCode = await host.start(instance);
    out.flush();
    const { files, symlinks } = fs.toFiles();
    const transfer = Object.values(files)
      .filter(Boolean)
      .map((f) => f.buffer);
    post({ type: 'exit', exitCode, files, symlinks }, transfer);
  } catch (err) {
    out.flush();
    let code = classify(err);
    const fuel = instance?.exports.__ugc_fuel;
    if (code === 'trap' && msg.fuel != null && fuel instanceof WebAssembly.Global && fuel.value < 0n) {
      code = 'fuel_exhausted';
    }
    post({ type: 'error', code, message: String(err?.message ?? err), where: err?.where });
  }
}
