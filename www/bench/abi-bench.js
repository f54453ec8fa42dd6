// Guest ABI benchmarks, each against a baseline measured in the same page in the same run:
//   handle create/use/release (new_int → type_of → release) through the runtime's ScriptHost vs the same
//   guest loop calling raw wasm→JS imports that do nothing
//   Variant encode/decode through the crate (rt.encodeVariant/decodeVariant) vs JSON.stringify/JSON.parse of
//   the same data: a 10k-element Array and a nested Dictionary

import { createRuntime } from '../../dist/ugc-wasm.js';
import { per, row, setQuick, timings } from './bench-lib.js';

/** Handle round trips: `fixtures.handles` through the runtime, `fixtures.plainHandles` with raw imports. */
async function handleCycle(rt, fixtures) {
  const n = 200_000;
  const script = await rt.load(fixtures.handles, { fuel: 10n ** 12n });
  const noop = () => 0;
  const { instance } = await WebAssembly.instantiate(fixtures.plainHandles, {
    ugc: { new_int: () => 1, type_of: () => 2, release: noop },
  });
  const raw = instance.exports.cycle;
  // Warm both paths (JIT tiers) before measuring.
  for (let i = 0; i < 3; i++) {
    script.callSync('cycle', n);
    raw(n);
  }
  const viaRuntime = await timings(15, () => script.callSync('cycle', n));
  const viaRaw = await timings(15, () => raw(n));
  const stats = script.stats();
  script.dispose();
  if (stats.liveHandles !== 0 || stats.abiErrors !== 0) throw new Error('handle benchmark leaked or erred');
  const ns = (ms) => (ms * 1e6) / n;
  return row(
    'handle new_int+type_of+release (per cycle)',
    'ns',
    per(viaRuntime, ns),
    'same loop, raw no-op JS imports',
    per(viaRaw, ns),
  );
}

function array10k() {
  return Array.from({ length: 10_000 }, (_, i) => (i % 3 === 0 ? i : i * 0.37));
}

function nestedDictionary() {
  const users = [];
  for (let i = 0; i < 1000; i++) {
    users.push({
      name: `user${i}`,
      score: i * 1.5,
      active: i % 2 === 0,
      tags: ['avatar', 'prop', `t${i % 7}`],
      pos: { x: i * 0.1, y: i * 0.2, z: -i },
    });
  }
  return { version: 3, world: { name: 'plaza', gravity: -9.8 }, users };
}

async function codec(rt, name, data) {
  const bytes = rt.encodeVariant(data);
  const json = JSON.stringify(data);
  // Round trip sanity: the decoded value re-encodes to the same bytes.
  const again = rt.encodeVariant(rt.decodeVariant(bytes));
  if (again.length !== bytes.length || again.some((b, i) => b !== bytes[i])) {
    throw new Error(`${name}: Variant round trip changed the bytes`);
  }
  const reps = 20;
  for (let i = 0; i < 3; i++) {
    rt.decodeVariant(rt.encodeVariant(data));
    JSON.parse(JSON.stringify(data));
  }
  const mbps = (size) => (ms) => size / 1e6 / (ms / 1e3 / reps);
  const enc = await timings(9, () => {
    for (let i = 0; i < reps; i++) rt.encodeVariant(data);
  });
  const encJson = await timings(9, () => {
    for (let i = 0; i < reps; i++) JSON.stringify(data);
  });
  const dec = await timings(9, () => {
    for (let i = 0; i < reps; i++) rt.decodeVariant(bytes);
  });
  const decJson = await timings(9, () => {
    for (let i = 0; i < reps; i++) JSON.parse(json);
  });
  const msPer = (t) => per(t, (ms) => ms / reps);
  return [
    row(`encodeVariant ${name}`, 'ms', msPer(enc), 'JSON.stringify', msPer(encJson), {
      mbps: mbps(bytes.length)(enc.median),
      baselineMbps: mbps(json.length)(encJson.median),
      bytes: bytes.length,
      baselineBytes: json.length,
    }),
    row(`decodeVariant ${name}`, 'ms', msPer(dec), 'JSON.parse', msPer(decJson), {
      mbps: mbps(bytes.length)(dec.median),
      baselineMbps: mbps(json.length)(decJson.median),
      bytes: bytes.length,
      baselineBytes: json.length,
    }),
  ];
}

export async function runBenchmarks(fixtures, { quick = false } = {}) {
  setQuick(quick);
  const rt = await createRuntime();
  const rows = [await handleCycle(rt, fixtures)];
  rows.push(...(await codec(rt, '10k Array', array10k())));
  rows.push(...(await codec(rt, 'nested Dictionary', nestedDictionary())));
  return rows;
}
