// `ugc.object_set_value` (the one-call typed write) through dist/ugc-wasm.js in Chromium: the values it queues
// land in the batch byte-identically to `new_value` + `object_set`, it allocates no handle, and bad pointers,
// bad values and refused properties give the same typed codes as the handle path — in a node instance, a
// worker, and a shared instance (where the glue copies name and value into the crate's scratch buffer).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { arr, guestWat, openRuntimePage, withCustomSection } from './runtime-harness.mjs';

/**
 * `via_value(name_ptr, name_len, ty, ptr, len)` writes with object_set_value, `via_handle(…)` the same with
 * new_value + object_set. Names live at 0 ("position"), 16 ("visible"), 32 ("name"), 48 ("speed", a
 * declared float property), 128 ("offset", a declared Vector3), 144 ("tint", a declared Color); values are put at 64+
 * by the test through `poke_f32` / `poke_u8`.
 */
const SOURCE = `
(module
  (import "ugc" "self" (func $self (result i32)))
  (import "ugc" "new_value" (func $new_value (param i32 i32 i32) (result i32)))
  (import "ugc" "object_set" (func $set (param i32 i32 i32 i32) (result i32)))
  (import "ugc" "object_set_value" (func $set_value (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "ugc" "release" (func $release (param i32) (result i32)))
  (import "ugc" "node_slot" (func $slot (result i32)))
  (memory 1)
  (data (i32.const 0) "position")
  (data (i32.const 16) "visible")
  (data (i32.const 32) "name")
  (data (i32.const 48) "speed")
  (data (i32.const 128) "offset")
  (data (i32.const 144) "tint")
  ;; The node's self handle, kept per slot (handles are per node under shared instancing).
  (func $me (result i32) (local $cell i32)
    (local.set $cell (i32.add (i32.const 2048) (i32.shl (call $slot) (i32.const 2))))
    (if (i32.eqz (i32.load (local.get $cell))) (then (i32.store (local.get $cell) (call $self))))
    (i32.load (local.get $cell)))
  (func (export "poke_f32") (param i32 f32) (f32.store (local.get 0) (local.get 1)))
  (func (export "poke_u8") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
  (func (export "via_value") (param i32 i32 i32 i32 i32) (result i32)
    (call $set_value (call $me) (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)))
  (func (export "via_handle") (param i32 i32 i32 i32 i32) (result i32) (local $v i32) (local $r i32)
    (local.set $v (call $new_value (local.get 2) (local.get 3) (local.get 4)))
    (if (i32.lt_s (local.get $v) (i32.const 0)) (then (return (local.get $v))))
    (local.set $r (call $set (call $me) (local.get 0) (local.get 1) (local.get $v)))
    (drop (call $release (local.get $v)))
    (local.get $r))
)`;

const PROPERTIES = [
  { name: 'speed', type: 'float', default: 1 },
  { name: 'offset', type: 'Vector3', default: [0, 0, 0] },
  { name: 'tint', type: 'Color', default: [1, 1, 1, 1] },
];
const NODE = withCustomSection(
  guestWat(SOURCE),
  'ugc_script',
  JSON.stringify({ extends: 'Node3D', properties: PROPERTIES }),
);
const SHARED = withCustomSection(
  guestWat(SOURCE),
  'ugc_script',
  JSON.stringify({ extends: 'Node3D', instancing: 'shared', properties: PROPERTIES }),
);

let harness;
before(async () => {
  harness = await openRuntimePage();
  await harness.page.evaluate(
    ({ node, shared }) => {
      window.NODE_MOD = window.bytes(node);
      window.SHARED_MOD = window.bytes(shared);
      // The writes both paths make: (name ptr, len, type, value ptr, len), values poked first.
      window.WRITES = [
        [0, 8, 9, 64, 12],
        [16, 7, 1, 80, 1],
        [0, 8, 9, 96, 12],
      ];
      window.poke = async (call) => {
        for (const [at, f] of [
          [64, 1.5],
          [68, -2],
          [72, 1e30],
          [96, 0.1],
          [100, -0],
          [104, 3.25],
        ])
          await call('poke_f32', at, f);
        await call('poke_u8', 80, 1);
      };
      window.hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    },
    { node: arr(NODE), shared: arr(SHARED) },
  );
});
after(async () => {
  assert.deepEqual(harness.pageErrors, [], 'no uncaught errors on the page');
  await harness.close();
});

for (const isolation of ['instance', 'worker']) {
  test(`${isolation}: object_set_value queues the same batch bytes as new_value + object_set, no handle`, async () => {
    const r = await harness.page.evaluate(
      async ({ isolation }) => {
        const out = {};
        for (const path of ['via_value', 'via_handle']) {
          const s = await rt.load(NODE_MOD, { isolation, self: { id: 42, class: 'Node3D' } });
          await poke((...a) => s.call(...a));
          out[path] = { codes: [] };
          for (const w of WRITES) out[path].codes.push(await s.call(path, ...w));
          out[path].batch = hex(await s.takeBatch());
          out[path].stats = s.stats();
          s.dispose();
        }
        return out;
      },
      { isolation },
    );
    assert.deepEqual(r.via_value.codes, [0, 0, 0]);
    assert.deepEqual(r.via_handle.codes, [0, 0, 0]);
    assert.ok(r.via_value.batch.length > 16);
    assert.equal(r.via_value.batch, r.via_handle.batch, 'byte-identical batches');
    assert.equal(r.via_value.stats.liveHandles, 1, 'only the kept self handle');
    assert.equal(r.via_value.stats.abiErrors, 0);
  });

  test(`${isolation}: bad pointers, bad values and refused properties give typed codes, queue nothing`, async () => {
    const r = await harness.page.evaluate(
      async ({ isolation }) => {
        const s = await rt.load(NODE_MOD, { isolation, self: { id: 42, class: 'Node3D' } });
        const cases = {
          nameOutOfMemory: [65530, 8, 9, 64, 12],
          valueOutOfMemory: [0, 8, 9, 65530, 12],
          negativeValuePtr: [0, 8, 9, -1, 12],
          hugeValueLen: [0, 8, 9, 64, -1],
          shortVector3: [0, 8, 9, 64, 8],
          notAType: [0, 8, 999, 64, 12],
          wrongTypeForProperty: [48, 5, 9, 64, 12],
          readOnly: [32, 4, 4, 64, 1],
        };
        const out = { codes: {}, handle: {} };
        for (const [name, args] of Object.entries(cases)) {
          out.codes[name] = await s.call('via_value', ...args);
          if (name !== 'valueOutOfMemory' && name !== 'negativeValuePtr' && name !== 'hugeValueLen')
            out.handle[name] = await s.call('via_handle', ...args);
        }
        out.batch = (await s.takeBatch()).length;
        out.stats = s.stats();
        s.dispose();
        return out;
      },
      { isolation },
    );
    assert.deepEqual(r.codes, {
      nameOutOfMemory: -4,
      valueOutOfMemory: -4,
      negativeValuePtr: -4,
      hugeValueLen: -4,
      shortVector3: -10,
      notAType: -10,
      wrongTypeForProperty: -3,
      readOnly: -8,
    });
    // The handle path refuses the same inputs the same way (bad_value from new_value or from the batch).
    for (const [name, code] of Object.entries(r.handle)) assert.equal(code, r.codes[name], name);
    assert.equal(r.stats.abiErrors, 8 + Object.keys(r.handle).length);
    assert.equal(r.stats.faulted, false, 'bad input is an error code, never a trap');
    assert.equal(r.batch, 8, 'an empty Array: nothing refused was queued');
  });
}

test('shared instance: one-call writes of every node land in the group batch as the handle path does', async () => {
  const r = await harness.page.evaluate(async () => {
    const out = {};
    for (const path of ['via_value', 'via_handle']) {
      const group = await rt.loadShared(SHARED_MOD);
      const views = Array.from({ length: 50 }, (_, i) =>
        group.attach({ self: { id: 500 + i, class: 'Node3D' } }),
      );
      await poke((...a) => views[0].callSync(...a));
      const codes = new Set();
      for (const v of views) for (const w of WRITES) codes.add(v.callSync(path, ...w));
      out[path] = { codes: [...codes], batch: hex(group.takeBatch()), handles: views[7].stats().liveHandles };
      group.dispose();
    }
    return out;
  });
  assert.deepEqual(r.via_value.codes, [0]);
  assert.deepEqual(r.via_handle.codes, [0]);
  assert.equal(r.via_value.batch, r.via_handle.batch);
  assert.equal(r.via_value.handles, 1);
});

test('shared view: propertyBytes is the declared property as Godot Variant bytes (Vector3, Color intact)', async () => {
  const r = await harness.page.evaluate(async () => {
    const group = await rt.loadShared(SHARED_MOD);
    const [a, b] = [0, 1].map((i) => group.attach({ self: { id: 700 + i, class: 'Node3D' } }));
    // Node b writes its own declared properties with the one-call write: stored for b only.
    const f32 = [0.1, -2.5, 1e-3, 0.75];
    for (let i = 0; i < 4; i++) b.callSync('poke_f32', 64 + 4 * i, f32[i]);
    const codes = [b.callSync('via_value', 128, 6, 9, 64, 12), b.callSync('via_value', 144, 4, 20, 64, 16)];
    const out = {
      codes,
      offsetB: hex(b.propertyBytes('offset')),
      tintB: hex(b.propertyBytes('tint')),
      offsetA: hex(a.propertyBytes('offset')),
      speed: hex(b.propertyBytes('speed')),
      fresh: b.propertyBytes('offset') !== b.propertyBytes('offset'),
      decoded: b.property('tint'),
      undeclared: await attempt(() => b.propertyBytes('position')),
    };
    b.dispose();
    out.detached = await attempt(() => b.propertyBytes('offset'));
    group.dispose();
    return out;
  });
  // Godot's encoding: u32 type (9 Vector3, 20 Color, 3 float with the 64-bit flag) then the fields.
  const le = (type, floats) => {
    const buf = Buffer.alloc(4 + 4 * floats.length);
    buf.writeUInt32LE(type, 0);
    floats.forEach((f, i) => buf.writeFloatLE(f, 4 + 4 * i));
    return buf.toString('hex');
  };
  assert.deepEqual(r.codes, [0, 0]);
  assert.equal(r.offsetB, le(9, [0.1, -2.5, 1e-3]));
  assert.equal(r.tintB, le(20, [0.1, -2.5, 1e-3, 0.75]));
  assert.equal(r.offsetA, le(9, [0, 0, 0]), 'node a keeps its own default');
  // A float that fits single precision losslessly is encoded as one (as Godot's encode_variant does).
  const speed = Buffer.alloc(8);
  speed.writeUInt32LE(3, 0);
  speed.writeFloatLE(1, 4);
  assert.equal(r.speed, speed.toString('hex'));
  assert.equal(r.fresh, true, 'a fresh array per call');
  assert.equal(r.undeclared.error.code, 'abi_error');
  assert.match(r.undeclared.error.message, /not_found/);
  assert.equal(r.detached.error.code, 'disposed');
  assert.ok(r.decoded !== null && typeof r.decoded === 'object');
});

test("rt.capabilities() is the crate's default rules in the shape the Godot addon reads", async () => {
  const r = await harness.page.evaluate(() => {
    const caps = rt.capabilities();
    caps.classes.Node3D.properties.position = 'mutated';
    return { caps, again: rt.capabilities().classes.Node3D.properties.position };
  });
  const node3d = r.caps.classes.Node3D;
  assert.equal(node3d.parent, 'Node');
  assert.equal(node3d.methods.rotate_y, 'command');
  assert.equal(node3d.methods.to_global, 'query');
  assert.equal(r.caps.classes.MeshInstance3D.property_prefixes['blend_shapes/'], 'rw');
  assert.equal(r.caps.classes.Node.properties.name, 'r');
  assert.equal(r.caps.classes.Node.parent, 'Object');
  assert.equal(r.caps.classes.Object.parent, undefined, 'the root has no parent key');
  for (const name of ['set_script', 'call', 'free', 'get_tree'])
    assert.ok(r.caps.always_refused.includes(name));
  assert.equal(r.again, 'rw', 'each call returns a fresh object');
});
