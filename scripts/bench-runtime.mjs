#!/usr/bin/env node
// Runtime benchmarks: runs www/bench/runtime.html in headless Chromium and prints each measurement with its
// same-run baseline: medians and their ratio, then the ratio of the best runs (steadier on a busy machine).
// Needs dist/ (npm run build) and wabt's wat2wasm for the fixtures.

// --json=path also writes the rows as JSON; --quick runs fewer rounds (for checking the pipeline).
import { writeFileSync } from 'node:fs';
import { arr, openRuntimePage } from '../tests-web/runtime-harness.mjs';
import { runtimeFixtures } from './bench/fixtures.mjs';

const jsonPath = process.argv.find((a) => a.startsWith('--json='))?.slice('--json='.length);
const quick = process.argv.includes('--quick');

// The guest modules (WAT sources shared with the in-browser page, www/bench/index.html).
const fixtures = Object.fromEntries(
  Object.entries(runtimeFixtures()).map(([key, bytes]) => [key, arr(bytes)]),
);

const harness = await openRuntimePage();
try {
  await harness.page.goto(`${harness.url}/www/bench/runtime.html`);
  await harness.page.waitForFunction(() => window.benchReady === true);
  const rows = await harness.page.evaluate(
    ({ input, quick }) =>
      window.runBenchmarks(
        Object.fromEntries(Object.entries(input).map(([key, bytes]) => [key, new Uint8Array(bytes)])),
        { quick },
      ),
    { input: fixtures, quick },
  );
  if (jsonPath) writeFileSync(jsonPath, `${JSON.stringify(rows, null, 2)}\n`);
  const fmt = (n) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
  console.log(
    'benchmark'.padEnd(38),
    'runtime'.padStart(16),
    'baseline'.padStart(16),
    'ratio'.padStart(7),
    'best'.padStart(7),
    ' baseline is',
  );
  for (const r of rows) {
    console.log(
      r.name.padEnd(38),
      `${fmt(r.value)} ${r.unit}`.padStart(16),
      `${fmt(r.baselineValue)} ${r.unit}`.padStart(16),
      `${r.ratio.toFixed(2)}×`.padStart(7),
      `${r.bestRatio.toFixed(2)}×`.padStart(7),
      ` ${r.baseline}`,
    );
  }
} finally {
  await harness.close();
}
