// The end-of-frame harvest of property bindings (`ugc.object_bind_value`, docs/ABI.md).
//
// A binding ties an object's property to a few bytes of guest memory. Once per frame, before the batch is
// taken, every bound value's bytes are copied out of guest memory back to back, in the crate's layout order, and
// handed to the crate in ONE call, which queues a write for each value that changed. So a script that moves its
// node every frame makes no host call for it: the per-node cost is a plain memory write in the guest and a
// 12-byte copy here.

/**
 * One instance's harvest. `source` is the crate object holding the instance's bindings: a JsHostGroup (shared
 * instancing) or a JsScriptHost (node instancing), with `bindings_version()`, `bindings_layout()` and
 * `harvest_bindings(bytes)`.
 */
export class BindingHarvest {
  #source;
  #version = -1;
  /** Word offsets (4-aligned layouts) or byte offsets of each bound value, and their sizes in bytes. */
  #at = new Uint32Array(0);
  #sizes = new Uint8Array(0);
  #aligned = true;
  #bytes = new Uint8Array(0);
  #out32 = new Uint32Array(0);
  #memory = null;
  #src8 = new Uint8Array(0);
  #src32 = new Uint32Array(0);

  constructor(source) {
    this.#source = source;
  }

  /**
   * Queues a write for every bound value that changed since the last harvest; returns how many. `memory` is the
   * guest's WebAssembly.Memory (every binding was bounds-checked against it, and memories never shrink).
   */
  run(memory) {
    const source = this.#source;
    const version = source.bindings_version();
    if (version !== this.#version) this.#relayout(version);
    const n = this.#sizes.length;
    if (n === 0 || memory === null) return 0;
    const at = this.#at;
    const sizes = this.#sizes;
    const out = this.#bytes;
    // A view over the guest's memory, made again only when a memory.grow detached it (length 0): making one
    // costs microseconds, more than copying a hundred values.
    if (this.#memory !== memory || this.#src8.length === 0) {
      this.#memory = memory;
      this.#src8 = new Uint8Array(memory.buffer);
      this.#src32 = new Uint32Array(memory.buffer);
    }
    if (this.#aligned) {
      const src = this.#src32;
      const dst = this.#out32;
      let o = 0;
      for (let i = 0; i < n; i++) {
        const p = at[i];
        const words = sizes[i] >>> 2;
        for (let w = 0; w < words; w++) dst[o++] = src[p + w];
      }
    } else {
      const src = this.#src8;
      let o = 0;
      for (let i = 0; i < n; i++) {
        const p = at[i];
        const size = sizes[i];
        for (let b = 0; b < size; b++) out[o++] = src[p + b];
      }
    }
    const writes = source.harvest_bindings(out);
    // -1: the layout changed under us (cannot happen between the version check and here); next frame relayouts.
    if (writes < 0) this.#version = -1;
    return Math.max(writes, 0);
  }

  #relayout(version) {
    const layout = this.#source.bindings_layout();
    const n = layout.length >>> 1;
    let total = 0;
    let aligned = true;
    for (let i = 0; i < n; i++) {
      total += layout[2 * i + 1];
      aligned &&= layout[2 * i] % 4 === 0 && layout[2 * i + 1] % 4 === 0;
    }
    this.#at = new Uint32Array(n);
    this.#sizes = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      this.#at[i] = aligned ? layout[2 * i] >>> 2 : layout[2 * i];
      this.#sizes[i] = layout[2 * i + 1];
    }
    this.#aligned = aligned;
    this.#bytes = new Uint8Array(total);
    this.#out32 = aligned ? new Uint32Array(this.#bytes.buffer) : new Uint32Array(0);
    this.#version = version;
  }
}
