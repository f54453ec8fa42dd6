// The shared-instancing benchmark (docs/JS-API.md "Shared instancing"), run by scripts/bench-runtime.mjs in the
// same Chromium run as the other runtime benchmarks. Per frame, for 100 / 1,000 / 10,000 nodes of ONE shared
// instance:
//   callEach of an empty `_process`                      vs a raw JS loop calling a raw export
//   callEach of a `_process` writing one Vector3 property
//     + the group's takeBatch                            vs the same raw loop
//   the same write in one host call (object_set_value), with and without a kept `self` handle
// plus the parts of the one-write frame (guest + host calls, batch encoding) to show where the time goes.

import { arr, guestWat, wat, withCustomSection } from '../../tests-web/runtime-harness.mjs';

const MANIFEST = JSON.stringify({ extends: 'Node3D', instancing: 'shared' });

/** `_process` bodies over the same imports: a realistic module imports the ABI, so every view has a host. */
const module = (body) => `
(module
  (import "ugc" "node_slot" (func $slot (result i32)))
  (import "ugc" "self" (func $self (result i32)))
  (import "ugc" "new_value" (func $new_value (param i32 i32 i32) (result i32)))
  (import "ugc" "object_set" (func $set (param i32 i32 i32 i32) (result i32)))
  (import "ugc" "release" (func $release (param i32) (result i32)))
  (import "ugc" "object_set_value" (func $set_value (param i32 i32 i32 i32 i32 i32) (result i32)))
  (memory 1)
  (data (i32.const 0) "position")
  (func (export "_process") (param $delta f64) ${body}))`;

/** What `position.x += delta` becomes: per-node x in memory (slot-indexed), one object_set of a Vector3. */
const ONE_WRITE = `
    (local $x i32) (local $self i32) (local $v i32)
    (local.set $x (i32.add (i32.const 1024) (i32.shl (call $slot) (i32.const 2))))
    (f32.store (local.get $x) (f32.add (f32.load (local.get $x)) (f32.demote_f64 (local.get $delta))))
    (f32.store (i32.const 16) (f32.load (local.get $x)))
    (f32.store (i32.const 20) (f32.const 0))
    (f32.store (i32.const 24) (f32.const 0))
    (local.set $self (call $self))
    (local.set $v (call $new_value (i32.const 9) (i32.const 16) (i32.const 12)))
    (drop (call $set (local.get $self) (i32.const 0) (i32.const 8) (local.get $v)))
    (drop (call $release (local.get $v)))
    (drop (call $release (local.get $self)))`;

/** The same write with the node's `self` handle kept in per-node memory (handles are per node and live on). */
const ONE_WRITE_CACHED_SELF = `
    (local $x i32) (local $self i32) (local $v i32) (local $cell i32)
    (local.set $x (i32.add (i32.const 1024) (i32.shl (call $slot) (i32.const 2))))
    (local.set $cell (i32.add (i32.const 0x20000) (i32.shl (call $slot) (i32.const 2))))
    (f32.store (local.get $x) (f32.add (f32.load (local.get $x)) (f32.demote_f64 (local.get $delta))))
    (f32.store (i32.const 16) (f32.load (local.get $x)))
    (f32.store (i32.const 20) (f32.const 0))
    (f32.store (i32.const 24) (f32.const 0))
    (local.set $self (i32.load (local.get $cell)))
    (if (i32.eqz (local.get $self))
      (then (local.set $self (call $self)) (i32.store (local.get $cell) (local.get $self))))
    (local.set $v (call $new_value (i32.const 9) (i32.const 16) (i32.const 12)))
    (drop (call $set (local.get $self) (i32.const 0) (i32.const 8) (local.get $v)))
    (drop (call $release (local.get $v)))`;

/** The one-call write (`object_set_value`, no value handle), with a fresh `self` handle per call (3 calls). */
const ONE_CALL_WRITE = `
    (local $x i32) (local $self i32)
    (local.set $x (i32.add (i32.const 1024) (i32.shl (call $slot) (i32.const 2))))
    (f32.store (local.get $x) (f32.add (f32.load (local.get $x)) (f32.demote_f64 (local.get $delta))))
    (f32.store (i32.const 16) (f32.load (local.get $x)))
    (f32.store (i32.const 20) (f32.const 0))
    (f32.store (i32.const 24) (f32.const 0))
    (local.set $self (call $self))
    (drop (call $set_value (local.get $self) (i32.const 0) (i32.const 8) (i32.const 9) (i32.const 16) (i32.const 12)))
    (drop (call $release (local.get $self)))`;

/** The one-call write with the node's `self` handle kept in per-node memory: one host call per node. */
const ONE_CALL_WRITE_CACHED_SELF = `
    (local $x i32) (local $self i32) (local $cell i32)
    (local.set $x (i32.add (i32.const 1024) (i32.shl (call $slot) (i32.const 2))))
    (local.set $cell (i32.add (i32.const 0x20000) (i32.shl (call $slot) (i32.const 2))))
    (f32.store (local.get $x) (f32.add (f32.load (local.get $x)) (f32.demote_f64 (local.get $delta))))
    (f32.store (i32.const 16) (f32.load (local.get $x)))
    (f32.store (i32.const 20) (f32.const 0))
    (f32.store (i32.const 24) (f32.const 0))
    (local.set $self (i32.load (local.get $cell)))
    (if (i32.eqz (local.get $self))
      (then (local.set $self (call $self)) (i32.store (local.get $cell) (local.get $self))))
    (drop (call $set_value (local.get $self) (i32.const 0) (i32.const 8) (i32.const 9) (i32.const 16) (i32.const 12)))`;

export const SHARED_FIXTURES = {
  sharedOneCall: arr(withCustomSection(guestWat(module(ONE_CALL_WRITE)), 'ugc_script', MANIFEST)),
  sharedOneCallCachedSelf: arr(
    withCustomSection(
      guestWat(module(ONE_CALL_WRITE_CACHED_SELF).replace('(memory 1)', '(memory 4)')),
      'ugc_script',
      MANIFEST,
    ),
  ),
  sharedCachedSelf: arr(
    withCustomSection(
      guestWat(module(ONE_WRITE_CACHED_SELF).replace('(memory 1)', '(memory 4)')),
      'ugc_script',
      MANIFEST,
    ),
  ),
  sharedEmpty: arr(withCustomSection(guestWat(module('')), 'ugc_script', MANIFEST)),
  sharedOneWrite: arr(withCustomSection(guestWat(module(ONE_WRITE)), 'ugc_script', MANIFEST)),
  rawEmpty: arr(wat('(module (func (export "_process") (param f64)))')),
};

/** Runs in the page (needs `window.rt`); returns rows shaped like www/bench/runtime-bench.js's. */
export async function benchShared(page, counts = [100, 1000, 10000]) {
  return page.evaluate(
    async ({ fixtures, counts }) => {
      const bytes = (key) => new Uint8Array(fixtures[key]);
      const now = () => performance.now();
      // `rounds` timings in ms per frame, { median, best }: each round repeats the frame until at least
      // `minMs` passed (the page's clock is coarse: 0.1 ms without cross-origin isolation).
      const time = (rounds, fn, minMs = 8) => {
        const times = [];
        for (let r = 0; r < rounds; r++) {
          let frames = 0;
          const start = now();
          let elapsed = 0;
          do {
            fn();
            frames++;
            elapsed = now() - start;
          } while (elapsed < minMs);
          times.push(elapsed / frames);
        }
        times.sort((a, b) => a - b);
        return { median: times[Math.floor(times.length / 2)], best: times[0] };
      };
      const row = (name, n, value, baselineName, baseline) => ({
        name: `${name} ×${n}`,
        unit: 'ms/frame',
        value: value.median,
        baseline: baselineName,
        baselineValue: baseline.median,
        ratio: value.median / baseline.median,
        bestRatio: value.best / baseline.best,
        // The fastest round: on a shared, busy machine the best estimate of the cost itself.
        nsPerNode: (value.best * 1e6) / n,
      });
      const raw = (await WebAssembly.instantiate(bytes('rawEmpty'))).instance.exports._process;
      // One row per variant, in this order; `batch` variants take the frame's batch like the Godot bridge does.
      const variants = [
        { name: 'callEach empty _process', fixture: 'sharedEmpty', batch: false },
        { name: 'callEach one Vector3 write + takeBatch', fixture: 'sharedOneWrite', batch: true },
        { name: 'same, self handle kept per node (3 calls)', fixture: 'sharedCachedSelf', batch: true },
        { name: 'one-call write (object_set_value) + takeBatch', fixture: 'sharedOneCall', batch: true },
        { name: 'same, self handle kept per node (1 call)', fixture: 'sharedOneCallCachedSelf', batch: true },
      ];
      for (const v of variants) v.group = await rt.loadShared(bytes(v.fixture));
      const oneWrite = variants[1].group;
      const rows = [];
      for (const n of counts) {
        const delta = 1 / 60;
        const rawLoop = () => {
          for (let i = 0; i < n; i++) raw(delta);
        };
        let failed = null;
        const check = (fault) => {
          if (fault !== null) failed = fault;
        };
        for (const v of variants) {
          v.views = Array.from({ length: n }, (_, i) =>
            v.group.attach({ self: { id: 1 + i, class: 'Node3D' } }),
          );
          v.frame = () => {
            check(v.group.callEach(v.views, '_process', delta));
            if (v.batch) v.group.takeBatch();
          };
        }
        const writeViews = variants[1].views;
        // Warm-up: let the JIT settle on every path.
        for (let w = 0; w < 3; w++) {
          rawLoop();
          for (const v of variants) v.frame();
        }
        const baseline = time(7, rawLoop);
        for (const v of variants) {
          rows.push(row(v.name, n, time(7, v.frame), 'raw loop of a raw export', baseline));
        }
        // Where the time goes: the calls (guest + host functions) and the batch encoding, separately.
        let since = 0;
        const calls = time(7, () => {
          check(oneWrite.callEach(writeViews, '_process', delta));
          // Keep the batch from growing without bound (one take per ~200k entries).
          if (++since * n >= 200_000) {
            oneWrite.takeBatch();
            since = 0;
          }
        });
        oneWrite.takeBatch();
        const takes = [];
        for (let r = 0; r < 7; r++) {
          check(oneWrite.callEach(writeViews, '_process', delta));
          const start = now();
          oneWrite.takeBatch();
          takes.push(now() - start);
        }
        takes.sort((a, b) => a - b);
        rows.push(
          row('  of which callEach (5 host calls/node)', n, calls, 'raw loop of a raw export', baseline),
        );
        rows.push(
          row(
            '  of which takeBatch',
            n,
            { median: takes[3], best: takes[0] },
            'raw loop of a raw export',
            baseline,
          ),
        );
        for (const v of variants) for (const view of v.views) view.dispose();
        if (failed !== null) throw new Error(`benchmark guest faulted: ${failed.code}: ${failed.message}`);
      }
      for (const v of variants) v.group.dispose();
      return rows;
    },
    { fixtures: SHARED_FIXTURES, counts },
  );
}
