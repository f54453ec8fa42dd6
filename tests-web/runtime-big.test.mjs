// Big modules (docs/JS-API.md "Big modules"): up to the policy's max_module_size (16 MiB) a module loads in
// instance isolation (validated, prepared and compiled in the load worker, instantiated asynchronously), and
// every refusal or failure on that path is typed. Modules are built in the page (scripts/lib/big-module.mjs):
// megabytes do not cross page.evaluate.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openRuntimePage } from './runtime-harness.mjs';

let harness;
before(async () => {
  harness = await openRuntimePage();
  await harness.page.evaluate(async () => {
    window.bigModule = (await import('/scripts/lib/big-module.mjs')).bigModule;
    window.codeOf = (fn) => {
      try {
        fn();
        return 'ok';
      } catch (error) {
        return error instanceof ugc.UgcError ? error.code : `untyped: ${error?.message}`;
      }
    };
  });
});
after(async () => {
  assert.deepEqual(harness.pageErrors, [], 'no uncaught errors on the page');
  await harness.close();
});

const MIB = 1024 * 1024;

/**
 * `add128(a_lo, a_hi, b_lo, b_hi)`: i64.add128 (wide arithmetic). The validator accepts it when the policy
 * allows `wide_arithmetic`; Chromium cannot compile it, so it fails after validation and prepare.
 */
function wideArithmetic(padding = 0) {
  const name = [...new TextEncoder().encode('add128')];
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...[0x01, 0x0a, 0x01, 0x60, 0x04, 0x7e, 0x7e, 0x7e, 0x7e, 0x02, 0x7e, 0x7e],
    ...[0x03, 0x02, 0x01, 0x00],
    ...[0x07, 0x0a, 0x01, 0x06, ...name, 0x00, 0x00],
    ...[0x0a, 0x0e, 0x01, 0x0c, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0x20, 0x03, 0xfc, 0x13, 0x0b],
  ];
  if (padding === 0) return bytes;
  // A custom section `pad` of `padding` bytes (LEB128 sizes).
  const leb = (n) => {
    const out = [];
    do {
      out.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
      n >>>= 7;
    } while (n > 0);
    return out;
  };
  const body = [0x03, ...new TextEncoder().encode('pad'), ...new Array(padding).fill(0)];
  return [...bytes, 0x00, ...leb(body.length), ...body];
}

test('a 15 MB module loads in instance isolation, runs, resets and serves callSync', async () => {
  const r = await harness.page.evaluate(async (MIB) => {
    const bytes = bigModule({ codeBytes: 15 * MIB, steps: 1000 });
    const before = rt.stats();
    const script = await rt.load(bytes, { fuel: 1_000_000_000 });
    const size = bytes.byteLength;
    const out = {
      size,
      run: script.callSync('run', 5),
      add: await script.call('add', 2, 3),
      isolation: script.stats().isolation,
      sha: script.report.sha256,
    };
    await script.reset();
    out.afterReset = script.callSync('run', 7);
    // Cached: the second load compiles nothing.
    const again = await rt.load(bytes, { fuel: 1_000_000_000 });
    out.again = again.callSync('add', 40, 2);
    out.compiles = rt.stats().compiles - before.compiles;
    again.dispose();
    script.dispose();
    out.live = rt.stats().liveScripts - before.liveScripts;
    return out;
  }, MIB);
  assert.ok(r.size > 15 * MIB && r.size <= 16 * MIB, `module is ${r.size} bytes`);
  assert.equal(r.run, 1005);
  assert.equal(r.add, 5);
  assert.equal(r.isolation, 'instance');
  assert.match(r.sha, /^[0-9a-f]{64}$/);
  assert.equal(r.afterReset, 1007);
  assert.equal(r.again, 42);
  assert.equal(r.compiles, 1);
  assert.equal(r.live, 0);
});

test('a big module loads shared and in worker isolation too', async () => {
  const r = await harness.page.evaluate(async (MIB) => {
    const bytes = bigModule({ codeBytes: 12 * MIB, steps: 2000 });
    const group = await rt.loadShared(bytes, { fuel: 1_000_000_000 });
    const views = [group.attach({ self: { id: 1 } }), group.attach({ self: { id: 2 } })];
    const each = group.callEach(views, 'run', 1);
    const shared = views[1].callSync('run', 3);
    await group.reset();
    const afterReset = views[0].callSync('add', 1, 1);
    group.dispose();
    const worker = await rt.load(bytes, { isolation: 'worker', fuel: 1_000_000_000 });
    const inWorker = await worker.call('run', 4);
    worker.dispose();
    return { each, shared, afterReset, inWorker };
  }, MIB);
  assert.deepEqual(r, { each: null, shared: 2003, afterReset: 2, inWorker: 2004 });
});

test('a module over max_module_size is a validation error, refused before it is read', async () => {
  const r = await harness.page.evaluate(async (MIB) => {
    const bytes = bigModule({ codeBytes: 17 * MIB });
    const limit = rt.policy().max_module_size;
    const load = await attempt(() => rt.load(bytes));
    const shared = await attempt(() => rt.loadShared(bytes));
    // The same code as the validator's own refusal.
    const verdict = rt.validate(bytes);
    // A smaller policy limit, on the off-thread path's size range.
    const small = await ugc.createRuntime({ policy: { max_module_size: 200_000 } });
    const tooBig = await attempt(() => small.load(bigModule({ codeBytes: 300_000 })));
    return { size: bytes.byteLength, limit, load, shared, verdictCode: verdict.errors[0].code, tooBig };
  }, MIB);
  assert.ok(r.size > r.limit);
  for (const outcome of [r.load, r.shared, r.tooBig]) {
    assert.equal(outcome.error?.code, 'validation', JSON.stringify(outcome));
    assert.equal(outcome.error.name, 'ValidationError');
    assert.equal(outcome.error.errors[0].code, 'module_too_large');
  }
  assert.equal(r.verdictCode, 'module_too_large');
});

test('a big module the policy refuses is a validation error from the load worker, with the errors', async () => {
  const r = await harness.page.evaluate(async (MIB) => {
    const strict = await ugc.createRuntime({ policy: { max_functions: 100 } });
    return attempt(() => strict.load(bigModule({ codeBytes: 2 * MIB })));
  }, MIB);
  assert.equal(r.error?.code, 'validation', JSON.stringify(r));
  assert.equal(r.error.isUgcError, true);
  assert.equal(r.error.errors[0].code, 'too_many_functions');
});

test('a module that validates but cannot be compiled is load_failed with a reason, small or big', async () => {
  const r = await harness.page.evaluate(
    async ({ small, big }) => {
      const features = [...rt.policy().features, 'wide_arithmetic'];
      const wide = await ugc.createRuntime({ policy: { features } });
      const out = {
        validates: wide.validate(window.bytes(small)).ok,
        bigValidates: wide.validate(window.bytes(big)).ok,
        small: await attempt(() => wide.load(window.bytes(small))),
        big: await attempt(() => wide.load(window.bytes(big))),
        shared: await attempt(() => wide.loadShared(window.bytes(big))),
      };
      // The runtime is unharmed: a good module still loads.
      const good = await wide.load(bigModule({ codeBytes: 100_000 }));
      out.good = good.callSync('run', 0);
      good.dispose();
      out.live = wide.stats().liveScripts;
      return out;
    },
    { small: wideArithmetic(), big: wideArithmetic(128 * 1024) },
  );
  assert.equal(r.validates, true);
  assert.equal(r.bigValidates, true);
  for (const key of ['small', 'big', 'shared']) {
    assert.equal(r[key].error?.code, 'load_failed', `${key}: ${JSON.stringify(r[key])}`);
    assert.equal(r[key].error.isUgcError, true);
    assert.equal(r[key].error.reason, 'compile', key);
  }
  assert.equal(r.good, 1000);
  assert.equal(r.live, 0);
});

test('loads of big modules made at once all succeed, and the load worker ends when idle', async () => {
  const r = await harness.page.evaluate(async () => {
    const modules = [1, 2, 3].map((k) => bigModule({ codeBytes: 300_000, steps: 10 * k }));
    const scripts = await Promise.all(modules.map((bytes) => rt.load(bytes)));
    const answers = scripts.map((s) => s.callSync('run', 0));
    for (const s of scripts) s.dispose();
    return answers;
  });
  assert.deepEqual(r, [10, 20, 30]);
  for (let i = 0; i < 300 && harness.page.workers().length > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.equal(harness.page.workers().length, 0, 'no load worker left');
});

test('a caller reusing its buffer while the load runs does not change what is loaded', async () => {
  const r = await harness.page.evaluate(async () => {
    const bytes = bigModule({ codeBytes: 300_000, steps: 500 });
    const pending = rt.load(bytes);
    bytes.fill(0);
    const script = await pending;
    const value = script.callSync('run', 1);
    script.dispose();
    return value;
  });
  assert.equal(r, 501);
});

test('instancing() reads only the manifest, also of a big module', async () => {
  const r = await harness.page.evaluate(async () => {
    const manifest = new TextEncoder().encode(JSON.stringify({ instancing: 'shared' }));
    const shared = bigModule({ codeBytes: 300_000, custom: [['ugc_script', manifest]] });
    const plain = bigModule({ codeBytes: 300_000 });
    const broken = bigModule({ codeBytes: 1000, custom: [['ugc_script', new Uint8Array([123])]] });
    return {
      shared: rt.instancing(shared),
      plain: rt.instancing(plain),
      broken: await attempt(() => rt.instancing(broken)),
      garbage: await attempt(() => rt.instancing(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 0, 9]))),
    };
  });
  assert.equal(r.shared, 'shared');
  assert.equal(r.plain, 'node');
  assert.equal(r.broken.error?.code, 'load_failed');
  assert.equal(r.garbage.error?.code, 'load_failed');
});

test('a big module resets asynchronously: calls wait, callSync is refused, dispose meanwhile is clean', async () => {
  const r = await harness.page.evaluate(async () => {
    const bytes = bigModule({ codeBytes: 3 * 1024 * 1024, steps: 3000 });
    const script = await rt.load(bytes);
    const resetting = script.reset();
    const during = codeOf(() => script.callSync('run', 0));
    const waited = await script.call('run', 1);
    await resetting;
    const after = script.callSync('run', 2);
    const again = attempt(() => script.reset());
    const disposing = codeOf(() => script.dispose());
    const reset = await again;
    const later = await attempt(() => script.call('run', 3));
    return { during, waited, after, disposing, reset, later };
  });
  assert.equal(r.during, 'faulted');
  assert.equal(r.waited, 3001);
  assert.equal(r.after, 3002);
  assert.equal(r.disposing, 'ok');
  assert.equal(r.reset.error?.code, 'disposed', JSON.stringify(r.reset));
  assert.equal(r.later.error?.code, 'disposed');
});
