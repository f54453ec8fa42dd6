// `ugc.object_get_value` (the one-call typed read) through dist/ugc-wasm.js in Chromium: it writes exactly the
// bytes `object_get` + `value_read` write, for engine properties, declared properties and the node's own queued
// writes, allocates no handle, and refuses bad pointers, bad types and refused properties with typed codes — in
// a node instance, a worker, and a shared instance (where the glue copies the name into the crate's scratch
// buffer and the value back out of it; values longer than the buffer come the slow way).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { arr, guestWat, openRuntimePage, withCustomSection } from './runtime-harness.mjs';

/**
 * `via_value(name_ptr, name_len, ty, out_ptr, cap)` reads with object_get_value, `via_handle(name_ptr, name_len,
 * out_ptr, cap)` with object_get + value_read + release. `write(…)` is object_set_value (to queue a write).
 * Names: 0 "position", 16 "visible", 32 "script", 48 "speed", 64 "count", 80 "rotation", 96 "scale",
 * 128 "offset", 144 "tint", 160 "label", 176 two bytes of bad UTF-8. Values to write go at 256+; reads land
 * at 4096+ (via_value) and 8192+ (via_handle).
 */
const SOURCE = `
(module
  (import "ugc" "self" (func $self (result i32)))
  (import "ugc" "object_get" (func $get (param i32 i32 i32) (result i32)))
  (import "ugc" "value_read" (func $read (param i32 i32 i32) (result i32)))
  (import "ugc" "object_get_value" (func $get_value (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "ugc" "object_set_value" (func $set_value (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "ugc" "release" (func $release (param i32) (result i32)))
  (import "ugc" "node_slot" (func $slot (result i32)))
  (memory 1)
  (data (i32.const 0) "position")
  (data (i32.const 16) "visible")
  (data (i32.const 32) "script")
  (data (i32.const 48) "speed")
  (data (i32.const 64) "count")
  (data (i32.const 80) "rotation")
  (data (i32.const 96) "scale")
  (data (i32.const 128) "offset")
  (data (i32.const 144) "tint")
  (data (i32.const 160) "label")
  (data (i32.const 176) "\\ff\\fe")
  ;; The node's self handle, kept per slot (handles are per node under shared instancing).
  (func $me (result i32) (local $cell i32)
    (local.set $cell (i32.add (i32.const 2048) (i32.shl (call $slot) (i32.const 2))))
    (if (i32.eqz (i32.load (local.get $cell))) (then (i32.store (local.get $cell) (call $self))))
    (i32.load (local.get $cell)))
  (func (export "poke_f32") (param i32 f32) (f32.store (local.get 0) (local.get 1)))
  (func (export "peek_f32") (param i32) (result f32) (f32.load (local.get 0)))
  (func (export "peek_f64") (param i32) (result f64) (f64.load (local.get 0)))
  (func (export "peek_u8") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "fill") (param $at i32) (param $n i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (i32.store8 (i32.add (local.get $at) (local.get $n)) (i32.const 0xAA))
        (br $next))))
  ;; 1 when [a, a+n) and [b, b+n) hold the same bytes.
  (func (export "same") (param $a i32) (param $b i32) (param $n i32) (result i32) (local $i i32)
    (block $differ
      (loop $next
        (if (i32.ge_u (local.get $i) (local.get $n)) (then (return (i32.const 1))))
        (br_if $differ
          (i32.ne (i32.load8_u (i32.add (local.get $a) (local.get $i)))
                  (i32.load8_u (i32.add (local.get $b) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.const 0))
  (func (export "via_value") (param i32 i32 i32 i32 i32) (result i32)
    (call $get_value (call $me) (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)))
  (func (export "via_value_of") (param i32 i32 i32 i32 i32 i32) (result i32)
    (call $get_value (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4) (local.get 5)))
  (func (export "via_handle") (param i32 i32 i32 i32) (result i32) (local $h i32) (local $r i32)
    (local.set $h (call $get (call $me) (local.get 0) (local.get 1)))
    (if (i32.lt_s (local.get $h) (i32.const 0)) (then (return (local.get $h))))
    (local.set $r (call $read (local.get $h) (local.get 2) (local.get 3)))
    (drop (call $release (local.get $h)))
    (local.get $r))
  (func (export "write") (param i32 i32 i32 i32 i32) (result i32)
    (call $set_value (call $me) (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)))
)`;

const LONG_LABEL = 'ünïcødé label, longer than the crate’s 256-byte scratch buffer: '.repeat(6);
const PROPERTIES = [
  { name: 'speed', type: 'float', default: 1.25 },
  { name: 'count', type: 'int', default: 7 },
  { name: 'offset', type: 'Vector3', default: [0.5, -1, 2] },
  { name: 'tint', type: 'Color', default: [1, 0.5, 0.25, 1] },
  { name: 'label', type: 'String', default: 'héllo, a label longer than thirty-two bytes' },
];
const module = (instancing) =>
  withCustomSection(
    guestWat(SOURCE),
    'ugc_script',
    JSON.stringify({ extends: 'Node3D', properties: PROPERTIES, ...(instancing ? { instancing } : {}) }),
  );

// The reads both paths make: [name ptr, name len, type].
const READS = {
  position: [0, 8, 9],
  visible: [16, 7, 1],
  speed: [48, 5, 3],
  count: [64, 5, 2],
  offset: [128, 6, 9],
  tint: [144, 4, 20],
  label: [160, 5, 4],
  queuedScale: [96, 5, 9],
};

let harness;
before(async () => {
  harness = await openRuntimePage();
  await harness.page.evaluate(
    ({ node, shared, reads }) => {
      window.NODE_MOD = window.bytes(node);
      window.SHARED_MOD = window.bytes(shared);
      window.READS = reads;
      window.vec3 = (x, y, z) => {
        const v = new DataView(new ArrayBuffer(16));
        v.setUint32(0, 9, true);
        [x, y, z].forEach((c, i) => v.setFloat32(4 + 4 * i, c, true));
        return v.buffer;
      };
      // Both paths, same property: lengths, whether the bytes agree, live handles before/after the one-call read.
      window.compare = async (call, stats) => {
        const out = {};
        for (const [key, [np, nl, ty]] of Object.entries(READS)) {
          await call('fill', 4096, 2048);
          await call('fill', 8192, 2048);
          const live = (await stats()).liveHandles;
          const n = await call('via_value', np, nl, ty, 4096, 2048);
          const liveAfter = (await stats()).liveHandles;
          const m = await call('via_handle', np, nl, 8192, 2048);
          out[key] = { n, m, same: await call('same', 4096, 8192, 2048), live, liveAfter };
        }
        return out;
      };
    },
    { node: arr(module(null)), shared: arr(module('shared')), reads: READS },
  );
});
after(async () => {
  assert.deepEqual(harness.pageErrors, [], 'no uncaught errors on the page');
  await harness.close();
});

const LENGTHS = { position: 12, visible: 1, speed: 8, count: 8, offset: 12, tint: 16, queuedScale: 12 };

function assertSame(reads, what) {
  for (const [key, r] of Object.entries(reads)) {
    assert.ok(r.n > 0, `${what} ${key}: ${JSON.stringify(r)}`);
    assert.equal(r.n, r.m, `${what} ${key}: same length`);
    if (key in LENGTHS) assert.equal(r.n, LENGTHS[key], `${what} ${key}`);
    assert.equal(r.same, 1, `${what} ${key}: same bytes`);
    assert.equal(r.liveAfter, r.live, `${what} ${key}: no handle allocated`);
  }
}

for (const isolation of ['instance', 'worker']) {
  test(`${isolation}: object_get_value writes the bytes object_get + value_read write, no handle`, async () => {
    const r = await harness.page.evaluate(
      async ({ isolation, long }) => {
        const s = await rt.load(NODE_MOD, { isolation, self: { id: 42, class: 'Node3D' } });
        const call = (...a) => s.call(...a);
        await s.setNodeProperty('position', vec3(1.5, -2, 1e30));
        await s.setNodeProperty('visible', true);
        // A queued write of the node's own is what it reads back.
        for (const [i, f] of [0.25, 4, -8].entries()) await call('poke_f32', 256 + 4 * i, f);
        const written = await call('write', 96, 5, 9, 256, 12);
        const short = await compare(call, () => s.stats());
        // A value longer than the scratch buffer, and one that does not fit `cap`.
        await s.setProperty('label', long);
        const longReads = await compare(call, () => s.stats());
        await call('fill', 4096, 2048);
        const tooSmall = await call('via_value', 0, 8, 9, 4096, 11);
        const untouched = await call('peek_u8', 4096);
        const position = [];
        await call('via_value', 0, 8, 9, 4096, 12);
        for (let i = 0; i < 3; i++) position.push(await call('peek_f32', 4096 + 4 * i));
        // An INT property read as FLOAT widens.
        const widened = await call('via_value', 64, 5, 3, 4096, 8);
        const count = await call('peek_f64', 4096);
        const stats = await s.stats();
        s.dispose();
        return { written, short, longReads, tooSmall, untouched, position, widened, count, stats };
      },
      { isolation, long: LONG_LABEL },
    );
    assert.equal(r.written, 0);
    assertSame(r.short, isolation);
    assertSame(r.longReads, `${isolation} (long label)`);
    assert.equal(r.longReads.label.n, new TextEncoder().encode(LONG_LABEL).length);
    assert.ok(r.longReads.label.n > 256);
    assert.equal(r.tooSmall, 12, 'the full length');
    assert.equal(r.untouched, 0xaa, 'nothing written when it does not fit');
    assert.deepEqual(r.position, [1.5, -2, Math.fround(1e30)]);
    assert.equal(r.widened, 8);
    assert.equal(r.count, 7);
    assert.equal(r.stats.abiErrors, 0);
  });

  test(`${isolation}: every error code, bad pointers first, nothing written`, async () => {
    const r = await harness.page.evaluate(
      async ({ isolation }) => {
        const s = await rt.load(NODE_MOD, { isolation, self: { id: 42, class: 'Node3D' } });
        const call = (...a) => s.call(...a);
        await s.setNodeProperty('position', vec3(1, 2, 3));
        const cases = {
          nameOutOfMemory: [65530, 8, 9, 4096, 12],
          outOutOfMemory: [0, 8, 9, 65530, 12],
          negativeOutPtr: [0, 8, 9, -1, 12],
          hugeCap: [0, 8, 9, 4096, -1],
          notAType: [0, 8, 999, 4096, 12],
          negativeType: [0, 8, -1, 4096, 12],
          wrongType: [0, 8, 3, 4096, 12],
          floatAsInt: [48, 5, 2, 4096, 12],
          notAllowed: [32, 6, 24, 4096, 12],
          notFound: [80, 8, 9, 4096, 12],
          badUtf8: [176, 2, 9, 4096, 12],
        };
        const out = { codes: {}, written: {} };
        for (const [name, args] of Object.entries(cases)) {
          await call('fill', 4096, 16);
          out.codes[name] = await call('via_value', ...args);
          out.written[name] = (await call('peek_u8', 4096)) !== 0xaa;
        }
        out.codes.badHandle = await call('via_value_of', 0, 0, 8, 9, 4096, 12);
        out.codes.unknownHandle = await call('via_value_of', 0x7fff0000, 0, 8, 9, 4096, 12);
        out.stats = await s.stats();
        s.dispose();
        return out;
      },
      { isolation },
    );
    assert.deepEqual(r.codes, {
      nameOutOfMemory: -4,
      outOutOfMemory: -4,
      negativeOutPtr: -4,
      hugeCap: -4,
      notAType: -10,
      negativeType: -10,
      wrongType: -3,
      floatAsInt: -3,
      notAllowed: -8,
      notFound: -7,
      badUtf8: -9,
      badHandle: -1,
      unknownHandle: -1,
    });
    for (const [name, written] of Object.entries(r.written)) assert.equal(written, false, name);
    assert.equal(r.stats.abiErrors, Object.keys(r.codes).length);
    assert.equal(r.stats.faulted, false, 'bad input is an error code, never a trap');
  });
}

test('shared instance: every node reads its own values, as the handle path does, no handle', async () => {
  const r = await harness.page.evaluate(async () => {
    const group = await rt.loadShared(SHARED_MOD);
    const views = Array.from({ length: 20 }, (_, i) =>
      group.attach({ self: { id: 500 + i, class: 'Node3D' } }),
    );
    views.forEach((v, i) => {
      v.setNodeProperty('position', vec3(i, 10 * i, -i));
      v.setNodeProperty('visible', i % 2 === 0);
    });
    const out = { reads: [], positions: [], codes: [] };
    for (const [i, v] of views.entries()) {
      const call = (...a) => v.callSync(...a);
      // Each node queues its own scale (x = its index).
      for (const [k, f] of [i, 1, 2].entries()) call('poke_f32', 256 + 4 * k, f);
      out.codes.push(call('write', 96, 5, 9, 256, 12));
    }
    for (const v of views) {
      const call = (...a) => v.callSync(...a);
      out.reads.push(await compare(call, () => v.stats()));
      call('via_value', 0, 8, 9, 4096, 12);
      out.positions.push([0, 1, 2].map((k) => call('peek_f32', 4096 + 4 * k)));
      call('via_value', 96, 5, 9, 4096, 12);
      out.positions[out.positions.length - 1].push(call('peek_f32', 4096));
    }
    out.errors = [
      views[3].callSync('via_value', 0, 8, 9, 65530, 12),
      views[3].callSync('via_value', 0, 8, 20, 4096, 16),
      views[3].callSync('via_value', 32, 6, 24, 4096, 12),
    ];
    group.dispose();
    return out;
  });
  assert.deepEqual(new Set(r.codes), new Set([0]));
  r.reads.forEach((reads, i) => assertSame(reads, `node ${i}`));
  r.positions.forEach((p, i) => assert.deepEqual(p, [i, 10 * i, -i, i], `node ${i}`));
  assert.deepEqual(r.errors, [-4, -3, -8]);
});
