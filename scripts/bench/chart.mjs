// A log–log line chart as a standalone SVG string (no dependency): how a cost grows with module size or node
// count. Each series is `{ label, points: [[x, y], …], dashed? }`; points with a non-positive value are dropped
// (they have no place on a log axis).

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2'];

const escapeXml = (s) =>
  String(s).replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c],
  );

/** Decade ticks covering [lo, hi] on a log axis, and the axis range snapped to them. */
function decades(lo, hi) {
  const from = Math.floor(Math.log10(lo));
  const to = Math.max(from + 1, Math.ceil(Math.log10(hi)));
  const ticks = [];
  for (let e = from; e <= to; e++) ticks.push(10 ** e);
  return { min: 10 ** from, max: 10 ** to, ticks };
}

/** `1e6` → `1M`, `0.01` → `0.01`: short tick labels. */
export function shortNumber(x) {
  for (const [div, suffix] of [
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ]) {
    if (x >= div) return `${+(x / div).toPrecision(3)}${suffix}`;
  }
  return `${+x.toPrecision(3)}`;
}

/**
 * @param {object} chart
 * @param {string} chart.title
 * @param {string} chart.xLabel
 * @param {string} chart.yLabel
 * @param {(x: number) => string} [chart.xFormat] tick label of an x decade
 * @param {{ label: string, points: [number, number][], dashed?: boolean, colorKey?: string }[]} chart.series
 * @returns {string | null} the SVG, or null when no series has a plottable point
 */
export function lineChartSvg({ title, xLabel, yLabel, xFormat = shortNumber, series }) {
  const kept = series
    .map((s) => ({ ...s, points: s.points.filter(([x, y]) => x > 0 && y > 0).sort((a, b) => a[0] - b[0]) }))
    .filter((s) => s.points.length);
  if (!kept.length) return null;
  const xs = kept.flatMap((s) => s.points.map((p) => p[0]));
  const ys = kept.flatMap((s) => s.points.map((p) => p[1]));
  const X = decades(Math.min(...xs), Math.max(...xs));
  const Y = decades(Math.min(...ys), Math.max(...ys));

  const legendRowHeight = 18;
  const plot = { left: 70, top: 40, width: 430, height: 300 };
  // Room for the longest legend label (~7 px per character at 12 px sans-serif).
  const longest = Math.max(...kept.map((s) => s.label.length));
  const width = Math.max(760, Math.ceil(plot.left + plot.width + 60 + longest * 7));
  const height = Math.max(plot.top + plot.height + 50, plot.top + kept.length * legendRowHeight + 20);
  const px = (x) =>
    plot.left + ((Math.log10(x) - Math.log10(X.min)) / Math.log10(X.max / X.min)) * plot.width;
  const py = (y) =>
    plot.top + plot.height - ((Math.log10(y) - Math.log10(Y.min)) / Math.log10(Y.max / Y.min)) * plot.height;
  const r = (n) => n.toFixed(1);

  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${plot.left}" y="22" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  for (const t of X.ticks) {
    parts.push(
      `<line x1="${r(px(t))}" y1="${plot.top}" x2="${r(px(t))}" y2="${plot.top + plot.height}" stroke="#ddd"/>`,
      `<text x="${r(px(t))}" y="${plot.top + plot.height + 16}" text-anchor="middle">${escapeXml(xFormat(t))}</text>`,
    );
  }
  for (const t of Y.ticks) {
    parts.push(
      `<line x1="${plot.left}" y1="${r(py(t))}" x2="${plot.left + plot.width}" y2="${r(py(t))}" stroke="#ddd"/>`,
      `<text x="${plot.left - 6}" y="${r(py(t) + 4)}" text-anchor="end">${escapeXml(shortNumber(t))}</text>`,
    );
  }
  parts.push(
    `<rect x="${plot.left}" y="${plot.top}" width="${plot.width}" height="${plot.height}" fill="none" stroke="#333"/>`,
    `<text x="${plot.left + plot.width / 2}" y="${plot.top + plot.height + 36}" text-anchor="middle">${escapeXml(xLabel)}</text>`,
    `<text transform="translate(18 ${plot.top + plot.height / 2}) rotate(-90)" text-anchor="middle">${escapeXml(yLabel)}</text>`,
  );
  // Series sharing a `colorKey` (e.g. a workload in GDScript and in Wasm) share a colour.
  const keys = [...new Set(kept.map((s) => s.colorKey ?? s.label))];
  kept.forEach((s, i) => {
    const color = PALETTE[keys.indexOf(s.colorKey ?? s.label) % PALETTE.length];
    const dash = s.dashed ? ' stroke-dasharray="5 3"' : '';
    const pts = s.points.map(([x, y]) => `${r(px(x))},${r(py(y))}`).join(' ');
    parts.push(`<g><title>${escapeXml(s.label)}</title>`);
    parts.push(`<polyline points="${pts}" fill="none" stroke="${color}" stroke-width="2"${dash}/>`);
    for (const [x, y] of s.points) {
      parts.push(
        `<circle cx="${r(px(x))}" cy="${r(py(y))}" r="3" fill="${color}"><title>${escapeXml(`${s.label}: ${shortNumber(x)} → ${+y.toPrecision(3)}`)}</title></circle>`,
      );
    }
    parts.push('</g>');
    const ly = plot.top + 8 + i * legendRowHeight;
    const lx = plot.left + plot.width + 20;
    parts.push(
      `<line x1="${lx}" y1="${ly}" x2="${lx + 24}" y2="${ly}" stroke="${color}" stroke-width="2"${dash}/>`,
      `<text x="${lx + 30}" y="${ly + 4}">${escapeXml(s.label)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
