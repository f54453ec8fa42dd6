// Instance isolation: the guest runs on the caller's thread in its own WebAssembly.Instance (own memory,
// own tables, own globals). Cheapest calls, synchronous calls possible; fuel is the only preemption.

import { UgcError } from './errors.js';
import { Guest, SYNC_INSTANTIATE_BYTES } from './guest.js';

export class InstanceBackend {
  constructor(module, options) {
    this.guest = new Guest(module, { ...options, isolation: 'instance' });
    // Small modules instantiate synchronously: no task hop, and reset() has finished when it returns.
    this.sync = (options.moduleSize ?? 0) <= SYNC_INSTANTIATE_BYTES;
    /** The asynchronous instantiation in progress (big modules), which calls wait for. */
    this.starting = null;
    this.disposed = false;
  }

  async start() {
    return this.instantiate();
  }

  instantiate() {
    if (this.sync) {
      this.guest.instantiate();
      return undefined;
    }
    const starting = this.guest.instantiateAsync();
    this.starting = starting;
    const settled = () => {
      if (this.starting === starting) this.starting = null;
    };
    starting.then(settled, settled);
    return starting;
  }

  async call(name, args) {
    if (this.starting !== null) await this.starting.catch(() => {});
    return this.guest.call(name, args);
  }

  callSync(name, args) {
    return this.guest.call(name, args);
  }

  async hostOp(type, name, value) {
    if (this.starting !== null) await this.starting.catch(() => {});
    return this.guest.hostOp(type, name, value);
  }

  stats() {
    return this.guest.stats();
  }

  /**
   * A fresh instance. From inside a call (an onLog or bridge callback), that call is stopped first and
   * rejects `faulted`; the new instance is made once it has unwound.
   */
  async reset() {
    const guest = this.guest;
    if (guest.busy) {
      await guest.interrupt(
        new UgcError('faulted', 'the script was reset during this call', { reason: 'reset' }),
      );
    }
    if (this.starting !== null) await this.starting.catch(() => {});
    if (this.disposed) throw new UgcError('disposed', 'script was disposed');
    return this.instantiate();
  }

  dispose() {
    this.disposed = true;
    this.guest.dispose();
  }
}
