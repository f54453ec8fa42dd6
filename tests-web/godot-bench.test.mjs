// The GDScript baseline benchmark keeps working (tiny sizes; timings are never checked here).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { baselineOf, formatReport, runBench } from '../scripts/bench-godot.mjs';

test('the bench project measures every (variant, N) cell and the report has a column per variant', async () => {
  const result = await runBench([
    '--counts=3,20',
    '--variants=none,empty,move,math,jscall',
    '--warmup=1',
    '--min-frames=2',
    '--max-frames=2',
  ]);
  assert.deepEqual(result.config.counts, [3, 20]);
  assert.equal(result.rows.length, 10);
  for (const row of result.rows) {
    assert.equal(row.frames, 2, JSON.stringify(row));
    assert.ok(row.min_us <= row.median_us && row.median_us <= row.max_us, JSON.stringify(row));
  }
  // jscall nodes really called JS every frame: (3 + 20) nodes × (1 warm-up + 2 measured frames) at least.
  assert.ok(result.jsTicks >= 23 * 3, `jsTicks ${result.jsTicks}`);
  const report = formatReport(result);
  assert.match(report, /\| +N \| +none \| +empty \| +move \| +math \| +jscall \|/);
  assert.match(report, /ratio to baseline/);
});

test('a future `<impl>-<workload>` column is compared with the GDScript column of its workload', () => {
  const variants = ['none', 'empty', 'move', 'wasm-move', 'wasm-fib'];
  assert.equal(baselineOf('wasm-move', variants), 'move');
  assert.equal(baselineOf('wasm-fib', variants), 'empty');
  assert.equal(baselineOf('move', variants), 'empty');
  assert.equal(baselineOf('empty', variants), null);
});
