// The validate API, the ABI description, and loading + calling well-behaved scripts in both isolation modes.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { arr, openRuntimePage } from './runtime-harness.mjs';
import { FORBIDDEN_IMPORT, GARBAGE, GUEST } from './runtime-fixtures.mjs';

let harness;
before(async () => {
  harness = await openRuntimePage();
});
after(async () => {
  assert.deepEqual(harness.pageErrors, [], 'no uncaught errors on the page');
  await harness.close();
});

const run = (fn, ...args) => harness.page.evaluate(fn, ...args);

describe('rt.validate', () => {
  test('accepts a valid module with a report and no errors', async () => {
    const verdict = await run((bytes) => rt.validate(window.bytes(bytes)), arr(GUEST));
    assert.equal(verdict.ok, true);
    assert.deepEqual(verdict.errors, []);
    assert.match(verdict.report.sha256, /^[0-9a-f]{64}$/);
  });

  test('refuses a forbidden import with a coded error and an offset', async () => {
    const verdict = await run((bytes) => rt.validate(window.bytes(bytes)), arr(FORBIDDEN_IMPORT));
    assert.equal(verdict.ok, false);
    assert.ok(verdict.errors.length >= 1);
    for (const error of verdict.errors) {
      assert.match(error.code, /^[a-z][a-z0-9_]*$/);
      assert.equal(typeof error.message, 'string');
      assert.ok('offset' in error);
    }
  });

  test('refuses malformed bytes', async () => {
    const verdict = await run((bytes) => rt.validate(window.bytes(bytes)), arr(GARBAGE));
    assert.equal(verdict.ok, false);
    assert.ok(verdict.errors.length >= 1);
  });

  test('accepts an ArrayBuffer and a per-call policy, and refuses non-bytes with bad_argument', async () => {
    const result = await run(async (bytes) => {
      const buffer = window.bytes(bytes).buffer;
      const plainOk = rt.validate(buffer).ok;
      const withPolicy = rt.validate(buffer, {}).ok;
      const notBytes = await attempt(() => rt.validate('not bytes'));
      const badPolicy = await attempt(() => rt.validate(buffer, 42));
      return { plainOk, withPolicy, notBytes, badPolicy };
    }, arr(GUEST));
    assert.equal(result.plainOk, true);
    assert.equal(result.withPolicy, true);
    assert.equal(result.notBytes.error.code, 'bad_argument');
    assert.equal(result.badPolicy.error.code, 'bad_argument');
  });

  test('rt.abi() describes the host functions', async () => {
    const abi = await run(() => rt.abi());
    assert.equal(typeof abi.version, 'number');
    const log = abi.imports.find((f) => f.module === 'ugc' && f.name === 'log');
    assert.deepEqual(log.params, ['i32', 'i32']);
    assert.deepEqual(log.results, []);
  });
});

for (const isolation of ['instance', 'worker']) {
  describe(`load + call (${isolation})`, () => {
    test('numbers in and out: i32, i64 as BigInt, f32, f64, multi-value', async () => {
      const results = await run(
        async ({ bytes, isolation }) => {
          const script = await rt.load(window.bytes(bytes), { isolation });
          const out = {
            add: await script.call('add', 2, 3),
            wrap: await script.call('add', 0x7fffffff, 1),
            add64: plain(await script.call('add64', 1n << 40n, 5n)),
            mulf32: await script.call('mulf32', 1.1, 3),
            divf64: await script.call('divf64', 1, 3),
            swap: await script.call('swap', 7, 2.5),
          };
          script.dispose();
          return out;
        },
        { bytes: arr(GUEST), isolation },
      );
      assert.equal(results.add, 5);
      assert.equal(results.wrap, -2147483648);
      assert.deepEqual(results.add64, { bigint: String((1n << 40n) + 5n) });
      assert.equal(results.mulf32, Math.fround(Math.fround(1.1) * 3));
      assert.equal(results.divf64, 1 / 3);
      assert.deepEqual(results.swap, [2.5, 7]);
    });

    test('state persists between calls; stats count calls, fuel and memory', async () => {
      const result = await run(
        async ({ bytes, isolation }) => {
          const script = await rt.load(window.bytes(bytes), { isolation, fuel: 50_000 });
          const counts = [
            await script.call('counter'),
            await script.call('counter'),
            await script.call('counter'),
          ];
          await script.call('count_to', 1000);
          const stats = script.stats();
          script.dispose();
          return { counts, stats };
        },
        { bytes: arr(GUEST), isolation },
      );
      assert.deepEqual(result.counts, [1, 2, 3]);
      const { stats } = result;
      assert.equal(stats.calls, 4);
      assert.equal(stats.fuelLimit, 50_000);
      assert.ok(stats.fuelUsed >= 1000, `a 1000-iteration loop uses >= 1000 fuel, used ${stats.fuelUsed}`);
      assert.ok(stats.fuelUsed < 50_000);
      assert.equal(stats.memoryBytes, 65536);
      assert.equal(stats.faulted, false);
      assert.equal(stats.isolation, isolation);
    });

    test('ugc.log reaches onLog with the guest string', async () => {
      const logs = await run(
        async ({ bytes, isolation }) => {
          const seen = [];
          const script = await rt.load(window.bytes(bytes), { isolation, onLog: (m) => seen.push(m) });
          await script.call('hello');
          await script.call('log', 16, 5);
          script.dispose();
          return seen;
        },
        { bytes: arr(GUEST), isolation },
      );
      assert.deepEqual(logs, ['hello from guest', 'hello']);
    });

    test('a refused module fails load with validation and the validator errors', async () => {
      const outcome = await run(
        ({ bytes, isolation }) => attempt(() => rt.load(window.bytes(bytes), { isolation })),
        { bytes: arr(FORBIDDEN_IMPORT), isolation },
      );
      assert.equal(outcome.error.code, 'validation');
      assert.equal(outcome.error.name, 'ValidationError');
      assert.equal(outcome.error.isUgcError, true);
      assert.ok(outcome.error.errors.length >= 1);
    });

    test('bad load options are bad_argument', async () => {
      const outcomes = await run(
        async ({ bytes, isolation }) => {
          const b = window.bytes(bytes);
          return [
            await attempt(() => rt.load(b, { isolation, fuel: -1 })),
            await attempt(() => rt.load(b, { isolation, fuel: 1.5 })),
            await attempt(() => rt.load(b, { isolation, maxMemoryPages: 1e9 })),
            await attempt(() => rt.load(b, { isolation: 'thread' })),
            await attempt(() => rt.load(b, { isolation, timeoutMs: 0 })),
            await attempt(() => rt.load(null, { isolation })),
          ];
        },
        { bytes: arr(GUEST), isolation },
      );
      for (const outcome of outcomes)
        assert.equal(outcome.error?.code, 'bad_argument', JSON.stringify(outcome));
    });
  });
}

test('callSync works in instance isolation and is refused in worker isolation', async () => {
  const result = await run(async (bytes) => {
    const b = window.bytes(bytes);
    const inst = await rt.load(b);
    const sync = inst.callSync('add', 40, 2);
    const syncErr = await attempt(() => inst.callSync('nope'));
    const worker = await rt.load(b, { isolation: 'worker' });
    const refused = await attempt(() => worker.callSync('add', 1, 2));
    inst.dispose();
    worker.dispose();
    return { sync, syncErr, refused };
  }, arr(GUEST));
  assert.equal(result.sync, 42);
  assert.equal(result.syncErr.error.code, 'unknown_export');
  assert.equal(result.refused.error.code, 'bad_argument');
});

test('the same module loaded many times is compiled once', async () => {
  const result = await run(async (bytes) => {
    const before = rt.stats();
    const scripts = [];
    for (let i = 0; i < 20; i++) scripts.push(await rt.load(window.bytes(bytes), { fuel: 1000 + i }));
    const answers = await Promise.all(scripts.map((s, i) => s.call('add', i, 1)));
    const during = rt.stats();
    for (const s of scripts) s.dispose();
    return { before, during, answers, afterAll: rt.stats() };
  }, arr(GUEST));
  assert.deepEqual(
    result.answers,
    Array.from({ length: 20 }, (_, i) => i + 1),
  );
  assert.ok(result.during.compiles - result.before.compiles <= 1);
  assert.equal(result.during.liveScripts - result.before.liveScripts, 20);
  assert.equal(result.afterAll.liveScripts, result.before.liveScripts);
});
