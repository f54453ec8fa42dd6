// ugc-wasm: run untrusted WebAssembly scripts in the browser, validated, sandboxed and metered.
// See docs/JS-API.md.

export { createRuntime } from './runtime.js';
export { UgcError, ValidationError, ERROR_CODES } from './errors.js';
