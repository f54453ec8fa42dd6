// rt.encodeVariant / rt.decodeVariant: the JS ↔ Godot Variant table of docs/JS-API.md ("Values").

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openRuntimePage } from './runtime-harness.mjs';

let harness;
before(async () => {
  harness = await openRuntimePage();
});
after(async () => {
  assert.deepEqual(harness.pageErrors, [], 'no uncaught errors on the page');
  await harness.close();
});

test('plain values round-trip with the documented types', async () => {
  const r = await harness.page.evaluate(() => {
    const value = {
      nil: null,
      yes: true,
      int: 42,
      neg: -7,
      float: 0.25,
      text: 'héllo',
      list: [1, 'two', [3.5]],
      nested: { a: { b: {} } },
      bytes: new Uint8Array([1, 2, 255]),
      ints: new Int32Array([-1, 2]),
      floats: new Float32Array([0.5, 1.5]),
      doubles: new Float64Array([0.1]),
      big: 2n ** 60n,
    };
    const bytes = rt.encodeVariant(value);
    const back = rt.decodeVariant(bytes);
    return {
      back: { ...back, big: String(back.big) },
      kinds: Object.fromEntries(Object.entries(back).map(([k, v]) => [k, v?.constructor?.name ?? 'null'])),
      // Godot's header of an INT 42: type 2, then the value as 32 bits (it fits).
      intBytes: Array.from(rt.encodeVariant(42)),
      floatType: rt.encodeVariant(0.5)[0],
    };
  });
  assert.equal(r.back.int, 42);
  assert.equal(r.back.neg, -7);
  assert.equal(r.back.float, 0.25);
  assert.equal(r.back.text, 'héllo');
  assert.deepEqual(r.back.list, [1, 'two', [3.5]]);
  assert.deepEqual(r.back.nested, { a: { b: {} } });
  assert.equal(r.back.nil, null);
  assert.equal(r.back.yes, true);
  assert.equal(r.back.big, String(2n ** 60n));
  assert.deepEqual(r.kinds, {
    nil: 'null',
    yes: 'Boolean',
    int: 'Number',
    neg: 'Number',
    float: 'Number',
    text: 'String',
    list: 'Array',
    nested: 'Object',
    bytes: 'Uint8Array',
    ints: 'Int32Array',
    floats: 'Float32Array',
    doubles: 'Float64Array',
    big: 'BigInt',
  });
  assert.deepEqual(r.intBytes, [2, 0, 0, 0, 42, 0, 0, 0]);
  assert.equal(r.floatType, 3);
});

test('vectors read back as objects; values without a Variant form are abi_error bad_value', async () => {
  const r = await harness.page.evaluate(async () => {
    const v = new DataView(new ArrayBuffer(16));
    v.setUint32(0, 9, true);
    [1, 2, 3].forEach((c, i) => v.setFloat32(4 + 4 * i, c, true));
    const vector = rt.decodeVariant(new Uint8Array(v.buffer));
    const fn = await attempt(() => rt.encodeVariant(() => 1));
    const sym = await attempt(() => rt.encodeVariant(Symbol('s')));
    const truncated = await attempt(() => rt.decodeVariant(new Uint8Array([9, 0, 0, 0, 1])));
    let deep = [];
    for (let i = 0; i < 200; i++) deep = [deep];
    const tooDeep = await attempt(() => rt.encodeVariant(deep));
    return { vector, fn, sym, truncated, tooDeep };
  });
  assert.deepEqual(r.vector, { x: 1, y: 2, z: 3 });
  for (const outcome of [r.fn, r.sym, r.truncated, r.tooDeep]) {
    assert.equal(outcome.error?.code, 'abi_error', JSON.stringify(outcome));
    assert.equal(outcome.error.isUgcError, true);
  }
});
