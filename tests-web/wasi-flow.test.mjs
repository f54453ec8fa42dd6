// Output flow control (js-glue/src/wasi/flow.js): a program writing faster than the page reads is paused in
// its fd_write, so the page never holds more than the cap of unread output, under both credit transports
// (SharedArrayBuffer on a cross-origin-isolated page, JSPI messages on a plain one); without either, the
// page stops the program instead. runWasi's result is complete and bounded by maxOutputBytes. Every
// assertion is on bytes and states reported by the page and the worker, never on time.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { serveRepo } from './lib/wasi-serve.mjs';
import { launchBrowser, openWasiPage } from './lib/wasi-browser.mjs';
import { floodProgram } from './wasi-flow-programs.mjs';

let isolated;
let plain;
let browser;

before(async () => {
  isolated = await serveRepo({ isolated: true });
  plain = await serveRepo({ isolated: false });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await isolated?.close();
  await plain?.close();
});

const arr = (bytes) => Array.from(bytes);

/** Page helpers: waiting on a condition, reading a stream chunk by chunk, checking the flood pattern. */
async function installHelpers(page) {
  await page.evaluate(() => {
    // Re-checks `cond` once per task until it holds: waits on a state, not on a duration.
    window.until = async (cond) => {
      while (!cond()) await new Promise((ok) => setTimeout(ok, 0));
    };
    /** The first index where `bytes` is not the flood stream (byte k = k % 251), or -1. */
    window.badIndex = (bytes) => {
      for (let k = 0; k < bytes.length; k++) if (bytes[k] !== k % 251) return k;
      return -1;
    };
    window.concat = (chunks) => {
      const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
      let at = 0;
      for (const c of chunks) {
        out.set(c, at);
        at += c.length;
      }
      return out;
    };
    /**
     * Reads a whole stream, one chunk at a time; before each read (`slow`) waits until the program is
     * paused again or has ended, so the writer is always ahead of the reader. Checks the page's unread
     * bytes against the cap at every step; returns what a test asserts on.
     */
    window.readSlowly = async (p, stream, { slow = true, cap } = {}) => {
      const reader = stream.getReader();
      const chunks = [];
      let ended = false;
      p.exited.then(
        () => (ended = true),
        () => (ended = true),
      );
      let overCap = 0;
      for (;;) {
        if (slow) await window.until(() => p.stats().paused || ended);
        const s = p.stats();
        if (s.unreadBytes > cap) overCap++;
        const { value, done } = await reader.read();
        if (done) break;
        chunks.push(value);
      }
      return { bytes: window.concat(chunks), chunks: chunks.length, overCap };
    };
  });
}

const modes = [
  ['cross-origin isolated: SharedArrayBuffer credits', () => isolated, 'pipe'],
  ['not isolated: JSPI, credits by message', () => plain, 'messages'],
];
for (const [label, server, mode] of modes) {
  describe(`spawnWasi output back-pressure, ${label}`, () => {
    let page;
    before(async () => {
      page = await openWasiPage(browser, server().url);
      await installHelpers(page);
    });

    test('a flood nobody reads is paused at the cap, and resumes only when read', async () => {
      const size = 4093; // not a divisor of the cap: the last write crosses it
      const cap = 64 * 1024;
      const r = await page.evaluate(
        async ({ bytes, size, cap }) => {
          const p = window.wasi.spawnWasi(new Uint8Array(bytes), { maxUnreadOutputBytes: cap });
          const snapshots = [];
          const snap = () => {
            const s = p.stats();
            snapshots.push(s);
            return s;
          };
          await window.until(() => p.stats().paused);
          const first = snap();
          const reader = p.stdout.getReader();
          const reads = [];
          // Reading what the page holds gives the program room: it must write more, and be paused again.
          for (let i = 0; i < 5; i++) {
            const before = p.stats().writtenBytes;
            while (p.stats().unreadBytes > 0) reads.push((await reader.read()).value);
            await window.until(() => p.stats().writtenBytes > before && p.stats().paused);
            snap();
          }
          p.kill();
          const code = await p.exited.catch((e) => e.code);
          return {
            code,
            outputMode: p.outputMode,
            first,
            snapshots,
            readBad: window.badIndex(window.concat(reads)),
            size,
            cap,
          };
        },
        { bytes: arr(floodProgram({ size })), size, cap },
      );
      assert.equal(r.outputMode, mode);
      assert.equal(r.code, 'killed');
      assert.equal(r.first.paused, true);
      assert.equal(r.first.readBytes, 0);
      // Paused with the page full: unread output is the cap at most, and the program is at most one write
      // (plus the batch the worker holds back) ahead of it.
      assert.ok(r.first.unreadBytes <= cap, JSON.stringify(r.first));
      assert.ok(r.first.unreadBytes >= cap - size, JSON.stringify(r.first));
      assert.ok(r.first.writtenBytes <= cap + size, JSON.stringify(r.first));
      let written = r.first.writtenBytes;
      for (const s of r.snapshots.slice(1)) {
        assert.ok(s.writtenBytes > written, 'reading let the program write more');
        written = s.writtenBytes;
        assert.ok(s.maxUnreadBytes <= cap, JSON.stringify(s));
        assert.ok(s.writtenBytes - s.readBytes <= cap + size, JSON.stringify(s));
      }
      assert.equal(r.readBad, -1, 'what was read is the program’s stream, in order');
    });

    test('a slow reader of stdout and stderr gets all of both, in order, never more than the cap unread', async () => {
      const size = 4093;
      const count = 160; // 80 writes per fd: ~327 KB each, five times the cap
      const cap = 64 * 1024;
      const r = await page.evaluate(
        async ({ bytes, cap }) => {
          const p = window.wasi.spawnWasi(new Uint8Array(bytes), { maxUnreadOutputBytes: cap });
          const [out, err] = await Promise.all([
            window.readSlowly(p, p.stdout, { cap }),
            window.readSlowly(p, p.stderr, { cap }),
          ]);
          const code = await p.exited;
          const s = p.stats();
          return {
            code,
            stats: s,
            out: { length: out.bytes.length, bad: window.badIndex(out.bytes), overCap: out.overCap },
            err: { length: err.bytes.length, bad: window.badIndex(err.bytes), overCap: err.overCap },
          };
        },
        { bytes: arr(floodProgram({ size, count, fds: [1, 2] })), cap },
      );
      assert.equal(r.code, 0);
      for (const s of [r.out, r.err]) {
        assert.equal(s.length, (count / 2) * size);
        assert.equal(s.bad, -1);
        assert.equal(s.overCap, 0);
      }
      assert.ok(r.stats.maxUnreadBytes <= cap, JSON.stringify(r.stats));
      assert.equal(r.stats.writtenBytes, count * size);
      assert.equal(r.stats.readBytes, count * size);
      assert.equal(r.stats.unreadBytes, 0);
    });

    test('one write larger than the cap reaches the page in pieces, never more than the cap unread', async () => {
      const size = 251 * 1024; // 257 KB in a single fd_write, four times the cap
      const cap = 64 * 1024;
      const r = await page.evaluate(
        async ({ bytes, cap }) => {
          const p = window.wasi.spawnWasi(new Uint8Array(bytes), { maxUnreadOutputBytes: cap });
          const out = await window.readSlowly(p, p.stdout, { cap });
          return {
            code: await p.exited,
            stats: p.stats(),
            length: out.bytes.length,
            chunks: out.chunks,
            bad: window.badIndex(out.bytes),
          };
        },
        { bytes: arr(floodProgram({ size, count: 2 })), cap },
      );
      assert.equal(r.code, 0);
      assert.equal(r.length, 2 * size);
      assert.equal(r.bad, -1);
      assert.ok(r.chunks >= 8, `arrived in ${r.chunks} pieces`);
      assert.ok(r.stats.maxUnreadBytes <= cap, JSON.stringify(r.stats));
    });

    test('the default cap is 1 MiB; cancelling a stream nobody reads lets the program go on', async () => {
      const size = 251 * 64;
      const count = 200; // 100 writes per fd: ~1.6 MB each, over the default cap
      const r = await page.evaluate(
        async (bytes) => {
          const p = window.wasi.spawnWasi(new Uint8Array(bytes));
          await p.stderr.cancel();
          const out = await window.readSlowly(p, p.stdout, { slow: false, cap: Infinity });
          return {
            code: await p.exited,
            stats: p.stats(),
            length: out.bytes.length,
            bad: window.badIndex(out.bytes),
          };
        },
        arr(floodProgram({ size, count, fds: [1, 2] })),
      );
      assert.equal(r.code, 0);
      assert.equal(r.stats.maxUnreadOutputBytes, 1024 * 1024);
      assert.ok(r.stats.maxUnreadBytes <= 1024 * 1024, JSON.stringify(r.stats));
      assert.equal(r.length, (count / 2) * size);
      assert.equal(r.bad, -1);
      assert.equal(r.stats.receivedBytes, count * size, 'stderr arrived too (and was dropped)');
    });

    test('no page errors', () => assert.deepEqual(page.pageErrors.map(String), []));
  });
}

describe('output flow without a way to pause the program, and runWasi', () => {
  let page;
  before(async () => {
    page = await openWasiPage(browser, plain.url);
    await installHelpers(page);
  });

  test("outputMode 'none': an unread flood is stopped with output_backlog, the page holding about the cap", async () => {
    const size = 4093;
    const cap = 256 * 1024;
    const r = await page.evaluate(
      async ({ bytes, cap }) => {
        const p = window.wasi.spawnWasi(new Uint8Array(bytes), {
          outputMode: 'none',
          maxUnreadOutputBytes: cap,
        });
        const error = await p.exited.then(
          () => null,
          (e) => ({ code: e.code, message: e.message }),
        );
        const s = p.stats();
        const out = await window.readSlowly(p, p.stdout, { slow: false, cap: Infinity });
        return {
          error,
          stats: s,
          outputMode: p.outputMode,
          bad: window.badIndex(out.bytes),
          length: out.bytes.length,
        };
      },
      { bytes: arr(floodProgram({ size })), cap },
    );
    assert.equal(r.outputMode, 'none');
    assert.equal(r.error?.code, 'output_backlog');
    assert.match(r.error.message, /maxUnreadOutputBytes/);
    // Stopped at the first message that crossed the cap: one batch (64 KiB) plus one write beyond it.
    assert.ok(r.stats.unreadBytes > cap, JSON.stringify(r.stats));
    assert.ok(r.stats.unreadBytes <= cap + 64 * 1024 + size, JSON.stringify(r.stats));
    assert.equal(r.length, r.stats.unreadBytes, 'what was buffered is still readable after the stop');
    assert.equal(r.bad, -1);
  });

  test('bad flow options are typed errors', async () => {
    const r = await page.evaluate(
      async (bytes) => {
        const codes = [];
        for (const opts of [
          { maxUnreadOutputBytes: 0 },
          { maxUnreadOutputBytes: 'lots' },
          { outputMode: 'fast' },
          { outputMode: 'pipe' }, // this page is not cross-origin isolated
        ]) {
          try {
            window.wasi.spawnWasi(new Uint8Array(bytes), opts).kill();
            codes.push('accepted');
          } catch (e) {
            codes.push(e.code);
          }
        }
        return codes;
      },
      arr(floodProgram({ size: 251, count: 1 })),
    );
    assert.deepEqual(r, ['invalid_option', 'invalid_option', 'invalid_option', 'invalid_option']);
  });

  test('runWasi: 8 MB of stdout and stderr come back whole and in order', async () => {
    const size = 251 * 256;
    const count = 260;
    const r = await page.evaluate(
      async (bytes) => {
        const res = await window.wasi.runWasi(new Uint8Array(bytes));
        return {
          exitCode: res.exitCode,
          out: [res.stdout.length, window.badIndex(res.stdout)],
          err: [res.stderr.length, window.badIndex(res.stderr)],
        };
      },
      arr(floodProgram({ size, count, fds: [1, 2] })),
    );
    assert.equal(r.exitCode, 0);
    assert.deepEqual(r.out, [(count / 2) * size, -1]);
    assert.deepEqual(r.err, [(count / 2) * size, -1]);
  });

  test('runWasi: output beyond maxOutputBytes ends the run with output_limit, keeping what fit', async () => {
    const size = 4093;
    const limit = 1024 * 1024;
    const r = await page.evaluate(
      async ({ bytes, limit }) => {
        try {
          await window.wasi.runWasi(new Uint8Array(bytes), { maxOutputBytes: limit });
          return { code: 'resolved' };
        } catch (e) {
          return { code: e.code, length: e.stdout.length, bad: window.badIndex(e.stdout) };
        }
      },
      { bytes: arr(floodProgram({ size })), limit },
    );
    assert.equal(r.code, 'output_limit');
    assert.equal(r.length, Math.floor(limit / size) * size, 'every write that fit, none that did not');
    assert.equal(r.bad, -1);
  });

  test('through the runtime (validated, metered) and from a URL: the same pause, and stats() before the start', async () => {
    const size = 4093;
    const cap = 64 * 1024;
    plain.setFile('/flow/flood.wasm', floodProgram({ size }));
    const r = await page.evaluate(
      async ({ cap }) => {
        const { createRuntime } = await import('/dist/ugc-wasm.js');
        const rt = await createRuntime();
        const results = [];
        for (const source of ['bytes', 'url']) {
          const module =
            source === 'url'
              ? { url: '/flow/flood.wasm' }
              : new Uint8Array(await (await fetch('/flow/flood.wasm')).arrayBuffer());
          const p = rt.spawnWasi(module, { maxUnreadOutputBytes: cap, timeoutMs: null });
          const early = p.stats();
          // An unread flood is paused rather than stopped by fuel: waiting in fd_write burns none.
          await window.until(() => p.stats()?.paused);
          const s = p.stats();
          const reader = p.stdout.getReader();
          const before = s.writtenBytes;
          const reads = [];
          while (p.stats().unreadBytes > 0) reads.push((await reader.read()).value);
          await window.until(() => p.stats().writtenBytes > before && p.stats().paused);
          const again = p.stats();
          p.kill();
          results.push({
            source,
            early: early === null ? null : 'stats',
            outputMode: p.outputMode,
            first: s,
            again,
            bad: window.badIndex(window.concat(reads)),
            code: await p.exited.catch((e) => e.code),
          });
        }
        return results;
      },
      { cap },
    );
    for (const x of r) {
      assert.equal(x.outputMode, 'messages', x.source);
      assert.equal(x.code, 'killed');
      assert.ok(x.first.unreadBytes <= cap && x.first.writtenBytes <= cap + size, JSON.stringify(x.first));
      // The deferred handle's stream reads nothing ahead: what the page holds is still within the cap.
      assert.ok(x.again.maxUnreadBytes <= cap, JSON.stringify(x.again));
      assert.ok(x.again.writtenBytes - x.again.readBytes <= cap + size, JSON.stringify(x.again));
      assert.equal(x.bad, -1);
    }
    assert.equal(r[0].early, 'stats');
    assert.equal(r[1].early, null, 'a URL handle has no stats until its process starts');
  });

  test('no page errors', () => assert.deepEqual(page.pageErrors.map(String), []));
});
