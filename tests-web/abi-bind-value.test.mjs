// `ugc.object_bind_value` through dist/ugc-wasm.js in Chromium. A binding lets a script move its node with plain
// memory stores, so the runtime itself turns guest bytes into property writes: what is written, when, for which
// node, and what a hostile guest can make it do are all the glue's responsibility here, not the guest's. These
// tests pin that down where the native tests (crate/tests/host_bind_value.rs) cannot reach: the JS harvest that
// runs in `takeBatch()` (node instance, worker, shared group), its view of a memory that grew, bindings dying with
// a detached view or a reset, no harvest from a faulted instance, and every refusal as its exact error code.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { arr, guestWat, openRuntimePage, withCustomSection } from './runtime-harness.mjs';

/**
 * ABI error codes (docs/ABI.md). Variant types appear as Godot's numbers: 0 NIL (unbinds), 1 BOOL, 2 INT, 3 FLOAT,
 * 4 STRING, 9 VECTOR3, 20 COLOR, 21 STRING_NAME, 23 RID, 24 OBJECT, 27 DICTIONARY, 28 ARRAY, 38 the last.
 */
const E = {
  bad_handle: -1,
  stale_handle: -2,
  wrong_type: -3,
  bad_pointer: -4,
  handle_limit: -5,
  not_found: -7,
  not_allowed: -8,
  bad_utf8: -9,
  bad_value: -10,
};

/**
 * Memory map: property names at 0..255 (see NAMES), values for object_set_value at 256, `last_error` text at 512
 * (256 bytes), 65 blend-shape names at 1024 (16 bytes each), the cached self handle of slot s at 4096 + 4·s,
 * free space for single-node bindings at 8192, slot s's bound position at 16384 + 12·s, reads at 32768.
 * `_ready` binds the running node's position at its slot's address (trapping unless the seed was 12 bytes);
 * `_process(delta)` adds delta to its x with plain loads and stores: no host call.
 */
const NAMES = {
  position: 0,
  visible: 16,
  name: 32,
  speed: 48,
  script: 64,
  rotation: 80,
  badUtf8: 96,
  layers: 112,
  scale: 128,
};
const SHAPES = 1024;
const SHAPE_NAME = (i) => `blend_shapes/s${String(i).padStart(2, '0')}`;
const SOURCE = `
(module
  (import "ugc" "self" (func $self (result i32)))
  (import "ugc" "release" (func $release (param i32) (result i32)))
  (import "ugc" "new_int" (func $new_int (param i64) (result i32)))
  (import "ugc" "new_value" (func $new_value (param i32 i32 i32) (result i32)))
  (import "ugc" "object_set" (func $set (param i32 i32 i32 i32) (result i32)))
  (import "ugc" "object_set_value" (func $set_value (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "ugc" "object_get_value" (func $get_value (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "ugc" "object_bind_value" (func $bind (param i32 i32 i32 i32 i32) (result i32)))
  (import "ugc" "last_error" (func $last_error (param i32 i32) (result i32)))
  (import "ugc" "node_slot" (func $slot (result i32)))
  (memory 1)
  (data (i32.const ${NAMES.position}) "position")
  (data (i32.const ${NAMES.visible}) "visible")
  (data (i32.const ${NAMES.name}) "name")
  (data (i32.const ${NAMES.speed}) "speed")
  (data (i32.const ${NAMES.script}) "script")
  (data (i32.const ${NAMES.rotation}) "rotation")
  (data (i32.const ${NAMES.badUtf8}) "\\ff\\fe")
  (data (i32.const ${NAMES.layers}) "layers")
  (data (i32.const ${NAMES.scale}) "scale")
  (data (i32.const ${SHAPES}) "${Array.from({ length: 65 }, (_, i) => SHAPE_NAME(i)).join('')}")
  (func $cell (result i32) (i32.add (i32.const 4096) (i32.shl (call $slot) (i32.const 2))))
  (func $me (result i32)
    (if (i32.eqz (i32.load (call $cell))) (then (i32.store (call $cell) (call $self))))
    (i32.load (call $cell)))
  (func $at (result i32) (i32.add (i32.const 16384) (i32.mul (call $slot) (i32.const 12))))
  ;; A node attached into a reused slot must not use the previous node's handle: _ready takes a fresh one.
  (func (export "_ready")
    (i32.store (call $cell) (call $self))
    (if (i32.ne (call $bind (call $me) (i32.const 0) (i32.const 8) (i32.const 9) (call $at)) (i32.const 12))
      (then unreachable)))
  (func (export "_process") (param $delta f64)
    (f32.store (call $at) (f32.add (f32.load (call $at)) (f32.demote_f64 (local.get $delta)))))
  (func (export "slot_addr") (result i32) (call $at))
  (func (export "bind") (param i32 i32 i32 i32) (result i32)
    (call $bind (call $me) (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "bind_of") (param i32 i32 i32 i32 i32) (result i32)
    (call $bind (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)))
  (func (export "set_value") (param i32 i32 i32 i32 i32) (result i32)
    (call $set_value (call $me) (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)))
  (func (export "set_handle") (param i32 i32 i32 i32 i32) (result i32) (local $v i32) (local $r i32)
    (local.set $v (call $new_value (local.get 2) (local.get 3) (local.get 4)))
    (if (i32.lt_s (local.get $v) (i32.const 0)) (then (return (local.get $v))))
    (local.set $r (call $set (call $me) (local.get 0) (local.get 1) (local.get $v)))
    (drop (call $release (local.get $v)))
    (local.get $r))
  (func (export "get_value") (param i32 i32 i32 i32 i32) (result i32)
    (call $get_value (call $me) (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)))
  ;; A self handle released before it is returned: stale.
  (func (export "stale_self") (result i32) (local $h i32)
    (local.set $h (call $self))
    (drop (call $release (local.get $h)))
    (local.get $h))
  ;; A live handle to an int: not an Object.
  (func (export "int_handle") (result i32) (call $new_int (i64.const 1)))
  (func (export "error_text") (result i32) (call $last_error (i32.const 512) (i32.const 256)))
  (func (export "poke_f32") (param i32 f32) (f32.store (local.get 0) (local.get 1)))
  (func (export "peek_f32") (param i32) (result f32) (f32.load (local.get 0)))
  (func (export "poke_f64") (param i32 f64) (f64.store (local.get 0) (local.get 1)))
  (func (export "peek_f64") (param i32) (result f64) (f64.load (local.get 0)))
  (func (export "poke_u8") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
  (func (export "peek_u8") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "fill") (param $at i32) (param $n i32) (param $byte i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (i32.store8 (i32.add (local.get $at) (local.get $n)) (local.get $byte))
        (br $next))))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "boom") unreachable)
  (func (export "trap_if_slot") (param i32) (if (i32.eq (call $slot) (local.get 0)) (then unreachable)))
  (func (export "spin") (loop $l (br $l)))
)`;

/** `speed` is a declared script property: the host keeps it, so it cannot be bound. */
const PROPERTIES = [{ name: 'speed', type: 'float', default: 1.5 }];
const manifest = (extra) =>
  withCustomSection(
    guestWat(SOURCE),
    'ugc_script',
    JSON.stringify({ extends: 'Node3D', properties: PROPERTIES, ...extra }),
  );
const NODE = manifest({});
const SHARED = manifest({ instancing: 'shared' });

/** Where single-node tests bind (the free area) and put values for object_set_value. */
const AT = 8192;
const VALUE = 256;

let harness;
before(async () => {
  harness = await openRuntimePage();
  await harness.page.evaluate(
    ({ node, shared }) => {
      window.NODE_MOD = window.bytes(node);
      window.SHARED_MOD = window.bytes(shared);
      // Godot binary Variant bytes for seeding engine properties (`setNodeProperty`).
      window.vec3 = (x, y, z) => {
        const v = new DataView(new ArrayBuffer(16));
        v.setUint32(0, 9, true);
        [x, y, z].forEach((c, i) => v.setFloat32(4 + 4 * i, c, true));
        return v.buffer;
      };
      // A batch as row writes `[tag, id, property, value]`: columnar entries (tag 3) expanded, ids as numbers,
      // vectors as arrays of numbers, so results cross back to node as plain JSON.
      const norm = (v) =>
        typeof v === 'bigint'
          ? Number(v)
          : v !== null && typeof v === 'object'
            ? Array.from(Array.isArray(v) || ArrayBuffer.isView(v) ? v : Object.values(v), Number)
            : v;
      window.rows = (bytes) =>
        rt.decodeVariant(bytes).flatMap((e) => {
          if (e[0] !== 3) return [[e[0], Number(e[1]), e[2], norm(e[3])]];
          const ids = Array.from(e[2], Number);
          const values = Array.from(e[3], (v) => norm(v));
          const width = values.length / ids.length;
          return ids.map((id, i) => [
            0,
            id,
            e[1],
            width === 1 ? values[i] : values.slice(width * i, width * (i + 1)),
          ]);
        });
      // Each entry's shape: `[3, property, count]` for a column, `[tag, property]` for a row.
      window.shapes = (bytes) =>
        rt.decodeVariant(bytes).map((e) => (e[0] === 3 ? [3, e[1], e[2].length] : [e[0], e[2]]));
      // `last_error` as text, through the guest's export (works for any `call`).
      window.lastError = async (call) => {
        const n = await call('error_text');
        const out = [];
        for (let i = 0; i < Math.min(n, 256); i++) out.push(await call('peek_u8', 512 + i));
        return new TextDecoder().decode(new Uint8Array(out));
      };
      window.peek3 = async (call, at) => [
        await call('peek_f32', at),
        await call('peek_f32', at + 4),
        await call('peek_f32', at + 8),
      ];
      // A node-instanced script on node 42 (a Node3D), position seeded to (1, 2, 3), and `call` for it.
      window.openNode = async (options = {}) => {
        const s = await rt.load(NODE_MOD, { self: { id: 42, class: 'Node3D' }, ...options });
        await s.setNodeProperty('position', vec3(1, 2, 3));
        return { s, call: (...a) => s.call(...a) };
      };
      // `n` nodes (ids 1000 + i) attached to a shared group, each position seeded to (i, -i, 0.5).
      window.attachSeeded = (group, n, firstId = 1000) =>
        Array.from({ length: n }, (_, i) => {
          const v = group.attach({ self: { id: firstId + i, class: 'Node3D' } });
          v.setNodeProperty('position', vec3(i, -i, 0.5));
          return v;
        });
    },
    { node: arr(NODE), shared: arr(SHARED) },
  );
});
after(async () => {
  assert.deepEqual(harness.pageErrors, [], 'no uncaught errors on the page');
  await harness.close();
});

/** The `[name_ptr, name_len]` of one of NAMES. */
const name = (key) => [NAMES[key], key === 'badUtf8' ? 2 : key.length];

test('node instance: the seed lands in guest memory; changed bytes become exactly one write per take', async () => {
  const r = await harness.page.evaluate(
    async ({ pos, AT, VALUE }) => {
      const { s, call } = await openNode();
      await call('fill', AT, 16, 0xaa);
      const out = { bound: await call('bind', ...pos, 9, AT) };
      out.seed = await peek3(call, AT);
      out.untouched = await call('peek_u8', AT + 12);
      out.unchanged = rows(await s.takeBatch());
      await call('poke_f32', AT, 4.5);
      await call('poke_f32', AT + 8, -0.25);
      // Reads see the last harvested value (the seed) until the take harvests the new bytes.
      out.readBefore = await call('get_value', ...pos, 9, 32768, 12);
      out.readBeforeValue = await peek3(call, 32768);
      out.first = rows(await s.takeBatch());
      out.second = rows(await s.takeBatch());
      await call('get_value', ...pos, 9, 32768, 12);
      out.readAfter = await peek3(call, 32768);
      // While bound, both write paths are refused, and they queue nothing.
      for (const [i, f] of [9, 9, 9].entries()) await call('poke_f32', VALUE + 4 * i, f);
      out.setValue = await call('set_value', ...pos, 9, VALUE, 12);
      out.setValueError = await lastError(call);
      out.setHandle = await call('set_handle', ...pos, 9, VALUE, 12);
      out.refusedBatch = rows(await s.takeBatch());
      // Unbinding: 0, the property is writable again and the bytes no longer matter.
      out.unbind = await call('bind', ...pos, 0, AT);
      await call('poke_f32', AT, 100);
      out.setAfterUnbind = await call('set_value', ...pos, 9, VALUE, 12);
      out.afterUnbind = rows(await s.takeBatch());
      out.unbindAgain = await call('bind', ...pos, 0, AT);
      out.unbindAgainError = await lastError(call);
      out.stats = s.stats();
      s.dispose();
      return out;
    },
    { pos: name('position'), AT, VALUE },
  );
  assert.equal(r.bound, 12, 'a Vector3 is 12 raw bytes');
  assert.deepEqual(r.seed, [1, 2, 3], 'the seeded engine value was copied to the bound bytes');
  assert.equal(r.untouched, 0xaa, 'nothing past the 12 bytes was written');
  assert.deepEqual(r.unchanged, [], 'bytes equal to the seed are no write');
  assert.equal(r.readBefore, 12);
  assert.deepEqual(r.readBeforeValue, [1, 2, 3], 'a read before the harvest sees the seed');
  assert.deepEqual(r.first, [[0, 42, 'position', [4.5, 2, -0.25]]], 'one write of the new value');
  assert.deepEqual(r.second, [], 'no change since the last harvest: nothing');
  assert.deepEqual(r.readAfter, [4.5, 2, -0.25], 'reads see the last harvested value');
  assert.equal(r.setValue, -8, 'object_set_value of a bound property: not_allowed');
  assert.match(r.setValueError, /^object_set_value: not_allowed: .*bound to guest memory/);
  assert.equal(r.setHandle, -8, 'object_set of a bound property: not_allowed');
  assert.deepEqual(r.refusedBatch, [], 'refused writes queue nothing');
  assert.equal(r.unbind, 0);
  assert.equal(r.setAfterUnbind, 0, 'writable again once unbound');
  assert.deepEqual(
    r.afterUnbind,
    [[0, 42, 'position', [9, 9, 9]]],
    'only the set; the unbound bytes are not harvested',
  );
  assert.equal(r.unbindAgain, -7, 'unbinding what is not bound: not_found');
  assert.match(r.unbindAgainError, /^object_bind_value: not_found: /);
  assert.equal(r.stats.abiErrors, 3);
  assert.equal(r.stats.faulted, false);
});

test('node instance: bool, int-as-float and rebinding; a binding keeps harvesting after memory.grow', async () => {
  const r = await harness.page.evaluate(
    async ({ pos, vis, layers, AT }) => {
      const s = await rt.load(NODE_MOD, { self: { id: 7, class: 'MeshInstance3D' } });
      const call = (...a) => s.call(...a);
      await s.setNodeProperty('position', vec3(0, 0, 0));
      await s.setNodeProperty('visible', true);
      await s.setNodeProperty('layers', 5);
      const out = {
        visible: await call('bind', ...vis, 1, AT),
        visibleSeed: await call('peek_u8', AT),
        layersAsVector: await call('bind', ...layers, 9, AT + 8),
        layers: await call('bind', ...layers, 3, AT + 8),
        layersSeed: await call('peek_f64', AT + 8),
        position: await call('bind', ...pos, 9, AT + 16),
      };
      await call('poke_u8', AT, 0);
      await call('poke_f64', AT + 8, 6.5);
      await call('poke_f32', AT + 16, 2);
      out.first = rows(await s.takeBatch());
      // Rebinding moves the binding to a new address (seeded with the last harvested value), not a second one.
      await call('fill', AT + 64, 12, 0);
      out.rebind = await call('bind', ...pos, 9, AT + 64);
      out.rebindSeed = await peek3(call, AT + 64);
      await call('poke_f32', AT + 16, 77);
      out.oldAddress = rows(await s.takeBatch());
      // The guest grows its memory: the buffer the harvest read is detached; it must read the new one.
      out.grow = await call('grow', 2);
      await call('poke_f32', AT + 64, 3);
      out.afterGrow = rows(await s.takeBatch());
      // A binding in the new pages, up to the very last byte.
      const end = 3 * 65536;
      out.high = await call('bind', ...pos, 9, end - 12);
      out.highSeed = await peek3(call, end - 12);
      out.pastEnd = await call('bind', ...pos, 9, end - 11);
      await call('poke_f32', end - 4, 8);
      out.highWrite = rows(await s.takeBatch());
      out.stats = s.stats();
      s.dispose();
      return out;
    },
    { pos: name('position'), vis: name('visible'), layers: name('layers'), AT },
  );
  assert.equal(r.visible, 1, 'a bool is one byte');
  assert.equal(r.visibleSeed, 1);
  assert.equal(r.layersAsVector, -3, 'an INT property bound as VECTOR3: wrong_type');
  assert.equal(r.layers, 8, 'an INT property may bind as FLOAT');
  assert.equal(r.layersSeed, 5, 'seeded as a float');
  assert.equal(r.position, 12);
  // Grouped by property, in binding order.
  assert.deepEqual(r.first, [
    [0, 7, 'visible', false],
    [0, 7, 'layers', 6.5],
    [0, 7, 'position', [2, 0, 0]],
  ]);
  assert.equal(r.rebind, 12);
  assert.deepEqual(r.rebindSeed, [2, 0, 0], 'a rebinding is seeded with the last harvested value');
  assert.deepEqual(r.oldAddress, [], 'the old address is no longer harvested');
  assert.equal(r.grow, 1, 'memory.grow returned the old size in pages');
  assert.deepEqual(r.afterGrow, [[0, 7, 'position', [3, 0, 0]]], 'harvested from the grown memory');
  assert.equal(r.high, 12, 'the last 12 bytes of the grown memory can be bound');
  assert.deepEqual(r.highSeed, [3, 0, 0]);
  assert.equal(r.pastEnd, -4, 'one byte past the end: bad_pointer');
  assert.deepEqual(r.highWrite, [[0, 7, 'position', [3, 0, 8]]]);
  assert.equal(r.stats.abiErrors, 2);
});

test('node instance: every refusal is its exact code; a refused call binds, writes and queues nothing', async () => {
  const r = await harness.page.evaluate(
    async ({ N, AT }) => {
      const s = await rt.load(NODE_MOD, { self: { id: 9, class: 'MeshInstance3D' } });
      const call = (...a) => s.call(...a);
      await s.setNodeProperty('position', vec3(1, 2, 3));
      const stale = await call('stale_self');
      const notObject = await call('int_handle');
      const pos = [N.position, 8];
      // [obj or null (self), name_ptr, name_len, ty, ptr]
      const cases = {
        zeroHandle: [0, ...pos, 9, AT],
        forgedHandle: [0x7fff0000, ...pos, 9, AT],
        staleHandle: [stale, ...pos, 9, AT],
        notAnObject: [notObject, ...pos, 9, AT],
        string: [null, ...pos, 4, AT],
        stringName: [null, ...pos, 21, AT],
        rid: [null, ...pos, 23, AT],
        object: [null, ...pos, 24, AT],
        dictionary: [null, ...pos, 27, AT],
        array: [null, ...pos, 28, AT],
        packedVector4Array: [null, ...pos, 38, AT],
        typeTooLarge: [null, ...pos, 39, AT],
        negativeType: [null, ...pos, -1, AT],
        hugeType: [null, ...pos, 0x7fffffff, AT],
        readOnlyName: [null, N.name, 4, 9, AT],
        script: [null, N.script, 6, 9, AT],
        declaredProperty: [null, N.speed, 5, 3, AT],
        wrongTypeForProperty: [null, ...pos, 3, AT],
        colorForVector: [null, ...pos, 20, AT],
        unseeded: [null, N.rotation, 8, 9, AT],
        valuePastEnd: [null, ...pos, 9, 65536 - 11],
        valueAtEnd: [null, ...pos, 9, 65536],
        negativePointer: [null, ...pos, 9, -1],
        namePastEnd: [null, 65530, 8, 9, AT],
        nameNegative: [null, -4, 8, 9, AT],
        badUtf8: [null, N.badUtf8, 2, 9, AT],
      };
      const out = { codes: {}, errors: {}, written: {} };
      for (const [key, [obj, ...args]] of Object.entries(cases)) {
        await call('fill', AT, 16, 0xaa);
        out.codes[key] = obj === null ? await call('bind', ...args) : await call('bind_of', obj, ...args);
        out.errors[key] = await lastError(call);
        out.written[key] = (await call('peek_u8', AT)) !== 0xaa;
      }
      // Nothing got bound: new bytes at the address are no write, position stays writable, no unbind to do.
      await call('poke_f32', AT, 5);
      out.batch = rows(await s.takeBatch());
      for (const [i, f] of [1, 1, 1].entries()) await call('poke_f32', 256 + 4 * i, f);
      out.setValue = await call('set_value', ...pos, 9, 256, 12);
      out.unbind = await call('bind', ...pos, 0, AT);
      out.stats = s.stats();
      s.dispose();
      return out;
    },
    { N: NAMES, AT },
  );
  assert.deepEqual(r.codes, {
    zeroHandle: E.bad_handle,
    forgedHandle: E.bad_handle,
    staleHandle: E.stale_handle,
    notAnObject: E.wrong_type,
    string: E.wrong_type,
    stringName: E.wrong_type,
    rid: E.wrong_type,
    object: E.wrong_type,
    dictionary: E.wrong_type,
    array: E.wrong_type,
    packedVector4Array: E.wrong_type,
    typeTooLarge: E.bad_value,
    negativeType: E.bad_value,
    hugeType: E.bad_value,
    readOnlyName: E.not_allowed,
    script: E.not_allowed,
    declaredProperty: E.not_allowed,
    wrongTypeForProperty: E.wrong_type,
    colorForVector: E.wrong_type,
    unseeded: E.not_found,
    valuePastEnd: E.bad_pointer,
    valueAtEnd: E.bad_pointer,
    negativePointer: E.bad_pointer,
    namePastEnd: E.bad_pointer,
    nameNegative: E.bad_pointer,
    badUtf8: E.bad_utf8,
  });
  const CODE_NAMES = Object.fromEntries(Object.entries(E).map(([k, v]) => [v, k]));
  for (const [key, text] of Object.entries(r.errors)) {
    assert.ok(text.startsWith(`object_bind_value: ${CODE_NAMES[r.codes[key]]}: `), `${key}: ${text}`);
  }
  assert.match(r.errors.declaredProperty, /declared script property/);
  assert.match(r.errors.wrongTypeForProperty, /Vector3/);
  for (const [key, written] of Object.entries(r.written))
    assert.equal(written, false, `${key}: no seed written`);
  assert.deepEqual(r.batch, [], 'no binding was made by a refused call');
  assert.equal(r.setValue, 0, 'the property is still writable');
  assert.equal(r.unbind, E.not_found, 'and there is nothing to unbind');
  assert.equal(r.stats.abiErrors, Object.keys(r.codes).length + 1);
  assert.equal(r.stats.faulted, false, 'refusals are codes, never traps');
});

test('node instance: a script binds at most 64 properties; rebinding one is not a new one', async () => {
  const r = await harness.page.evaluate(
    async ({ SHAPES, AT }) => {
      const s = await rt.load(NODE_MOD, { self: { id: 11, class: 'MeshInstance3D' } });
      const call = (...a) => s.call(...a);
      for (let i = 0; i <= 64; i++) {
        await s.setNodeProperty(`blend_shapes/s${String(i).padStart(2, '0')}`, i / 4);
      }
      const codes = [];
      for (let i = 0; i < 64; i++) codes.push(await call('bind', SHAPES + 16 * i, 16, 3, AT + 8 * i));
      const out = {
        codes: [...new Set(codes)],
        seeds: [await call('peek_f64', AT), await call('peek_f64', AT + 8 * 63)],
        over: await call('bind', SHAPES + 16 * 64, 16, 3, AT + 8 * 64),
        overError: await lastError(call),
        rebind: await call('bind', SHAPES, 16, 3, AT + 8 * 70),
      };
      // Every one of the 64 is harvested (the 65th is not bound).
      for (let i = 0; i <= 64; i++) await call('poke_f64', AT + 8 * i, -1);
      await call('poke_f64', AT + 8 * 70, -1);
      out.batch = rows(await s.takeBatch());
      // An unbind frees a place.
      out.unbind = await call('bind', SHAPES + 16 * 5, 16, 0, 0);
      out.nowFits = await call('bind', SHAPES + 16 * 64, 16, 3, AT + 8 * 80);
      s.dispose();
      return out;
    },
    { SHAPES, AT },
  );
  assert.deepEqual(r.codes, [8]);
  assert.deepEqual(r.seeds, [0, 63 / 4]);
  assert.equal(r.over, E.handle_limit);
  assert.match(r.overError, /^object_bind_value: handle_limit: .*64/);
  assert.equal(r.rebind, 8, 'rebinding a bound property moves it');
  assert.equal(r.batch.length, 64);
  assert.deepEqual(
    r.batch.map(([, id, property, value]) => [id, property, value]).sort(),
    Array.from({ length: 64 }, (_, i) => [11, SHAPE_NAME(i), -1]).sort(),
  );
  assert.equal(r.unbind, 0);
  assert.equal(r.nowFits, 8);
});

test('worker isolation: the harvest runs inside the worker', async () => {
  const r = await harness.page.evaluate(
    async ({ pos, AT }) => {
      const { s, call } = await openNode({ isolation: 'worker' });
      const out = { isolation: s.isolation, bound: await call('bind', ...pos, 9, AT) };
      out.seed = await peek3(call, AT);
      await call('poke_f32', AT + 4, 0.5);
      out.first = rows(await s.takeBatch());
      out.second = rows(await s.takeBatch());
      out.setValue = await call('set_value', ...pos, 9, AT, 12);
      out.unbind = await call('bind', ...pos, 0, AT);
      out.unbindAgain = await call('bind', ...pos, 0, AT);
      s.dispose();
      return out;
    },
    { pos: name('position'), AT },
  );
  assert.equal(r.isolation, 'worker');
  assert.equal(r.bound, 12);
  assert.deepEqual(r.seed, [1, 2, 3]);
  assert.deepEqual(r.first, [[0, 42, 'position', [1, 0.5, 3]]]);
  assert.deepEqual(r.second, []);
  assert.equal(r.setValue, E.not_allowed);
  assert.equal(r.unbind, 0);
  assert.equal(r.unbindAgain, E.not_found);
});

test('shared instance: 1,000 nodes bound in _ready move with memory stores only; one column per take', async () => {
  const r = await harness.page.evaluate(async () => {
    const group = await rt.loadShared(SHARED_MOD);
    const views = attachSeeded(group, 1000);
    const out = { ready: group.callEach(views, '_ready') };
    // Each node's seed is in its own slot's bytes.
    out.seedsOk = views.every((v, i) => {
      const at = v.callSync('slot_addr');
      return [0, 4, 8].every((o, k) => v.callSync('peek_f32', at + o) === [i, -i, 0.5][k]);
    });
    out.idle = shapes(group.takeBatch());
    out.process = group.callEach(views, '_process', 0.25);
    const take = group.takeBatch();
    out.shapes = shapes(take);
    out.rows = rows(take);
    out.again = rows(group.takeBatch());
    out.errors = views.reduce((n, v) => n + v.stats().abiErrors, 0);

    // A detached node's binding goes with it: its bytes are no longer harvested, the rest still are.
    const gone = views.splice(500, 1)[0];
    const goneAt = gone.callSync('slot_addr');
    gone.dispose();
    group.callEach(views, '_process', 0.25);
    views[0].callSync('poke_f32', goneAt, 1234);
    out.afterDetach = rows(group.takeBatch());

    // The group keeps working: a node attached into the freed slot binds and moves.
    const [fresh] = attachSeeded(group, 1, 5000);
    out.freshSlot = fresh.slot;
    out.freshReady = group.callEach([fresh], '_ready');
    out.freshSeed = fresh.callSync('peek_f32', goneAt);
    group.callEach([fresh], '_process', 0.25);
    out.freshRows = rows(group.takeBatch());

    // memory.grow by the guest detaches the buffer the harvest reads: the next harvest must use the new one.
    out.grow = views[0].callSync('grow', 1);
    group.callEach(views, '_process', 0.25);
    const grown = group.takeBatch();
    out.grownShapes = shapes(grown);
    out.grownRows = rows(grown);
    out.stats = group.stats();
    group.dispose();
    return out;
  });
  assert.equal(r.ready, null, 'every node bound its position (12-byte seed)');
  assert.ok(r.seedsOk, "each node's seed landed at its slot's address");
  assert.deepEqual(r.idle, [], 'seeds are not writes');
  assert.equal(r.process, null);
  assert.deepEqual(r.shapes, [[3, 'position', 1000]], 'one columnar entry for the whole group');
  assert.deepEqual(
    r.rows.map((w) => w[1]),
    Array.from({ length: 1000 }, (_, i) => 1000 + i),
    'ids in attach order',
  );
  r.rows.forEach(([tag, , property, value], i) => {
    assert.deepEqual([tag, property, value], [0, 'position', [i + 0.25, -i, 0.5]], `node ${i}`);
  });
  assert.deepEqual(r.again, []);
  assert.equal(r.errors, 0);

  assert.equal(r.afterDetach.length, 999, 'the detached node is no longer harvested');
  const ids = new Set(r.afterDetach.map((w) => w[1]));
  assert.equal(ids.size, 999);
  assert.ok(!ids.has(1500), 'not even when its old bytes change');
  for (const [, id, , value] of r.afterDetach) {
    const i = id - 1000;
    assert.deepEqual(value, [i + 0.5, -i, 0.5], `node ${i}`);
  }

  assert.equal(r.freshSlot, 500, 'the freed slot is reused');
  assert.equal(r.freshReady, null);
  assert.equal(r.freshSeed, 0, "the new node's seed overwrote the old node's bytes");
  assert.deepEqual(r.freshRows, [[0, 5000, 'position', [0.25, -0, 0.5]]]);

  assert.equal(r.grow, 1);
  assert.deepEqual(r.grownShapes, [[3, 'position', 999]], 'every binding harvested after memory.grow');
  for (const [, id, , value] of r.grownRows) {
    const i = id - 1000;
    assert.deepEqual(value, [i + 0.75, -i, 0.5], `node ${i} after grow`);
  }
  assert.equal(r.stats.memoryBytes, 2 * 65536);
  assert.equal(r.stats.faulted, false);
});

test('shared instance: a binding belongs to its node; the others write the property as usual', async () => {
  const r = await harness.page.evaluate(
    async ({ pos }) => {
      const group = await rt.loadShared(SHARED_MOD);
      const [a, b] = attachSeeded(group, 2);
      const out = { ready: group.callEach([a], '_ready') };
      a.callSync('poke_f32', 256, 3);
      out.bound = a.callSync('set_value', ...pos, 9, 256, 12);
      out.other = b.callSync('set_value', ...pos, 9, 256, 12);
      out.otherUnbind = b.callSync('bind', ...pos, 0, 0);
      a.callSync('poke_f32', a.callSync('slot_addr') + 4, 8);
      out.rows = rows(group.takeBatch());
      out.errors = [a.stats().abiErrors, b.stats().abiErrors];
      group.dispose();
      return out;
    },
    { pos: name('position') },
  );
  assert.equal(r.ready, null);
  assert.equal(r.bound, E.not_allowed);
  assert.equal(r.other, 0, "another node's position is not bound");
  assert.equal(r.otherUnbind, E.not_found, "a node cannot unbind another node's binding");
  assert.deepEqual(r.rows, [
    [0, 1001, 'position', [3, 0, 0]],
    [0, 1000, 'position', [0, 8, 0.5]],
  ]);
  assert.deepEqual(r.errors, [1, 1]);
});

for (const isolation of ['instance', 'worker']) {
  for (const fault of ['boom', 'spin']) {
    test(`${isolation}: a script faulted by ${fault} delivers no harvested write; reset drops its bindings`, async () => {
      const r = await harness.page.evaluate(
        async ({ isolation, fault, pos, AT }) => {
          const { s, call } = await openNode({ isolation, fuel: 100_000 });
          const out = { bound: await call('bind', ...pos, 9, AT) };
          await call('poke_f32', AT, 5);
          out.fault = await attempt(() => call(fault));
          out.faulted = s.stats().faulted;
          out.take = await attempt(async () => rows(await s.takeBatch()));
          await s.reset();
          out.afterReset = rows(await s.takeBatch());
          // Same address, new instance: the old binding is gone with the old memory.
          await call('poke_f32', AT, 6);
          out.stale = rows(await s.takeBatch());
          out.unbind = await call('bind', ...pos, 0, AT);
          out.rebind = await call('bind', ...pos, 9, AT);
          await call('poke_f32', AT + 8, 4);
          out.moved = rows(await s.takeBatch());
          s.dispose();
          return out;
        },
        { isolation, fault, pos: name('position'), AT },
      );
      assert.equal(r.bound, 12);
      assert.equal(r.fault.error.code, fault === 'boom' ? 'trap' : 'fuel_exhausted');
      assert.equal(r.faulted, true);
      // Either isolation refuses the take of a faulted script: its writes die with it (no harvest either).
      assert.equal(
        r.take.error?.code,
        'faulted',
        `the take of a faulted ${isolation} script: ${JSON.stringify(r.take)}`,
      );
      assert.deepEqual(r.afterReset, []);
      assert.deepEqual(r.stale, [], 'bindings do not survive a reset');
      assert.equal(r.unbind, E.not_found);
      assert.equal(r.rebind, 12, 'the reset script binds again');
      assert.equal(r.moved.length, 1);
      assert.equal(r.moved[0][3][2], 4);
    });
  }
}

for (const fault of ['trap', 'fuel']) {
  test(`shared instance: a group faulted by ${fault} delivers no harvested write; reset drops every binding`, async () => {
    const r = await harness.page.evaluate(
      async ({ fault }) => {
        const group = await rt.loadShared(SHARED_MOD, { fuel: 100_000 });
        const views = attachSeeded(group, 20);
        const out = { ready: group.callEach(views, '_ready'), process: group.callEach(views, '_process', 1) };
        out.before = rows(group.takeBatch()).length;
        // Every node moves again, then one node faults the group before the take.
        group.callEach(views, '_process', 1);
        out.fault =
          fault === 'trap'
            ? group.callEach(views, 'trap_if_slot', 7)
            : await attempt(() => views[7].callSync('spin'));
        out.state = views[3].state;
        out.take = rows(group.takeBatch());
        out.takeAgain = rows(group.takeBatch());
        group.reset();
        // The fresh instance's memory holds nothing bound: a store at an old bound address is no write.
        views[0].callSync('poke_f32', views[0].callSync('slot_addr'), 99);
        out.afterReset = rows(group.takeBatch());
        out.readyAgain = group.callEach(views, '_ready');
        out.processAgain = group.callEach(views, '_process', 1);
        out.again = shapes(group.takeBatch());
        group.dispose();
        return out;
      },
      { fault },
    );
    assert.equal(r.ready, null);
    assert.equal(r.process, null);
    assert.equal(r.before, 20);
    if (fault === 'trap') assert.equal(r.fault.code, 'trap');
    else assert.equal(r.fault.error.code, 'fuel_exhausted');
    assert.equal(r.state, 'faulted');
    assert.deepEqual(r.take, [], 'nothing harvested from a faulted group');
    assert.deepEqual(r.takeAgain, []);
    assert.deepEqual(r.afterReset, [], 'bindings do not survive group.reset()');
    assert.equal(r.readyAgain, null, 'every node binds again after the reset');
    assert.equal(r.processAgain, null);
    assert.deepEqual(r.again, [[3, 'position', 20]]);
  });
}

test('instance isolation: a faulted script delivers nothing it queued before the fault', async () => {
  const r = await harness.page.evaluate(
    async ({ scale }) => {
      const { s, call } = await openNode();
      for (const [i, f] of [7, 7, 7].entries()) await call('poke_f32', 256 + 4 * i, f);
      const queued = await call('set_value', ...scale, 9, 256, 12);
      await attempt(() => call('boom'));
      const take = await attempt(async () => rows(await s.takeBatch()));
      s.dispose();
      return { queued, take };
    },
    { scale: name('scale') },
  );
  assert.equal(r.queued, 0);
  assert.equal(r.take.error?.code, 'faulted', 'the write queued in the faulted frame is not delivered');
});

test('after a reset, a property that was bound reads as the last value the harvest sent (as after object_set_value)', async () => {
  const r = await harness.page.evaluate(
    async ({ pos, AT }) => {
      const read = async (s, call) => {
        await s.reset();
        await call('get_value', ...pos, 9, 32768, 12);
        return peek3(call, 32768);
      };
      const bound = await openNode();
      await bound.call('bind', ...pos, 9, AT);
      await bound.call('poke_f32', AT, 5);
      const sentByHarvest = rows(await bound.s.takeBatch());
      const afterBinding = await read(bound.s, bound.call);
      bound.s.dispose();
      const set = await openNode();
      for (const [i, f] of [5, 2, 3].entries()) await set.call('poke_f32', 256 + 4 * i, f);
      await set.call('set_value', ...pos, 9, 256, 12);
      const sentBySet = rows(await set.s.takeBatch());
      const afterSet = await read(set.s, set.call);
      set.s.dispose();
      return { sentByHarvest, sentBySet, afterBinding, afterSet };
    },
    { pos: name('position'), AT },
  );
  assert.deepEqual(r.sentByHarvest, r.sentBySet, 'the same write reached the game either way');
  assert.deepEqual(r.afterSet, [5, 2, 3]);
  assert.deepEqual(r.afterBinding, r.afterSet, 'not the stale seed (1, 2, 3)');
});
