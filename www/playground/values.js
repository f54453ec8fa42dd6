// Typed argument parsing (text → the JS value the runtime expects for a wasm type) and result formatting.

/** The JS value for `text` as an argument of wasm type `type`, or throws an Error naming the problem. */
export function parseArg(text, type, label) {
  const value = text.trim();
  const fail = (why) => {
    throw new Error(`${label} (${type}): ${why}, got “${text}”`);
  };
  if (value === '') fail('a value is required');
  switch (type) {
    case 'i32': {
      if (!/^[-+]?(0x[0-9a-f]+|\d+)$/i.test(value)) fail('an integer is expected');
      const n = Number(value.replace(/^\+/, ''));
      if (n < -(2 ** 31) || n > 2 ** 32 - 1) fail('out of the i32 range');
      return n | 0;
    }
    case 'i64': {
      let n;
      try {
        n = BigInt(value.replace(/^\+/, ''));
      } catch {
        fail('an integer is expected');
      }
      if (n < -(2n ** 63n) || n > 2n ** 64n - 1n) fail('out of the i64 range');
      return BigInt.asIntN(64, n);
    }
    case 'f32':
    case 'f64': {
      const n = /^[-+]?(inf|infinity)$/i.test(value)
        ? (value.startsWith('-') ? -1 : 1) * Infinity
        : /^nan$/i.test(value)
          ? NaN
          : Number(value);
      if (Number.isNaN(n) && !/^nan$/i.test(value)) fail('a number is expected');
      return n;
    }
    default:
      fail('the playground cannot pass this type');
  }
}

/** A result of a raw export call, typed: "5 (i32)", "[1 (i32), 2 (i32)]". */
export function formatResult(value, types) {
  if (types.length === 0) return 'no result';
  const one = (v, t) => `${typeof v === 'bigint' ? v.toString() : String(v)} (${t})`;
  if (types.length === 1) return one(value, types[0]);
  return `[${value.map((v, i) => one(v, types[i])).join(', ')}]`;
}

/**
 * A plain JS value from callMethod/decodeVariant as JSON-like text: BigInts as `12n`, typed arrays as
 * `Float32Array(96)[0, 0.5, …]` (the first 12 elements). `indent` 0 gives one line.
 */
export function formatValue(value, indent = 2) {
  return JSON.stringify(
    value,
    (_key, v) => {
      if (typeof v === 'bigint') return `${v}n`;
      if (ArrayBuffer.isView(v)) {
        const head = Array.from(v.subarray(0, 12), (x) => (typeof x === 'bigint' ? `${x}n` : String(x)));
        return `${v.constructor.name}(${v.length})[${head.join(', ')}${v.length > 12 ? ', …' : ''}]`;
      }
      if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
      return v;
    },
    indent,
  );
}

/** `['a', 'b c']` from text with one entry per line (blank lines dropped at the end only). */
export function lines(text) {
  const out = text.split('\n');
  while (out.length && out[out.length - 1] === '') out.pop();
  return out;
}
