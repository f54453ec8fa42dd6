// JavaScriptBridge in the real Godot 4.6 web engine: what crosses between GDScript and JS, checked one fact at a
// time (the addon relies on each). Costs are printed for docs/GODOT.md, never asserted.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { REPO_ROOT, bootGodot } from './lib/godot.mjs';

// The page side: window.ugcTest is what `JavaScriptBridge.get_interface('ugcTest')` returns to GDScript.
const PAGE_JS = `<script>
(() => {
  const describe = (v) => ({
    type: v === null ? 'null' : typeof v,
    text: v === null || typeof v === 'object' || typeof v === 'function' ? null : String(v),
    ctor: v !== null && typeof v === 'object' ? (v.constructor ? v.constructor.name : 'none') : null,
  });
  const GIVE = {
    int: () => 42,
    negative: () => -7,
    float: () => 2.5,
    integer_valued_float: () => 3.0,
    two_pow_53: () => 2 ** 53,
    two_pow_64: () => 2 ** 64,
    nan: () => NaN,
    string: () => 'héllo 日本',
    bool: () => true,
    null: () => null,
    undefined: () => undefined,
    object: () => ({ a: 1 }),
    array: () => [1, 2],
    uint8array: () => new Uint8Array([1, 2]),
    bigint: () => 5n,
  };
  const ugc = {
    received: {},
    record(name, value) { ugc.received[name] = describe(value); },
    kinds() { return Object.keys(GIVE).join(','); },
    give(kind) { return GIVE[kind](); },
    invoke(cb) {
      const holder = {};
      const returned = cb('first', holder, 3);
      return { returned: String(returned), holder_ret: String(holder.ret) };
    },
    bytes(kind) {
      if (kind === 'whole') return new Uint8Array([1, 2, 3, 4, 5]);
      if (kind === 'view') return new Uint8Array(Array.from({ length: 16 }, (_, i) => i)).subarray(4, 8);
      if (kind === 'buffer') return new Uint8Array([9, 8, 7]).buffer;
      if (kind === 'mib') return new Uint8Array(1 << 20).fill(0xab);
      throw new Error('unknown bytes kind ' + kind);
    },
    checkBase64(b64) {
      const bin = atob(b64);
      for (let i = 0; i < bin.length; i++) if (bin.charCodeAt(i) !== i) return 'mismatch at ' + i;
      return 'ok:' + bin.length;
    },
    noop() {},
    timeCallbacks(cb, n) {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) cb(i);
      return ((performance.now() - t0) * 1000) / n;
    },
    decodeLength(b64) {
      const bin = atob(b64);
      const out = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
      return out.length;
    },
  };
  window.ugcTest = ugc;
})();
</script>`;

describe('JavaScriptBridge facts (Godot 4.6 web)', () => {
  let godot;
  let facts;
  let received;
  before(async () => {
    godot = await bootGodot({
      projectDir: path.join(REPO_ROOT, 'godot-web-export/test-projects/bridge'),
      head: PAGE_JS,
    });
    await godot.waitForLine(/^UGC_BRIDGE_DONE$/, { timeout: 60_000 });
    facts = Object.fromEntries(
      godot.console
        .grep(/^UGC_BRIDGE \{/)
        .map((l) => JSON.parse(l.slice('UGC_BRIDGE '.length)))
        .map((f) => [f.what, f]),
    );
    received = await godot.page.evaluate(() => window.ugcTest.received);
  });
  after(async () => {
    await godot?.close();
  });

  test('get_interface returns a page-defined object; an unknown name gives null', () => {
    assert.equal(facts.interface.found, true);
    assert.equal(facts.interface.missing_is_null, true);
  });

  test('GDScript -> JS: int, bool, String, null and JavaScriptObject arrive; other Variants arrive as undefined', () => {
    console.log('received in JS:', JSON.stringify(received));
    assert.deepEqual(received.int, { type: 'number', text: '42', ctor: null });
    assert.deepEqual(received.int_negative, { type: 'number', text: '-7', ctor: null });
    assert.deepEqual(received.bool, { type: 'boolean', text: 'true', ctor: null });
    assert.deepEqual(received.string, { type: 'string', text: 'héllo 日本', ctor: null });
    assert.deepEqual(received.null, { type: 'null', text: null, ctor: null });
    assert.deepEqual(received.js_object, { type: 'object', text: null, ctor: 'Object' });
    for (const key of ['array', 'dictionary', 'packed_byte_array', 'vector2', 'node'])
      assert.equal(received[key].type, 'undefined', key);
  });

  test('GDScript -> JS: floats are narrowed to 32 bits', () => {
    assert.equal(received.float_one_tenth.text, String(Math.fround(0.1)));
    assert.equal(received.float_16777217.text, '16777216');
    assert.equal(received.float_1e300.text, 'Infinity');
  });

  test('GDScript -> JS: ints beyond 2^53 lose precision (a JS number, not a BigInt)', () => {
    assert.equal(received.int_2_pow_53_plus_1.type, 'number');
    assert.equal(received.int_2_pow_53_plus_1.text, String(2 ** 53));
    assert.equal(received.int_i64_max.type, 'number');
  });

  test('GDScript -> JS: StringName arrives as undefined too (convert with String() first)', () => {
    assert.equal(received.string_name.type, 'undefined');
  });

  test('JS -> GDScript: integer-valued numbers become int, others float; objects become JavaScriptObject', () => {
    const got = facts.received;
    console.log('received in GDScript:', JSON.stringify(got));
    assert.deepEqual(got.int, { type: 'int', value: '42' });
    assert.deepEqual(got.negative, { type: 'int', value: '-7' });
    assert.deepEqual(got.integer_valued_float, { type: 'int', value: '3' });
    assert.deepEqual(got.float, { type: 'float', value: '2.5' });
    assert.deepEqual(got.two_pow_53, { type: 'int', value: String(2 ** 53) });
    assert.deepEqual(got.string, { type: 'String', value: 'héllo 日本' });
    assert.deepEqual(got.bool, { type: 'bool', value: 'true' });
    assert.equal(got.null.type, 'Nil');
    assert.equal(got.undefined.type, 'Nil');
    for (const kind of ['object', 'array', 'uint8array']) assert.equal(got[kind].type, 'Object', kind);
  });

  test('JS -> GDScript edge cases: BigInt becomes int, NaN stays float, 2^64 silently becomes int 0', () => {
    const got = facts.received;
    assert.deepEqual(got.bigint, { type: 'int', value: '5' });
    assert.deepEqual(got.nan, { type: 'float', value: 'nan' });
    assert.deepEqual(got.two_pow_64, { type: 'int', value: '0' });
  });

  test('create_callback: JS arguments arrive packed in one Array; the return value is dropped; a holder works', () => {
    const cb = facts.callback;
    assert.equal(cb.arg_count, 3);
    assert.deepEqual(cb.arg_types, ['String', 'Object', 'int']);
    assert.equal(cb.first_arg, 'first');
    assert.equal(cb.js_saw_return, 'null');
    assert.equal(cb.js_saw_holder, 'set through the holder');
  });

  test('js_buffer_to_packed_byte_array copies a Uint8Array, honours a view, takes an ArrayBuffer; base64 goes back', () => {
    const b = facts.bytes;
    assert.equal(b.whole_hex, '0102030405');
    assert.equal(b.view_hex, '04050607');
    assert.equal(b.array_buffer_hex, '090807');
    assert.equal(b.to_js_via_base64, 'ok:256');
  });

  test('costs are measured (printed, not checked)', () => {
    const c = facts.costs;
    console.log('bridge costs:', JSON.stringify(c));
    assert.equal(c.mib_size, 1 << 20);
    assert.equal(c.base64_decoded_len, 65536);
    for (const k of ['gdscript_to_js_call_us', 'js_to_gdscript_callback_us', 'js_buffer_1mib_to_pba_us'])
      assert.ok(Number.isFinite(c[k]) && c[k] >= 0, k);
  });
});
