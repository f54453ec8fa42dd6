// The page side of the WasiService node (js-glue/src/godot/wasi-services.js) in headless Chromium, without the
// engine: the poll protocol (Godot Variant bytes, decoded here with rt.decodeVariant), event order, line
// splitting, the output backlog bound and typed failures. The node itself is tested in wasi-godot-service.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, openRuntimePage } from './runtime-harness.mjs';

const PROGRAMS = join(REPO_ROOT, 'guest/wasi-tests/target/wasm32-wasip1/release');
const b64 = (name) => readFileSync(join(PROGRAMS, `${name}.wasm`)).toString('base64');

let ctx;

before(async () => {
  execFileSync('bash', ['scripts/build-wasi-tests.sh'], { cwd: REPO_ROOT, stdio: 'inherit' });
  ctx = await openRuntimePage();
  await ctx.page.evaluate(async () => {
    window.svc = await import('/js-glue/src/godot/wasi-services.js');
    // Polls like the node does (once per "frame"), until `done(events)` or 20 s.
    window.pollUntil = async (services, done) => {
      const events = [];
      const deadline = performance.now() + 20000;
      while (!done(events) && performance.now() < deadline) {
        const bytes = services.poll();
        if (bytes) events.push(...window.rt.decodeVariant(bytes));
        await new Promise((ok) => setTimeout(ok, 16));
      }
      return events;
    };
  });
});
after(() => ctx?.close());

describe('window.ugcWasi (wasi-services.js)', () => {
  test('lines both ways, in order, then the exit code; one poll per frame', async () => {
    const r = await ctx.page.evaluate(async (echo) => {
      const s = window.svc.installWasiServices({ runtime: window.rt, name: null });
      const idle = s.poll();
      s.addModule('echo-key', echo);
      const accepted = s.start(7, JSON.stringify({ module: 'echo-key', args: ['echo'] }));
      // Before the worker exists: queued.
      const early = s.write(7, 'hi\r\n');
      const events = await window.pollUntil(s, (ev) => ev.some((e) => e[1] === 'started'));
      s.write(7, 'a');
      s.write(7, 'b\n');
      s.write(7, 'quit\n');
      events.push(...(await window.pollUntil(s, (ev) => ev.some((e) => e[1] === 'exit'))));
      const after = s.write(7, 'late\n');
      return { idle, accepted, early, events, after, unknown: s.write(99, 'x'), status: s.status() };
    }, b64('echo'));
    assert.equal(r.idle, null, 'nothing to report: null, no bytes');
    assert.equal(r.accepted, true);
    assert.equal(r.early, '');
    const kinds = r.events.map((e) => e[1]);
    assert.equal(kinds[0], 'started');
    assert.equal(r.events[0][2], 'messages', 'a page that is not cross-origin isolated: the JSPI transport');
    assert.deepEqual(
      r.events.filter((e) => e[1] === 'out').map((e) => e[2]),
      ['1: HI', '2: AB', '3: QUIT'],
    );
    assert.deepEqual(
      r.events.filter((e) => e[1] === 'err').map((e) => e[2]),
      ['eof after 3 lines'],
    );
    assert.deepEqual(r.events.at(-1), [7, 'exit', 0]);
    assert.ok(r.events.every((e) => e[0] === 7));
    assert.equal(r.after, 'not_running');
    assert.equal(r.unknown, 'unknown_service');
    assert.equal(r.status.services[0].state, 'exited');
  });

  test('a trap: stderr lines first, then failed with the typed code', async () => {
    const events = await ctx.page.evaluate(async (panic) => {
      const s = window.svc.installWasiServices({ runtime: window.rt, name: null });
      s.addModule('p', panic);
      s.start(1, JSON.stringify({ module: 'p', args: ['panic'] }));
      return window.pollUntil(s, (ev) => ev.some((e) => e[1] === 'failed'));
    }, b64('panic'));
    const failed = events.at(-1);
    assert.equal(failed[1], 'failed');
    assert.equal(failed[2], 'trap');
    assert.ok(
      events.some((e) => e[1] === 'err' && /panicked/.test(e[2])),
      JSON.stringify(events),
    );
  });

  test('output nobody polls is bounded: output_backlog', async () => {
    const events = await ctx.page.evaluate(async (bench) => {
      const s = window.svc.installWasiServices({
        runtime: window.rt,
        name: null,
        maxBacklogBytes: 256 * 1024,
      });
      s.addModule('b', bench);
      s.start(1, JSON.stringify({ module: 'b', args: ['b', '8'] })); // 8 MiB of stdout
      await new Promise((ok) => setTimeout(ok, 1500)); // the game is not polling
      return window.pollUntil(s, (ev) => ev.some((e) => e[1] === 'failed' || e[1] === 'exit'));
    }, b64('bench_stdout'));
    assert.deepEqual(events.at(-1).slice(0, 3), [1, 'failed', 'output_backlog']);
  });

  test('bad configs, missing modules and a dead runtime are typed failures', async () => {
    const r = await ctx.page.evaluate(async () => {
      const s = window.svc.installWasiServices({ runtime: window.rt, name: null });
      s.start(1, '{not json');
      s.start(2, JSON.stringify({ module: 'never-sent' }));
      s.start(3, JSON.stringify({ url: '/nope.wasm' }));
      const a = await window.pollUntil(s, (ev) => ev.filter((e) => e[1] === 'failed').length === 3);
      const dead = window.svc.installWasiServices({ runtime: Promise.reject(new Error('boom')), name: null });
      dead.start(1, JSON.stringify({ module: 'x' }));
      const b = await window.pollUntil(dead, (ev) => ev.length > 0);
      return { a, b };
    });
    const byId = Object.fromEntries(r.a.map((e) => [e[0], e[2]]));
    assert.deepEqual(byId, { 1: 'invalid_option', 2: 'module_missing', 3: 'fetch_failed' });
    assert.deepEqual(
      r.b.map((e) => e.slice(1, 3)),
      [['failed', 'runtime_unavailable']],
    );
  });

  test('line splitting: CRLF, UTF-8 across chunks, long lines, a last line without newline', async () => {
    const lines = await ctx.page.evaluate(() => {
      const out = [];
      const split = new window.svc.LineSplitter();
      const bytes = new TextEncoder().encode('a\r\nsmile=ü\n' + 'x'.repeat(70000) + '\ntail');
      // Cut inside the two-byte 'ü'.
      const cut = bytes.indexOf(0xc3) + 1;
      split.push(bytes.subarray(0, cut), (l) => out.push(l));
      split.push(bytes.subarray(cut), (l) => out.push(l));
      split.end((l) => out.push(l));
      return out.map((l) => (l.length > 100 ? `${l[0]}*${l.length}` : l));
    });
    assert.deepEqual(lines, ['a', 'smile=ü', 'x*65536', 'x*4464', 'tail']);
  });
});
