// Runtime benchmarks, each against a baseline measured in the same page in the same run:
//   guest→host call (ugc.log through the runtime) vs a raw wasm→JS import
//   host→guest callSync vs a raw exported-function call
//   worker call round trip vs a raw postMessage round trip
//   load (validate + prepare + compile + instantiate) per module size vs raw compile + instantiate,
//   and an extra instance of a cached module vs a raw `new WebAssembly.Instance`
//   rt.validate throughput vs WebAssembly.validate

import { createRuntime } from '../../dist/ugc-wasm.js';
import { per, row, setQuick, timings } from './bench-lib.js';

// A module of about `bytes` bytes: `count` functions each adding a run of constants (distinct per `salt`, so
// every size is a cache miss).
function sizedModule(bytes, salt) {
  const perBody = 200;
  const count = Math.max(1, Math.round(bytes / (perBody * 3 + 4)));
  const body = [0x00, 0x20, 0x00];
  for (let i = 0; i < perBody; i++) body.push(0x41, (i + salt) & 0x3f, 0x6a);
  body.push(0x0b);
  const uleb = (n) => {
    const out = [];
    do {
      let b = n & 0x7f;
      n >>>= 7;
      if (n) b |= 0x80;
      out.push(b);
    } while (n);
    return out;
  };
  const section = (id, payload) => [id, ...uleb(payload.length), ...payload];
  const code = [...uleb(count)];
  for (let i = 0; i < count; i++) code.push(...uleb(body.length), ...body);
  const funcs = [...uleb(count)];
  for (let i = 0; i < count; i++) funcs.push(0);
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, [1, 0x60, 1, 0x7f, 1, 0x7f]),
    ...section(3, funcs),
    ...section(7, [1, 2, 0x66, 0x30, 0x00, 0]),
    ...section(10, code),
  ]);
}

function echoWorker() {
  const source = 'onmessage = (e) => postMessage(e.data);';
  return new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
}

export async function runBenchmarks({ hostCalls, plainHostCalls, adder }, { quick = false } = {}) {
  setQuick(quick);
  const rows = [];
  const rt = await createRuntime();

  // guest → host: `calls(n, len)` makes n ugc.log(16, len) calls from a loop. Two baselines: a raw import
  // doing the same work (bounds check + decode + sink) and a raw import doing nothing.
  const N = 200_000;
  const rawModule = await WebAssembly.compile(plainHostCalls);
  let sink = '';
  const empty = new WebAssembly.Instance(rawModule, { ugc: { log: () => {} } });
  const decoder = new TextDecoder();
  let memory;
  const same = new WebAssembly.Instance(rawModule, {
    ugc: {
      log: (ptr, n) => {
        const start = ptr >>> 0;
        const length = n >>> 0;
        if (start + length > memory.buffer.byteLength) throw new RangeError('oob');
        sink = decoder.decode(new Uint8Array(memory.buffer, start, length));
      },
    },
  });
  memory = same.exports.memory;
  for (const len of [0, 16]) {
    const script = await rt.load(hostCalls, { fuel: 1e12, onLog: (m) => (sink = m) });
    empty.exports.calls(1000, len);
    same.exports.calls(1000, len);
    script.callSync('calls', 1000, len);
    const emptyMs = await timings(7, () => empty.exports.calls(N, len));
    const sameMs = await timings(7, () => same.exports.calls(N, len));
    const rtMs = await timings(7, () => script.callSync('calls', N, len));
    const ns = (t) => per(t, (ms) => (ms * 1e6) / N);
    rows.push(
      row(`guest→host ugc.log (len ${len})`, 'ns/call', ns(rtMs), 'raw import, same work', ns(sameMs)),
    );
    rows.push(row(`guest→host ugc.log (len ${len})`, 'ns/call', ns(rtMs), 'raw empty import', ns(emptyMs)));
    script.dispose();
  }
  if (sink === null) throw new Error('unreachable: keeps the sink alive');

  // host → guest: callSync('add') vs the raw export.
  {
    const raw = new WebAssembly.Instance(await WebAssembly.compile(adder), {});
    const add = raw.exports.add;
    const script = await rt.load(adder);
    let acc = 0;
    const M = 200_000;
    const rawMs = await timings(7, () => {
      for (let i = 0; i < M; i++) acc = add(acc, 1);
    });
    const rtMs = await timings(7, () => {
      for (let i = 0; i < M; i++) acc = script.callSync('add', acc, 1);
    });
    rows.push(
      row(
        'host→guest callSync(add)',
        'ns/call',
        per(rtMs, (ms) => (ms * 1e6) / M),
        'raw exported call',
        per(rawMs, (ms) => (ms * 1e6) / M),
      ),
    );
    script.dispose();
  }

  // worker round trip: script.call in a worker vs a raw postMessage echo.
  {
    const K = 500;
    const echo = echoWorker();
    const ping = () =>
      new Promise((resolve) => {
        echo.onmessage = resolve;
        echo.postMessage(1);
      });
    await ping();
    const script = await rt.load(adder, { isolation: 'worker' });
    await script.call('add', 1, 1);
    const rawMs = await timings(5, async () => {
      for (let i = 0; i < K; i++) await ping();
    });
    const rtMs = await timings(5, async () => {
      for (let i = 0; i < K; i++) await script.call('add', i, 1);
    });
    rows.push(
      row(
        'worker call(add) round trip',
        'µs/call',
        per(rtMs, (ms) => (ms * 1e3) / K),
        'raw postMessage echo',
        per(rawMs, (ms) => (ms * 1e3) / K),
      ),
    );
    script.dispose();
    echo.terminate();
  }

  // load per module size (cache misses) vs raw compile + instantiate of the same bytes.
  let salt = 0;
  for (const size of [10_000, 100_000, 1_000_000]) {
    const rawMs = await timings(5, async () => {
      const module = await WebAssembly.compile(sizedModule(size, salt++));
      new WebAssembly.Instance(module, {});
    });
    const rtMs = await timings(5, async () => {
      const script = await rt.load(sizedModule(size, salt++));
      script.dispose();
    });
    rows.push(
      row(`load ${size / 1000} kB module (uncached)`, 'ms', rtMs, 'raw compile + instantiate', rawMs, {
        bytes: sizedModule(size, 0).length,
      }),
    );
  }

  // one more instance of a cached module vs a raw new WebAssembly.Instance.
  {
    const bytes = sizedModule(100_000, salt++);
    const module = await WebAssembly.compile(bytes);
    (await rt.load(bytes)).dispose();
    const R = 200;
    const rawMs = await timings(5, () => {
      for (let i = 0; i < R; i++) new WebAssembly.Instance(module, {});
    });
    const rtMs = await timings(5, async () => {
      for (let i = 0; i < R; i++) (await rt.load(bytes)).dispose();
    });
    rows.push(
      row(
        'load 100 kB module (cached)',
        'µs/load',
        per(rtMs, (ms) => (ms * 1e3) / R),
        'raw new Instance',
        per(rawMs, (ms) => (ms * 1e3) / R),
      ),
    );
  }

  // validation throughput.
  {
    const bytes = sizedModule(4_000_000, salt++);
    const mb = bytes.length / 1e6;
    const rawMs = await timings(5, () => WebAssembly.validate(bytes));
    const rtMs = await timings(5, () => {
      if (!rt.validate(bytes).ok) throw new Error('bench module refused');
    });
    rows.push(
      row(
        `rt.validate ${mb.toFixed(1)} MB`,
        'MB/s',
        per(rtMs, (ms) => mb / (ms / 1e3)),
        'WebAssembly.validate',
        per(rawMs, (ms) => mb / (ms / 1e3)),
        { bytes: bytes.length },
      ),
    );
  }
  return rows;
}
