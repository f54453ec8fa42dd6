// Host imports: the functions a guest may import (module `ugc`, see crate/src/abi.rs).
//
// Every host function is a factory taking the per-script HostContext, so adding one is one entry in
// HOST_FUNCTIONS. The import object is built from the ABI description the crate returns (`rt.abi()`)
// intersected with what the module actually imports, so a guest only ever sees what the policy let it import.

import { UgcError } from './errors.js';

/** Longest log message kept (bytes); longer messages are truncated, not refused. */
export const MAX_LOG_BYTES = 16 * 1024;

const decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * What a running guest's host functions share: its memory, its log sink and the pending fault.
 * A host function that finds bad input calls `trap()`: that records the fault (so the runtime reports it
 * even if the guest swallows the exception with exception handling) and throws to unwind the guest.
 */
export class HostContext {
  constructor({ onLog } = {}) {
    this.memory = null;
    this.fault = null;
    this.onLog = onLog ?? null;
    this.logCount = 0;
    this.view = new Uint8Array(0);
  }

  /** Called once the instance exists; host functions run only after this. */
  attach(instance, memoryExport) {
    const memory = instance.exports[memoryExport];
    this.memory = memory instanceof WebAssembly.Memory ? memory : null;
    this.view = this.memory === null ? new Uint8Array(0) : new Uint8Array(this.memory.buffer);
  }

  trap(code, message) {
    const error = new UgcError(code, message);
    this.fault = error;
    throw error;
  }

  /**
   * Checks [ptr, ptr+len) lies in guest memory (else a `bad_pointer` trap); returns the unsigned start.
   * Checks against the cached view first and only re-reads `memory.buffer` (slow) when that fails.
   */
  range(ptr, len, fn) {
    // i32 arguments arrive signed; guest pointers and lengths are unsigned.
    const start = ptr >>> 0;
    const end = start + (len >>> 0);
    if (end <= this.view.length) return start;
    if (this.memory === null) this.trap('bad_pointer', `${fn}: the module has no memory to read from`);
    this.view = new Uint8Array(this.memory.buffer);
    if (end > this.view.length) {
      this.trap(
        'bad_pointer',
        `${fn}: range [${start}, ${end}) is outside guest memory (${this.view.length} bytes)`,
      );
    }
    return start;
  }

  /** A copy-free view of guest memory [ptr, ptr+len), bounds-checked. */
  bytes(ptr, len, fn) {
    const start = this.range(ptr, len, fn);
    return this.view.subarray(start, start + (len >>> 0));
  }

  /** The UTF-8 string at [ptr, ptr+len), bounds-checked, at most `maxBytes` decoded. */
  string(ptr, len, fn, maxBytes) {
    const start = this.range(ptr, len, fn);
    const length = Math.min(len >>> 0, maxBytes);
    return length === 0 ? '' : decoder.decode(this.view.subarray(start, start + length));
  }
}

/** `module.name` → (ctx) => the JS function the guest imports. */
const HOST_FUNCTIONS = new Map([
  [
    'ugc.log',
    (ctx) => (ptr, len) => {
      const message = ctx.string(ptr, len, 'ugc.log', MAX_LOG_BYTES);
      ctx.logCount++;
      if (ctx.onLog) ctx.onLog(message);
    },
  ],
]);

/** Names of the host functions this runtime implements, for checking against the ABI at start-up. */
export function implementedHostFunctions() {
  return [...HOST_FUNCTIONS.keys()];
}

/**
 * The import object for `module`: one host function per function import, each of which must be in the ABI
 * (`abiImports`, from the crate) and implemented here. Anything else is a `load_failed` — the validator
 * should have refused the module already, so this is the second line of defence.
 */
export function buildImports(module, abiImports, ctx) {
  const allowed = new Set(abiImports.map((f) => `${f.module}.${f.name}`));
  const imports = {};
  for (const { module: mod, name, kind } of WebAssembly.Module.imports(module)) {
    const key = `${mod}.${name}`;
    const factory = HOST_FUNCTIONS.get(key);
    if (kind !== 'function' || !allowed.has(key) || factory === undefined) {
      throw new UgcError('load_failed', `import ${key} (${kind}) is not provided by the host`);
    }
    (imports[mod] ??= {})[name] = factory(ctx);
  }
  return imports;
}
