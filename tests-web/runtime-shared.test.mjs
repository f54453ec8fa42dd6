// Shared instancing through dist/ugc-wasm.js in Chromium: one instance serving 1,000+ nodes, per-node state via
// ugc.node_slot, slot reuse, group-wide fault containment, per-node handles, one batch per group; and node
// instancing past the browser's cap on live Wasm memories failing with a typed memory_limit.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { arr, guestWat, openRuntimePage, wat, withCustomSection } from './runtime-harness.mjs';

/** Per-node counters at 1024 + 4·slot; `_process` writes position = Vector3(slot, counter, 0) to its node. */
const SHARED_SOURCE = `
(module
  (import "ugc" "node_slot" (func $slot (result i32)))
  (import "ugc" "self" (func $self (result i32)))
  (import "ugc" "new_value" (func $new_value (param i32 i32 i32) (result i32)))
  (import "ugc" "object_set" (func $set (param i32 i32 i32 i32) (result i32)))
  (import "ugc" "release" (func $release (param i32) (result i32)))
  (import "ugc" "type_of" (func $type_of (param i32) (result i32)))
  (memory 1)
  (data (i32.const 0) "position")
  (global $kept (mut i32) (i32.const 0))
  (func $cell (result i32) (i32.add (i32.const 1024) (i32.shl (call $slot) (i32.const 2))))
  (func (export "_ready") (i32.store (call $cell) (i32.const 0)))
  (func (export "_process") (param f64)
    (local $c i32) (local $self i32) (local $v i32)
    (local.set $c (i32.add (i32.load (call $cell)) (i32.const 1)))
    (i32.store (call $cell) (local.get $c))
    (f32.store (i32.const 16) (f32.convert_i32_s (call $slot)))
    (f32.store (i32.const 20) (f32.convert_i32_s (local.get $c)))
    (f32.store (i32.const 24) (f32.const 0))
    (local.set $self (call $self))
    (local.set $v (call $new_value (i32.const 9) (i32.const 16) (i32.const 12)))
    (drop (call $set (local.get $self) (i32.const 0) (i32.const 8) (local.get $v)))
    (drop (call $release (local.get $v)))
    (drop (call $release (local.get $self))))
  (func (export "slot") (result i32) (call $slot))
  (func (export "counter") (result i32) (i32.load (call $cell)))
  (func (export "keep_self") (global.set $kept (call $self)))
  (func (export "use_kept") (result i32) (call $type_of (global.get $kept)))
  (func (export "trap_if_slot") (param i32) (if (i32.eq (call $slot) (local.get 0)) (then unreachable)))
  (func (export "spin_if_slot") (param i32) (if (i32.eq (call $slot) (local.get 0)) (then (loop $l (br $l)))))
)`;

const SHARED = withCustomSection(
  guestWat(SHARED_SOURCE),
  'ugc_script',
  JSON.stringify({ extends: 'Node3D', instancing: 'shared' }),
);
/** The same code declaring node instancing (the default), and a manifest with an unknown mode. */
const NODE = withCustomSection(guestWat(SHARED_SOURCE), 'ugc_script', JSON.stringify({ extends: 'Node3D' }));
const BAD_MODE = withCustomSection(guestWat(SHARED_SOURCE), 'ugc_script', '{"instancing":"per_node"}');
/** No `ugc` imports, so no script host ever reads its (bad) manifest: it loads as before, as "node". */
const HOSTLESS_BAD_MODE = withCustomSection(
  wat('(module (func (export "f") (result i32) i32.const 3))'),
  'ugc_script',
  '{"instancing":1}',
);
/** A minimal module with a one-page memory: every node instance of it holds one live Wasm memory. */
const ONE_PAGE = wat('(module (memory 1) (func (export "f") (result i32) i32.const 1))');

let harness;
before(async () => {
  harness = await openRuntimePage();
  await harness.page.evaluate(
    ({ shared, node, badMode, hostless }) => {
      window.HOSTLESS_BAD_MODE = window.bytes(hostless);
      window.SHARED = window.bytes(shared);
      window.NODE = window.bytes(node);
      window.BAD_MODE = window.bytes(badMode);
      // Attaches `n` nodes (ids 1000 + i, Node3D) to `group`.
      window.attachMany = (group, n) =>
        Array.from({ length: n }, (_, i) => group.attach({ self: { id: 1000 + i, class: 'Node3D' } }));
    },
    { shared: arr(SHARED), node: arr(NODE), badMode: arr(BAD_MODE), hostless: arr(HOSTLESS_BAD_MODE) },
  );
});
after(async () => {
  assert.deepEqual(harness.pageErrors, [], 'no uncaught errors on the page');
  await harness.close();
});

test('the manifest says which instancing a module wants; load reports it', async () => {
  const r = await harness.page.evaluate(async () => {
    const script = await rt.load(NODE, { self: { id: 1, class: 'Node3D' } });
    const out = {
      shared: rt.instancing(SHARED),
      node: rt.instancing(NODE),
      bad: await attempt(() => rt.instancing(BAD_MODE)),
      badLoad: await attempt(() => rt.load(BAD_MODE)),
      hostless: await attempt(async () => {
        const s = await rt.load(HOSTLESS_BAD_MODE);
        const out = [s.callSync('f'), s.instancing];
        s.dispose();
        return out;
      }),
      scriptInstancing: script.instancing,
      reportInstancing: script.report.manifest?.instancing,
      nodeSlot: script.callSync('slot'),
      worker: await attempt(() => rt.loadShared(SHARED, { isolation: 'worker' })),
    };
    script.dispose();
    return out;
  });
  assert.equal(r.shared, 'shared');
  assert.equal(r.node, 'node');
  assert.equal(r.bad.error.code, 'load_failed');
  assert.match(r.bad.error.message, /bad_instancing/);
  assert.equal(r.badLoad.error.code, 'load_failed');
  assert.deepEqual(r.hostless.value, [3, 'node'], 'a manifest nobody reads does not fail the load');
  assert.equal(r.scriptInstancing, 'node');
  assert.equal(r.reportInstancing, 'node');
  assert.equal(r.nodeSlot, 0, 'node instancing: node_slot is always 0');
  assert.equal(r.worker.error.code, 'bad_argument');
  assert.match(r.worker.error.message, /instance isolation/);
});

test('1,200 nodes share one instance: per-node state by slot, one batch with every write in call order', async () => {
  const r = await harness.page.evaluate(async () => {
    const before = rt.stats().liveScripts;
    const group = await rt.loadShared(SHARED);
    const views = attachMany(group, 1200);
    const slotsOk = views.every((v, i) => v.slot === i && v.callSync('slot') === i);
    assert(group.callEach(views, '_ready') === null);
    const faults = [];
    for (let frame = 0; frame < 3; frame++) faults.push(group.callEach(views, '_process', 1 / 60));
    // Extra frames for every tenth node only: their counters move on independently.
    const tenth = views.filter((_, i) => i % 10 === 0);
    faults.push(group.callEach(tenth, '_process', 1 / 60));
    const counters = views.map((v) => v.callSync('counter'));
    const batch = rt.decodeVariant(group.takeBatch());
    const again = rt.decodeVariant(group.takeBatch());
    const stats = { group: group.stats(), view: views[7].stats(), size: group.size };
    const live = rt.stats().liveScripts - before;
    group.dispose();
    return { slotsOk, faults, counters, batch, again, stats, live, after: rt.stats().liveScripts - before };
    function assert(ok) {
      if (!ok) throw new Error('assertion failed in page');
    }
  });
  assert.ok(r.slotsOk, 'slots are 0..n-1 in attach order and node_slot() answers each node its own');
  assert.deepEqual(r.faults, [null, null, null, null]);
  r.counters.forEach((c, i) => assert.equal(c, i % 10 === 0 ? 4 : 3, `counter of node ${i}`));
  assert.equal(r.batch.length, 3 * 1200 + 120, 'every write of every node');
  // Call order: frame by frame, node by node.
  for (let frame = 0; frame < 3; frame++) {
    for (let i = 0; i < 1200; i += 97) {
      const [tag, id, name, value] = r.batch[frame * 1200 + i];
      assert.deepEqual([tag, id, name], [0, 1000 + i, 'position']);
      assert.deepEqual(value, { x: i, y: frame + 1, z: 0 });
    }
  }
  assert.deepEqual(r.batch[3600][3], { x: 0, y: 4, z: 0 });
  assert.deepEqual(r.batch.at(-1)[3], { x: 1190, y: 4, z: 0 });
  assert.deepEqual(r.again, [], 'the take emptied the group batch');
  assert.equal(r.stats.size, 1200);
  assert.equal(r.stats.group.views, 1200);
  assert.equal(r.stats.group.faulted, false);
  assert.equal(r.stats.view.slot, 7);
  assert.equal(r.stats.view.liveHandles, 0, 'the guest released its handles');
  assert.equal(r.stats.view.abiErrors, 0);
  assert.equal(r.live, 1, 'a group counts as one live script');
  assert.equal(r.after, 0);
});

test('detached slots are reused smallest first; a detached view is disposed', async () => {
  const r = await harness.page.evaluate(async () => {
    const group = await rt.loadShared(SHARED);
    const views = attachMany(group, 10);
    for (const i of [7, 3, 5]) views[i].dispose();
    views[3].dispose(); // idempotent
    const reused = [0, 1, 2, 3].map((i) => group.attach({ self: { id: 50 + i, class: 'Node3D' } }));
    const detached = await attempt(() => views[3].callSync('slot'));
    const foreign = await attempt(() => group.callEach([views[0], views[7]], 'slot'));
    const out = {
      slots: reused.map((v) => v.callSync('slot')),
      size: group.size,
      detached,
      detachedState: views[3].state,
      foreign,
    };
    group.dispose();
    out.afterDispose = await attempt(() => views[0].callSync('slot'));
    out.groupAfterDispose = await attempt(() => group.attach({ self: { id: 1 } }));
    return out;
  });
  assert.deepEqual(r.slots, [3, 5, 7, 10]);
  assert.equal(r.size, 11);
  assert.equal(r.detached.error.code, 'disposed');
  assert.equal(r.detachedState, 'disposed');
  assert.equal(r.foreign.error.code, 'bad_argument');
  assert.equal(r.afterDispose.error.code, 'disposed');
  assert.equal(r.groupAfterDispose.error.code, 'disposed');
});

test("a trap in one node's call faults every view of its group, and no other group", async () => {
  const r = await harness.page.evaluate(async () => {
    const a = await rt.loadShared(SHARED);
    const b = await rt.loadShared(SHARED);
    const va = attachMany(a, 20);
    const vb = attachMany(b, 20);
    a.callEach(va, '_process', 0.1);
    const fault = a.callEach(va, 'trap_if_slot', 5);
    const calls = va.map((v) => v.stats().calls);
    const out = {
      fault,
      states: va.map((v) => v.state),
      sameFault: va.every((v) => v.fault === a.fault),
      later: await attempt(() => va[12].callSync('slot')),
      again: a.callEach(va, '_process', 0.1),
      batch: rt.decodeVariant(a.takeBatch()),
      calls,
      other: b.callEach(vb, '_process', 0.1),
      otherStates: vb.map((v) => v.state),
      otherBatch: rt.decodeVariant(b.takeBatch()).length,
    };
    a.reset();
    out.afterReset = {
      fault: a.callEach(va, '_process', 0.1),
      slot: va[12].callSync('slot'),
      state: va[3].state,
    };
    a.dispose();
    b.dispose();
    return out;
  });
  assert.equal(r.fault.code, 'trap');
  assert.equal(r.fault.export, 'trap_if_slot');
  assert.ok(r.states.every((s) => s === 'faulted'));
  assert.ok(r.sameFault, 'every view reports the one group fault');
  assert.equal(r.later.error.code, 'faulted');
  assert.equal(r.later.error.fault, 'trap');
  assert.equal(r.again.code, 'trap', 'a faulted group calls nothing and returns its fault');
  assert.deepEqual(r.batch, [], 'what a faulted instance queued is dropped');
  assert.deepEqual(
    r.calls.slice(0, 7),
    [2, 2, 2, 2, 2, 2, 1],
    'nodes after the trapping one were not called',
  );
  assert.equal(r.other, null);
  assert.ok(r.otherStates.every((s) => s === 'running'));
  assert.equal(r.otherBatch, 20);
  assert.deepEqual(r.afterReset, { fault: null, slot: 12, state: 'running' });
});

test('fuel exhaustion in one node faults its whole group, not another; every call gets a fresh budget', async () => {
  const r = await harness.page.evaluate(async () => {
    const a = await rt.loadShared(SHARED, { fuel: 100_000 });
    const b = await rt.loadShared(SHARED, { fuel: 100_000 });
    const va = attachMany(a, 50);
    const vb = attachMany(b, 50);
    // 50 nodes × 10 frames together use far more than one budget: each call is refuelled.
    let fresh = null;
    for (let i = 0; i < 10 && fresh === null; i++) fresh = a.callEach(va, '_process', 0.1);
    const fault = a.callEach(va, 'spin_if_slot', 42);
    const out = {
      fresh,
      fault,
      states: new Set(va.map((v) => v.state)),
      viaCallSync: await attempt(() => vb[42].callSync('spin_if_slot', 42)),
      otherAfter: null,
    };
    out.otherStates = new Set(vb.map((v) => v.state));
    const c = await rt.loadShared(SHARED, { fuel: 100_000 });
    const vc = attachMany(c, 3);
    out.otherAfter = c.callEach(vc, '_process', 0.1);
    out.cState = vc[0].state;
    a.dispose();
    b.dispose();
    c.dispose();
    return { ...out, states: [...out.states], otherStates: [...out.otherStates] };
  });
  assert.equal(r.fresh, null);
  assert.equal(r.fault.code, 'fuel_exhausted');
  assert.deepEqual(r.states, ['faulted']);
  assert.equal(r.viaCallSync.error.code, 'fuel_exhausted', 'callSync of one view faults its group too');
  assert.deepEqual(r.otherStates, ['faulted']);
  assert.equal(r.otherAfter, null);
  assert.equal(r.cState, 'running');
});

test("handles are per node: one node's handle is refused while running for another", async () => {
  const r = await harness.page.evaluate(async () => {
    const group = await rt.loadShared(SHARED);
    const [a, b] = attachMany(group, 2);
    a.callSync('keep_self');
    const out = {
      own: a.callSync('use_kept'),
      other: b.callSync('use_kept'),
      errorsA: a.stats().abiErrors,
      errorsB: b.stats().abiErrors,
      state: b.state,
    };
    group.dispose();
    return out;
  });
  assert.equal(r.own, 24, 'OBJECT for the node that got the handle');
  assert.ok(
    r.other === -1 || r.other === -2,
    `bad_handle or stale_handle for the other node, got ${r.other}`,
  );
  assert.equal(r.errorsA, 0);
  assert.equal(r.errorsB, 1, 'the error is counted on the node that made it');
  assert.equal(r.state, 'running', 'an ABI error is not a fault');
});

test('node instancing past the browser cap fails with a typed memory_limit, and shared does not', async () => {
  // A page of its own: this test uses up the page's Wasm memories.
  const own = await openRuntimePage();
  try {
    const r = await own.page.evaluate(
      async ({ onePage, shared }) => {
        const bytes = window.bytes(onePage);
        const scripts = [];
        let failure = null;
        for (let i = 0; i < 400 && failure === null; i++) {
          try {
            scripts.push(await rt.load(bytes));
          } catch (error) {
            failure = { code: error.code, message: error.message, isRangeError: error instanceof RangeError };
          }
        }
        const loaded = scripts.length;
        for (const s of scripts) s.dispose();
        const group = await (async () => {
          // Memories are reclaimed by GC: give it a chance, then one shared instance serves 500 nodes.
          for (let i = 0; i < 5; i++) {
            gc();
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
          return rt.loadShared(window.bytes(shared));
        })();
        const views = Array.from({ length: 500 }, (_, i) =>
          group.attach({ self: { id: i + 1, class: 'Node3D' } }),
        );
        const fault = group.callEach(views, '_process', 0.1);
        const writes = rt.decodeVariant(group.takeBatch()).length;
        group.dispose();
        return { loaded, failure, fault, writes };
      },
      { onePage: arr(ONE_PAGE), shared: arr(SHARED) },
    );
    assert.ok(r.failure, `the cap was hit (loaded ${r.loaded})`);
    assert.equal(r.failure.code, 'memory_limit');
    assert.equal(r.failure.isRangeError, false);
    assert.match(r.failure.message, /caps the live Wasm memories/);
    assert.match(r.failure.message, /"instancing": "shared"/);
    assert.ok(r.loaded >= 50 && r.loaded < 400, `loaded ${r.loaded} before the cap`);
    assert.equal(r.fault, null);
    assert.equal(r.writes, 500);
  } finally {
    await own.close();
  }
});

test('the SDK examples run shared: avatar_bob keeps per-node state, toggle_prop and face_driver per-node properties', async () => {
  const { readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { REPO_ROOT } = await import('./runtime-harness.mjs');
  const load = (name) => arr(readFileSync(join(REPO_ROOT, 'guest', 'out', `${name}.wasm`)));
  const r = await harness.page.evaluate(
    async ({ bob, toggle, face }) => {
      const vec3 = (x, y, z) => {
        const v = new DataView(new ArrayBuffer(16));
        v.setUint32(0, 9, true);
        [x, y, z].forEach((c, i) => v.setFloat32(4 + 4 * i, c, true));
        return v.buffer;
      };
      const out = { instancing: [bob, toggle, face].map((b) => rt.instancing(window.bytes(b))) };
      // avatar_bob: three avatars at different bases; avatar 1 runs twice as many frames.
      const group = await rt.loadShared(window.bytes(bob));
      const views = [0, 1, 2].map((i) => group.attach({ self: { id: 100 + i, class: 'Node3D' } }));
      views.forEach((v, i) => v.setNodeProperty('position', vec3(i, 10 * i, -i)));
      group.callEach(views, '_ready');
      views[2].setPropertySync('amplitude', 0.5);
      const last = {};
      for (let frame = 0; frame < 6; frame++) {
        group.callEach(frame % 2 === 0 ? views : [views[1]], '_process', 1 / 30);
        for (const [, id, name, value] of rt.decodeVariant(group.takeBatch())) {
          if (name === 'position') last[id] = value;
        }
      }
      out.bob = { last, amplitude: views[2].property('amplitude'), other: views[0].property('amplitude') };
      out.bobStats = views.map((v) => v.stats().liveHandles);
      group.dispose();
      // toggle_prop: a property set on one view changes only that node.
      const toggles = await rt.loadShared(window.bytes(toggle));
      const [a, b] = [1, 2].map((id) => toggles.attach({ self: { id, class: 'MeshInstance3D' } }));
      await b.setProperty('on', true);
      out.toggle = { batch: rt.decodeVariant(toggles.takeBatch()), a: a.property('on'), b: b.property('on') };
      toggles.dispose();
      // face_driver: a declared method per view, JS values and bytes.
      const faces = await rt.loadShared(window.bytes(face));
      const [f1, f2] = [5, 6].map((id) => faces.attach({ self: { id, class: 'MeshInstance3D' } }));
      f2.setPropertySync('intensity', 0.5);
      const full = await f1.callMethod('express', { smile: 1 });
      const half = rt.decodeVariant(f2.callMethodBytes('express', rt.encodeVariant([{ smile: 1 }])));
      const writers = [...new Set(rt.decodeVariant(faces.takeBatch()).map((e) => e[1]))];
      out.face = { full: full.mouthSmileLeft, half: half.mouthSmileLeft, writers };
      faces.dispose();
      return out;
    },
    { bob: load('avatar_bob'), toggle: load('toggle_prop'), face: load('face_driver') },
  );
  assert.deepEqual(r.instancing, ['shared', 'shared', 'shared']);
  // y = base + amplitude · sin(2π · 1.5 Hz · t): avatar 1 at t = 6/30 s, the others at 3/30 s.
  const expected = (i, amplitude, frames) => 10 * i + amplitude * Math.sin(2 * Math.PI * 1.5 * (frames / 30));
  [
    [0, 0.1, 3],
    [1, 0.1, 6],
    [2, 0.5, 3],
  ].forEach(([i, amplitude, frames]) => {
    const p = r.bob.last[100 + i];
    assert.ok(Math.abs(p.y - expected(i, amplitude, frames)) < 1e-5, `avatar ${i}: ${p.y}`);
    assert.deepEqual([p.x, p.z], [i, -i], `avatar ${i} keeps its own base`);
  });
  assert.equal(r.bob.amplitude, 0.5);
  assert.equal(r.bob.other, 0.1, 'declared properties are per node');
  assert.deepEqual(r.bobStats, [0, 0, 0]);
  assert.deepEqual(r.toggle.batch, [
    [0, 2, 'scale', { x: 1.25, y: 1.25, z: 1.25 }],
    [2, 2, 'toggled', [true]],
  ]);
  assert.deepEqual([r.toggle.a, r.toggle.b], [false, true]);
  assert.equal(r.face.full, 1);
  assert.equal(r.face.half, 0.5);
  assert.deepEqual(r.face.writers.sort(), [5, 6]);
});

test('onLog names the node whose call logged; logs from callEach and callSync alike', async () => {
  const LOGGER = withCustomSection(
    guestWat(`(module
      (import "ugc" "log" (func $log (param i32 i32)))
      (import "ugc" "node_slot" (func $slot (result i32)))
      (memory 1)
      (data (i32.const 0) "slot0slot1slot2")
      (func (export "_process") (param f64)
        (call $log (i32.mul (call $slot) (i32.const 5)) (i32.const 5))))`),
    'ugc_script',
    '{"instancing":"shared"}',
  );
  const r = await harness.page.evaluate(async (bytes) => {
    const logs = [];
    const group = await rt.loadShared(window.bytes(bytes), {
      onLog: (message, self) => logs.push([message, self === null ? null : Number(self.id)]),
    });
    const views = [7, 8, 9].map((id) => group.attach({ self: { id } }));
    const fault = group.callEach(views, '_process', 0);
    views[1].callSync('_process', 0);
    const batch = rt.decodeVariant(group.takeBatch());
    group.dispose();
    return { logs, fault, batch };
  }, arr(LOGGER));
  assert.equal(r.fault, null);
  assert.deepEqual(r.logs, [
    ['slot0', 7],
    ['slot1', 8],
    ['slot2', 9],
    ['slot1', 8],
  ]);
  assert.deepEqual(r.batch, [], 'a module importing only log and node_slot needs no script host');
});
