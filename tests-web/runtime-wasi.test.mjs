// rt.runWasi / rt.spawnWasi through dist/ugc-wasm.js: the WASI host behind the runtime's validation
// (the `wasi` policy profile) and preparation (memory cap, fuel metering).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, arr, guestWat, openRuntimePage, wat } from './runtime-harness.mjs';

const PROGRAMS = join(REPO_ROOT, 'guest/wasi-tests/target/wasm32-wasip1/release');
const program = (name) => arr(readFileSync(join(PROGRAMS, `${name}.wasm`)));

// A WASI command that never ends: only fuel or the timeout stops it.
const SPIN = wat(`(module
  (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
  (memory (export "memory") 1)
  (func (export "_start") (loop (br 0))))`);

let ctx;

before(async () => {
  execFileSync('bash', ['scripts/build-wasi-tests.sh'], { cwd: REPO_ROOT, stdio: 'inherit' });
  ctx = await openRuntimePage();
});
after(() => ctx?.close());

const run = (bytes, opts) =>
  ctx.page.evaluate(
    ([b, o]) =>
      window.attempt(async () => {
        const r = await window.rt.runWasi(window.bytes(b), o);
        const text = (u8) => new TextDecoder().decode(u8);
        const files = Object.fromEntries(
          Object.entries(r.files).map(([k, v]) => [k, v === null ? null : text(v)]),
        );
        return {
          exitCode: r.exitCode,
          stdout: text(r.stdout),
          stderr: text(r.stderr),
          files,
          metered: r.fuelApplied,
        };
      }),
    [bytes, opts],
  );

describe('rt.runWasi', () => {
  test('runs a real wasip1 program, metered, with args and files', async () => {
    const r = await run(program('hello'), { args: ['hello'] });
    assert.deepEqual(r.error, undefined);
    assert.equal(r.value.exitCode, 0);
    assert.equal(r.value.stdout, 'hello from wasi\n');
    assert.equal(r.value.metered, true, 'the runtime prepared the module with fuel metering');
  });

  test('exit codes and the file tree come back', async () => {
    const r = await run(program('exit_code'), { args: ['exit_code', '3'] });
    assert.equal(r.value?.exitCode, 3, JSON.stringify(r));
    const c = await run(program('copy'), {
      args: ['copy', '/data/in.txt', '/data/out.txt'],
      files: { '/data/in.txt': 'copied through the runtime' },
    });
    assert.deepEqual(c.error, undefined);
    assert.equal(c.value.files['/data/out.txt'], 'copied through the runtime');
  });

  test('a module the wasi profile refuses is a validation error naming the import', async () => {
    const script = arr(
      guestWat(`(module (import "ugc" "log" (func (param i32 i32)))
        (memory (export "memory") 1) (func (export "_start")))`),
    );
    const r = await run(script, {});
    assert.equal(r.error?.code, 'validation');
    assert.ok(r.error.errors.some((e) => e.code === 'import_not_allowed' && /ugc/.test(e.message)));
  });

  test('fuel stops a runaway program; so does the timeout', async () => {
    const fuel = await run(arr(SPIN), { fuel: 1_000_000 });
    assert.equal(fuel.error?.code, 'fuel_exhausted', JSON.stringify(fuel));
    const timeout = await run(arr(SPIN), { fuel: 1e15, timeoutMs: 300 });
    assert.equal(timeout.error?.code, 'timeout', JSON.stringify(timeout));
  });

  test('bad options are typed errors', async () => {
    const r = await run(program('hello'), { args: 'not-an-array' });
    assert.equal(r.error?.code, 'invalid_option');
    const n = await ctx.page.evaluate(() =>
      window.attempt(() => window.rt.runWasi(window.bytes([0, 1]), null)),
    );
    assert.equal(n.error?.code, 'bad_argument');
  });
});

describe('rt.spawnWasi', () => {
  test('streams stdin to stdout while the service runs', async () => {
    const r = await ctx.page.evaluate(async (bytes) => {
      const p = window.rt.spawnWasi(window.bytes(bytes), { args: ['echo'] });
      const reader = p.stdout.getReader();
      const decoder = new TextDecoder();
      p.write('hello\n');
      let seen = '';
      while (!seen.includes('\n')) seen += decoder.decode((await reader.read()).value);
      p.write('quit\n');
      const code = await p.exited;
      return { first: seen, code };
    }, program('echo'));
    assert.equal(r.first, '1: HELLO\n');
    assert.equal(r.code, 0);
  });
});

describe('fuelPerInput', () => {
  // echo costs ~3k fuel per line (measured): 100 lines need ~320k in all, 50k is plenty for one.
  const roundTrips = (bytes, opts) =>
    ctx.page.evaluate(
      ([b, o]) =>
        window.attempt(async () => {
          const p = window.rt.spawnWasi(window.bytes(b), { args: ['echo'], ...o });
          const reader = p.stdout.getReader();
          const decoder = new TextDecoder();
          let seen = '';
          let answered = 0;
          try {
            for (let i = 0; i < 100; i++) {
              p.write(`line ${i}\n`);
              while (seen.split('\n').length - 1 <= i) {
                const { value, done } = await reader.read();
                if (done) throw Object.assign(new Error('stdout ended'), { code: 'ended' });
                seen += decoder.decode(value);
              }
              answered++;
            }
            p.write('quit\n');
            return { code: await p.exited, answered };
          } catch (error) {
            await p.exited.catch((e) => (error.code = e.code));
            error.message += ` after ${answered} answers`;
            throw error;
          }
        }),
      [bytes, opts],
    );

  test('tops the fuel up whenever the service waits for input', async () => {
    const r = await roundTrips(program('echo'), { fuel: 50_000, fuelPerInput: true });
    assert.deepEqual(r, { value: { code: 0, answered: 100 } });
  });

  test('without it the same budget runs out over the whole run', async () => {
    const r = await roundTrips(program('echo'), { fuel: 50_000 });
    assert.equal(r.error?.code, 'fuel_exhausted', JSON.stringify(r));
  });

  test('a service that never waits for input is still stopped by fuel', async () => {
    const r = await run(arr(SPIN), { fuel: 1_000_000, fuelPerInput: true });
    assert.equal(r.error?.code, 'fuel_exhausted', JSON.stringify(r));
  });
});
