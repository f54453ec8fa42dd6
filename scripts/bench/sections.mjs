// Turns the raw results of every benchmark into report sections: one table per capability, each row a figure,
// its baseline from the same run, the ratio (always computed here as figure ÷ baseline) and the issue's target.

/** A report row; `ratio` is derived from the two measured values, never passed in. */
export function row(figure, value, unit, baseline, baselineValue, { target = null, note = '' } = {}) {
  const ratio = baselineValue > 0 && value > 0 ? value / baselineValue : NaN;
  return { figure, value, unit, baseline, baselineValue, ratio, target, note };
}

// Which section shows a row of scripts/bench-runtime.mjs (anything else lands in "Other runtime figures").
const RUNTIME_CLAIMS = {
  validation: (r) => r.name.startsWith('rt.validate'),
  calls: (r) => /^(guest→host|host→guest|worker)/.test(r.name),
  load: (r) => r.name.startsWith('load '),
  // The shared-instancing rows end with their node count: `callEach empty _process ×1000`.
  shared: (r) => nodeCount(r) !== null,
};

/** The node count of a per-frame runtime row (`r.nodes`, or a name ending in `×N`), else null. */
export function nodeCount(r) {
  if (r.nodes) return r.nodes;
  const m = / ×(\d+)$/.exec(r.name);
  return m ? Number(m[1]) : null;
}

/** Targets on the ratio (figure ÷ baseline). */
const atMost = (limit, text) => ({ text, met: (ratio) => ratio <= limit });
const atLeast = (limit, text) => ({ text, met: (ratio) => ratio >= limit });

const mb = (bytes) => `${+(bytes / 1e6).toPrecision(3)} MB`;
const geomean = (xs) => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);

function validation({ native, browser }) {
  const rows = [];
  const sizes = native?.validate?.sizes ?? [];
  for (const s of sizes) {
    const rate = (ns) => s.bytes / 1e6 / (ns / 1e9);
    rows.push(
      row(
        `ugc_wasm::validate, ${mb(s.bytes)} module (native)`,
        rate(s.ugc_validate_ns),
        'MB/s',
        'raw wasmparser::Validator, same features',
        rate(s.wasmparser_ns),
        {
          // Issue #3 sets the target on a large module; smaller ones are shown for the size chart.
          target: s.bytes >= 1e6 ? atLeast(0.9, '≥ 0.90×') : null,
          note: `best runs ${(s.wasmparser_best_ns / s.ugc_validate_best_ns).toFixed(2)}×; ${s.rounds} rounds`,
        },
      ),
    );
  }
  const largest = sizes.at(-1);
  if (largest) {
    rows.push(
      row(
        `SHA-256 of the ${mb(largest.bytes)} module (part of validate)`,
        largest.sha256_ns / 1e6,
        'ms',
        'raw wasmparser::Validator',
        largest.wasmparser_ns / 1e6,
        { note: 'the report’s content hash' },
      ),
    );
  }
  for (const r of (browser?.runtime ?? []).filter(RUNTIME_CLAIMS.validation)) {
    rows.push(
      row(`${r.name} (Chromium, crate compiled to wasm32)`, r.value, r.unit, r.baseline, r.baselineValue, {
        note: `best runs ${r.bestRatio.toFixed(2)}×`,
      }),
    );
  }
  return {
    title: 'Validation',
    issue: 3,
    intro:
      '`ugc_wasm::validate` (wasmparser full validation + policy + feature detection + SHA-256) against a bare `wasmparser::Validator` with the same features, on generated modules of four sizes, interleaved (crate/benches/validate.rs); in Chromium, `rt.validate` against the engine’s own `WebAssembly.validate`.',
    rows,
  };
}

function prepare({ native }) {
  const rows = [];
  const byFn = (fn) => (native?.prepare ?? []).filter((r) => r.fn === fn).sort((a, b) => a.bytes - b.bytes);
  for (const base of byFn('roundtrip (baseline)')) {
    for (const fn of ['prepare metered', 'prepare unmetered']) {
      const r = byFn(fn).find((x) => x.bytes === base.bytes);
      if (!r) continue;
      rows.push(
        row(
          `${fn}, ${mb(r.bytes)} module (native)`,
          r.medianNs / 1e6,
          'ms',
          'wasmparser → wasm-encoder roundtrip of the same bytes',
          base.medianNs / 1e6,
          {
            note: `${(r.bytes / 1e6 / (r.medianNs / 1e9)).toFixed(1)} MB/s (criterion median)`,
          },
        ),
      );
    }
  }
  return {
    title: 'Prepare (memory caps + fuel instrumentation)',
    issue: 4,
    intro:
      'The rewrite before compiling, against a plain wasmparser → wasm-encoder roundtrip of the same module (criterion medians, crate/benches/fuel.rs). Unmetered prepare copies function bodies as raw bytes, hence faster than the roundtrip.',
    rows,
  };
}

function fuel({ browser }) {
  const f = browser?.fuel;
  const rows = [];
  if (f) {
    const kernels = Object.keys(f.timings);
    const names = { local: 'local (default)' };
    for (const k of kernels) {
      const t = f.timings[k];
      rows.push(
        row(`${k}: metered, local strategy (default)`, t.local, 'ms', 'same kernel unmetered', t.raw),
      );
    }
    const strategies = Object.keys(f.timings[kernels[0]]).filter((v) => v !== 'raw');
    for (const v of strategies) {
      rows.push(
        row(
          `geomean of ${kernels.length} kernels: ${names[v] ?? v}`,
          geomean(kernels.map((k) => f.timings[k][v])),
          'ms',
          'geomean unmetered',
          geomean(kernels.map((k) => f.timings[k].raw)),
          {
            target: v === 'local' ? atMost(1.15, '≤ 1.15×') : null,
            note: v === 'raw-again' ? 'a second copy of the unmetered module: the noise floor' : '',
          },
        ),
      );
    }
  }
  const notes = [];
  if (f?.sandbox?.runaway) {
    notes.push(
      `A runaway guest (infinite loop, 10⁸ fuel) stopped in ${f.sandbox.runaway.ms.toFixed(1)} ms ` +
        `(\`${f.sandbox.runaway.trap}\`). Best of ${f.rounds} interleaved rounds per kernel` +
        `${f.agree ? '; metered and unmetered results agree' : '; **metered and unmetered results differ**'}.`,
    );
  }
  return {
    title: 'Fuel metering overhead (Chromium)',
    issue: 4,
    intro:
      'Four kernels (fib, FNV hash, matmul, a bytecode VM) prepared with each metering strategy against the same kernel unmetered, best of interleaved rounds in one page (scripts/bench-fuel.mjs). The default strategy is `local`.',
    rows,
    notes,
  };
}

function calls({ browser }) {
  const rows = [];
  for (const r of browser?.runtime ?? []) {
    if (!RUNTIME_CLAIMS.calls(r)) continue;
    const sameWork = r.name.startsWith('guest→host') && r.baseline.startsWith('raw import, same work');
    rows.push(
      row(r.name, r.value, r.unit, r.baseline, r.baselineValue, {
        target: sameWork ? atMost(2, '≤ 2×') : null,
        note: `best runs ${r.bestRatio.toFixed(2)}×`,
      }),
    );
  }
  const handle = (browser?.abi ?? []).find((r) => r.name.startsWith('handle'));
  if (handle) {
    rows.push(
      row(handle.name, handle.value, handle.unit, handle.baseline, handle.baselineValue, {
        note: `best runs ${handle.bestRatio.toFixed(2)}×`,
      }),
    );
  }
  return {
    title: 'Calls between guest and host (Chromium)',
    issue: '4, 5',
    intro:
      'Guest → host `ugc.log` through the runtime against a raw wasm → JS import doing the same work (bounds check, decode) and one doing nothing; host → guest `callSync` and the worker round trip against their raw equivalents; the handle table’s hot path against raw no-op imports (www/bench/runtime-bench.js, abi-bench.js).',
    rows,
  };
}

function load({ browser }) {
  const rows = (browser?.runtime ?? []).filter(RUNTIME_CLAIMS.load).map((r) =>
    row(r.name, r.value, r.unit, r.baseline, r.baselineValue, {
      note: `best runs ${r.bestRatio.toFixed(2)}×`,
    }),
  );
  return {
    title: 'Loading a module: validate + prepare + compile + instantiate (Chromium)',
    issue: 4,
    intro:
      '`rt.load` of a fresh module (cache miss) against a raw `WebAssembly.compile` + `new Instance` of the same bytes; a cached module against a raw `new WebAssembly.Instance`.',
    rows,
  };
}

const runtimeRow = (r) =>
  row(r.name.trim(), r.value, r.unit, r.baseline, r.baselineValue, {
    note: [
      r.nsPerNode === undefined ? '' : `${r.nsPerNode.toFixed(1)} ns/node (best round)`,
      `best runs ${r.bestRatio.toFixed(2)}×`,
    ]
      .filter(Boolean)
      .join('; '),
  });

function shared({ browser }) {
  const rows = (browser?.runtime ?? []).filter(RUNTIME_CLAIMS.shared).map(runtimeRow);
  return {
    title: 'Shared instancing: one instance driving N nodes per frame (Chromium)',
    issue: 6,
    intro:
      '`callEach` over N views of one shared instance against a raw JS loop calling a raw export N times.',
    rows,
  };
}

function otherRuntime({ browser }) {
  const claims = Object.values(RUNTIME_CLAIMS);
  const rows = (browser?.runtime ?? []).filter((r) => !claims.some((claim) => claim(r))).map(runtimeRow);
  return { title: 'Other runtime figures (Chromium)', issue: 4, rows, hideWhenEmpty: true };
}

function variantCodec({ native, browser }) {
  const rows = [];
  for (const r of (browser?.abi ?? []).filter((r) => /^(en|de)codeVariant/.test(r.name))) {
    rows.push(
      row(`${r.name} (Chromium)`, r.value, r.unit, r.baseline, r.baselineValue, {
        note: `${r.mbps.toFixed(0)} vs ${r.baselineMbps.toFixed(0)} MB/s; best runs ${r.bestRatio.toFixed(2)}×`,
      }),
    );
  }
  for (const w of native?.variant?.workloads ?? []) {
    for (const op of ['encode', 'decode']) {
      rows.push(
        row(
          `${op}, ${w.name} (native)`,
          w[`${op}_ns`] / 1e3,
          'µs',
          `serde_json ${op} of the same data`,
          w[`serde_json_${op}_ns`] / 1e3,
          { note: `${w.variant_bytes} Variant bytes, ${w.json_bytes} JSON bytes` },
        ),
      );
    }
  }
  return {
    title: 'Godot Variant codec',
    issue: 5,
    intro:
      'Godot’s binary Variant format encoded/decoded by the crate, against JSON of the same data: in the page against `JSON.stringify`/`JSON.parse`, natively against serde_json (crate/benches/variant.rs).',
    rows,
  };
}

function wasi({ browser }) {
  const w = browser?.wasi;
  const rows = [];
  if (w) {
    // `--url-only` runs have only `fromUrl`: every part is optional.
    for (const s of w.startup ?? []) {
      const label = `${s.name} (${mb(s.mb * 1e6)})`;
      const per = (ms) => `${(ms / s.mb).toFixed(0)} ms/MB`;
      rows.push(
        row(
          `runWasi(bytes) start-up, ${label}`,
          s.worker,
          'ms',
          'compile + instantiate in the page',
          s.inPage,
          { note: per(s.worker) },
        ),
      );
      rows.push(
        row(
          `runWasi(Module) start-up, ${label}`,
          s.workerModule,
          'ms',
          'compile + instantiate in the page',
          s.inPage,
        ),
      );
      rows.push(
        row(
          `prewarmed runWasi(Module), ${label}`,
          s.prewarmed,
          'ms',
          'compile + instantiate in the page',
          s.inPage,
        ),
      );
    }
    const rate = (mib, ms) => (mib * 1.048576) / (ms / 1000);
    const so = w.stdout;
    if (so) {
      rows.push(
        row(
          `stdout through runWasi (worker), ${so.mib} MiB`,
          rate(so.mib, so.viaWorker),
          'MB/s',
          'plain copy of the same chunks in the page',
          rate(so.mib, so.plainCopy),
        ),
      );
      rows.push(
        row(
          `stdout, WASI host in the page, ${so.mib} MiB`,
          rate(so.mib, so.inThread),
          'MB/s',
          'plain copy of the same chunks in the page',
          rate(so.mib, so.plainCopy),
        ),
      );
    }
    for (const [chunk, r] of Object.entries(w.fileCopy ?? {})) {
      const marginal = Math.max(r.wasi - r.fixed, 1e-3);
      rows.push(
        row(
          `1 MiB file copy via fd_read/fd_write, ${chunk} B chunks`,
          marginal,
          'ms',
          'plain chunked copy in the page',
          r.plain,
          {
            note: `${(1.048576 / (marginal / 1000)).toFixed(0)} MB/s; run minus an empty-file run`,
          },
        ),
      );
    }
    for (const u of w.fromUrl ?? []) {
      const label = `${u.name} (${mb(u.mb * 1e6)})`;
      const raw = 'raw WebAssembly.compileStreaming(fetch(url))';
      const perMb = (ms) => `${(ms / u.mb).toFixed(1)} ms/MB`;
      rows.push(
        row(`rt.fetchModule cold, metered, ${label}`, u.cold, 'ms', raw, u.rawStreaming, {
          note: perMb(u.cold),
        }),
      );
      rows.push(
        row(
          `rt.fetchModule cold, unmetered (teed compileStreaming), ${label}`,
          u.coldUnmetered,
          'ms',
          raw,
          u.rawStreaming,
          { note: perMb(u.coldUnmetered) },
        ),
      );
      rows.push(
        row(
          `rt.fetchModule from Cache Storage (new runtime), ${label}`,
          u.storage,
          'ms',
          raw,
          u.rawStreaming,
          { note: perMb(u.storage) },
        ),
      );
    }
    const pc = w.perCall;
    if (pc) {
      rows.push(
        row('clock_time_get per call', pc.loop_clock, 'ns', 'raw wasm → JS import', pc.loop_noop, {
          note: `performance.now() alone ${pc.performanceNow.toFixed(1)} ns`,
        }),
      );
      rows.push(row('fd_fdstat_get per call', pc.loop_fdstat, 'ns', 'raw wasm → JS import', pc.loop_noop));
    }
  }
  // scripts/bench-wasi-flow.mjs: what a program writing faster than the page reads costs the page.
  for (const m of browser?.wasiFlow?.modes ?? []) {
    const where = m.mode === 'pipe' ? 'isolated page, SharedArrayBuffer credits' : 'plain page, JSPI credits';
    const idle = 'watchdog on the idle page, as long';
    const flood = `spawnWasi flood nobody reads, ${browser.wasiFlow.floodMs} ms (${where})`;
    const run = `runWasi of ${browser.wasiFlow.runMiB} MiB stdout (${where})`;
    const cap = (m.floodStats?.maxUnreadOutputBytes ?? 1024 * 1024) / 1e6;
    const best = (ms) =>
      ms == null ? '' : `best round ${ms.toFixed(1)} ms (idle ${m.idleStallBestMs.toFixed(1)})`;
    rows.push(
      row(`longest main-thread stall, ${flood}`, m.floodStallMs, 'ms', idle, m.idleStallMs, {
        note: best(m.floodStallBestMs),
      }),
    );
    rows.push(
      row(`page memory growth, ${flood}`, m.floodHeapMB, 'MB', 'the unread-output cap', cap, {
        note: m.floodStats
          ? `${m.floodStats.writtenBytes} B written, ${m.floodStats.unreadBytes} B unread`
          : '',
      }),
    );
    rows.push(
      row(`longest main-thread stall, ${run}`, m.runStallMs, 'ms', idle, m.idleStallMs, {
        note: best(m.runStallBestMs),
      }),
    );
    rows.push(
      row(
        `page memory peak, ${run}`,
        m.runHeapMB,
        'MB',
        'the output itself',
        browser.wasiFlow.runMiB * 1.048576,
        {
          note: `${m.runMs.toFixed(0)} ms from the call to the result`,
        },
      ),
    );
  }
  for (const m of browser?.wasiFlow?.modes ?? []) {
    if (m.readFlowMs == null) continue;
    const where = m.mode === 'pipe' ? 'isolated page' : 'plain page, JSPI';
    rows.push(
      row(
        `spawnWasi, ${browser.wasiFlow.smallWrites} writes of 502 B read as they arrive, 1 MiB cap (${where})`,
        m.readFlowMs,
        'ms',
        'the same without back-pressure (maxUnreadOutputBytes: Infinity)',
        m.readFreeMs,
      ),
    );
  }
  const notes = w?.workerFloor
    ? [`A trivial worker's first message: ${w.workerFloor.toFixed(1)} ms (the floor of any worker start-up).`]
    : [];
  return {
    title: 'WASI services (Chromium)',
    issue: 7,
    intro:
      'The preview-1 host (scripts/bench-wasi.mjs): start-up per MB, stdout throughput, a 1 MiB file through `fd_read`/`fd_write`, the cost of one syscall, and starting from a URL (`rt.fetchModule`), each against its plain in-page equivalent. Output flow control (scripts/bench-wasi-flow.mjs): the longest main-thread stall (largest gap between 1 ms watchdog ticks) and the page memory (V8 heap + ArrayBuffers) while a service floods stdout unread and while `runWasi` returns 64 MiB.',
    rows,
    notes,
  };
}

/** `wasm-move` → `move` when that GDScript column exists, as scripts/bench-godot.mjs compares them. */
function godotBaseline(variant, variants) {
  const dash = variant.lastIndexOf('-');
  if (dash > 0 && variants.includes(variant.slice(dash + 1))) return variant.slice(dash + 1);
  return variant === 'none' || variant === 'empty' ? null : 'empty';
}

// Issue #6: empty and trivial (one property write) Wasm scripts no slower than GDScript; compute ≥ 30× faster.
const GODOT_TARGETS = {
  empty: atMost(1, '≤ 1× (no slower)'),
  move: atMost(1, '≤ 1× (no slower)'),
  math: atMost(1 / 30, '≤ 0.033× (≥ 30× faster)'),
  orbit: atMost(1 / 30, '≤ 0.033× (≥ 30× faster)'),
};

/**
 * Issue #6's comparison: the whole `_process` pass per frame (median over frames), a Wasm column against the
 * GDScript column of the same workload; GDScript-only columns against the empty script, for scale. A cell
 * scripts/bench-godot.mjs lists in `problems` (children not running, work not done) makes its row invalid.
 */
function godot({ godot: g }) {
  const rows = [];
  if (g) {
    const variants = g.config.variants;
    const cell = (v, n) => g.rows.find((r) => r.variant === v && r.n === n);
    const problemOf = (v, n) => (g.problems ?? []).find((p) => p.startsWith(`${v} N=${n}:`));
    for (const v of variants) {
      const base = godotBaseline(v, variants);
      if (!base) continue;
      const isImpl = v.includes('-');
      for (const n of g.config.counts) {
        const [c, b] = [cell(v, n), cell(base, n)];
        if (!c || !b) continue;
        const problem = problemOf(v, n) ?? problemOf(base, n);
        const speed = b.median_us / c.median_us;
        const r = row(
          `${isImpl ? v : `GDScript ${v}`}, N = ${n.toLocaleString('en-US')}`,
          c.median_us / 1000,
          'ms/frame',
          isImpl ? `GDScript ${base}` : `GDScript ${base} \`_process\``,
          b.median_us / 1000,
          {
            // Only the product's column (`wasm-<workload>`) has the issue's target; other implementations
            // (e.g. `wasm-calls-move`, the same work through host calls) are there for comparison.
            target: v === `wasm-${base}` ? (GODOT_TARGETS[base] ?? null) : null,
            note: [
              isImpl
                ? `${speed >= 1 ? `${speed.toFixed(1)}× faster` : `${(1 / speed).toFixed(1)}× slower`}`
                : '',
              problem ?? '',
            ]
              .filter(Boolean)
              .join('; '),
          },
        );
        r.invalid = Boolean(problem);
        rows.push(r);
      }
    }
  }
  const notes = g
    ? [`${g.engine}. Script time per frame: the whole \`_process\` pass over N children, median over frames.`]
    : [];
  // The ceiling of a compute workload: the same module as raw wasm in the same page (no runtime, no Godot).
  for (const r of g?.raw ?? []) {
    const ceilings = (g.comparison ?? [])
      .filter((c) => c.workload === r.workload && c.raw_speedup != null)
      .map((c) => `${c.raw_speedup.toFixed(1)}× at N = ${c.n.toLocaleString('en-US')}`);
    notes.push(
      `${r.workload}: raw wasm (the bench module instantiated directly, no runtime) takes ${r.us_per_node.toFixed(2)} µs per node-frame, so GDScript ÷ raw wasm — the most any runtime could reach — is ${ceilings.join(', ')}.`,
    );
  }
  const unmeasured = rows.some((r) => r.target)
    ? []
    : Object.entries(GODOT_TARGETS).map(([w, t]) => ({
        figure: `Wasm ${w} vs GDScript ${w}`,
        target: t.text,
      }));
  if (g && unmeasured.length) {
    notes.push(
      'No Wasm column in this run (scripts/bench-godot.mjs measured GDScript only): the targets of issue #6 are not evaluated.',
    );
  }
  return {
    title: 'Godot: Wasm-scripted nodes vs GDScript (real engine in Chromium)',
    issue: 6,
    intro:
      'N Node3D children with one script each, the same behaviour as GDScript and as a Wasm module run by the addon (scripts/bench-godot.mjs): the whole `_process` pass per frame. Ratio = Wasm ms ÷ GDScript ms, so ≥ 30× faster is ≤ 0.033×.',
    rows,
    notes,
    unmeasured,
  };
}

/**
 * Issue 13's hostile suite (scripts/bench-hostile.mjs): per attack, the longest main-thread stall against a
 * pure-wasm loop stopped by the same fuel. "met" judges only the stall ratio; each row's note gives the typed
 * outcome, fuel, crate memory and the full verdict ("contained").
 */
function hostile({ browser }) {
  const h = browser?.hostile;
  const rows = [];
  for (const f of h?.figures ?? []) {
    const mem =
      f.memBefore == null
        ? ''
        : `, crate ${(f.memBefore / 2 ** 20).toFixed(0)} → ${(f.memAfter / 2 ** 20).toFixed(0)} MiB`;
    rows.push(
      row(`${f.name} (${f.cls})`, f.stallMs, 'ms', 'pure-wasm loop, same fuel', f.baselineMs, {
        target: atMost(5, '≤ 5×'),
        note: `${f.outcome} (expected ${f.expect.join('/')}), fuel ${f.fuel ?? 'n/a'}${mem}; ${f.contained ? 'contained' : `NOT contained: ${f.reasons.join('; ')}`}`,
      }),
    );
  }
  const contained = (h?.figures ?? []).filter((f) => f.contained).length;
  return {
    title: 'Hostile modules (Chromium)',
    issue: 13,
    intro:
      'Each attack of scripts/bench/hostile-fixtures.mjs in a fresh page, default policy and budget: the longest gap of a MessageChannel ticker while it ran, against the same gap for a pure-wasm loop stopped by the same fuel budget. Contained = an expected typed outcome, stall ≤ 5×, crate memory growth ≤ 128 MiB and no growth of its high-water mark over load → attack → dispose cycles.',
    rows,
    // The notes name what each attack missed; the full table (cycles, extras) is bench-hostile.mjs's own output.
    notes: h ? [`${contained} of ${h.figures.length} attacks contained.`] : [],
    hideWhenEmpty: true,
  };
}

// The targeted figures of each section, listed as not measured when a run has none of them.
const EXPECTED_TARGETS = {
  Validation: [{ figure: 'ugc_wasm::validate vs raw wasmparser, large module', target: '≥ 0.90×' }],
  'Fuel metering overhead (Chromium)': [{ figure: 'geomean metered vs unmetered', target: '≤ 1.15×' }],
  'Calls between guest and host (Chromium)': [{ figure: 'guest→host ugc.log vs raw import', target: '≤ 2×' }],
};

/**
 * Every section, in report order; a section whose benchmark did not run has no rows, and lists the targets it
 * could not evaluate in `unmeasured`.
 */
export function buildSections(results) {
  return [
    validation,
    prepare,
    fuel,
    calls,
    load,
    otherRuntime,
    variantCodec,
    wasi,
    shared,
    hostile,
    godot,
  ].map((f) => {
    const section = f(results);
    if (!section.unmeasured) {
      section.unmeasured = section.rows.some((r) => r.target) ? [] : (EXPECTED_TARGETS[section.title] ?? []);
    }
    return section;
  });
}

/** Chart series: cost per module size and per node count. */
export function chartSeries(results) {
  const ms = (ns) => ns / 1e6;
  const size = [];
  const sizes = results.native?.validate?.sizes ?? [];
  if (sizes.length) {
    size.push({
      label: 'validate: ugc_wasm (native)',
      colorKey: 'validate',
      points: sizes.map((s) => [s.bytes, ms(s.ugc_validate_ns)]),
    });
    size.push({
      label: 'validate: raw wasmparser (native)',
      colorKey: 'validate',
      points: sizes.map((s) => [s.bytes, ms(s.wasmparser_ns)]),
      dashed: true,
    });
  }
  const prep = results.native?.prepare ?? [];
  const prepSeries = (fn) => prep.filter((r) => r.fn === fn).map((r) => [r.bytes, ms(r.medianNs)]);
  size.push({
    label: 'prepare metered (native)',
    colorKey: 'prepare',
    points: prepSeries('prepare metered'),
  });
  size.push({
    label: 'roundtrip reencode (native)',
    colorKey: 'prepare',
    points: prepSeries('roundtrip (baseline)'),
    dashed: true,
  });
  const loads = (results.browser?.runtime ?? []).filter((r) => r.name.includes('(uncached)') && r.bytes);
  size.push({
    label: 'load, uncached (Chromium)',
    colorKey: 'load',
    points: loads.map((r) => [r.bytes, r.value]),
  });
  size.push({
    label: 'raw compile + instantiate (Chromium)',
    colorKey: 'load',
    points: loads.map((r) => [r.bytes, r.baselineValue]),
    dashed: true,
  });

  const nodes = [];
  const g = results.godot;
  if (g) {
    for (const v of g.config.variants) {
      nodes.push({
        label:
          v === 'none' ? 'Godot, nodes without script' : `Godot ${v}${v.includes('-') ? '' : ' (GDScript)'}`,
        points: g.rows.filter((r) => r.variant === v).map((r) => [r.n, r.median_us / 1000]),
        dashed: !v.includes('-') && v !== 'none',
        colorKey: v.slice(v.lastIndexOf('-') + 1),
      });
    }
  }
  // Runtime rows that carry a node count (shared instancing's callEach), one series per benchmark.
  const byName = new Map();
  for (const r of results.browser?.runtime ?? []) {
    const n = nodeCount(r);
    if (n === null || r.unit !== 'ms/frame' || r.name.startsWith(' ')) continue;
    const label = r.name.replace(/ ×\d+$/, '');
    if (!byName.has(label)) byName.set(label, []);
    byName.get(label).push([n, r.value]);
  }
  for (const [label, points] of byName) nodes.push({ label: `runtime ${label}`, points });
  return { size, nodes };
}
