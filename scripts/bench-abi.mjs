#!/usr/bin/env node
// Guest ABI benchmarks: runs www/bench/abi.html in headless Chromium and prints each measurement with its
// same-run baseline (medians and their ratio, then the ratio of the best runs), plus MB/s for the Variant
// codec rows. Needs dist/ (npm run build) and wabt's wat2wasm.

// --json=path also writes the rows as JSON; --quick runs fewer rounds (for checking the pipeline).
import { writeFileSync } from 'node:fs';
import { arr, openRuntimePage } from '../tests-web/runtime-harness.mjs';
import { abiFixtures } from './bench/fixtures.mjs';

// The same modules the visitor's page (www/bench/) runs: one WAT source, scripts/bench/fixtures.mjs.
const fixtures = Object.fromEntries(Object.entries(abiFixtures()).map(([k, v]) => [k, arr(v)]));

const jsonPath = process.argv.find((a) => a.startsWith('--json='))?.slice('--json='.length);
const quick = process.argv.includes('--quick');

const harness = await openRuntimePage();
try {
  await harness.page.goto(`${harness.url}/www/bench/abi.html`);
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
    'benchmark'.padEnd(44),
    'runtime'.padStart(12),
    'baseline'.padStart(12),
    'ratio'.padStart(8),
    'best'.padStart(8),
    ' baseline is',
  );
  for (const r of rows) {
    const mb = r.mbps === undefined ? '' : ` (${fmt(r.mbps)} vs ${fmt(r.baselineMbps)} MB/s)`;
    console.log(
      r.name.padEnd(44),
      `${fmt(r.value)} ${r.unit}`.padStart(12),
      `${fmt(r.baselineValue)} ${r.unit}`.padStart(12),
      `${r.ratio.toFixed(2)}×`.padStart(8),
      `${r.bestRatio.toFixed(2)}×`.padStart(8),
      ` ${r.baseline}${mb}`,
    );
  }
} finally {
  await harness.close();
}
