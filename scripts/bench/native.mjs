// The native (cargo bench) half of `npm run bench`: each bench binary writes its figures as JSON
// (UGC_BENCH_JSON) or, for the criterion one, they are read back from criterion's own estimates.json files.

import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { readJson, run } from './run.mjs';

/** Every `<dir>/**\/new/` criterion result under `root`: `{ group, fn, param, medianNs, meanNs }`. */
export function readCriterion(root) {
  const out = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (!statSync(full).isDirectory()) continue;
      if (name === 'new') {
        const id = JSON.parse(readFileSync(path.join(full, 'benchmark.json'), 'utf8'));
        const est = JSON.parse(readFileSync(path.join(full, 'estimates.json'), 'utf8'));
        out.push({
          group: id.group_id,
          fn: id.function_id,
          param: id.value_str,
          medianNs: est.median.point_estimate,
          meanNs: est.mean.point_estimate,
        });
      } else if (name !== 'base' && name !== 'change' && name !== 'report') walk(full);
    }
  };
  if (existsSync(root)) walk(root);
  return out;
}

/**
 * Runs the three crate benches; returns `{ validate, variant, prepare }` (a missing key means that bench
 * failed: its error is pushed to `errors`).
 */
export async function runNative({ repoRoot, workDir, targetDir, quick, errors }) {
  const out = {};
  const bench = async (name, env) => {
    const json = path.join(workDir, `native-${name}.json`);
    rmSync(json, { force: true });
    await run('cargo', ['bench', '-q', '-p', 'ugc-wasm', '--bench', name], {
      cwd: repoRoot,
      env: { ...env, UGC_BENCH_JSON: json },
    });
    return json;
  };
  const step = async (key, fn) => {
    try {
      out[key] = await fn();
    } catch (err) {
      errors.push({ step: `native ${key}`, message: String(err.message ?? err) });
    }
  };
  await step('validate', async () =>
    readJson(await bench('validate', quick ? { UGC_BENCH_ROUNDS: '3' } : {})),
  );
  await step('variant', async () => readJson(await bench('variant', {})));
  await step('prepare', async () => {
    // Criterion keeps earlier runs' results: start from a clean group so only this run's are read.
    const group = path.join(targetDir, 'criterion', 'prepare');
    rmSync(group, { recursive: true, force: true });
    await bench('fuel', quick ? { UGC_BENCH_QUICK: '1' } : {});
    const rows = readCriterion(group).filter((r) => r.group === 'prepare');
    if (!rows.length) throw new Error(`no criterion results under ${group}`);
    return rows.map(({ fn, param, medianNs, meanNs }) => ({ fn, bytes: Number(param), medianNs, meanNs }));
  });
  return out;
}
