// The runtime's budget of Wasm memories (docs/JS-API.md "Memory budget"): node-instanced scripts past their
// share are refused with a typed memory_limit when the load is called, whatever order the loads finish
// compiling in, and shared groups always get their memory. Each test has a page of its own: they use up the
// page's Wasm memories. Only counts and codes are asserted, never times.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { arr, guestWat, openRuntimePage, wat, withCustomSection } from './runtime-harness.mjs';

const NODE_BUDGET = 96;
const BUDGET = 112;

/** A shared module: per-node counters at 64 + 4·slot. */
const SHARED = withCustomSection(
  guestWat(`
(module
  (import "ugc" "node_slot" (func $slot (result i32)))
  (memory 1)
  (func $cell (result i32) (i32.add (i32.const 64) (i32.shl (call $slot) (i32.const 2))))
  (func (export "_process") (param f64) (i32.store (call $cell) (i32.add (i32.load (call $cell)) (i32.const 1))))
  (func (export "count") (result i32) (i32.load (call $cell))))`),
  'ugc_script',
  JSON.stringify({ extends: 'Node3D', instancing: 'shared' }),
);
/** A node-instanced module with a memory: one memory per script. */
const NODE = wat(
  '(module (memory 1) (func (export "bump") (result i32) (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.const 1))) (i32.load (i32.const 0))))',
);
/** No memory: never counted. */
const MEMORYLESS = wat('(module (func (export "f") (result i32) i32.const 7))');

async function withPage(fn) {
  const harness = await openRuntimePage();
  try {
    return await fn(harness.page);
  } finally {
    await harness.close();
  }
}

test('concurrent node and shared loads: exactly the node loads past the budget are refused, every group runs', async () => {
  const r = await withPage((page) =>
    page.evaluate(
      async ({ node, shared, memoryless }) => {
        const rt = window.rt;
        // The node module compiled first, as in the race this budget fixes: its loads skip compiling and used
        // to take every memory before the shared module's compile finished.
        (await rt.load(bytes(node))).dispose();
        const calls = [];
        for (let i = 0; i < 140; i++) {
          // Node instancing both ways (rt.load, and a group of one as the Godot addon makes), all in flight.
          calls.push({
            kind: 'node',
            i,
            p: i % 2 ? rt.load(bytes(node)) : rt.loadShared(bytes(node), { instancing: 'node' }),
          });
          if (i % 10 === 9) calls.push({ kind: 'shared', i, p: rt.loadShared(bytes(shared)) });
          if (i % 35 === 34) calls.push({ kind: 'memoryless', i, p: rt.load(bytes(memoryless)) });
        }
        const whileLoading = rt.stats().wasmMemories;
        const settled = await Promise.allSettled(calls.map((c) => c.p));
        const outcome = calls.map((c, k) => ({
          kind: c.kind,
          i: c.i,
          ok: settled[k].status === 'fulfilled',
          code: settled[k].reason?.code,
          reason: settled[k].reason?.reason,
          message: settled[k].reason?.message,
          isUgcError: settled[k].status === 'rejected' && settled[k].reason instanceof ugc.UgcError,
        }));
        // Every shared group serves 20 nodes.
        const counts = [];
        for (const [k, c] of calls.entries()) {
          if (c.kind !== 'shared' || settled[k].status !== 'fulfilled') continue;
          const group = settled[k].value;
          const views = Array.from({ length: 20 }, (_, n) =>
            group.attach({ self: { id: n + 1, class: 'Node3D' } }),
          );
          const fault = group.callEach(views, '_process', 0.1);
          counts.push({ fault, sum: views.reduce((s, v) => s + v.callSync('count'), 0) });
        }
        const bumps = [];
        for (const [k, c] of calls.entries()) {
          if (c.kind !== 'node' || settled[k].status !== 'fulfilled') continue;
          const loaded = settled[k].value;
          // A group of one is used through its one view.
          const script = loaded.attach ? loaded.attach({ self: { id: 1, class: 'Node3D' } }) : loaded;
          bumps.push(await script.call('bump'));
        }
        return { outcome, counts, bumps, whileLoading, after: rt.stats().wasmMemories };
      },
      { node: arr(NODE), shared: arr(SHARED), memoryless: arr(MEMORYLESS) },
    ),
  );
  const nodes = r.outcome.filter((o) => o.kind === 'node');
  assert.deepEqual(
    nodes.filter((o) => o.ok).map((o) => o.i),
    Array.from({ length: NODE_BUDGET }, (_, i) => i),
    'the first 96 node loads called get a memory',
  );
  const refused = nodes.filter((o) => !o.ok);
  assert.equal(refused.length, 140 - NODE_BUDGET);
  for (const o of refused) {
    assert.equal(o.code, 'memory_limit', o.message);
    assert.equal(o.reason, 'memory_budget');
    assert.equal(o.isUgcError, true);
    assert.match(o.message, /96 Wasm memories/);
    assert.match(o.message, /about 120 in Chromium/);
    assert.match(o.message, /"instancing": "shared"/);
  }
  const shared = r.outcome.filter((o) => o.kind === 'shared');
  assert.equal(shared.length, 14);
  assert.ok(
    shared.every((o) => o.ok),
    JSON.stringify(shared.filter((o) => !o.ok)),
  );
  assert.deepEqual(
    r.counts,
    Array.from({ length: 14 }, () => ({ fault: null, sum: 20 })),
  );
  assert.ok(
    r.outcome.filter((o) => o.kind === 'memoryless').every((o) => o.ok),
    'a module without a memory is never counted',
  );
  assert.deepEqual(
    r.bumps,
    Array.from({ length: NODE_BUDGET }, () => 1),
  );
  // Counted when called, before any load finished.
  const memories = { node: NODE_BUDGET, shared: 14, nodeBudget: NODE_BUDGET, budget: BUDGET, refused: 44 };
  assert.deepEqual(r.whileLoading, memories);
  assert.deepEqual(r.after, memories);
});

test('shared groups loaded after the node share is full still run, up to the whole budget', async () => {
  const r = await withPage((page) =>
    page.evaluate(
      async ({ node, shared }) => {
        const rt = window.rt;
        const results = [];
        const scripts = [];
        // One at a time this time: node loads first, then the groups.
        for (let i = 0; i < 100; i++) {
          try {
            scripts.push(await rt.load(bytes(node)));
            results.push('ok');
          } catch (error) {
            results.push(error.code);
          }
        }
        const groups = [];
        const groupResults = [];
        for (let i = 0; i < 112 - 96 + 2; i++) {
          try {
            groups.push(await rt.loadShared(bytes(shared)));
            groupResults.push('ok');
          } catch (error) {
            groupResults.push({ code: error.code, reason: error.reason, message: error.message });
          }
        }
        const full = rt.stats().wasmMemories;
        // Disposing frees budget at once: 3 node scripts and one group. Few enough that the page stays under
        // the browser's own cap even if it has not collected the disposed memories yet (that happens at its
        // next GC, whenever that is): the outcome depends on the budget alone.
        for (const s of scripts.splice(0, 3)) s.dispose();
        groups.pop().dispose();
        const freed = rt.stats().wasmMemories;
        const refill = [];
        for (let i = 0; i < 4; i++) {
          try {
            scripts.push(await rt.load(bytes(node)));
            refill.push('ok');
          } catch (error) {
            refill.push(error.code);
          }
        }
        const group = await rt.loadShared(bytes(shared)).then(
          () => 'ok',
          (error) => error.code,
        );
        // A failed load (here: a module the validator refuses) gives its memory back.
        scripts.pop().dispose();
        const bad = withMemoryButInvalid();
        const invalid = await rt.load(bad).then(
          () => 'ok',
          (error) => error.code,
        );
        const afterInvalid = rt.stats().wasmMemories;
        const last = await rt.load(bytes(node)).then(
          () => 'ok',
          (error) => error.code,
        );
        return { results, groupResults, full, freed, refill, group, invalid, afterInvalid, last };

        function withMemoryButInvalid() {
          // (memory 1) plus an import the policy refuses.
          return bytes([
            0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 2, 11, 1, 3, 101, 110, 118, 3, 98, 97, 100, 0, 0,
            5, 3, 1, 0, 1,
          ]);
        }
      },
      { node: arr(NODE), shared: arr(SHARED) },
    ),
  );
  assert.deepEqual(r.results, [...Array(NODE_BUDGET).fill('ok'), ...Array(4).fill('memory_limit')]);
  assert.deepEqual(r.groupResults.slice(0, BUDGET - NODE_BUDGET), Array(BUDGET - NODE_BUDGET).fill('ok'));
  const over = r.groupResults.slice(BUDGET - NODE_BUDGET);
  assert.equal(over.length, 2);
  for (const o of over) {
    assert.equal(o.code, 'memory_limit');
    assert.equal(o.reason, 'memory_budget');
    assert.match(o.message, /112 Wasm memories/);
    assert.match(o.message, /"instancing": "shared"/);
  }
  assert.deepEqual(r.full, { node: 96, shared: 16, nodeBudget: 96, budget: 112, refused: 6 });
  assert.deepEqual(r.freed, { node: 93, shared: 15, nodeBudget: 96, budget: 112, refused: 6 });
  assert.deepEqual(r.refill, [...Array(3).fill('ok'), 'memory_limit']);
  assert.equal(r.group, 'ok');
  assert.equal(r.invalid, 'validation');
  assert.deepEqual(r.afterInvalid, { node: 95, shared: 16, nodeBudget: 96, budget: 112, refused: 7 });
  assert.equal(r.last, 'ok', 'the refused module held no memory');
});
