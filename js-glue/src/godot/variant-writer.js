// A minimal writer for Godot's binary Variant format (what `bytes_to_var()` reads): just the types the frame
// protocol sends — nil, bool, int, float, String, Array, PackedByteArray. Layout from core/io/marshalls.cpp
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

class Writer {
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
}
