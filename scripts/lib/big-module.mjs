// Big wasm modules built as bytes, for the load tests and the load-stall benchmark: WAT cannot be fed
// megabytes quickly, and this file has no node imports, so a test page can import it and build the module
// where it is loaded (a 16 MB module does not cross page.evaluate as JSON).

import { leb128 } from './leb128.mjs';

function concat(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

const header = (id, length) => new Uint8Array([id, ...leb128(length)]);
const section = (id, body) => concat([header(id, body.length), body]);
const vector = (items) => concat([new Uint8Array(leb128(items.length)), ...items]);
const name = (s) => {
  const bytes = new TextEncoder().encode(s);
  return concat([new Uint8Array(leb128(bytes.length)), bytes]);
};

/**
 * A module of about `codeBytes` of straight-line code: functions `(param i32) (result i32)` each adding 1 to
 * its argument `steps` times, the first exported as `run` (`run(x) = x + steps`), plus `add(a, b)`.
 * Validating and preparing it costs what a real module's code costs (a data segment alone would not).
 * `dataBytes` adds an active data segment of that size (bytes `i & 0xff`) and the memory to hold it;
 * `custom` is `[name, bytes]` pairs appended as custom sections.
 */
export function bigModule({ codeBytes, dataBytes = 0, steps = 1000, custom = [] }) {
  const code = [0x00, 0x20, 0x00]; // no locals; local.get 0
  for (let i = 0; i < steps; i++) code.push(0x41, 0x01, 0x6a); // i32.const 1; i32.add
  code.push(0x0b);
  const body = new Uint8Array([...leb128(code.length), ...code]);
  const count = Math.max(1, Math.ceil(codeBytes / body.length));
  const add = new Uint8Array([7, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b]);
  const types = new Uint8Array([2, 0x60, 1, 0x7f, 1, 0x7f, 0x60, 2, 0x7f, 0x7f, 1, 0x7f]);
  const funcs = vector([...Array.from({ length: count }, () => new Uint8Array([0])), new Uint8Array([1])]);
  const pages = Math.max(1, Math.ceil(dataBytes / 65536));
  const memory = new Uint8Array([1, 0x00, ...leb128(pages)]);
  const exports = vector([
    concat([name('run'), new Uint8Array([0x00, 0x00])]),
    concat([name('add'), new Uint8Array([0x00, ...leb128(count)])]),
  ]);
  const parts = [
    new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]),
    section(1, types),
    section(3, funcs),
    section(5, memory),
    section(7, exports),
    section(10, vector([...Array.from({ length: count }, () => body), add])),
  ];
  if (dataBytes > 0) {
    const data = new Uint8Array(dataBytes);
    for (let i = 0; i < dataBytes; i++) data[i] = i & 0xff;
    parts.push(
      section(11, concat([new Uint8Array([1, 0x00, 0x41, 0x00, 0x0b, ...leb128(dataBytes)]), data])),
    );
  }
  for (const [sectionName, bytes] of custom) parts.push(section(0, concat([name(sectionName), bytes])));
  return concat(parts);
}
