#!/usr/bin/env node
// Runtime benchmarks: runs www/bench/runtime.html in headless Chromium and prints each measurement with its
// same-run baseline: medians and their ratio, then the ratio of the best runs (steadier on a busy machine).
// Needs dist/ (npm run build) and wabt's wat2wasm for the fixtures.

// --json=path also writes the rows as JSON; --quick runs fewer rounds (for checking the pipeline).
import { writeFileSync } from 'node:fs';
import { arr, openRuntimePage } from '../tests-web/runtime-harness.mjs';
import { runtimeFixtures } from './bench/fixtures.mjs';
import { benchShared } from './lib/bench-shared.mjs';

// --shared: only the shared-instancing benchmark (scripts/lib/bench-shared.mjs).
const sharedOnly = process.argv.includes('--shared');

// The same modules the visitor's page (www/bench/) runs: one WAT source, scripts/bench/fixtures.mjs.
const fixtures = Object.fromEntries(Object.entries(runtimeFixtures()).map(([k, v]) => [k, arr(v)]));

const jsonPath = process.argv.find((a) => a.startsWith('--json='))?.slice('--json='.length);
const quick = process.argv.includes('--quick');

const harness = await openRuntimePage();
try {
  // The blank page the harness opened has `window.rt`: the shared-instancing rows run there first.
  const sharedRows = await benchShared(harness.page, quick ? [100, 1000] : undefined);
  let rows = [];
  if (!sharedOnly) {
    await harness.page.goto(`${harness.url}/www/bench/runtime.html`);
    await harness.page.waitForFunction(() => window.benchReady === true);
    rows = await harness.page.evaluate(
      ({ input, quick }) =>
        window.runBenchmarks(
          Object.fromEntries(Object.entries(input).map(([key, bytes]) => [key, new Uint8Array(bytes)])),
          { quick },
        ),
      { input: fixtures, quick },
    );
  }
  rows.push(...sharedRows);
  if (jsonPath) writeFileSync(jsonPath, `${JSON.stringify(rows, null, 2)}\n`);
  const fmt = (n) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
  console.log(
    'benchmark'.padEnd(38),
    'runtime'.padStart(16),
    'baseline'.padStart(16),
    'ratio'.padStart(7),
    'best'.padStart(7),
    'ns/node*'.padStart(9),
    ' baseline is',
  );
  for (const r of rows) {
    console.log(
      r.name.padEnd(38),
      `${fmt(r.value)} ${r.unit}`.padStart(16),
      `${fmt(r.baselineValue)} ${r.unit}`.padStart(16),
      `${r.ratio.toFixed(2)}×`.padStart(7),
      `${r.bestRatio.toFixed(2)}×`.padStart(7),
      (r.nsPerNode === undefined ? '' : fmt(r.nsPerNode)).padStart(9),
      ` ${r.baseline}`,
    );
  }
  if (sharedRows.length > 0) console.log('* ns/node: the fastest round per node (shared-instancing rows)');
} finally {
  await harness.close();
}
