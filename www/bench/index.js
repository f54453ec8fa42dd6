// The benchmark page a visitor runs in their own browser: the same benchmark code the headless run uses
// (runtime-bench.js, abi-bench.js), the same fixtures (fixtures.js, generated from the same WAT) and the same
// report sections, targets and number formats as docs/BENCHMARKS.md (scripts/bench/sections.mjs, report.mjs:
// pure modules shared with the report writer).

import { runBenchmarks as runRuntime } from './runtime-bench.js';
import { runBenchmarks as runAbi } from './abi-bench.js';
import { abiFixtures, runtimeFixtures } from './fixtures.js';
import { buildSections } from '../../scripts/bench/sections.mjs';
import { formatRatio, formatValue, verdict } from '../../scripts/bench/report.mjs';

const $ = (id) => document.getElementById(id);

function setStatus(text, state) {
  $('status').textContent = text;
  $('status').dataset.state = state;
  document.body.dataset.state = state;
}

function cell(tr, text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  tr.append(td);
}

function renderSection(section) {
  const tableEl = document.createElement('table');
  const caption = document.createElement('caption');
  caption.textContent = `${section.title} (issue #${section.issue})`;
  const head = document.createElement('tr');
  for (const h of [
    'figure',
    'value',
    'baseline (same run)',
    'baseline value',
    'ratio',
    'target',
    'met?',
    'notes',
  ]) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = h;
    head.append(th);
  }
  tableEl.append(caption, head);
  for (const r of section.rows) {
    const tr = document.createElement('tr');
    const v = verdict(r).replace(/\*/g, '');
    cell(tr, r.figure);
    cell(tr, `${formatValue(r.value)} ${r.unit}`, 'num');
    cell(tr, r.baseline);
    cell(tr, `${formatValue(r.baselineValue)} ${r.unit}`, 'num');
    cell(tr, formatRatio(r.ratio), 'num ratio');
    cell(tr, r.target?.text ?? '—');
    cell(tr, v, v === 'met' || v === 'missed' ? v : '');
    cell(tr, r.note || '');
    tableEl.append(tr);
  }
  return tableEl;
}

async function run() {
  const quick = $('quick').checked;
  $('run').disabled = true;
  $('results').replaceChildren();
  try {
    setStatus('Running the runtime benchmarks (calls, load, validate)…', 'running');
    const runtime = await runRuntime(runtimeFixtures(), { quick });
    setStatus('Running the ABI benchmarks (handles, Variant codec)…', 'running');
    const abi = await runAbi(abiFixtures(), { quick });
    const sections = buildSections({ browser: { runtime, abi } }).filter((s) => s.rows.length);
    $('results').replaceChildren(...sections.map(renderSection));
    window.benchResults = { runtime, abi };
    setStatus(`Done${quick ? ' (quick)' : ''}: ${runtime.length + abi.length} figures.`, 'done');
  } catch (err) {
    setStatus(`Failed: ${err.message}`, 'error');
    throw err;
  } finally {
    $('run').disabled = false;
  }
}

$('browser').textContent =
  `This browser: ${navigator.userAgent}; ${navigator.hardwareConcurrency} logical cores; ` +
  `${crossOriginIsolated ? 'cross-origin isolated (fine timers)' : 'not cross-origin isolated (coarser timers)'}.`;
$('run').addEventListener('click', run);
document.body.dataset.state = 'ready';
