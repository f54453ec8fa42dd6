// What the in-page benchmarks (runtime-bench.js, abi-bench.js) share: the timer and the row shape every report
// reader (scripts/bench, www/bench/index.js) expects.

const now = () => performance.now();

// `runBenchmarks(…, { quick: true })` cuts every round count to a third (at least 3): for checking the pipeline.
let roundScale = 1;

export function setQuick(quick) {
  roundScale = quick ? 1 / 3 : 1;
}

/**
 * `rounds` timings of `fn()` in ms, as `{ median, best }`. On a busy machine the best run is the better
 * estimate of the cost itself; both are reported.
 */
export async function timings(rounds, fn) {
  const times = [];
  rounds = Math.max(3, Math.round(rounds * roundScale));
  for (let i = 0; i < rounds; i++) {
    const start = now();
    await fn();
    times.push(now() - start);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], best: times[0] };
}

/** Applies `f` to both statistics. */
export const per = (timing, f) => ({ median: f(timing.median), best: f(timing.best) });

/** `value` and `baseline` are `{ median, best }` already converted to `unit`; `extra` adds fields. */
export function row(name, unit, value, baselineName, baseline, extra = {}) {
  return {
    ...extra,
    name,
    unit,
    value: value.median,
    baseline: baselineName,
    baselineValue: baseline.median,
    ratio: value.median / baseline.median,
    bestRatio: value.best / baseline.best,
  };
}
