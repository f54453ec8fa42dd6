// The handle a caller holds for one loaded script. Both isolation backends sit behind it, so the API is the
// same whichever one runs the guest; only callSync is instance-only.

import { UgcError } from './errors.js';

export class Script {
  #backend;
  #onDispose;
  #isolation;

  #variants;

  constructor(backend, { isolation, instancing, report, onDispose, variants }) {
    this.#backend = backend;
    /** The manifest's `instancing` (`'node'` or `'shared'`); this script is one instance either way. */
    this.instancing = instancing ?? 'node';
    this.#variants = variants;
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

  /** A JS value as Variant bytes; an ArrayBuffer is taken as Variant bytes already. */
  #encode(value) {
    return value instanceof ArrayBuffer ? new Uint8Array(value) : this.#variants.encode(value);
  }

  /**
   * Calls declared method `name` (an export `(args: i32) -> i32`) with `args` as a Godot Array; resolves
   * with its result as a plain JS value (docs/JS-API.md, "Values"). ABI modules only.
   */
  async callMethod(name, ...args) {
    const bytes = await this.#live().hostOp('callMethod', name, this.#variants.encode(args));
    return this.#variants.decode(bytes);
  }

  /** Sets declared property `name` as the game would, then runs the guest's `_property_changed`. */
  async setProperty(name, value) {
    await this.#live().hostOp('setProperty', name, this.#encode(value));
  }

  /** The current value of declared property `name`. */
  async getProperty(name) {
    return this.#variants.decode(await this.#live().hostOp('getProperty', name));
  }

  /** Tells the host an engine property of the script's node (e.g. `position`), readable by the guest. */
  async setNodeProperty(name, value) {
    await this.#live().hostOp('setNodeProperty', name, this.#encode(value));
  }

  /**
   * The frame's queued writes (property sets, command calls, signals) as one Godot Array in the binary
   * Variant format, for a single `bytes_to_var` in Godot; the queue starts empty again.
   */
  async takeBatch() {
    return this.#live().hostOp('takeBatch');
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
