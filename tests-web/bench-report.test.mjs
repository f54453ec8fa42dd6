// The `npm run bench` pipeline without timing assertions: a quick run of one real benchmark
// (scripts/bench-runtime.mjs in headless Chromium, --json) goes through the report writer; the tables must
// hold every measured row with its ratio recomputed from the measured numbers, and the chart must be a
// well-formed SVG with one point per measured size.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseArgs, writeReport } from '../scripts/bench.mjs';
import { machineInfo, loadAverage } from '../scripts/bench/machine.mjs';
import { readCriterion } from '../scripts/bench/native.mjs';
import { PAGE_FIXTURES, pageFixturesSource } from '../scripts/bench/fixtures.mjs';
import { NODES_CHART, SIZE_CHART, buildReport, formatRatio } from '../scripts/bench/report.mjs';
import { nodeCount } from '../scripts/bench/sections.mjs';
import { launchBrowser } from './lib/browser.mjs';
import { serveStatic } from './lib/serve.mjs';
import { REPO_ROOT } from './runtime-harness.mjs';

/** Checks XML well-formedness (balanced, properly nested tags; one root); returns the element names. */
function parseXmlTags(xml) {
  const names = [];
  const stack = [];
  let roots = 0;
  const body = xml.replace(/^<\?xml[^>]*\?>/, '');
  for (const m of body.matchAll(/<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g)) {
    const [, closing, name, , selfClosing] = m;
    if (closing) {
      assert.equal(stack.pop(), name, `</${name}> closes the wrong element`);
    } else {
      if (!stack.length) roots++;
      names.push(name);
      if (!selfClosing) stack.push(name);
    }
  }
  assert.deepEqual(stack, [], 'unclosed elements');
  assert.equal(roots, 1, 'exactly one root element');
  // Nothing that looks like a tag may be left unmatched by the pattern above (e.g. a bad attribute).
  const stripped = body.replace(/<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g, '');
  assert.ok(!/[<>]/.test(stripped), 'stray < or > outside tags (unescaped text?)');
  return names;
}

/** The markdown table row whose first cell is `figure` and whose baseline cell is `baseline`. */
function tableRow(markdown, figure, baseline) {
  const cells = (line) =>
    line
      .split(/(?<!\\)\|/)
      .slice(1, -1)
      .map((c) => c.trim());
  return markdown
    .split('\n')
    .filter((l) => l.startsWith('|'))
    .map(cells)
    .find((c) => c[0] === figure && c[2] === baseline);
}

describe('npm run bench report', () => {
  let dir;
  let rows;
  let results;

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ugc-bench-report-'));
    const json = path.join(dir, 'runtime.json');
    execFileSync(process.execPath, ['scripts/bench-runtime.mjs', '--quick', `--json=${json}`], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
      timeout: 120_000,
    });
    rows = JSON.parse(readFileSync(json, 'utf8'));
    results = {
      meta: {
        quick: true,
        only: ['browser'],
        machine: machineInfo(REPO_ROOT),
        loadAfter: loadAverage(),
        durationS: 1,
      },
      browser: { runtime: rows },
      errors: [],
    };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  // The run's results without its per-node rows, for tests that bring their own node-count data.
  const withoutNodeRows = () => ({
    ...results,
    browser: { runtime: rows.filter((r) => nodeCount(r) === null) },
  });

  test('the quick run produced rows with a measured value and baseline', () => {
    assert.ok(rows.length >= 8, `only ${rows.length} rows`);
    for (const r of rows) {
      // A part below the timer's resolution can read 0 (then its ratio is shown as n/a); baselines cannot.
      assert.ok(r.value >= 0 && r.baselineValue > 0, `${r.name}: ${r.value} / ${r.baselineValue}`);
    }
  });

  test('every measured row is in the report with the ratio of its own numbers', () => {
    const { markdown } = buildReport(results);
    assert.match(markdown, /\*\*Quick run\*\*/);
    for (const r of rows) {
      const figure = r.name.startsWith('rt.validate')
        ? `${r.name} (Chromium, crate compiled to wasm32)`
        : r.name.trim();
      const cells = tableRow(markdown, figure, r.baseline);
      assert.ok(cells, `no table row for ${figure} vs ${r.baseline}`);
      const expected = r.value > 0 ? formatRatio(r.value / r.baselineValue) : 'n/a';
      assert.equal(cells[4], expected, `${figure}: ratio cell`);
    }
  });

  test('targeted rows say met or missed from the measured ratio', () => {
    const { markdown } = buildReport(results);
    const guestToHost = rows.filter(
      (r) => r.name.startsWith('guest→host') && r.baseline.startsWith('raw import, same work'),
    );
    assert.ok(guestToHost.length > 0);
    for (const r of guestToHost) {
      const cells = tableRow(markdown, r.name, r.baseline);
      assert.equal(cells[5], '≤ 2×');
      assert.equal(cells[6], r.value / r.baselineValue <= 2 ? '**met**' : '**missed**');
    }
    // The summary lists them too; sections with no measured rows say so instead of an empty table.
    const summary = markdown.slice(markdown.indexOf('## Targets'), markdown.indexOf('## Validation'));
    assert.equal(summary.split('\n').filter((l) => l.includes('guest→host')).length, guestToHost.length);
    assert.match(markdown, /## Godot:[^\n]*\n\n(?:[^\n]+\n\n)?_Not measured in this run._/);
  });

  test('the machine and toolchain are recorded', () => {
    const { markdown } = buildReport(results);
    for (const key of [
      'date',
      'git commit',
      'CPU',
      'load average (1/5/15 min) before',
      'OS',
      'Chromium',
      'Node.js',
      'rustc',
    ]) {
      const cells = markdown.split('\n').find((l) => l.startsWith(`| ${key} |`));
      assert.ok(cells && !cells.includes('| n/a |'), `machine row ${key}: ${cells}`);
    }
    assert.match(markdown, new RegExp(`\\| Node.js \\| ${process.version.replace(/\./g, '\\.')} \\|`));
  });

  test('the size chart is a well-formed SVG with one point per measured module size', () => {
    const { charts, markdown } = buildReport(results);
    const svg = charts[SIZE_CHART];
    assert.ok(svg, 'no size chart');
    assert.ok(markdown.includes(`](${SIZE_CHART})`), 'chart not embedded');
    const names = parseXmlTags(svg);
    assert.equal(names[0], 'svg');
    const loads = rows.filter((r) => r.name.includes('(uncached)'));
    assert.ok(loads.length >= 2);
    // Two series (runtime load and raw compile + instantiate), one marker per size each.
    assert.equal(names.filter((n) => n === 'polyline').length, 2);
    assert.equal(names.filter((n) => n === 'circle').length, 2 * loads.length);
    for (const m of svg.matchAll(/(?:cx|cy|x1|y1|x2|y2)="([^"]*)"/g))
      assert.ok(Number.isFinite(Number(m[1])), m[0]);
  });

  test('writeReport writes BENCHMARKS.md and the chart', () => {
    const out = path.join(dir, 'docs');
    const files = writeReport(results, out).map((f) => path.basename(f));
    // The node-count chart exists when the run had per-node rows (the shared-instancing benchmark).
    const expected = [
      'BENCHMARKS.md',
      SIZE_CHART,
      ...(rows.some((r) => nodeCount(r) !== null) ? [NODES_CHART] : []),
    ];
    assert.deepEqual(files.sort(), expected.sort());
    assert.ok(readFileSync(path.join(out, 'BENCHMARKS.md'), 'utf8').startsWith('# Benchmarks'));
  });

  test('Godot rows: whole pass per frame, Wasm vs the GDScript column, targets from issue #6', () => {
    // A result shaped like scripts/bench-godot.mjs --json, values made up to land on both sides of a target.
    const counts = [100, 1000];
    const variants = ['none', 'empty', 'wasm-empty', 'math', 'wasm-math'];
    const usPerNode = { none: 0.01, empty: 0.5, 'wasm-empty': 0.4, math: 170, 'wasm-math': 10 };
    const godot = {
      engine: 'Godot Engine v4.6 (test data)',
      config: { counts, variants },
      rows: counts.flatMap((n) =>
        variants.map((variant) => ({ variant, n, median_us: 5 + usPerNode[variant] * n })),
      ),
      problems: ['wasm-math N=1000: 3 of 1000 children not running (trap)'],
    };
    const { markdown, charts } = buildReport({ ...withoutNodeRows(), godot });
    for (const n of counts) {
      const cellOf = (v) => godot.rows.find((r) => r.variant === v && r.n === n).median_us;
      const label = n.toLocaleString('en-US');
      const math = tableRow(markdown, `wasm-math, N = ${label}`, 'GDScript math');
      const mathRatio = cellOf('wasm-math') / cellOf('math');
      assert.equal(math[4], formatRatio(mathRatio));
      const flagged = godot.problems.some((p) => p.startsWith(`wasm-math N=${n}:`));
      assert.equal(math[6], flagged ? '**invalid**' : mathRatio <= 1 / 30 ? '**met**' : '**missed**');
      const empty = tableRow(markdown, `wasm-empty, N = ${label}`, 'GDScript empty');
      assert.equal(empty[4], formatRatio(cellOf('wasm-empty') / cellOf('empty')));
      assert.equal(empty[6], cellOf('wasm-empty') <= cellOf('empty') ? '**met**' : '**missed**');
    }
    assert.ok(charts['benchmarks-nodes.svg']);
    const names = parseXmlTags(charts['benchmarks-nodes.svg']);
    assert.equal(names.filter((n) => n === 'polyline').length, variants.length);
  });

  test('shared-instancing rows (name ending in ×N) get their own table and a node-count series', () => {
    const shared = [100, 1000].flatMap((n) => [
      {
        name: `callEach empty _process ×${n}`,
        unit: 'ms/frame',
        value: n / 900,
        baseline: 'raw loop of a raw export',
        baselineValue: n / 1000,
        bestRatio: 1.1,
        nsPerNode: 1e6 / 900,
      },
      {
        name: `  of which takeBatch ×${n}`,
        unit: 'ms/frame',
        value: n / 5000,
        baseline: 'raw loop of a raw export',
        baselineValue: n / 1000,
        bestRatio: 0.2,
        nsPerNode: 200,
      },
    ]);
    const withShared = {
      ...results,
      browser: { runtime: [...withoutNodeRows().browser.runtime, ...shared] },
    };
    const { markdown, charts } = buildReport(withShared);
    const section = markdown.slice(markdown.indexOf('## Shared instancing'), markdown.indexOf('## Godot:'));
    for (const r of shared) {
      const cells = tableRow(section, r.name.trim(), r.baseline);
      assert.ok(cells, r.name);
      assert.equal(cells[4], formatRatio(r.value / r.baselineValue));
    }
    // One series (the indented "of which" parts are not plotted), one point per N.
    const names = parseXmlTags(charts['benchmarks-nodes.svg']);
    assert.equal(names.filter((n) => n === 'polyline').length, 1);
    assert.equal(names.filter((n) => n === 'circle').length, 2);
  });

  test('criterion results are read from estimates.json', () => {
    const root = path.join(dir, 'criterion', 'prepare');
    const write = (fn, size, median) => {
      const d = path.join(root, fn, String(size), 'new');
      mkdirSync(d, { recursive: true });
      writeFileSync(
        path.join(d, 'benchmark.json'),
        JSON.stringify({ group_id: 'prepare', function_id: fn, value_str: String(size) }),
      );
      writeFileSync(
        path.join(d, 'estimates.json'),
        JSON.stringify({ median: { point_estimate: median }, mean: { point_estimate: median * 1.1 } }),
      );
    };
    write('prepare metered', 1000, 5e6);
    write('roundtrip (baseline)', 1000, 2e6);
    const read = readCriterion(root).sort((a, b) => a.fn.localeCompare(b.fn));
    assert.deepEqual(
      read.map((r) => [r.fn, r.param, r.medianNs]),
      [
        ['prepare metered', '1000', 5e6],
        ['roundtrip (baseline)', '1000', 2e6],
      ],
    );
  });

  test('options: --quick, --only, unknown arguments refused', () => {
    assert.deepEqual(parseArgs(['--quick', '--only=native,godot']).only, ['native', 'godot']);
    assert.equal(parseArgs(['--quick']).quick, true);
    assert.deepEqual(parseArgs([]).only, ['native', 'browser', 'godot']);
    assert.throws(() => parseArgs(['--only=gpu']), /unknown part gpu/);
    assert.throws(() => parseArgs(['--fast']), /unknown argument/);
  });
});

describe('www/bench/index.html (the benchmark page for a visitor’s browser)', () => {
  test('its fixtures are the ones generated from the benchmarks’ WAT', async () => {
    assert.equal(
      readFileSync(PAGE_FIXTURES, 'utf8'),
      await pageFixturesSource(),
      'run node scripts/bench/fixtures.mjs',
    );
  });

  test('loads, runs when asked and shows a ratio for every figure', async () => {
    const server = await serveStatic({ root: REPO_ROOT });
    const browser = await launchBrowser();
    try {
      const { page } = await browser.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(e));
      await page.goto(`${server.url}/www/bench/index.html`);
      await page.waitForSelector('body[data-state="ready"]');
      await page.getByLabel(/quick/).check();
      await page.getByRole('button', { name: 'Run the benchmarks' }).click();
      await page.waitForSelector('body[data-state="done"], body[data-state="error"]', { timeout: 120_000 });
      assert.equal(await page.getAttribute('body', 'data-state'), 'done', await page.textContent('#status'));
      const { runtime, abi } = await page.evaluate(() => window.benchResults);
      const ratios = await page.$$eval('td.ratio', (tds) => tds.map((td) => td.textContent));
      // Every measured figure has a row (rt.validate and the handle row included) with a computed ratio.
      assert.equal(ratios.length, runtime.length + abi.length);
      for (const text of ratios) assert.match(text, /^\d[\d.e+-]*×$/);
      const figures = await page.$$eval('tr td:first-child', (tds) => tds.map((td) => td.textContent));
      for (const r of [...runtime, ...abi])
        assert.ok(
          figures.some((f) => f.startsWith(r.name)),
          r.name,
        );
      assert.deepEqual(errors, []);
      await page.screenshot({ path: path.join(REPO_ROOT, 'test-results', 'bench-page.png'), fullPage: true });
    } finally {
      await browser.close();
      await server.close();
    }
  });
});
