// A minimal writer for Godot's binary Variant format (what `bytes_to_var()` reads): just the types the frame
// protocol sends — nil, bool, int, float, String, Array, PackedByteArray — plus `RawArray`, elements that are
// already Variant bytes (the ABI batches), spliced in without decoding. Layout from core/io/marshalls.cpp
// (see docs/GODOT.md "Variant fixtures"): u32 header (type, bit 16 = 64-bit), payload padded to 4 bytes.

const NIL = 0;
const BOOL = 1;
const INT = 2;
const FLOAT = 3;
const STRING = 4;
const ARRAY = 28;
const PACKED_BYTE_ARRAY = 29;
const FLAG_64 = 1 << 16;

const utf8 = new TextEncoder();

/** Bytes for `value`; a `Uint8Array` becomes a PackedByteArray, a JS array an Array. */
export function varToBytes(value) {
  const out = new Writer();
  out.value(value);
  return out.finish();
}

/**
 * One Godot Array made of the elements of several Arrays that are already Variant bytes (e.g. every script's
 * `takeBatch()`): written as one header with the summed count, then each part's element bytes as they are.
 * Reused frame after frame (`clear()`), so merging allocates nothing once the buffer has grown.
 */
export class RawArray {
  parts = [];
  count = 0;
  bytes = 0;

  clear() {
    this.parts.length = 0;
    this.count = 0;
    this.bytes = 0;
  }

  /**
   * Adds the elements of `array` (Variant bytes of an Array: u32 header 28, u32 count with bit 31 the
   * "shared" flag, then the elements). An empty Array adds nothing; anything else is a TypeError.
   */
  add(array) {
    if (array.length < 8) throw new TypeError(`batch: ${array.length} bytes is not an Array`);
    // Little-endian u32s read by hand: no DataView per batch on the per-frame path.
    if ((array[0] | (array[1] << 8)) !== ARRAY) throw new TypeError('batch: not an Array');
    const count = (array[4] | (array[5] << 8) | (array[6] << 16) | ((array[7] & 0x7f) << 24)) >>> 0;
    if (count === 0) return;
    this.parts.push(array);
    this.count += count;
    this.bytes += array.length - 8;
  }
}

/** Writer kept across frames: `reset()`, write, `view()` (a view of its own buffer, valid until the next reset). */
export class Writer {
  #buf = new Uint8Array(256);
  #view = new DataView(this.#buf.buffer);
  #len = 0;

  #reserve(n) {
    if (this.#len + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }

  u32(x) {
    this.#reserve(4);
    this.#view.setUint32(this.#len, x >>> 0, true);
    this.#len += 4;
  }

  bytes(data) {
    const padded = (data.length + 3) & ~3;
    this.#reserve(padded);
    this.#buf.set(data, this.#len);
    this.#buf.fill(0, this.#len + data.length, this.#len + padded);
    this.#len += padded;
  }

  value(v) {
    if (v === null || v === undefined) return this.u32(NIL);
    if (typeof v === 'boolean') return (this.u32(BOOL), this.u32(v ? 1 : 0));
    if (typeof v === 'bigint') return this.#int64(v);
    if (typeof v === 'number') {
      if (Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31) return (this.u32(INT), this.u32(v));
      if (Number.isSafeInteger(v)) return this.#int64(BigInt(v));
      this.u32(FLOAT | FLAG_64);
      this.#reserve(8);
      this.#view.setFloat64(this.#len, v, true);
      this.#len += 8;
      return;
    }
    if (typeof v === 'string') {
      const data = utf8.encode(v);
      this.u32(STRING);
      this.u32(data.length);
      return this.bytes(data);
    }
    if (v instanceof Uint8Array) {
      this.u32(PACKED_BYTE_ARRAY);
      this.u32(v.length);
      return this.bytes(v);
    }
    if (v instanceof RawArray) {
      this.u32(ARRAY);
      this.u32(v.count);
      this.#reserve(v.bytes);
      for (const part of v.parts) {
        this.#buf.set(part.subarray(8), this.#len);
        this.#len += part.length - 8;
      }
      return;
    }
    if (Array.isArray(v)) {
      this.u32(ARRAY);
      this.u32(v.length);
      for (const item of v) this.value(item);
      return;
    }
    throw new TypeError(`varToBytes: cannot encode ${typeof v}`);
  }

  #int64(v) {
    this.u32(INT | FLAG_64);
    this.#reserve(8);
    this.#view.setBigInt64(this.#len, BigInt.asIntN(64, v), true);
    this.#len += 8;
  }

  finish() {
    return this.#buf.slice(0, this.#len);
  }

  reset() {
    this.#len = 0;
  }

  view() {
    return this.#buf.subarray(0, this.#len);
  }
}
