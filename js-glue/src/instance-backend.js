// Instance isolation: the guest runs on the caller's thread in its own WebAssembly.Instance (own memory,
// own tables, own globals). Cheapest calls, synchronous calls possible; fuel is the only preemption.

import { Guest } from './guest.js';

export class InstanceBackend {
  constructor(module, options) {
    this.guest = new Guest(module, { ...options, isolation: 'instance' });
  }

  async start() {
    this.guest.instantiate();
  }

  async call(name, args) {
    return this.guest.call(name, args);
  }

  callSync(name, args) {
    return this.guest.call(name, args);
  }

  stats() {
    return this.guest.stats();
  }

  async reset() {
    this.guest.instantiate();
  }

  dispose() {
    this.guest.dispose();
  }
}
