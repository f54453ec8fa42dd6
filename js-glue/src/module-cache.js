// Compiled-module cache: the same script loaded on many nodes is prepared and compiled once.
// Keyed by the module's SHA-256 plus the prepare options; bounded (least recently used goes first) so a
// stream of distinct uploads cannot pin unbounded compiled code.

export class ModuleCache {
  constructor(capacity = 64) {
    this.capacity = capacity;
    this.entries = new Map();
    this.hits = 0;
    this.misses = 0;
  }

  /** The cached value for `key`, or the one `produce()` resolves to (a failed produce is not cached). */
  get(key, produce) {
    const cached = this.entries.get(key);
    if (cached !== undefined) {
      this.hits++;
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached;
    }
    this.misses++;
    const promise = Promise.resolve().then(produce);
    this.entries.set(key, promise);
    promise.catch(() => {
      if (this.entries.get(key) === promise) this.entries.delete(key);
    });
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value);
    return promise;
  }

  /** Whether `key` is cached (or being produced), without counting a hit. */
  has(key) {
    return this.entries.has(key);
  }

  get size() {
    return this.entries.size;
  }

  clear() {
    this.entries.clear();
  }
}
