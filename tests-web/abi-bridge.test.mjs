// load(bytes, { bridge }): the game's JS bridge behind the ScriptHost's ObjectBridge (instance isolation):
// classes, property reads and query calls on objects the script was given, Variant bytes both ways.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { arr, guestWat, openRuntimePage, withCustomSection } from './runtime-harness.mjs';

const MANIFEST = JSON.stringify({
  extends: 'Node3D',
  properties: [{ name: 'target', type: 'Object' }],
});

const GUEST = withCustomSection(
  guestWat(`
(module
  (import "ugc" "self" (func $self (result i32)))
  (import "ugc" "object_get" (func $object_get (param i32 i32 i32) (result i32)))
  (import "ugc" "object_call" (func $object_call (param i32 i32 i32 i32) (result i32)))
  (import "ugc" "value_read" (func $value_read (param i32 i32 i32) (result i32)))
  (import "ugc" "as_int" (func $as_int (param i32) (result i64)))
  (memory 1)
  (data (i32.const 0) "target")
  (data (i32.const 16) "position")
  (data (i32.const 32) "to_global")
  (data (i32.const 48) "is_inside_tree")
  (func $target (result i32) (call $object_get (call $self) (i32.const 0) (i32.const 6)))
  ;; reads target.position into memory[128..140); returns value_read's result (12) or an error
  (func (export "read_position") (result i32) (local $t i32) (local $p i32)
    (local.set $t (call $target))
    (if (i32.lt_s (local.get $t) (i32.const 0)) (then (return (local.get $t))))
    (local.set $p (call $object_get (local.get $t) (i32.const 16) (i32.const 8)))
    (if (i32.lt_s (local.get $p) (i32.const 0)) (then (return (local.get $p))))
    (call $value_read (local.get $p) (i32.const 128) (i32.const 12)))
  (func (export "position_y") (result f32) (f32.load (i32.const 132)))
  ;; a query call with no arguments: its result as an int (bool)
  (func (export "inside_tree") (result i64) (local $t i32) (local $r i32)
    (local.set $t (call $target))
    (local.set $r (call $object_call (local.get $t) (i32.const 48) (i32.const 14) (i32.const 0)))
    (if (i32.lt_s (local.get $r) (i32.const 0)) (then (return (i64.extend_i32_s (local.get $r)))))
    (call $as_int (local.get $r)))
)`),
  'ugc_script',
  Array.from(new TextEncoder().encode(MANIFEST)),
);

let harness;
before(async () => {
  harness = await openRuntimePage();
  await harness.page.evaluate((bytes) => {
    window.BRIDGED = window.bytes(bytes);
    // An Object Variant (type 24, EncodedObjectAsID flag) for object `id`.
    window.objectBytes = (id) => {
      const v = new DataView(new ArrayBuffer(12));
      v.setUint32(0, 24 | (1 << 16), true);
      v.setBigUint64(4, BigInt(id), true);
      return v.buffer;
    };
    window.vector3Bytes = (x, y, z) => {
      const v = new DataView(new ArrayBuffer(16));
      v.setUint32(0, 9, true);
      [x, y, z].forEach((c, i) => v.setFloat32(4 + 4 * i, c, true));
      return new Uint8Array(v.buffer);
    };
  }, arr(GUEST));
});
after(async () => {
  assert.deepEqual(harness.pageErrors, [], 'no uncaught errors on the page');
  await harness.close();
});

test('a bridge serves classes, properties and query calls of objects the script was given', async () => {
  const r = await harness.page.evaluate(async () => {
    const scene = new Map([[500n, { class: 'Node3D', position: [4, 5, 6], inTree: true }]]);
    const seen = [];
    const bridge = {
      classOf: (id) => scene.get(id)?.class ?? null,
      get: (id, name) => {
        seen.push(['get', String(id), name]);
        const o = scene.get(id);
        if (!o) return null;
        return name === 'position' ? vector3Bytes(...o.position) : undefined;
      },
      call: (id, name, args) => {
        seen.push(['call', String(id), name, rt.decodeVariant(args)]);
        const o = scene.get(id);
        if (!o) return null;
        return name === 'is_inside_tree' ? rt.encodeVariant(o.inTree) : undefined;
      },
    };
    const s = await rt.load(BRIDGED, { self: { id: 1, class: 'Node3D' }, bridge });
    await s.setProperty('target', objectBytes(500));
    const read = await s.call('read_position');
    const y = await s.call('position_y');
    const inside = String(await s.call('inside_tree'));
    // The object is freed: reads are object_gone.
    scene.delete(500n);
    const gone = await s.call('read_position');
    const stats = s.stats();
    s.dispose();
    const worker = await attempt(() => rt.load(BRIDGED, { isolation: 'worker', bridge }));
    const badBridge = await attempt(() => rt.load(BRIDGED, { bridge: { get: () => null } }));
    return { read, y, inside, gone, seen, stats, worker, badBridge };
  });
  assert.equal(r.read, 12, 'value_read wrote a Vector3');
  assert.equal(r.y, 5);
  assert.equal(r.inside, '1');
  assert.equal(r.gone, -11, 'object_gone');
  assert.deepEqual(r.seen.slice(0, 2), [
    ['get', '500', 'position'],
    ['call', '500', 'is_inside_tree', []],
  ]);
  assert.equal(r.stats.abiErrors, 1);
  assert.equal(r.worker.error.code, 'bad_argument');
  assert.equal(r.badBridge.error.code, 'bad_argument');
});
