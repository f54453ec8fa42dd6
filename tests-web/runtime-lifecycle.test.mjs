// Worker timeouts, and loading/disposing many scripts without leaking instances or workers.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { arr, openRuntimePage } from './runtime-harness.mjs';
import { GUEST } from './runtime-fixtures.mjs';

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

test('worker: a loop with enormous fuel hits timeoutMs, then reset() and reload work', async () => {
  const result = await harness.page.evaluate(async () => {
    const script = await rt.load(GUEST, { isolation: 'worker', fuel: 10n ** 15n, timeoutMs: 300 });
    const bystander = await rt.load(GUEST, { isolation: 'worker' });
    const outcome = await attempt(() => script.call('spin'));
    const stats = script.stats();
    const next = await attempt(() => script.call('add', 1, 2));
    const bystanderAnswer = await bystander.call('add', 5, 5);
    await script.reset();
    const afterReset = await script.call('add', 2, 2);
    script.dispose();
    const reloaded = await rt.load(GUEST, { isolation: 'worker', timeoutMs: 300 });
    const reloadedAnswer = await reloaded.call('add', 3, 3);
    reloaded.dispose();
    bystander.dispose();
    return { outcome, stats, next, bystanderAnswer, afterReset, reloadedAnswer };
  });
  assert.equal(result.outcome.error?.code, 'timeout', JSON.stringify(result.outcome));
  assert.equal(result.stats.faulted, true);
  assert.equal(result.stats.lastError.code, 'timeout');
  assert.equal(result.next.error?.code, 'faulted');
  assert.equal(result.bystanderAnswer, 10);
  assert.equal(result.afterReset, 4);
  assert.equal(result.reloadedAnswer, 6);
});

test('worker: calls queued behind a timed-out call fail as faulted, not hang', async () => {
  const result = await harness.page.evaluate(async () => {
    const script = await rt.load(GUEST, { isolation: 'worker', fuel: 10n ** 15n, timeoutMs: 300 });
    const outcomes = await Promise.all([
      attempt(() => script.call('spin')),
      attempt(() => script.call('add', 1, 1)),
      attempt(() => script.call('add', 2, 2)),
    ]);
    script.dispose();
    return outcomes.map((o) => o.error?.code ?? o.value);
  });
  assert.equal(result[0], 'timeout');
  assert.deepEqual(result.slice(1), ['faulted', 'faulted']);
});

test('worker: dispose() while a call is in flight rejects it with disposed and ends the worker', async () => {
  const result = await harness.page.evaluate(async () => {
    const script = await rt.load(GUEST, { isolation: 'worker', fuel: 10n ** 15n, timeoutMs: 60_000 });
    const pending = attempt(() => script.call('spin'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    script.dispose();
    return (await pending).error?.code;
  });
  assert.equal(result, 'disposed');
  await waitFor(() => harness.page.workers().length === 0, 'every worker ended');
});

async function waitFor(predicate, what) {
  for (let i = 0; i < 200; i++) {
    if (await predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`timed out waiting until ${what}`);
}

test('1,000 instance loads and disposes leave no live script behind', async () => {
  const before = await harness.page.evaluate(() => rt.stats());
  const result = await harness.page.evaluate(async () => {
    window.refs = [];
    let sum = 0;
    for (let i = 0; i < 1000; i++) {
      const script = await rt.load(GUEST, { fuel: 10_000 });
      sum += await script.call('add', i, 1);
      script.dispose();
      window.refs.push(new WeakRef(script));
    }
    return { sum, stats: rt.stats() };
  });
  assert.equal(result.sum, (999 * 1000) / 2 + 1000);
  assert.equal(result.stats.liveScripts, before.liveScripts);
  assert.ok(result.stats.compiles - before.compiles <= 1, 'compiled once, then served from the cache');
  // WeakRefs are only cleared after the task that created them: collect in a later one.
  const alive = await harness.page.evaluate(async () => {
    for (let round = 0; round < 5; round++) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      gc();
    }
    return window.refs.filter((ref) => ref.deref() !== undefined).length;
  });
  assert.ok(alive <= 5, `${alive} of 1000 disposed scripts still reachable`);
});

test('worker loads and disposes end their workers', async () => {
  const count = await harness.page.evaluate(async () => {
    let sum = 0;
    for (let i = 0; i < 20; i++) {
      const script = await rt.load(GUEST, { isolation: 'worker' });
      sum += await script.call('add', i, 0);
      script.dispose();
    }
    return sum;
  });
  assert.equal(count, 190);
  await waitFor(() => harness.page.workers().length === 0, 'every worker ended');
});

test('worker: calls made during reset() after a timeout wait for the new worker', async () => {
  const result = await harness.page.evaluate(async () => {
    const script = await rt.load(GUEST, { isolation: 'worker', fuel: 10n ** 15n, timeoutMs: 300 });
    const timedOut = await attempt(() => script.call('spin'));
    const resetting = script.reset();
    const during = await Promise.all([script.call('add', 1, 1), script.call('counter')]);
    await resetting;
    script.dispose();
    return { timedOut: timedOut.error?.code, during };
  });
  assert.equal(result.timedOut, 'timeout');
  assert.deepEqual(result.during, [2, 1]);
});
