// No re-entrancy (docs/JS-API.md "Calls from inside a call"): an embedder callback (onLog, the bridge) that
// calls into the script it came from gets `reentrant` and the outer call keeps its fuel budget; dispose() and
// reset() from inside a call stop the guest, reject that call (`disposed` / `faulted`) and free the crate's
// objects only once it has unwound. Instance isolation and shared instancing.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { arr, guestWat, openRuntimePage, withCustomSection } from './runtime-harness.mjs';

const LOOP = `
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  ;; logs "tick" n times; returns how many iterations ran
  (func (export "log_loop") (param $n i32) (result i32) (local $i i32)
    (loop $l
      (call $log (i32.const 32) (i32.const 4))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    local.get $i)
  ;; two host calls in a row, no branch between them
  (func (export "log_twice") (call $log (i32.const 32) (i32.const 4)) (call $log (i32.const 32) (i32.const 4)))`;

/** Imports only `ugc.log`: no script host. */
const LOGGER = guestWat(`
(module
  (import "ugc" "log" (func $log (param i32 i32)))
  (memory 1)
  (data (i32.const 32) "tick")
  ${LOOP})`);

/** A script host and a bridge: `read_position` reads target.position through bridge.get. */
const BRIDGED = withCustomSection(
  guestWat(`
(module
  (import "ugc" "log" (func $log (param i32 i32)))
  (import "ugc" "self" (func $self (result i32)))
  (import "ugc" "object_get" (func $object_get (param i32 i32 i32) (result i32)))
  (memory 1)
  (data (i32.const 0) "target")
  (data (i32.const 16) "position")
  (data (i32.const 32) "tick")
  ${LOOP}
  ;; a handle to target.position (> 0), or an error code
  (func (export "read_position") (result i32) (local $t i32)
    (local.set $t (call $object_get (call $self) (i32.const 0) (i32.const 6)))
    (if (i32.lt_s (local.get $t) (i32.const 0)) (then (return (local.get $t))))
    (call $object_get (local.get $t) (i32.const 16) (i32.const 8)))
)`),
  'ugc_script',
  Array.from(
    new TextEncoder().encode(
      JSON.stringify({ extends: 'Node3D', properties: [{ name: 'target', type: 'Object' }] }),
    ),
  ),
);

let harness;
before(async () => {
  harness = await openRuntimePage();
  await harness.page.evaluate(
    ({ logger, bridged }) => {
      window.LOGGER = window.bytes(logger);
      window.BRIDGED = window.bytes(bridged);
      // An Object Variant (type 24, EncodedObjectAsID flag) for object `id`.
      window.objectBytes = (id) => {
        const v = new DataView(new ArrayBuffer(12));
        v.setUint32(0, 24 | (1 << 16), true);
        v.setBigUint64(4, BigInt(id), true);
        return v.buffer;
      };
      const position = new DataView(new ArrayBuffer(16));
      position.setUint32(0, 9, true);
      window.POSITION = new Uint8Array(position.buffer);
      /**
       * A bridged script whose bridge.get runs `onGet(script)` (the host is borrowed by the crate then), and
       * answers a Vector3; target is object 500.
       */
      window.bridgedScript = async (onGet) => {
        let script;
        const bridge = {
          classOf: (id) => (id === 500n ? 'Node3D' : null),
          get: () => {
            onGet(script);
            return POSITION;
          },
          call: () => undefined,
        };
        script = await rt.load(BRIDGED, { self: { id: 1, class: 'Node3D' }, bridge });
        await script.setProperty('target', objectBytes(500));
        return script;
      };
      window.codeOf = (fn) => {
        try {
          fn();
          return 'ok';
        } catch (error) {
          return error instanceof ugc.UgcError ? error.code : `untyped: ${error?.message}`;
        }
      };
    },
    { logger: arr(LOGGER), bridged: arr(BRIDGED) },
  );
});
after(async () => {
  assert.deepEqual(harness.pageErrors, [], 'no uncaught errors on the page');
  await harness.close();
});

const run = (fn, arg) => harness.page.evaluate(fn, arg);

describe('instance isolation', () => {
  test('onLog calling into the same script gets reentrant; the outer call keeps its 5,000 fuel', async () => {
    const r = await run(async () => {
      const inner = [];
      let logs = 0;
      let script;
      script = await rt.load(LOGGER, {
        fuel: 5000,
        onLog: () => {
          logs++;
          if (logs > 1) return;
          inner.push(codeOf(() => script.callSync('add', 1, 2)));
          inner.push(codeOf(() => script.callSync('log_loop', 200_000)));
          inner.push(codeOf(() => script.stats()));
          window.asyncInner = attempt(() => script.call('add', 1, 2));
          window.hostInner = attempt(() => script.takeBatch());
        },
      });
      const outcome = await attempt(() => script.call('log_loop', 200_000));
      const stats = script.stats();
      const asyncInner = await window.asyncInner;
      await script.reset();
      const afterReset = await script.call('add', 2, 2);
      script.dispose();
      return { inner, asyncInner, outcome, stats, logs, afterReset };
    });
    assert.deepEqual(r.inner, ['reentrant', 'reentrant', 'ok']);
    assert.equal(r.asyncInner.error?.code, 'reentrant');
    assert.equal(r.asyncInner.error.isUgcError, true);
    assert.equal(r.outcome.error?.code, 'fuel_exhausted', JSON.stringify(r.outcome));
    assert.equal(r.stats.fuelUsed, 5000);
    assert.equal(r.stats.fuelLimit, 5000);
    assert.ok(r.logs < 5000, `the loop ran ${r.logs} iterations on a 5,000 budget`);
    assert.equal(r.afterReset, 4);
  });

  test('a refused re-entrant call does not fault the script', async () => {
    const r = await run(async () => {
      let script;
      const inner = [];
      script = await rt.load(LOGGER, { onLog: () => inner.push(codeOf(() => script.callSync('add', 1, 2))) });
      const value = await script.call('log_loop', 3);
      const stats = script.stats();
      const next = script.callSync('add', 20, 22);
      script.dispose();
      return { inner, value, faulted: stats.faulted, calls: stats.calls, next };
    });
    assert.deepEqual(r.inner, ['reentrant', 'reentrant', 'reentrant']);
    assert.equal(r.value, 3);
    assert.equal(r.faulted, false);
    assert.equal(r.calls, 1, 'refused calls are not counted');
    assert.equal(r.next, 42);
  });

  test('dispose() inside a call stops it at its next host call: the call rejects disposed', async () => {
    const r = await run(async () => {
      const out = {};
      for (const [name, args] of [
        ['log_loop', [1_000_000]],
        ['log_twice', []],
      ]) {
        const before = rt.stats().liveScripts;
        let script;
        let logs = 0;
        const disposing = [];
        script = await rt.load(LOGGER, {
          fuel: 10n ** 12n,
          onLog: () => {
            logs++;
            disposing.push(codeOf(() => script.dispose()));
            disposing.push(codeOf(() => script.dispose()));
          },
        });
        const outcome = await attempt(() => script.call(name, ...args));
        out[name] = {
          outcome,
          logs,
          disposing,
          later: await attempt(() => script.call('add', 1, 2)),
          sync: codeOf(() => script.callSync('add', 1, 2)),
          stats: codeOf(() => script.stats()),
          reset: await attempt(() => script.reset()),
          disposeAgain: codeOf(() => script.dispose()),
          live: rt.stats().liveScripts - before,
        };
      }
      return out;
    });
    for (const name of ['log_loop', 'log_twice']) {
      const x = r[name];
      assert.equal(x.outcome.error?.code, 'disposed', `${name}: ${JSON.stringify(x.outcome)}`);
      assert.equal(x.outcome.error.isUgcError, true);
      assert.equal(x.logs, 1, `${name}: the guest was stopped at its next host call`);
      assert.deepEqual(x.disposing, ['ok', 'ok']);
      assert.equal(x.later.error?.code, 'disposed');
      assert.equal(x.sync, 'disposed');
      assert.equal(x.stats, 'disposed');
      assert.equal(x.reset.error?.code, 'disposed');
      assert.equal(x.disposeAgain, 'ok');
      assert.equal(x.live, 0);
    }
  });

  test('dispose() from the bridge (the crate is using the host): disposed, freed after the call', async () => {
    const r = await run(async () => {
      const before = rt.stats();
      const seen = [];
      const script = await bridgedScript((s) => {
        seen.push(codeOf(() => s.stats()));
        seen.push(codeOf(() => s.callSync('add', 1, 2)));
        seen.push(codeOf(() => s.dispose()));
      });
      const outcome = await attempt(() => script.call('read_position'));
      return {
        seen,
        outcome,
        later: codeOf(() => script.stats()),
        live: rt.stats().liveScripts - before.liveScripts,
      };
    });
    assert.deepEqual(r.seen, ['ok', 'reentrant', 'ok']);
    assert.equal(r.outcome.error?.code, 'disposed', JSON.stringify(r.outcome));
    assert.equal(r.later, 'disposed');
    assert.equal(r.live, 0);
  });

  test('a re-entrant call from the bridge is refused; the guest gets its answer and goes on', async () => {
    const r = await run(async () => {
      const seen = [];
      const script = await bridgedScript((s) => seen.push(codeOf(() => s.callSync('add', 1, 2))));
      const handle = await script.call('read_position');
      const stats = script.stats();
      script.dispose();
      return { seen, handle, faulted: stats.faulted };
    });
    assert.deepEqual(r.seen, ['reentrant']);
    assert.ok(r.handle > 0, `a handle, got ${r.handle}`);
    assert.equal(r.faulted, false);
  });

  test('reset() inside a call stops it (faulted); the script is fresh and usable after', async () => {
    const r = await run(async () => {
      let script;
      let resetting = null;
      let logs = 0;
      script = await rt.load(LOGGER, {
        fuel: 10n ** 12n,
        onLog: () => {
          logs++;
          resetting ??= script.reset();
        },
      });
      const outcome = await attempt(() => script.call('log_loop', 1_000_000));
      const logsThen = logs;
      await resetting;
      const stats = script.stats();
      const value = await script.call('log_loop', 2);
      const fromBridge = await bridgedScript((s) => {
        window.bridgeReset ??= s.reset();
      });
      const bridged = await attempt(() => fromBridge.call('read_position'));
      await window.bridgeReset;
      const bridgedAfter = await fromBridge.call('add', 2, 3);
      fromBridge.dispose();
      script.dispose();
      return { outcome, logs: logsThen, faulted: stats.faulted, value, bridged, bridgedAfter };
    });
    assert.equal(r.outcome.error?.code, 'faulted', JSON.stringify(r.outcome));
    assert.equal(r.outcome.error.reason, 'reset');
    assert.equal(r.logs, 1);
    assert.equal(r.faulted, false);
    assert.equal(r.value, 2);
    assert.equal(r.bridged.error?.code, 'faulted');
    assert.equal(r.bridgedAfter, 5);
  });

  test('1,000 loads and disposes, half of them from inside a call, leak no crate objects', async () => {
    const r = await run(async () => {
      const cycle = async (i) => {
        let script;
        script = await rt.load(BRIDGED, {
          self: { id: i + 1 },
          onLog: i % 2 === 0 ? () => script.dispose() : undefined,
        });
        await attempt(() => script.call('log_loop', 3));
        script.dispose();
      };
      const before = rt.stats();
      for (let i = 0; i < 100; i++) await cycle(i);
      const warm = rt.stats().coreMemoryBytes;
      for (let i = 0; i < 1000; i++) await cycle(i);
      const end = rt.stats();
      return { warm, end: end.coreMemoryBytes, live: end.liveScripts - before.liveScripts };
    });
    assert.equal(r.live, 0);
    assert.equal(r.end, r.warm, 'the crate memory did not grow over 1,000 cycles');
  });
});

describe('shared instancing', () => {
  test('onLog calling into its group (any view, callEach, takeBatch) gets reentrant; fuel is kept', async () => {
    const r = await run(async () => {
      const inner = [];
      let logs = 0;
      let group;
      let views;
      group = await rt.loadShared(LOGGER, {
        fuel: 5000,
        onLog: () => {
          logs++;
          if (logs > 1) return;
          inner.push(codeOf(() => views[1].callSync('add', 1, 2)));
          inner.push(codeOf(() => views[0].callSync('log_loop', 200_000)));
          inner.push(codeOf(() => group.callEach(views, 'add', 1, 2)));
          inner.push(codeOf(() => group.takeBatch()));
          inner.push(codeOf(() => group.stats()));
          inner.push(codeOf(() => views[0].stats()));
        },
      });
      views = [group.attach({ self: { id: 1 } }), group.attach({ self: { id: 2 } })];
      const outcome = await attempt(() => views[0].callSync('log_loop', 200_000));
      const stats = group.stats();
      await group.reset();
      const after = group.callEach(views, 'add', 1, 2);
      group.dispose();
      return { inner, outcome, fuelUsed: stats.fuelUsed, logs, after };
    });
    assert.deepEqual(r.inner, ['reentrant', 'reentrant', 'reentrant', 'reentrant', 'ok', 'ok']);
    assert.equal(r.outcome.error?.code, 'fuel_exhausted', JSON.stringify(r.outcome));
    assert.equal(r.fuelUsed, 5000);
    assert.ok(r.logs < 5000, `${r.logs} iterations on a 5,000 budget`);
    assert.equal(r.after, null);
  });

  test('group.dispose() inside callEach: it throws disposed, every view is disposed', async () => {
    const r = await run(async () => {
      const before = rt.stats().liveScripts;
      let group;
      let logs = 0;
      group = await rt.loadShared(BRIDGED, {
        fuel: 10n ** 12n,
        onLog: () => {
          logs++;
          window.disposing = codeOf(() => group.dispose());
        },
      });
      const views = [1, 2, 3].map((id) => group.attach({ self: { id } }));
      const outcome = await attempt(() => group.callEach(views, 'log_loop', 1_000_000));
      return {
        outcome,
        logs,
        disposing: window.disposing,
        states: views.map((v) => v.state),
        attach: codeOf(() => group.attach({ self: { id: 9 } })),
        view: codeOf(() => views[0].callSync('add', 1, 2)),
        again: codeOf(() => group.dispose()),
        live: rt.stats().liveScripts - before,
      };
    });
    assert.equal(r.outcome.error?.code, 'disposed', JSON.stringify(r.outcome));
    assert.equal(r.logs, 1);
    assert.equal(r.disposing, 'ok');
    assert.deepEqual(r.states, ['disposed', 'disposed', 'disposed']);
    assert.equal(r.attach, 'disposed');
    assert.equal(r.view, 'disposed');
    assert.equal(r.again, 'ok');
    assert.equal(r.live, 0);
  });

  test('group.reset() inside a view call: the call rejects faulted, the group is fresh after', async () => {
    const r = await run(async () => {
      let group;
      let resetting = null;
      group = await rt.loadShared(BRIDGED, {
        fuel: 10n ** 12n,
        onLog: () => {
          resetting ??= group.reset();
        },
      });
      const views = [1, 2].map((id) => group.attach({ self: { id } }));
      const outcome = await attempt(() => views[1].callSync('log_loop', 1_000_000));
      await resetting;
      const each = group.callEach(views, 'add', 1, 2);
      const value = views[0].callSync('log_loop', 2);
      const states = views.map((v) => v.state);
      group.dispose();
      return { outcome, each, value, states };
    });
    assert.equal(r.outcome.error?.code, 'faulted', JSON.stringify(r.outcome));
    assert.equal(r.outcome.error.reason, 'reset');
    assert.equal(r.each, null);
    assert.equal(r.value, 2);
    assert.deepEqual(r.states, ['running', 'running']);
  });

  test('a view detached inside its own call: the call runs to its end, rejects disposed; the slot is reused after', async () => {
    const r = await run(async () => {
      let group;
      let logs = 0;
      let views;
      group = await rt.loadShared(BRIDGED, {
        onLog: () => {
          logs++;
          if (logs === 1) views[0].dispose();
        },
      });
      views = [1, 2].map((id) => group.attach({ self: { id } }));
      const slot = views[0].slot;
      const outcome = await attempt(() => views[0].callSync('log_loop', 3));
      const other = views[1].callSync('add', 1, 2);
      const next = group.attach({ self: { id: 3 } });
      const out = {
        outcome,
        logs,
        other,
        slot,
        reused: next.slot,
        state: views[0].state,
        fault: group.fault,
      };
      group.dispose();
      return out;
    });
    assert.equal(r.outcome.error?.code, 'disposed', JSON.stringify(r.outcome));
    assert.equal(r.logs, 3, 'the call ran to its end');
    assert.equal(r.other, 3);
    assert.equal(r.reused, r.slot);
    assert.equal(r.state, 'disposed');
    assert.equal(r.fault, null, 'the group is not faulted');
  });
});

describe('worker isolation', () => {
  test('reset() and dispose() from onLog while the call runs: faulted (a new worker) / disposed', async () => {
    const r = await run(async () => {
      let script;
      let resetting = null;
      script = await rt.load(LOGGER, {
        isolation: 'worker',
        fuel: 10n ** 15n,
        timeoutMs: 60_000,
        onLog: () => {
          resetting ??= script.reset();
        },
      });
      const outcome = await attempt(() => script.call('log_loop', 2_000_000_000));
      await resetting;
      const after = await script.call('add', 2, 3);
      let other;
      other = await rt.load(LOGGER, {
        isolation: 'worker',
        fuel: 10n ** 15n,
        timeoutMs: 60_000,
        onLog: () => other.dispose(),
      });
      const disposed = await attempt(() => other.call('log_loop', 2_000_000_000));
      script.dispose();
      return { outcome, after, disposed };
    });
    assert.equal(r.outcome.error?.code, 'faulted', JSON.stringify(r.outcome));
    assert.equal(r.outcome.error.reason, 'reset');
    assert.equal(r.after, 5);
    assert.equal(r.disposed.error?.code, 'disposed');
  });
});
