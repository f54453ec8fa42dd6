// The cost model in the browser (docs/ABI.md "Cost"): host calls pay their work out of the guest's fuel, in
// instance and worker isolation and under shared instancing; running out inside a host call is fuel_exhausted;
// a script's host memory is bounded by max_host_memory (memory_limit, that script only) and returned on dispose,
// and the crate's memory stays flat over many hostile load / fault / dispose cycles. Only deterministic facts:
// fuel charged, typed outcomes, bytes accounted.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { arr, guestWat, openRuntimePage } from './runtime-harness.mjs';

const HOST_IMPORTS = `
  (import "ugc" "log" (func $log (param i32 i32)))
  (import "ugc" "new_int" (func $new_int (param i64) (result i32)))
  (import "ugc" "new_string" (func $new_string (param i32 i32) (result i32)))
  (import "ugc" "release" (func $release (param i32) (result i32)))
  (import "ugc" "type_of" (func $type_of (param i32) (result i32)))
  (import "ugc" "array_new" (func $array_new (result i32)))
  (import "ugc" "array_push" (func $array_push (param i32 i32) (result i32)))
  (import "ugc" "var_to_bytes" (func $var_to_bytes (param i32 i32 i32) (result i32)))
`;

const COSTLY = guestWat(`
(module
  ${HOST_IMPORTS}
  (memory 2)
  (global $keep (mut i32) (i32.const 0))
  ;; log(len) of bytes at 0: invalid UTF-8 costs the same as valid
  (func (export "log") (param $len i32) (call $log (i32.const 0) (local.get $len)))
  (func (export "nothing"))
  ;; a String of len bytes, kept (handles are only released on reset)
  (func (export "string") (param $len i32) (result i32)
    (global.set $keep (call $new_string (i32.const 0) (local.get $len)))
    (global.get $keep))
  ;; type_of of the kept String, n times: a lookup does not copy it
  (func (export "looks") (param $n i32)
    (block $done (loop $more
      (br_if $done (i32.eqz (local.get $n)))
      (drop (call $type_of (global.get $keep)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $more))))
  ;; Arrays holding the same Array twice, depth levels deep, then var_to_bytes of it: 2^depth leaves
  (func (export "dag") (param $depth i32) (result i32) (local $a i32) (local $b i32)
    (local.set $a (call $array_new))
    (block $done (loop $more
      (br_if $done (i32.eqz (local.get $depth)))
      (local.set $b (call $array_new))
      (drop (call $array_push (local.get $b) (local.get $a)))
      (drop (call $array_push (local.get $b) (local.get $a)))
      (local.set $a (local.get $b))
      (local.set $depth (i32.sub (local.get $depth) (i32.const 1)))
      (br $more)))
    (call $var_to_bytes (local.get $a) (i32.const 0) (i32.const 65536)))
  ;; keeps creating 64 KiB Strings until something stops it
  (func (export "hoard")
    (loop $more
      (drop (call $new_string (i32.const 0) (i32.const 65536)))
      (br $more))))
`);

const HOSTLESS_LOG = guestWat(`
(module
  (import "ugc" "log" (func $log (param i32 i32)))
  (memory 1)
  (func (export "log") (param $len i32) (call $log (i32.const 0) (local.get $len)))
  (func (export "nothing")))
`);

let harness;
before(async () => {
  harness = await openRuntimePage();
  await harness.page.evaluate(
    ([costly, hostless]) => {
      window.COSTLY = window.bytes(costly);
      window.HOSTLESS = window.bytes(hostless);
    },
    [arr(COSTLY), arr(HOSTLESS_LOG)],
  );
});
after(async () => {
  assert.deepEqual(harness.pageErrors, [], 'no uncaught errors on the page');
  await harness.close();
});

/** Fuel used by `name(...args)` of a fresh script loaded with `options`. */
function fuelOf(module, options, name, args) {
  return harness.page.evaluate(
    async ({ module, options, name, args }) => {
      const script = await rt.load(window[module], options);
      const outcome = await attempt(() => script.call(name, ...args));
      const { fuelUsed } = script.stats();
      script.dispose();
      return { outcome, fuelUsed };
    },
    { module, options, name, args },
  );
}

for (const isolation of ['instance', 'worker']) {
  describe(`${isolation} isolation`, () => {
    test('a log pays per byte, with or without a script host', async () => {
      for (const module of ['COSTLY', 'HOSTLESS']) {
        const empty = await fuelOf(module, { isolation }, 'log', [0]);
        const full = await fuelOf(module, { isolation }, 'log', [16384]);
        assert.equal(full.outcome.error, undefined, JSON.stringify(full.outcome));
        // 4 fuel per byte (docs/ABI.md "Cost"); the guest's own instructions are the same in both.
        assert.equal(full.fuelUsed - empty.fuelUsed, 4 * 16384, module);
      }
    });

    test('bytes copied are paid linearly; lookups never copy', async () => {
      const small = await fuelOf('COSTLY', { isolation }, 'string', [16]);
      const big = await fuelOf('COSTLY', { isolation }, 'string', [65536]);
      assert.equal(big.fuelUsed - small.fuelUsed, 3 * (65536 - 16));
      const r = await harness.page.evaluate(async (isolation) => {
        const script = await rt.load(COSTLY, { isolation });
        await script.call('string', 65536);
        await script.call('looks', 1);
        const one = script.stats().fuelUsed;
        await script.call('looks', 101);
        const many = script.stats().fuelUsed;
        script.dispose();
        return { one, many };
      }, isolation);
      // 100 more type_of calls of a 64 KiB String: the call cost each, not the String's size.
      const perLookup = (r.many - r.one) / 100;
      assert.ok(perLookup >= 300 && perLookup < 400, `${perLookup} fuel per type_of`);
    });

    test('running out inside a host call is fuel_exhausted', async () => {
      // 40 levels of shared Arrays expand to 2^41 nodes: stopped by a small budget, in the host.
      const r = await fuelOf('COSTLY', { isolation, fuel: 200_000 }, 'dag', [40]);
      assert.equal(r.outcome.error?.code, 'fuel_exhausted', JSON.stringify(r.outcome));
      assert.equal(r.fuelUsed, 200_000);
      // An input bigger than the fuel left is refused before it is copied.
      const copy = await fuelOf('COSTLY', { isolation, fuel: 2_000 }, 'string', [100_000]);
      assert.equal(copy.outcome.error?.code, 'fuel_exhausted', JSON.stringify(copy.outcome));
      assert.equal(copy.fuelUsed, 2_000);
      // A small one fits and pays per node of its expansion.
      const six = await fuelOf('COSTLY', { isolation }, 'dag', [6]);
      const five = await fuelOf('COSTLY', { isolation }, 'dag', [5]);
      assert.ok(six.outcome.value > 0);
      assert.ok(six.fuelUsed - five.fuelUsed >= 64 * 300, `${six.fuelUsed - five.fuelUsed}`);
    });
  });
}

test('host memory: over max_host_memory is memory_limit for that script only, and dispose returns it', async () => {
  const r = await harness.page.evaluate(async () => {
    const small = await ugc.createRuntime({ policy: { max_host_memory: 1 << 20 } });
    const hoarder = await small.load(COSTLY);
    const neighbour = await small.load(COSTLY);
    await neighbour.call('string', 4096);
    const outcome = await attempt(() => hoarder.call('hoard'));
    const stats = hoarder.stats();
    const neighbourAfter = await attempt(() => neighbour.call('string', 100));
    await hoarder.reset();
    const afterReset = hoarder.stats().hostMemory;
    const disposed = await attempt(() => hoarder.dispose());
    neighbour.dispose();
    return { outcome, stats, neighbourAfter, afterReset, disposed };
  });
  assert.equal(r.outcome.error?.code, 'memory_limit', JSON.stringify(r.outcome));
  assert.equal(r.stats.faulted, true);
  assert.equal(r.stats.hostMemory.limit, 1 << 20);
  // Stopped at the first allocation over the budget: at most one 64 KiB String (and its copy) past it.
  assert.ok(r.stats.hostMemory.peak > 1 << 20 && r.stats.hostMemory.peak < (1 << 20) + 4 * 65536);
  assert.ok(r.neighbourAfter.value > 0, 'the other script never noticed');
  assert.ok(r.afterReset.bytes < 65536, JSON.stringify(r.afterReset));
  assert.equal(r.disposed.error, undefined);
});

test('the crate memory stays flat over 1,000 hostile load / fault / dispose cycles', async () => {
  const r = await harness.page.evaluate(async () => {
    const small = await ugc.createRuntime({ policy: { max_host_memory: 1 << 20 } });
    const { memoryBytes } = await import('/dist/core.js').then(async (m) => m.loadCore());
    const sizes = [];
    const codes = new Set();
    for (let i = 0; i < 1000; i++) {
      const script = await small.load(COSTLY, { fuel: 50_000_000 });
      const outcome = await attempt(() => script.call('hoard'));
      codes.add(outcome.error?.code);
      script.dispose();
      if (i === 99 || i === 999) sizes.push(memoryBytes());
    }
    return { sizes, codes: [...codes] };
  });
  assert.deepEqual(r.codes, ['memory_limit']);
  // After 100 cycles the allocator has all it will ever need: 900 more add nothing.
  assert.equal(r.sizes[1], r.sizes[0], JSON.stringify(r.sizes));
});

test('shared instancing: each node pays for its own host work, out of its own call', async () => {
  const r = await harness.page.evaluate(async () => {
    const group = await rt.loadShared(COSTLY, { fuel: 200_000 });
    const a = group.attach({ self: { id: 1n, class: 'Node3D' } });
    const b = group.attach({ self: { id: 2n, class: 'Node3D' } });
    const small = await attempt(() => a.call('string', 16));
    const smallFuel = a.stats().fuelUsed;
    const big = await attempt(() => b.call('string', 65536));
    const bigFuel = b.stats().fuelUsed;
    const runaway = await attempt(() => a.call('dag', 40));
    const states = [a.state, b.state];
    group.dispose();
    return { small, smallFuel, big, bigFuel, runaway, states };
  });
  assert.ok(r.small.value > 0 && r.big.value > 0);
  assert.equal(r.bigFuel - r.smallFuel, 3 * (65536 - 16));
  assert.equal(r.runaway.error?.code, 'fuel_exhausted', JSON.stringify(r.runaway));
  // A fault in a shared instance faults the instance (docs/ABI.md "Instancing").
  assert.deepEqual(r.states, ['faulted', 'faulted']);
});

test('a nested host call (onLog calling another script) leaves the outer meter intact', async () => {
  const r = await harness.page.evaluate(async () => {
    const inner = await rt.load(COSTLY);
    const outer = await rt.load(COSTLY, {
      onLog: () => {
        inner.callSync('string', 1000);
      },
    });
    await outer.call('log', 100);
    const withNested = outer.stats().fuelUsed;
    const plain = await rt.load(COSTLY);
    await plain.call('log', 100);
    const without = plain.stats().fuelUsed;
    for (const s of [inner, outer, plain]) s.dispose();
    return { withNested, without };
  });
  assert.equal(r.withNested, r.without, 'the inner script paid for its own work');
});
