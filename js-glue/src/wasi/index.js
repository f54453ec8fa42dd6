// Public surface of the WASI host (the runtime re-exports these as rt.runWasi / rt.spawnWasi).
export { runWasi, spawnWasi, wasiSupport, prewarmWasi, stopPrewarmWasi } from './run.js';
export { createWasiHost, bytesStdin } from './host.js';
export { MemFS } from './fs.js';
export { checkWasiImports } from './imports.js';
export { SIGNATURES, ERRNO, WASI_MODULE } from './constants.js';
export { WasiRunError } from './errors.js';
export { loadPersisted, savePersisted, clearPersisted } from './persist.js';
