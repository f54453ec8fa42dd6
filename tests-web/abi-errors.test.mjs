// Hostile and sloppy guests against the browser ScriptHost: forged, stale and foreign handles give typed
// codes (counted in abiErrors), out-of-bounds (ptr, len) gives -4 (only `log` traps), names past the cap
// give -10 and malformed blend shape names -8, leaked handles hit handle_limit and recover after reset,
// and dispose frees the host.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { arr, guestWat, openRuntimePage } from './runtime-harness.mjs';

const ABUSER = guestWat(`
(module
  (import "ugc" "log" (func $log (param i32 i32)))
  (import "ugc" "new_int" (func $new_int (param i64) (result i32)))
  (import "ugc" "release" (func $release (param i32) (result i32)))
  (import "ugc" "type_of" (func $type_of (param i32) (result i32)))
  (import "ugc" "as_int" (func $as_int (param i32) (result i64)))
  (import "ugc" "new_string" (func $new_string (param i32 i32) (result i32)))
  (import "ugc" "value_read" (func $value_read (param i32 i32 i32) (result i32)))
  (import "ugc" "last_error" (func $last_error (param i32 i32) (result i32)))
  (import "ugc" "array_len" (func $array_len (param i32) (result i32)))
  (import "ugc" "self" (func $self (result i32)))
  (import "ugc" "object_get" (func $object_get (param i32 i32 i32) (result i32)))
  (import "ugc" "var_from_bytes" (func $var_from_bytes (param i32 i32) (result i32)))
  (memory 1)
  (data (i32.const 0) "hello")
  (data (i32.const 16) "position")
  ;; a forged handle: never issued
  (func (export "forged") (result i32) (call $type_of (i32.const 0x12345)))
  ;; a released handle used again
  (func (export "stale") (result i32) (local $h i32)
    (local.set $h (call $new_int (i64.const 7)))
    (drop (call $release (local.get $h)))
    (call $type_of (local.get $h)))
  ;; an int used as an Array
  (func (export "wrong") (result i32) (local $h i32) (local $r i32)
    (local.set $h (call $new_int (i64.const 7)))
    (local.set $r (call $array_len (local.get $h)))
    (drop (call $release (local.get $h)))
    (local.get $r))
  ;; a reference to an object that is not this script's node, forged as an Object Variant (type 24
  ;; with the EncodedObjectAsID flag, id 999) for var_from_bytes: refused (capability rule)
  (data (i32.const 64) "\\18\\00\\01\\00\\e7\\03\\00\\00\\00\\00\\00\\00")
  (func (export "foreign") (result i32) (local $o i32)
    (local.set $o (call $var_from_bytes (i32.const 64) (i32.const 12)))
    (if (i32.lt_s (local.get $o) (i32.const 0)) (then (return (local.get $o))))
    (call $object_get (local.get $o) (i32.const 16) (i32.const 8)))
  ;; an engine property of self that the browser host was not told
  (func (export "unknown_prop") (result i32)
    (call $object_get (call $self) (i32.const 16) (i32.const 8)))
  (func (export "oob_string") (result i32) (call $new_string (i32.const 65530) (i32.const 100)))
  (func (export "oob_neg") (result i32) (call $new_string (i32.const -1) (i32.const 2)))
  (func (export "oob_read") (result i32) (local $h i32)
    (local.set $h (call $new_int (i64.const 7)))
    (call $value_read (local.get $h) (i32.const 65535) (i32.const 8)))
  (func (export "oob_log") (call $log (i32.const 65530) (i32.const 100)))
  (func (export "read_back") (result i64) (local $h i32)
    (local.set $h (call $new_string (i32.const 0) (i32.const 5)))
    (drop (call $value_read (call $new_int (i64.const 42)) (i32.const 128) (i32.const 8)))
    (i64.load (i32.const 128)))
  ;; declared-method shaped exports: (args) -> returned handle
  (func (export "ret_owned") (param i32) (result i32) (call $new_int (i64.const 5)))
  (func (export "ret_forged") (param i32) (result i32) (i32.const 0x4242))
  (func (export "ret_borrowed") (param i32) (result i32) (local.get 0))
  ;; copies the last error message to 256 and returns its length
  (func (export "error_text") (result i32) (call $last_error (i32.const 256) (i32.const 200)))
  (func (export "leak") (param i32) (result i32) (local $r i32)
    (block $done (loop $l
      (local.set $r (call $new_int (i64.const 1)))
      (br_if $done (i32.lt_s (local.get $r) (i32.const 0)))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br_if $l (i32.gt_s (local.get 0) (i32.const 0)))))
    (local.get $r))
)`);

/** The crate's name cap (abi::MAX_NAME_LEN, docs/ABI.md "Names"). */
const MAX_NAME = 256;

// Name-taking functions called with the first `len` bytes at 4096 as the name (`p` then `a`s), on the
// script's own node; `blend(i)` writes one of three blend shape names.
const NAMER = guestWat(`
(module
  (import "ugc" "self" (func $self (result i32)))
  (import "ugc" "object_get" (func $get (param i32 i32 i32) (result i32)))
  (import "ugc" "object_set_value" (func $set_value (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "ugc" "object_call" (func $call (param i32 i32 i32 i32) (result i32)))
  (import "ugc" "emit_signal" (func $emit (param i32 i32 i32) (result i32)))
  (import "ugc" "last_error" (func $last_error (param i32 i32) (result i32)))
  (memory 2)
  (data (i32.const 0) "\\00\\00\\00\\00\\00\\00\\f8\\3f")
  (data (i32.const 4096) "p${'a'.repeat(2 * MAX_NAME)}")
  (data (i32.const 8192) "blend_shapes/smile")
  (data (i32.const 8256) "blend_shapes/a:b")
  (data (i32.const 8320) "blend_shapes/a/b")
  (func (export "get") (param $len i32) (result i32)
    (call $get (call $self) (i32.const 4096) (local.get $len)))
  (func (export "set_value") (param $len i32) (result i32)
    (call $set_value (call $self) (i32.const 4096) (local.get $len) (i32.const 3) (i32.const 0) (i32.const 8)))
  (func (export "call") (param $len i32) (result i32)
    (call $call (call $self) (i32.const 4096) (local.get $len) (i32.const 0)))
  (func (export "emit") (param $len i32) (result i32)
    (call $emit (i32.const 4096) (local.get $len) (i32.const 0)))
  (func (export "blend") (param $i i32) (result i32)
    (call $set_value (call $self) (i32.add (i32.const 8192) (i32.mul (local.get $i) (i32.const 64)))
      (select (i32.const 18) (i32.const 16) (i32.eqz (local.get $i))) (i32.const 3) (i32.const 0) (i32.const 8)))
  ;; the full length of the last error message (nothing copied)
  (func (export "error_length") (result i32) (call $last_error (i32.const 0) (i32.const 0)))
)`);

let harness;
before(async () => {
  harness = await openRuntimePage();
  await harness.page.evaluate(
    ([abuser, namer]) => {
      window.ABUSER = window.bytes(abuser);
      window.NAMER = window.bytes(namer);
      window.readText = (s) => s;
    },
    [arr(ABUSER), arr(NAMER)],
  );
});
after(async () => {
  assert.deepEqual(harness.pageErrors, [], 'no uncaught errors on the page');
  await harness.close();
});

for (const isolation of ['instance', 'worker']) {
  test(`${isolation}: forged, stale, foreign handles and wrong types give typed codes, counted`, async () => {
    const r = await harness.page.evaluate(
      async ({ isolation }) => {
        const s = await rt.load(ABUSER, { isolation, self: { id: 5, class: 'Node3D' } });
        const out = {};
        for (const name of ['forged', 'stale', 'wrong', 'foreign', 'unknown_prop']) {
          out[name] = await s.call(name);
        }
        out.errorLength = await s.call('error_text');
        out.stats = s.stats();
        s.dispose();
        return out;
      },
      { isolation },
    );
    assert.equal(r.forged, -1, 'bad_handle');
    assert.equal(r.stale, -2, 'stale_handle');
    assert.equal(r.wrong, -3, 'wrong_type');
    assert.equal(r.foreign, -8, 'not_allowed: a guest cannot forge an object reference');
    assert.equal(r.unknown_prop, -7, 'not_found');
    assert.ok(r.errorLength > 0);
    assert.equal(r.stats.abiErrors, 5);
    assert.equal(r.stats.faulted, false);
  });

  test(`${isolation}: out-of-bounds (ptr, len) is -4 for ABI functions, a bad_pointer trap for log`, async () => {
    const r = await harness.page.evaluate(
      async ({ isolation }) => {
        const s = await rt.load(ABUSER, { isolation });
        const codes = [await s.call('oob_string'), await s.call('oob_neg'), await s.call('oob_read')];
        const readBack = await s.call('read_back');
        const before = s.stats();
        const trap = await attempt(() => s.call('oob_log'));
        const after = s.stats();
        s.dispose();
        return { codes, readBack: String(readBack), before, trap, after };
      },
      { isolation },
    );
    assert.deepEqual(r.codes, [-4, -4, -4]);
    assert.equal(r.readBack, '42', 'value_read copies the raw i64 into guest memory');
    assert.equal(r.before.abiErrors, 3);
    assert.equal(r.before.faulted, false);
    assert.equal(r.trap.error.code, 'bad_pointer');
    assert.equal(r.after.faulted, true);
  });

  test(`${isolation}: a guest leaking handles hits handle_limit and recovers after reset`, async () => {
    const r = await harness.page.evaluate(
      async ({ isolation }) => {
        const limited = await ugc.createRuntime({ policy: { max_live_handles: 100 } });
        const s = await limited.load(ABUSER, { isolation });
        const first = await s.call('leak', 100);
        const atCap = s.stats().liveHandles;
        const over = await s.call('leak', 1);
        const stats = s.stats();
        await s.reset();
        const afterReset = s.stats().liveHandles;
        const again = await s.call('leak', 10);
        const final = s.stats();
        s.dispose();
        return { first, atCap, over, stats, afterReset, again, final };
      },
      { isolation },
    );
    assert.ok(r.first > 0, 'the 100th handle still succeeds');
    assert.equal(r.atCap, 100);
    assert.equal(r.over, -5, 'handle_limit');
    assert.equal(r.stats.abiErrors, 1);
    assert.equal(r.afterReset, 0, 'reset released every handle');
    assert.ok(r.again > 0);
    assert.equal(r.final.liveHandles, 10);
  });
}

for (const isolation of ['instance', 'worker']) {
  test(`${isolation}: names past the cap are bad_value before any other check; malformed blend shape names are not_allowed`, async () => {
    const r = await harness.page.evaluate(
      async ({ isolation, cap }) => {
        const s = await rt.load(NAMER, { isolation, self: { id: 5, class: 'MeshInstance3D' } });
        const out = {};
        for (const fn of ['get', 'set_value', 'call', 'emit']) {
          out[fn] = [await s.call(fn, cap), await s.call(fn, cap + 1)];
        }
        out.hugeName = await s.call('get', 60000);
        out.hugeMessageLength = await s.call('error_length');
        out.blend = [await s.call('blend', 0), await s.call('blend', 1), await s.call('blend', 2)];
        out.stats = s.stats();
        s.dispose();
        return out;
      },
      { isolation, cap: MAX_NAME },
    );
    // At the cap the name reaches the usual checks (no such rule, no such signal); one byte more is bad_value.
    assert.deepEqual(r.get, [-8, -10]);
    assert.deepEqual(r.set_value, [-8, -10]);
    assert.deepEqual(r.call, [-8, -10]);
    assert.deepEqual(r.emit, [-7, -10]);
    assert.equal(r.hugeName, -10);
    // The crate's own message (the glue refused the name before copying it): the length, not the name.
    assert.equal(
      r.hugeMessageLength,
      `object_get: bad_value: a name is at most ${MAX_NAME} bytes, got 60000`.length,
    );
    assert.deepEqual(r.blend, [0, -8, -8], "blend_shapes/ grants one segment without ':' or '/'");
    assert.equal(r.stats.abiErrors, 11);
    assert.equal(r.stats.faulted, false);
  });

  test(`${isolation}: callMethod takes over returned handles and refuses forged ones`, async () => {
    const r = await harness.page.evaluate(
      async ({ isolation }) => {
        const s = await rt.load(ABUSER, { isolation });
        const owned = await s.callMethod('ret_owned', 1, 'two');
        const afterOwned = s.stats().liveHandles;
        const forged = await attempt(() => s.callMethod('ret_forged'));
        // Returning the borrowed args handle: the loan ended, so it is stale when taken over.
        const borrowed = await attempt(() => s.callMethod('ret_borrowed', 1));
        const unknown = await attempt(() => s.callMethod('nope'));
        const notDeclared = await attempt(() => s.getProperty('speed'));
        const stats = s.stats();
        s.dispose();
        return { owned, afterOwned, forged, borrowed, unknown, notDeclared, stats };
      },
      { isolation },
    );
    assert.equal(r.owned, 5);
    assert.equal(r.afterOwned, 0, 'the result handle and the lent args were released');
    assert.equal(r.forged.error.code, 'abi_error');
    assert.match(r.forged.error.message, /bad_handle/);
    assert.equal(r.borrowed.error.code, 'abi_error');
    assert.match(r.borrowed.error.message, /stale_handle/);
    assert.equal(r.unknown.error.code, 'unknown_export');
    assert.equal(r.notDeclared.error.code, 'abi_error');
    assert.equal(r.stats.faulted, false);
    assert.equal(r.stats.liveHandles, 0);
  });
}

test('instance: 200 load/dispose cycles free their hosts (crate memory stays flat)', async () => {
  const r = await harness.page.evaluate(async () => {
    const cycle = async (n) => {
      for (let i = 0; i < n; i++) {
        const s = await rt.load(ABUSER);
        // Each host holds 500 live handles when disposed: a leaked host would keep them.
        await s.call('leak', 500);
        s.dispose();
      }
    };
    await cycle(20);
    const before = rt.stats();
    await cycle(200);
    return { before, after: rt.stats() };
  });
  assert.equal(r.before.liveScripts, 0);
  assert.equal(r.after.liveScripts, 0);
  assert.ok(r.before.coreMemoryBytes > 0);
  assert.equal(r.after.coreMemoryBytes, r.before.coreMemoryBytes, 'the crate did not grow: hosts were freed');
});
