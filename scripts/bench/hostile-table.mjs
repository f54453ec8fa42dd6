// The markdown table of a hostile-suite run (scripts/bench-hostile.mjs prints it and writes it with --md).
// Pure: figures in, text out. Not imported by sections.mjs, which www/bench/index.js loads in the browser.

import { STALL_RATIO_TARGET } from './hostile-fixtures.mjs';

const mib = (bytes) => `${(bytes / (1 << 20)).toFixed(bytes >= 10 << 20 ? 0 : 1)} MiB`;

/** One row per attack: outcome, fuel, stall, loop, ratio, crate memory, cycles, verdict. */
export function hostileTable(figs) {
  const cell = (s) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const ms = (x) => (x == null ? 'n/a' : x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x.toFixed(2));
  const lines = [
    '| attack | class | outcome (expected) | fuel | stall ms | first run ms | loop ms | ratio | crate before → after | cycles: high-water (after 10) | contained |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const f of figs) {
    const cyc = f.cycles
      ? f.cycles.crashed
        ? `crashed: ${f.cycles.crashed}`
        : `${f.cycles.done}×: ${mib(f.cycles.high)} (${f.cycles.afterWarmup === null ? 'n/a' : mib(f.cycles.afterWarmup)})`
      : '—';
    const mem = f.memBefore == null ? 'n/a' : `${mib(f.memBefore)} → ${mib(f.memAfter)}`;
    lines.push(
      `| ${[
        f.name,
        f.cls,
        `${f.outcome} (${f.expect.join('/')})`,
        f.fuel == null ? 'n/a' : f.fuel.toLocaleString('en-US'),
        ms(f.stallMs),
        ms(f.coldStallMs),
        ms(f.baselineMs),
        f.ratio == null ? 'n/a' : `${f.ratio >= 100 ? f.ratio.toFixed(0) : f.ratio.toFixed(1)}×`,
        mem,
        cyc,
        f.contained ? 'yes' : `**no**: ${f.reasons.join('; ')}`,
      ]
        .map(cell)
        .join(' | ')} |`,
    );
  }
  lines.push(
    '',
    `Stall target ≤ ${STALL_RATIO_TARGET}× the pure-wasm loop stopped by the same fuel, for the attack's second run in its page ("stall"; "first run" is the first, while V8 still runs the crate paths only this attack takes in its baseline tier). Extras per attack (calls made, logs, inner re-entrant error, queued WASI bytes, page errors) are in the JSON (\`--json\`).`,
  );
  return lines.join('\n');
}
