#!/usr/bin/env node
// The hostile suite of issue 13, measured in headless Chromium (default policy, instance isolation unless
// the attack says otherwise). For every attack in scripts/bench/hostile-fixtures.mjs, in a fresh page:
//   outcome   the typed error code the call ended with (or ok / untyped / crashed)
//   fuel      fuel charged (script.stats().fuelUsed, summed over the attack's calls)
//   stall     the longest main-thread gap a MessageChannel ticker saw while it ran
//   ratio     stall ÷ the stall of a pure-wasm loop stopped by the same fuel budget (same run); target ≤ 5×
//   crate     the crate's linear memory (rt.stats().coreMemoryBytes) before → after
//   cycles    memory attacks: up to 1,000 load → attack → dispose cycles (15 s at most), crate high-water mark
// "contained" = an expected typed outcome, ratio ≤ 5, crate growth ≤ 128 MiB, no growth across cycles.
//
//   node scripts/bench-hostile.mjs [--quick] [--only=name,name] [--json=path] [--md=path]
//
// --quick   skips the slow attacks (crate-oom-one-call) and runs 100 cycles instead of 1,000
// --md      also writes the markdown table (e.g. docs/hostile-before.md)

import { writeFileSync } from 'node:fs';
import { ATTACKS } from './bench/hostile-fixtures.mjs';
import { hostileTable } from './bench/hostile-table.mjs';
import {
  fuelOf,
  measureBaseline,
  openHostileSession,
  runAttack,
  runCycles,
  verdict,
} from './bench/hostile-run.mjs';

const arg = (name) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const quick = process.argv.includes('--quick');
const only = arg('only')?.split(',');
const jsonPath = arg('json');
const mdPath = arg('md');

const attacks = ATTACKS.filter((a) => (only ? only.includes(a.name) : !(quick && a.slow)));
if (only && attacks.length !== only.length) throw new Error(`unknown attack in --only=${only.join(',')}`);

const started = Date.now();
const session = await openHostileSession();
const rows = [];
try {
  // One baseline per fuel budget, measured before the attacks and again after them (the machine's load
  // changes over a run): the ratio uses the smaller, i.e. the engine's real cost of that much fuel.
  const budgets = [...new Set(attacks.map(fuelOf))];
  const baselines = {};
  for (const fuel of budgets) baselines[fuel] = await measureBaseline(session, fuel);
  for (const a of attacks) {
    process.stderr.write(`${a.name} … `);
    const r = await runAttack(session, a, { twice: true });
    const cycles = a.memory ? await runCycles(session, a, { cycles: quick ? 100 : 1000 }) : null;
    rows.push({ attack: a, r, cycles });
    process.stderr.write(`${r.outcome}, stall ${r.stall?.toFixed(1)} ms\n`);
  }
  for (const fuel of budgets)
    baselines[fuel] = Math.min(baselines[fuel], await measureBaseline(session, fuel));
  for (const row of rows) {
    row.baseline = baselines[fuelOf(row.attack)];
    row.verdict = verdict(row.attack, row.r, row.baseline, row.cycles);
  }
} finally {
  await session.close();
}

const figures = rows.map(({ attack: a, r, cycles, baseline, verdict: v }) => ({
  name: a.name,
  cls: a.cls,
  what: a.what,
  expect: a.expect,
  outcome: r.outcome,
  fuel: r.fuel ?? null,
  fuelBudget: fuelOf(a),
  stallMs: r.stall ?? null,
  coldStallMs: r.coldStall ?? null,
  wallMs: r.wall ?? null,
  baselineMs: baseline,
  ratio: Number.isFinite(v.ratio) ? v.ratio : null,
  memBefore: r.memBefore ?? null,
  memAfter: r.memAfter ?? null,
  cycles,
  extra: r.extra ?? null,
  pageErrors: r.pageErrors ?? [],
  contained: v.contained,
  reasons: v.reasons,
}));

const markdown = hostileTable(figures);
console.log(markdown);
const summary = `${figures.filter((f) => f.contained).length} of ${figures.length} attacks contained (${((Date.now() - started) / 1000).toFixed(0)} s)`;
console.log(`\n${summary}`);
if (jsonPath) writeFileSync(jsonPath, `${JSON.stringify({ quick, figures }, null, 2)}\n`);
if (mdPath) {
  writeFileSync(
    mdPath,
    `# Hostile suite (issue 13)\n\n<!-- Written by \`node scripts/bench-hostile.mjs --md=${mdPath}\`. -->\n\n${new Date().toISOString()}, ${summary}.\n\n${markdown}\n`,
  );
}
