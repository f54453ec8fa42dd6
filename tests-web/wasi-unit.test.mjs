// Unit tests of the WASI host's pure modules in node (no browser): the
// in-memory FS's sandboxed resolution, the stdin pipe's wrap-around, the import
// signature check, host calls made directly against a growing memory, and the
// output flow control's accounting (flow.js).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { MemFS } from '../js-glue/src/wasi/fs.js';
import { createWasiHost } from '../js-glue/src/wasi/host.js';
import { createPipeBuffer, pipeReader, pipeWriter } from '../js-glue/src/wasi/pipe.js';
import { queueStdin } from '../js-glue/src/wasi/queue.js';
import {
  createCreditBuffer,
  messageCredits,
  outputFlow,
  outputStreams,
  sharedCreditWriter,
  sharedCredits,
} from '../js-glue/src/wasi/flow.js';
import { assemble } from '../js-glue/src/wasi/run.js';
import { checkWasiImports } from '../js-glue/src/wasi/imports.js';
import { ERRNO, SIGNATURES } from '../js-glue/src/wasi/constants.js';

const errnoOf = (fn) => {
  try {
    fn();
    return 0;
  } catch (e) {
    return e.errno;
  }
};

describe('MemFS', () => {
  test('files round-trip through fromFiles/toFiles, directories included', () => {
    const fs = MemFS.fromFiles({ '/a/b.txt': 'hi', '/a/c/': null, '/bin': new Uint8Array([1, 2, 3]) });
    const { files, symlinks } = fs.toFiles();
    assert.deepEqual(Object.keys(files), ['/a/', '/a/b.txt', '/a/c/', '/bin']);
    assert.deepEqual([...files['/bin']], [1, 2, 3]);
    assert.equal(new TextDecoder().decode(files['/a/b.txt']), 'hi');
    assert.deepEqual(symlinks, {});
  });

  test('resolution never leaves the sandbox', () => {
    const fs = MemFS.fromFiles({ '/box/in/f.txt': 'x', '/outside.txt': 'secret' });
    const box = fs.lookup('/box');
    const r = (path, follow = true) => errnoOf(() => fs.resolve(box, box, path, follow));
    assert.equal(r('in/f.txt'), 0);
    assert.equal(r('in/../in/f.txt'), 0);
    assert.equal(r('..'), ERRNO.NOTCAPABLE);
    assert.equal(r('in/../../outside.txt'), ERRNO.NOTCAPABLE);
    assert.equal(r('/outside.txt'), ERRNO.NOTCAPABLE);
    assert.equal(r(''), ERRNO.NOENT);
    assert.equal(r('in/f.txt/'), ERRNO.NOTDIR);
    assert.equal(r('in/f.txt/x'), ERRNO.NOTDIR);
    assert.equal(r('missing/x'), ERRNO.NOENT);
    assert.equal(r('a\0b'), ERRNO.INVAL);
    fs.createSymlink(box, 'up', '../outside.txt');
    assert.equal(r('up'), ERRNO.NOTCAPABLE);
    assert.equal(r('up', false), 0, 'the link itself may be inspected');
    fs.createSymlink(box, 'self', 'self');
    assert.equal(r('self'), ERRNO.LOOP);
    fs.createSymlink(box, 'dir', 'in/');
    assert.equal(fs.resolve(box, box, 'dir/f.txt', false).node.kind, 'file');
  });

  test('quota: writes past maxBytes fail with ENOSPC and unlink frees space', () => {
    const fs = new MemFS({ maxBytes: 1000 });
    const f = fs.createFile(fs.root, 'f');
    fs.write(f, 0, new Uint8Array(900));
    assert.equal(
      errnoOf(() => fs.write(f, 900, new Uint8Array(200))),
      ERRNO.NOSPC,
    );
    fs.unlink(fs.root, 'f');
    const g = fs.createFile(fs.root, 'g');
    assert.equal(fs.write(g, 0, new Uint8Array(1000)), 1000);
  });

  test('rename rules: into itself, over a non-empty directory, file over directory', () => {
    const fs = MemFS.fromFiles({ '/a/b/': null, '/c/d.txt': '', '/e.txt': '' });
    const a = fs.lookup('/a');
    assert.equal(
      errnoOf(() => fs.rename(fs.root, 'a', a.entries.get('b'), 'x')),
      ERRNO.INVAL,
    );
    assert.equal(
      errnoOf(() => fs.rename(fs.root, 'a', fs.root, 'c')),
      ERRNO.NOTEMPTY,
    );
    assert.equal(
      errnoOf(() => fs.rename(fs.root, 'e.txt', fs.root, 'a')),
      ERRNO.ISDIR,
    );
    fs.rename(fs.root, 'a', fs.lookup('/c'), 'moved');
    assert.equal(fs.lookup('/c/moved/b').kind, 'dir');
    assert.equal(fs.lookup('/c/moved').parent, fs.lookup('/c'), '.. follows the move');
  });
});

describe('stdin transports', () => {
  test('the SharedArrayBuffer pipe wraps around its buffer and its 32-bit counters', async () => {
    const sab = createPipeBuffer(16);
    const ctrl = new Int32Array(sab, 0, 4);
    ctrl[1] = ctrl[2] = 0x7ffffff8; // written/read totals just below the int32 wrap
    const writer = pipeWriter(sab);
    const reader = pipeReader(sab);
    const input = Uint8Array.from({ length: 100 }, (_, i) => i);
    writer.write(input);
    writer.close();
    const got = [];
    const buf = new Uint8Array(7);
    for (;;) {
      if (!reader.poll()) {
        await new Promise((ok) => setTimeout(ok, 1)); // let the writer refill (Atomics.waitAsync)
        continue;
      }
      const n = reader.read(buf);
      if (n === 0) break;
      got.push(...buf.subarray(0, n));
    }
    assert.deepEqual(got, [...input]);
    assert.throws(() => createPipeBuffer(100), /power of two/);
  });

  test('the message queue never reports a false EOF', async () => {
    const q = queueStdin();
    const dest = new Uint8Array(4);
    assert.equal(
      errnoOf(() => q.read(dest)),
      ERRNO.AGAIN,
    );
    const ready = q.ready();
    q.push(new TextEncoder().encode('abcdef'));
    await ready;
    assert.equal(q.read(dest), 4);
    assert.equal(q.read(dest), 2);
    q.close();
    assert.equal(q.read(dest), 0);
  });
});

describe('output flow control', () => {
  const collect = () => {
    const posted = [];
    const post = (m) => posted.push(m);
    const outBytes = () => posted.filter((m) => m.type === 'out').reduce((n, m) => n + m.chunk.length, 0);
    return { posted, post, outBytes };
  };

  test('message credits: the gate suspends over the cap, posts only what fits, resumes on credit', async () => {
    const { posted, post, outBytes } = collect();
    const credits = messageCredits();
    const flow = outputFlow(post, { cap: 100, credits });
    flow.write(1, new Uint8Array(60).fill(1));
    assert.equal(flow.gate(), undefined, 'under the cap: no wait');
    flow.write(1, new Uint8Array(60).fill(2));
    const wait = flow.gate();
    assert.ok(wait instanceof Promise, 'over the cap: the guest is suspended');
    assert.equal(outBytes(), 100, 'exactly the cap was posted, the rest held back');
    assert.deepEqual(posted.at(-1), { type: 'flow', paused: true, written: 120 });
    let resumed = false;
    wait.then(() => (resumed = true));
    credits.add(10); // 10 read: 10 more posted, still 110 unread + held back, over the resume mark (50)
    await Promise.resolve();
    await Promise.resolve();
    assert.equal(resumed, false);
    assert.equal(outBytes(), 110);
    credits.add(50); // 60 read: all posted, 60 unread, still above the resume mark
    await Promise.resolve();
    await Promise.resolve();
    assert.equal(resumed, false, 'no resume for the first bit of room: the reader must make real room');
    assert.equal(outBytes(), 120);
    credits.add(10);
    await wait;
    assert.equal(outBytes(), 120);
    assert.deepEqual(posted.at(-1), { type: 'flow', paused: false, written: 120 });
    const bytes = posted.filter((m) => m.type === 'out').flatMap((m) => [...m.chunk]);
    assert.deepEqual(
      bytes,
      [...new Array(60).fill(1), ...new Array(60).fill(2)],
      'order kept across the split',
    );
  });

  test('shared credits: the gate blocks until the page credits, without losing a byte', () => {
    const { post, outBytes } = collect();
    const sab = createCreditBuffer();
    const credit = sharedCreditWriter(sab);
    const credits = sharedCredits(sab);
    // Blocking in Atomics.wait needs another thread to credit; here the credit comes first, so the wait
    // returns at once: what is checked is that the gate only proceeds once unread + pending fit the cap.
    let waits = 0;
    const counting = { ...credits, waitSync: (seen) => (waits++, credit(50), credits.waitSync(seen)) };
    const flow = outputFlow(post, { cap: 100, credits: counting });
    flow.write(2, new Uint8Array(180));
    assert.equal(flow.gate(), undefined);
    assert.equal(waits, 3, 'credited 50 three times before 180 was posted and at most 50 left unread');
    assert.equal(outBytes(), 180);
  });

  test('without credits nothing is held back, and maxBytes is output_limit', () => {
    const { post, outBytes } = collect();
    const flow = outputFlow(post, { maxBytes: 100 });
    flow.write(1, new Uint8Array(70));
    assert.equal(flow.gate(), undefined);
    flow.flush();
    assert.equal(outBytes(), 70);
    assert.throws(() => flow.write(1, new Uint8Array(31)), { code: 'output_limit' });
  });

  test('page streams: unread bytes are what was received and not read; reads credit', async () => {
    const credited = [];
    const out = outputStreams({ credit: (n) => credited.push(n) });
    out.out(1, new Uint8Array(5), 5);
    out.out(1, new Uint8Array(7), 12);
    assert.equal(out.stats.unreadBytes, 12, 'highWaterMark 0: the stream itself did not read ahead');
    assert.deepEqual(credited, []);
    const reader = out.stdout.getReader();
    assert.equal((await reader.read()).value.length, 5);
    assert.deepEqual(credited, [5]);
    const next = reader.read(); // nothing queued after this one: the read waits for the program
    assert.equal((await next).value.length, 7);
    const pending = reader.read();
    out.out(1, new Uint8Array(3), 15);
    assert.equal((await pending).value.length, 3, 'a waiting read takes the chunk directly');
    assert.equal(out.stats.unreadBytes, 0);
    assert.equal(out.stats.maxUnreadBytes, 12);
    await out.stderr.cancel();
    out.out(2, new Uint8Array(4), 19);
    assert.deepEqual(credited, [5, 7, 3, 4], 'a cancelled stream credits what it drops');
    out.close();
    assert.equal((await reader.read()).done, true);
    assert.equal(out.stats.writtenBytes, 19);
  });
});

describe('runWasi output assembled in the page (its worker gone: timeout, kill)', () => {
  test('the bytes in order, in 1 MiB steps with a yield to the event loop between them', async () => {
    const chunks = [];
    let k = 0;
    for (const size of [3, 700_000, 2_500_000, 1, 1_048_576, 90_000]) {
      const c = new Uint8Array(size);
      for (let i = 0; i < size; i++) c[i] = k++ % 251;
      chunks.push(c);
    }
    // A stand-in scheduler counts the yields: one after every full 1 MiB step.
    let turns = 0;
    globalThis.scheduler = { yield: async () => void turns++ };
    const out = await assemble(chunks);
    delete globalThis.scheduler;
    assert.equal(out.length, k);
    assert.ok(out.every((b, i) => b === i % 251));
    assert.equal(turns, Math.floor(k / (1024 * 1024)), 'yielded once per MiB copied');
    assert.ok(
      chunks.every((c) => c === null),
      'copied chunks are released as it goes',
    );
    const lone = new Uint8Array([1, 2]);
    assert.equal(await assemble([lone]), lone, 'a lone chunk is the result itself');
  });
});

describe('host calls', () => {
  test('pointers are checked against the current memory, which may grow between calls', () => {
    const out = [];
    const host = createWasiHost({ stdout: (b) => out.push(new TextDecoder().decode(b)) });
    const w = host.imports.wasi_snapshot_preview1;
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 4 });
    host.bind(memory);
    const iov = (at, ptr, len) => {
      const dv = new DataView(memory.buffer);
      dv.setUint32(at, ptr, true);
      dv.setUint32(at + 4, len, true);
    };
    iov(0, 70000, 5);
    assert.equal(w.fd_write(1, 0, 1, 16), ERRNO.FAULT, 'buffer beyond the first page');
    memory.grow(1); // detaches the old buffer
    new Uint8Array(memory.buffer).set(new TextEncoder().encode('grown'), 70000);
    iov(0, 70000, 5);
    assert.equal(w.fd_write(1, 0, 1, 16), ERRNO.SUCCESS);
    assert.deepEqual(out, ['grown']);
    assert.equal(new DataView(memory.buffer).getUint32(16, true), 5);
    assert.equal(w.fd_write(1, 0, 1, 131070), ERRNO.FAULT, 'result pointer straddles the end');
    assert.equal(w.clock_time_get(0, 0n, -8), ERRNO.FAULT, 'negative i32 is a high unsigned pointer');
  });

  test('poll_oneoff sleeps on a relative clock and reports the event', () => {
    const host = createWasiHost({});
    const w = host.imports.wasi_snapshot_preview1;
    const memory = new WebAssembly.Memory({ initial: 1 });
    host.bind(memory);
    const dv = new DataView(memory.buffer);
    dv.setBigUint64(0, 42n, true); // userdata
    dv.setUint8(8, 0); // clock
    dv.setUint32(16, 1, true); // monotonic
    dv.setBigUint64(24, 20_000_000n, true); // 20 ms
    const t = performance.now();
    assert.equal(w.poll_oneoff(0, 100, 1, 200), ERRNO.SUCCESS);
    assert.ok(performance.now() - t >= 19.5);
    assert.equal(dv.getUint32(200, true), 1);
    assert.equal(dv.getBigUint64(100, true), 42n);
    assert.equal(dv.getUint16(108, true), 0);
    assert.equal(w.poll_oneoff(0, 100, 0, 200), ERRNO.INVAL, 'no subscriptions');
  });

  test('the import object has exactly the preview-1 functions', () => {
    const names = Object.keys(createWasiHost({}).imports.wasi_snapshot_preview1).sort();
    assert.deepEqual(names, Object.keys(SIGNATURES).sort());
    assert.equal(names.length, 46);
  });
});

describe('one signature table', () => {
  test("SIGNATURES matches the validator's wasi profile (crate/src/abi.rs wasi_imports)", () => {
    const src = readFileSync(new URL('../crate/src/abi.rs', import.meta.url), 'utf8');
    const body = src.slice(src.indexOf('pub fn wasi_imports()'));
    const rust = {};
    for (const m of body.matchAll(/f\(\s*"(\w+)",\s*&\[([^\]]*)\],\s*(errno|&\[\])\s*,?\s*\)/g)) {
      const params = m[2]
        .split(',')
        .map((t) => t.trim().toLowerCase())
        .filter(Boolean);
      rust[m[1]] = [params, m[3] === 'errno' ? ['i32'] : []];
    }
    assert.deepEqual(rust, { ...SIGNATURES });
  });
});

describe('import checks', () => {
  const str = (s) => [s.length, ...new TextEncoder().encode(s)];
  const section = (id, body) => [id, body.length, ...body];
  // A module importing `name` with the given params and an i32 result, plus an imported memory first
  // (so the reader must step over a non-function import).
  const moduleWith = (name, params) =>
    new Uint8Array([
      ...[0, 0x61, 0x73, 0x6d, 1, 0, 0, 0],
      ...section(1, [1, 0x60, params.length, ...params, 1, 0x7f]),
      ...section(2, [
        2,
        ...str('env'),
        ...str('mem'),
        2,
        1,
        1,
        2,
        ...str('wasi_snapshot_preview1'),
        ...str(name),
        0,
        0,
      ]),
    ]);
  const check = (bytes) => {
    try {
      checkWasiImports(new WebAssembly.Module(bytes), bytes);
      return 'ok';
    } catch (e) {
      return e.code;
    }
  };
  test('exact signatures pass, others are typed errors', () => {
    assert.equal(check(moduleWith('fd_close', [0x7f])), 'ok');
    assert.equal(check(moduleWith('fd_close', [0x7e])), 'wasi_import_signature');
    assert.equal(check(moduleWith('clock_time_get', [0x7f, 0x7e, 0x7f])), 'ok');
    assert.equal(check(moduleWith('clock_time_get', [0x7f, 0x7f, 0x7f])), 'wasi_import_signature');
    assert.equal(check(moduleWith('path_open_v2', [0x7f])), 'unknown_wasi_import');
  });
});
