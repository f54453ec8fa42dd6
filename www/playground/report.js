// The validation report as a person reads it: the verdict, every violation (a button that shows its bytes in
// the hex view), then what the module imports, exports, declares and needs, its manifest and the raw JSON.

const el = (tag, props = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key in node) node[key] = value;
    else node.setAttribute(key, value);
  }
  node.append(...children.filter((c) => c != null));
  return node;
};

/** The manifest's `instancing` modes (docs/ABI.md "Instancing"). */
const INSTANCING = {
  node: 'node — one instance per node (the default)',
  shared: 'shared — one instance serves every node using the module; per-node state by ugc.node_slot()',
};

const signature = (sig) => (sig ? `(${sig.params.join(', ')}) → (${sig.results.join(', ')})` : '');
const limits = (l) => `${l.initial} … ${l.maximum ?? 'no maximum'}`;

export function formatBytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(2)} MiB`;
}

function table(caption, headers, rows, className) {
  if (rows.length === 0) return el('p', { className: 'empty' }, `${caption}: none.`);
  return el(
    'table',
    { className },
    el('caption', {}, `${caption} (${rows.length})`),
    el('thead', {}, el('tr', {}, ...headers.map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, ...rows.map((cells) => el('tr', {}, ...cells.map((c) => el('td', {}, c))))),
  );
}

function violations(errors, onViolation) {
  return el(
    'ol',
    { id: 'errors', className: 'violations' },
    ...errors.map((error, index) => {
      const where = error.offset == null ? '' : ` (offset ${error.offset})`;
      const body = [el('code', {}, error.code), ` ${error.message}${where}`];
      // Violations without an offset (module_too_large) point nowhere: plain text, not a button.
      const item =
        error.offset == null
          ? el('span', {}, ...body)
          : el(
              'button',
              {
                type: 'button',
                className: 'violation',
                dataset: { offset: String(error.offset), index: String(index) },
                title: 'Show these bytes in the hex view',
                onclick: () => onViolation(error),
              },
              ...body,
            );
      return el('li', {}, item);
    }),
  );
}

function summary(report, bytes, digest) {
  const rows = [
    ['Size', `${formatBytes(bytes.length)} (${bytes.length} bytes)`],
    ['SHA-256', el('code', { className: 'sha' }, report?.sha256 ?? digest ?? '—')],
  ];
  if (report) {
    rows.push(
      ['ABI version', report.abi_version == null ? 'none' : String(report.abi_version)],
      [
        'Features used',
        report.features_used.length ? report.features_used.join(', ') : 'WebAssembly MVP only',
      ],
      [
        'Counts',
        `${report.functions} functions (+${report.imported_functions} imported), ${report.types} types, ` +
          `${report.globals} globals, ${report.data_segments} data / ${report.element_segments} element segments`,
      ],
      ['Start function', report.has_start ? 'yes (runs at load, metered)' : 'no'],
    );
  }
  return el('dl', { className: 'summary' }, ...rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
}

function manifestSection(manifest) {
  if (!manifest) return el('p', { className: 'empty' }, 'Manifest: none (no ugc_script section).');
  if (manifest.error) return el('p', { className: 'bad' }, `Manifest: ${manifest.error}`);
  const m = manifest.manifest ?? {};
  const args = (list) => (list ?? []).map((a) => `${a.name}: ${a.type}`).join(', ');
  const known = new Set(['extends', 'properties', 'signals', 'methods', 'instancing']);
  const extra = Object.keys(m).filter((k) => !known.has(k));
  return el(
    'section',
    { className: 'manifest', 'aria-labelledby': 'manifest-title' },
    el('h3', { id: 'manifest-title' }, 'Manifest (ugc_script)'),
    el(
      'dl',
      { className: 'summary' },
      el('dt', {}, 'Extends'),
      el('dd', {}, m.extends ?? '(the node’s class)'),
      el('dt', {}, 'Instancing'),
      el('dd', {}, INSTANCING[m.instancing ?? 'node'] ?? JSON.stringify(m.instancing)),
    ),
    table(
      'Properties',
      ['name', 'type', 'default', 'hint'],
      (m.properties ?? []).map((p) => [
        p.name,
        p.type,
        p.default === undefined ? '' : JSON.stringify(p.default),
        [p.hint, p.hint_string].filter(Boolean).join(' '),
      ]),
      'properties',
    ),
    table(
      'Signals',
      ['name', 'arguments'],
      (m.signals ?? []).map((s) => [s.name, args(s.args)]),
      'signals',
    ),
    table(
      'Methods',
      ['name', 'arguments', 'returns'],
      (m.methods ?? []).map((f) => [f.name, args(f.args), f.return ?? 'nil']),
      'methods',
    ),
    extra.length
      ? el('pre', {}, JSON.stringify(Object.fromEntries(extra.map((k) => [k, m[k]])), null, 2))
      : null,
  );
}

/**
 * Renders into `root`. `verdict` is rt.validate's `{ ok, report, errors }`; `layout` is readSections' result;
 * `manifest` readManifest's; `onViolation(error)` runs when a violation is clicked.
 */
export function renderReport(
  root,
  { name, bytes, verdict, policyLabel, layout, manifest, digest },
  onViolation,
) {
  const { ok, report, errors } = verdict;
  const heading = el(
    'h2',
    { id: 'verdict', dataset: { ok: String(ok) } },
    `${name}: ${ok ? 'valid' : 'rejected'}`,
  );
  const explain = el(
    'p',
    { className: 'verdict-note' },
    ok
      ? `Accepted by the ${policyLabel} policy.`
      : `Refused by the ${policyLabel} policy: ${errors.length} violation${errors.length === 1 ? '' : 's'}` +
          (errors.some((e) => e.offset != null) ? ' — choose one to see its bytes.' : '.') +
          (report ? '' : ' The module does not parse, so there is no report.'),
  );
  const parts = [heading, explain];
  parts.push(
    errors.length ? violations(errors, onViolation) : el('ol', { id: 'errors', className: 'violations' }),
  );
  parts.push(el('h3', {}, 'Module'), summary(report, bytes, digest));
  if (report) {
    parts.push(
      table(
        'Imports',
        ['module', 'name', 'kind', 'signature'],
        report.imports.map((i) => [i.module, i.name, i.kind, signature(i.signature)]),
        'imports',
      ),
      table(
        'Exports',
        ['name', 'kind', 'index', 'signature'],
        report.exports.map((e) => [e.name, e.kind, String(e.index), signature(e.signature)]),
        'exports',
      ),
      table(
        'Memories (64 KiB pages)',
        ['declared', 'effective', 'notes'],
        report.memories.map((m) => [
          limits(m.declared),
          limits(m.effective),
          [
            m.imported && 'imported',
            m.memory64 && '64-bit',
            m.shared && 'shared',
            m.capped && 'maximum capped',
          ]
            .filter(Boolean)
            .join(', '),
        ]),
        'memories',
      ),
      table(
        'Tables (elements)',
        ['type', 'declared', 'effective', 'notes'],
        report.tables.map((t) => [
          t.element_type,
          limits(t.declared),
          limits(t.effective),
          [t.imported && 'imported', t.capped && 'maximum capped'].filter(Boolean).join(', '),
        ]),
        'tables',
      ),
      table(
        'Custom sections',
        ['name', 'size'],
        report.custom_sections.map((c) => [c.name, formatBytes(c.size)]),
        'customs',
      ),
    );
    if (report.notes.length)
      parts.push(el('ul', { className: 'notes' }, ...report.notes.map((n) => el('li', {}, n))));
  }
  parts.push(manifestSection(manifest));
  if (layout.error) parts.push(el('p', { className: 'bad' }, `Section layout: ${layout.error}.`));
  parts.push(
    el(
      'details',
      { className: 'raw' },
      el('summary', {}, 'Raw report (JSON, as ugc-wasm validate --json)'),
      el('pre', { id: 'report' }, report ? JSON.stringify(report, null, 2) : '(no report)'),
    ),
  );
  root.replaceChildren(...parts);
}
