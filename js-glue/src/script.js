// The handle a caller holds for one loaded script. Both isolation backends sit behind it, so the API is the
// same whichever one runs the guest; only callSync is instance-only.

import { UgcError } from './errors.js';

export class Script {
  #backend;
  #onDispose;
  #isolation;

  constructor(backend, { isolation, report, onDispose }) {
    this.#backend = backend;
    this.#isolation = isolation;
    this.#onDispose = onDispose;
    /** The validator's report of the module (exports, imports, sha256…). */
    this.report = report;
  }

  get isolation() {
    return this.#isolation;
  }

  #live() {
    if (this.#backend === null) throw new UgcError('disposed', 'script was disposed');
    return this.#backend;
  }

  /** Calls exported function `name`; resolves with its result (number, BigInt for i64, array for multi-value). */
  async call(name, ...args) {
    return this.#live().call(name, args);
  }

  /** Same as call(), synchronously; instance isolation only. */
  callSync(name, ...args) {
    const backend = this.#backend;
    if (backend === null) throw new UgcError('disposed', 'script was disposed');
    if (this.#isolation !== 'instance') {
      throw new UgcError(
        'bad_argument',
        `callSync needs instance isolation (this script uses ${this.#isolation})`,
      );
    }
    return backend.callSync(name, args);
  }

  stats() {
    return this.#live().stats();
  }

  /** Re-instantiates the guest (fresh memory and globals); clears a fault. */
  async reset() {
    return this.#live().reset();
  }

  /** Frees the instance (and worker); any later use fails with `disposed`. Idempotent. */
  dispose() {
    const backend = this.#backend;
    if (backend === null) return;
    this.#backend = null;
    backend.dispose();
    this.#onDispose();
  }
}
