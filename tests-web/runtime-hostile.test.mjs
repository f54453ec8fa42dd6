// Hostile guests, in both isolation modes: each misbehaviour becomes a typed error, faults only its own
// script, and leaves the runtime, the page and other scripts working.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { arr, openRuntimePage } from './runtime-harness.mjs';
import { BIG_MEMORY, GUEST, NULL_REF, START_LOOP, START_WRITES } from './runtime-fixtures.mjs';

let harness;
before(async () => {
  harness = await openRuntimePage();
  await harness.page.evaluate((bytes) => {
    window.GUEST = window.bytes(bytes);
  }, arr(GUEST));
});
after(async () => {
  assert.deepEqual(harness.pageErrors, [], 'no uncaught errors on the page');
  await harness.close();
});

/**
 * Loads GUEST with `options`, calls `name(...args)`, and reports the error, the stats, what a following
 * call says, and whether reset() brings the script back.
 */
function misbehave(isolation, name, args, options = {}) {
  return harness.page.evaluate(
    async ({ isolation, name, args, options }) => {
      const script = await rt.load(GUEST, { isolation, ...options });
      const outcome = await attempt(() => script.call(name, ...args));
      const stats = script.stats();
      const next = await attempt(() => script.call('add', 1, 2));
      await script.reset();
      const afterReset = await attempt(() => script.call('add', 1, 2));
      const statsAfterReset = script.stats();
      script.dispose();
      return { outcome, stats, next, afterReset, statsAfterReset };
    },
    { isolation, name, args, options },
  );
}

function assertFault(result, code) {
  assert.equal(result.outcome.error?.code, code, JSON.stringify(result.outcome));
  assert.equal(result.outcome.error.isUgcError, true);
  assert.equal(result.stats.faulted, true);
  assert.equal(result.stats.lastError.code, code);
  assert.equal(result.next.error?.code, 'faulted');
  assert.equal(result.next.error.fault, code);
  assert.equal(result.afterReset.value, 3, 'reset() revives the script');
  assert.equal(result.statsAfterReset.faulted, false);
}

for (const isolation of ['instance', 'worker']) {
  describe(`hostile guests (${isolation})`, () => {
    test('an infinite loop runs out of fuel', async () => {
      const result = await misbehave(isolation, 'spin', [], { fuel: 100_000 });
      assertFault(result, 'fuel_exhausted');
      assert.equal(result.stats.fuelUsed, 100_000);
    });

    test('unbounded recursion is a stack_overflow', async () => {
      assertFault(await misbehave(isolation, 'recurse', [0]), 'stack_overflow');
    });

    const traps = [
      ['unreachable', [], 'unreachable'],
      ['div', [1, 0], 'divide_by_zero'],
      ['div', [-2147483648, -1], 'integer_overflow'],
      ['trunc', [NaN], 'invalid_conversion'],
      ['load', [65536], 'memory_out_of_bounds'],
      ['store', [-1], 'memory_out_of_bounds'],
      ['indirect', [2], 'indirect_call_mismatch'], // null table entry
      ['indirect', [1], 'indirect_call_mismatch'], // wrong signature
      ['indirect', [100], 'table_out_of_bounds'],
    ];
    for (const [name, args, kind] of traps) {
      test(`trap: ${name}(${args.join(', ')}) → ${kind}`, async () => {
        const result = await misbehave(isolation, name, args);
        assertFault(result, 'trap');
        assert.equal(result.outcome.error.trap, kind, result.outcome.error.message);
      });
    }

    test('trap: a null reference (function references allowed by the policy) → null_reference', async () => {
      const result = await harness.page.evaluate(
        async ({ bytes, isolation }) => {
          const features = [...rt.policy().features, 'function_references'];
          const refs = await ugc.createRuntime({ policy: { features } });
          const refused = rt.validate(window.bytes(bytes)).ok;
          const script = await refs.load(window.bytes(bytes), { isolation });
          const outcome = await attempt(() => script.call('null_ref'));
          const next = await attempt(() => script.call('null_ref'));
          script.dispose();
          return { refused: !refused, outcome, next };
        },
        { bytes: arr(NULL_REF), isolation },
      );
      assert.equal(result.refused, true, 'the default policy refuses function references');
      assert.equal(result.outcome.error?.code, 'trap', JSON.stringify(result.outcome));
      assert.equal(result.outcome.error.trap, 'null_reference', result.outcome.error.message);
      assert.equal(result.next.error?.code, 'faulted');
    });

    test('out-of-bounds pointers passed to ugc.log are bad_pointer, not a raw exception', async () => {
      for (const args of [
        [65530, 100],
        [-1, 1],
        [0, -1],
      ]) {
        assertFault(await misbehave(isolation, 'log', args), 'bad_pointer');
      }
    });

    test('memory.grow stops at the cap and returns -1 past it', async () => {
      const result = await harness.page.evaluate(
        async ({ isolation }) => {
          const script = await rt.load(GUEST, { isolation, maxMemoryPages: 4 });
          const out = {
            grow3: await script.call('grow', 3),
            pages: await script.call('pages'),
            grow1: await script.call('grow', 1),
            growHuge: await script.call('grow', 65536),
            pagesAfter: await script.call('pages'),
            memoryBytes: script.stats().memoryBytes,
            faulted: script.stats().faulted,
          };
          script.dispose();
          return out;
        },
        { isolation },
      );
      assert.deepEqual(result, {
        grow3: 1,
        pages: 4,
        grow1: -1,
        growHuge: -1,
        pagesAfter: 4,
        memoryBytes: 4 * 65536,
        faulted: false,
      });
    });

    test('a module needing more memory than the cap fails to load with memory_limit', async () => {
      const outcome = await harness.page.evaluate(
        ({ bytes, isolation }) =>
          attempt(() => rt.load(window.bytes(bytes), { isolation, maxMemoryPages: 16 })),
        { bytes: arr(BIG_MEMORY), isolation },
      );
      assert.equal(outcome.error?.code, 'memory_limit', JSON.stringify(outcome));
    });

    test('a huge memory.fill: whole memory works, past the end traps, and it is metered', async () => {
      const result = await harness.page.evaluate(
        async ({ isolation }) => {
          const script = await rt.load(GUEST, { isolation, maxMemoryPages: 256, fuel: 6_000_000 });
          await script.call('grow', 255);
          const whole = await attempt(() => script.call('fill', 0, 256 * 65536));
          const wholeFuel = script.stats().fuelUsed;
          const past = await attempt(() => script.call('fill', 65536, 256 * 65536));
          script.dispose();
          // 1,000 fuel pays neither for growing 255 pages (it traps right after the grow) nor for filling one
          // (it traps before the fill).
          const tight = await rt.load(GUEST, { isolation, maxMemoryPages: 256, fuel: 1000 });
          const starvedGrow = await attempt(() => tight.call('grow', 255));
          await tight.reset();
          const starved = await attempt(() => tight.call('fill', 0, 65536));
          tight.dispose();
          return { whole, wholeFuel, past, starved, starvedGrow };
        },
        { isolation },
      );
      assert.equal(result.whole.error, undefined, JSON.stringify(result.whole));
      assert.ok(result.wholeFuel > 1000, `filling 16 MiB costs more than 1000 fuel (${result.wholeFuel})`);
      assert.equal(result.past.error?.trap, 'memory_out_of_bounds');
      assert.equal(result.starved.error?.code, 'fuel_exhausted');
      assert.equal(result.starvedGrow.error?.code, 'fuel_exhausted');
    });

    test('unknown exports and bad arguments are refused without faulting the script', async () => {
      const result = await harness.page.evaluate(
        async ({ isolation }) => {
          const script = await rt.load(GUEST, { isolation });
          const out = {
            unknown: await attempt(() => script.call('nope')),
            reserved: await attempt(() => script.call('__ugc_fuel')),
            inherited: await attempt(() => script.call('toString')),
            tooFew: await attempt(() => script.call('add', 1)),
            tooMany: await attempt(() => script.call('add', 1, 2, 3)),
            string: await attempt(() => script.call('add', '1', 2)),
            object: await attempt(() => script.call('add', {}, 2)),
            numberForI64: await attempt(() => script.call('add64', 1, 2)),
            bigintForI32: await attempt(() => script.call('add', 1n, 2)),
            stillWorks: await attempt(() => script.call('add', 1, 2)),
            faulted: script.stats().faulted,
          };
          script.dispose();
          return out;
        },
        { isolation },
      );
      for (const key of ['unknown', 'reserved', 'inherited'])
        assert.equal(result[key].error?.code, 'unknown_export', key);
      for (const key of ['tooFew', 'tooMany', 'string', 'object', 'numberForI64', 'bigintForI32']) {
        assert.equal(result[key].error?.code, 'bad_argument', key);
      }
      assert.equal(result.stillWorks.value, 3);
      assert.equal(result.faulted, false);
    });

    test('a log call followed by a trap: the log arrives and the trap is reported', async () => {
      const result = await harness.page.evaluate(
        async ({ isolation }) => {
          const seen = [];
          const script = await rt.load(GUEST, { isolation, onLog: (m) => seen.push(m) });
          const outcome = await attempt(() => script.call('fail_after_log'));
          script.dispose();
          return { seen, outcome };
        },
        { isolation },
      );
      assert.deepEqual(result.seen, ['hello']);
      assert.equal(result.outcome.error.trap, 'unreachable');
    });

    test('dispose(): later calls fail with disposed; dispose is idempotent', async () => {
      const result = await harness.page.evaluate(
        async ({ isolation }) => {
          const script = await rt.load(GUEST, { isolation });
          script.dispose();
          script.dispose();
          return {
            call: await attempt(() => script.call('add', 1, 2)),
            stats: await attempt(() => script.stats()),
            reset: await attempt(() => script.reset()),
          };
        },
        { isolation },
      );
      for (const key of ['call', 'stats', 'reset']) assert.equal(result[key].error?.code, 'disposed', key);
    });

    test('a start function that never returns is stopped at load; the runtime keeps working', async () => {
      const result = await harness.page.evaluate(
        async ({ bytes, isolation }) => {
          const outcome = await attempt(() => rt.load(window.bytes(bytes), { isolation, timeoutMs: 10_000 }));
          const healthy = await rt.load(GUEST, { isolation });
          const answer = await healthy.call('add', 20, 22);
          healthy.dispose();
          return { outcome, answer };
        },
        { bytes: arr(START_LOOP), isolation },
      );
      // Prepare exports the start function as __ugc_start and the runtime calls it metered, so running
      // out of fuel there is reported as such.
      assert.equal(result.outcome.error?.code, 'fuel_exhausted', JSON.stringify(result.outcome));
      assert.equal(result.answer, 42);
    });

    test('a start function runs before the first call', async () => {
      const first = await harness.page.evaluate(
        async ({ bytes, isolation }) => {
          const script = await rt.load(window.bytes(bytes), { isolation });
          const value = await script.call('first');
          script.dispose();
          return value;
        },
        { bytes: arr(START_WRITES), isolation },
      );
      assert.equal(first, 42);
    });

    test('a hostile script does not disturb a well-behaved one', async () => {
      const result = await harness.page.evaluate(
        async ({ isolation }) => {
          const good = await rt.load(GUEST, { isolation });
          const bad = await rt.load(GUEST, { isolation, fuel: 200_000 });
          const answers = [];
          const failures = [];
          for (const [name, args] of [
            ['spin', []],
            ['recurse', [0]],
            ['unreachable', []],
            ['log', [-1, 10]],
            ['grow', [65536]],
          ]) {
            failures.push((await attempt(() => bad.call(name, ...args))).error?.code ?? 'ok');
            answers.push(await good.call('add', answers.length, 100));
            answers.push(await good.call('counter'));
            await bad.reset();
          }
          const goodStats = good.stats();
          good.dispose();
          bad.dispose();
          return { answers, failures, goodStats };
        },
        { isolation },
      );
      assert.deepEqual(result.failures, ['fuel_exhausted', 'stack_overflow', 'trap', 'bad_pointer', 'ok']);
      assert.deepEqual(result.answers, [100, 1, 102, 2, 104, 3, 106, 4, 108, 5]);
      assert.equal(result.goodStats.faulted, false);
    });
  });
}
