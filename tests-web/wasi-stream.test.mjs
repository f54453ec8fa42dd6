// spawnWasi: output streamed while the program runs, stdin as a live pipe
// (cross-origin isolated page), output back-pressure on an interactive service,
// kill, and the typed error without isolation.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { REPO_ROOT, serveRepo } from './lib/wasi-serve.mjs';
import { launchBrowser, openWasiPage } from './lib/wasi-browser.mjs';

let isolated;
let plain;
let browser;

before(async () => {
  execFileSync('bash', ['scripts/build-wasi-tests.sh'], { cwd: REPO_ROOT, stdio: 'inherit' });
  isolated = await serveRepo({ isolated: true });
  plain = await serveRepo({ isolated: false });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await isolated?.close();
  await plain?.close();
});

const transports = [
  ['cross-origin isolated: SharedArrayBuffer pipe', () => isolated, 'pipe'],
  ['not isolated: JSPI, stdin by message', () => plain, 'messages'],
];
for (const [label, server, mode] of transports) {
  describe(`spawnWasi, ${label}`, () => {
    let page;
    before(async () => {
      page = await openWasiPage(browser, server().url);
      const support = await page.evaluate(() => window.wasi.wasiSupport());
      assert.equal(support.streamingStdin, true);
      assert.equal(support.sharedPipe, mode === 'pipe');
      assert.equal(await page.evaluate(() => window.crossOriginIsolated), mode === 'pipe');
    });

    test('interactive line echo: each reply arrives before the next line is written', async () => {
      const r = await page.evaluate(async () => {
        const p = window.wasi.spawnWasi(await window.program('echo'), { args: ['echo'] });
        const stdinMode = p.stdinMode;
        const reader = p.stdout.getReader();
        let seen = '';
        const until = async (want) => {
          while (!seen.includes(want)) {
            const { value, done } = await reader.read();
            if (done)
              throw new Error(`stdout ended before ${JSON.stringify(want)}; saw ${JSON.stringify(seen)}`);
            seen += window.text(value);
          }
        };
        const transcript = [];
        for (const line of ['hello', 'streaming world', 'ünïcode']) {
          p.write(line + '\n');
          const n = transcript.length + 1;
          await until(`${n}: ${line.toUpperCase()}\n`);
          transcript.push(seen);
        }
        p.closeStdin();
        let afterClose;
        try {
          p.write('too late\n');
        } catch (e) {
          afterClose = e.code;
        }
        const code = await p.exited;
        const rest = await reader.read();
        const stderr = window.text((await p.stderr.getReader().read()).value);
        return { stdinMode, transcript, code, restDone: rest.done, stderr, afterClose };
      });
      assert.equal(r.stdinMode, mode);
      assert.equal(r.afterClose, 'stdin_closed');
      assert.deepEqual(r.transcript, [
        '1: HELLO\n',
        '1: HELLO\n2: STREAMING WORLD\n',
        '1: HELLO\n2: STREAMING WORLD\n3: ÜNÏCODE\n',
      ]);
      assert.equal(r.code, 0);
      assert.equal(r.restDone, true);
      assert.equal(r.stderr, 'eof after 3 lines\n');
    });

    test('stdin larger than the pipe buffer streams through (back-pressure)', async () => {
      const r = await page.evaluate(async () => {
        const p = window.wasi.spawnWasi(await window.program('echo'), { stdin: 'first\n' });
        const lines = Array.from({ length: 20000 }, (_, i) => `line ${i} ${'x'.repeat(20)}`);
        for (let i = 0; i < lines.length; i += 1000) p.write(lines.slice(i, i + 1000).join('\n') + '\n');
        p.closeStdin();
        const chunks = [];
        for await (const c of p.stdout) chunks.push(c);
        const out = window.text(new Uint8Array(await new Blob(chunks).arrayBuffer()));
        return {
          code: await p.exited,
          chunks: chunks.length,
          lines: out.split('\n').filter(Boolean),
          bytesIn: lines.join('\n').length,
        };
      });
      assert.equal(r.code, 0);
      assert.ok(r.bytesIn > 64 * 1024 * 4, 'input is several pipe buffers');
      assert.equal(r.lines.length, 20001);
      assert.equal(r.lines[0], '1: FIRST');
      assert.equal(r.lines[20000], `20001: LINE 19999 ${'X'.repeat(20)}`);
      assert.ok(r.chunks > 1, 'output arrived in several chunks while running');
    });

    test('a service answering faster than it is read is paused, then gives every answer in order', async () => {
      const cap = 1024;
      const r = await page.evaluate(async (cap) => {
        const p = window.wasi.spawnWasi(await window.program('echo'), { maxUnreadOutputBytes: cap });
        const lines = Array.from({ length: 200 }, (_, i) => `line ${i} ${'y'.repeat(40)}`);
        p.write(lines.join('\n') + '\n');
        // Nobody reads yet: the answers (~10 KB) stop at the cap, the program waiting in fd_write.
        while (!p.stats().paused) await new Promise((ok) => setTimeout(ok, 0));
        const paused = p.stats();
        p.closeStdin();
        const chunks = [];
        for await (const c of p.stdout) chunks.push(window.text(c));
        const stderr = [];
        for await (const c of p.stderr) stderr.push(window.text(c));
        return {
          paused,
          code: await p.exited,
          out: chunks.join('').split('\n').filter(Boolean),
          stderr: stderr.join(''),
          stats: p.stats(),
          expected: lines.map((l, i) => `${i + 1}: ${l.toUpperCase()}`),
        };
      }, cap);
      assert.ok(r.paused.unreadBytes <= cap, JSON.stringify(r.paused));
      assert.ok(r.paused.writtenBytes < 200 * 50, 'paused well before answering everything');
      assert.equal(r.code, 0);
      assert.deepEqual(r.out, r.expected);
      assert.equal(r.stderr, 'eof after 200 lines\n');
      assert.ok(r.stats.maxUnreadBytes <= cap, JSON.stringify(r.stats));
      assert.equal(r.stats.outputMode, mode);
    });

    test('poll_oneoff: a clock wins while stdin is idle, stdin wins once data arrives', async () => {
      const r = await page.evaluate(async () => {
        const p = window.wasi.spawnWasi(await window.program('poll_stdin'));
        const reader = p.stdout.getReader();
        let seen = '';
        const until = async (want) => {
          while (!seen.includes(want)) {
            const { value, done } = await reader.read();
            if (done) throw new Error(`ended before ${want}: ${seen}`);
            seen += window.text(value);
          }
        };
        await until('timeout\n');
        p.write('ping\n');
        await until('got 5 bytes: ping\n');
        p.closeStdin();
        await until('eof\n');
        return { code: await p.exited, lines: seen.split('\n').filter(Boolean) };
      });
      assert.equal(r.code, 0);
      const firstGot = r.lines.indexOf('got 5 bytes: ping');
      assert.ok(firstGot >= 1, 'at least one timeout before the data');
      assert.ok(r.lines.slice(0, firstGot).every((l) => l === 'timeout'));
      assert.equal(r.lines.at(-1), 'eof');
    });

    test('kill() stops a program blocked on stdin', async () => {
      const r = await page.evaluate(async () => {
        const p = window.wasi.spawnWasi(await window.program('echo'));
        p.write('before kill\n');
        const first = window.text((await p.stdout.getReader().read()).value);
        p.kill();
        try {
          await p.exited;
          return { first, code: 'resolved' };
        } catch (e) {
          return { first, code: e.code };
        }
      });
      assert.deepEqual(r, { first: '1: BEFORE KILL\n', code: 'killed' });
    });

    test('a trap rejects exited and still delivers stderr', async () => {
      const r = await page.evaluate(async () => {
        const p = window.wasi.spawnWasi(await window.program('panic'));
        const err = [];
        for await (const c of p.stderr) err.push(window.text(c));
        try {
          await p.exited;
        } catch (e) {
          return { code: e.code, stderr: err.join('') };
        }
      });
      assert.equal(r.code, 'trap');
      assert.match(r.stderr, /boom 42/);
    });

    test('timeoutMs applies to spawned programs too', async () => {
      const code = await page.evaluate(async () => {
        const p = window.wasi.spawnWasi(await window.program('echo'), { timeoutMs: 300 });
        return p.exited.catch((e) => e.code);
      });
      assert.equal(code, 'timeout');
    });

    test('no page errors', () => assert.deepEqual(page.pageErrors.map(String), []));
  });
}

describe('spawnWasi with no streaming stdin transport', () => {
  let page;
  before(async () => {
    page = await openWasiPage(browser, plain.url);
  });

  test('write() fails loudly with a typed error; stdin given up front still works', async () => {
    const r = await page.evaluate(async () => {
      // stdinMode 'none' is what a browser without SharedArrayBuffer access and without JSPI gets.
      const p = window.wasi.spawnWasi(await window.program('echo'), {
        stdin: 'up front\n',
        stdinMode: 'none',
      });
      let error;
      try {
        p.write('late\n');
      } catch (e) {
        error = { code: e.code, message: e.message };
      }
      const chunks = [];
      for await (const c of p.stdout) chunks.push(window.text(c));
      return { error, out: chunks.join(''), code: await p.exited };
    });
    assert.equal(r.error.code, 'stdin_needs_cross_origin_isolation');
    assert.match(r.error.message, /Cross-Origin-Opener-Policy/);
    assert.equal(r.out, '1: UP FRONT\n');
    assert.equal(r.code, 0);
  });

  test('asking for the SharedArrayBuffer pipe on a page that is not isolated is a typed error', async () => {
    const code = await page.evaluate(async () => {
      try {
        window.wasi.spawnWasi(await window.program('echo'), { stdinMode: 'pipe' });
      } catch (e) {
        return e.code;
      }
    });
    assert.equal(code, 'stdin_needs_cross_origin_isolation');
  });

  test('sleeping works without SharedArrayBuffer (JSPI timer, no spin)', async () => {
    const r = await page.evaluate(() => window.run('clock', { args: ['clock', '30'] }));
    assert.equal(r.exitCode, 0);
    assert.ok(Number(/slept_us (\d+)/.exec(r.stdout)[1]) >= 30000);
  });
});
