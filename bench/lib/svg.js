// A grouped horizontal bar chart as a standalone SVG string (hand-written, no dependency): one group
// per workload, one bar per server, and one panel per metric side by side (e.g. req/s and CPU µs per
// request), each panel scaled to its own maximum — or, with `scalePerGroup`, each group of each panel
// (workloads differ by orders of magnitude; the servers within one workload are what is compared) —
// and the value printed at the bar end.

const PALETTE = ['#2563eb', '#60a5fa', '#16a34a', '#f59e0b', '#6b7280', '#db2777', '#7c3aed'];

export function escapeXml(s) {
  return String(s).replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]);
}

const fmtValue = (v, digits = 0) =>
  v == null || !Number.isFinite(v) ? 'n/a' : v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/**
 * @param {{title: string, subtitle?: string, series: string[],
 *          metrics?: {title: string, unit?: string, digits?: number}[], unit?: string, scalePerGroup?: boolean,
 *          groups: {label: string, bars: {series: string, values?: (number|null)[], value?: number|null}[]}[]}} chart
 *        `metrics` lists the panels and a bar's `values` holds one value per panel; a one-metric chart
 *        may give `unit` and `value` instead.
 * @returns {string} SVG document
 */
export function barChartSvg(chart) {
  const metrics = chart.metrics ?? [{ title: '', unit: chart.unit }];
  const valuesOf = (b) => b.values ?? [b.value];
  const width = metrics.length > 1 ? 1100 : 900;
  // Room for the longest series label (12 px system-ui: about 6.6 px per character).
  const textW = (str) => Math.ceil(String(str).length * 6.6);
  const longest = Math.max(0, ...chart.series.map(textW));
  const labelW = Math.min(340, Math.max(190, longest + 18));
  const valueW = 80;
  const barH = 16;
  const gap = 4;
  const groupGap = 22;
  const top = chart.subtitle ? 64 : 48;
  const itemW = Math.max(170, longest + 34);
  const perRow = Math.max(1, Math.floor((width - 20) / itemW));
  const legendH = 28 + 18 * Math.floor((chart.series.length - 1) / perRow);
  const headH = metrics.some((m) => m.title) ? 20 : 0;
  const panelW = (width - labelW - 10) / metrics.length;
  const plotW = panelW - valueW - 10;
  const maxOf = (groups, k) => Math.max(1e-9, ...groups.flatMap((g) => g.bars.map((b) => valuesOf(b)[k] ?? 0)));
  const overall = metrics.map((_, k) => maxOf(chart.groups, k));
  const color = (series) => PALETTE[chart.series.indexOf(series) % PALETTE.length];

  const parts = [];
  let y = top + legendH;
  metrics.forEach((m, k) => {
    if (m.title) parts.push(`<text x="${(labelW + k * panelW).toFixed(1)}" y="${y + 12}" class="metric">${escapeXml(m.title)}</text>`);
  });
  y += headH;
  for (const g of chart.groups) {
    const max = chart.scalePerGroup ? metrics.map((_, k) => maxOf([g], k)) : overall;
    parts.push(`<text x="10" y="${y + 12}" class="group">${escapeXml(g.label)}</text>`);
    y += 18;
    for (const b of g.bars) {
      parts.push(`<text x="${labelW - 8}" y="${y + barH - 4}" class="label" text-anchor="end">${escapeXml(b.series)}</text>`);
      metrics.forEach((m, k) => {
        const v = valuesOf(b)[k];
        const x = labelW + k * panelW;
        const w = v ? Math.max(1, (v / max[k]) * plotW) : 0;
        const text = fmtValue(v, m.digits);
        parts.push(
          `<rect x="${Math.round(x)}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${color(b.series)}"><title>${escapeXml(`${b.series}: ${text} ${m.unit ?? ''}`.trim())}</title></rect>`,
          `<text x="${(x + w + 6).toFixed(1)}" y="${y + barH - 4}" class="value">${text}</text>`,
        );
      });
      y += barH + gap;
    }
    y += groupGap;
  }
  const height = y + 10;
  const legend = chart.series
    .map((s, i) => {
      const x = 10 + (i % perRow) * itemW;
      const ly = top + 18 * Math.floor(i / perRow);
      return `<rect x="${x}" y="${ly}" width="12" height="12" fill="${color(s)}"/><text x="${x + 18}" y="${ly + 11}" class="label">${escapeXml(s)}</text>`;
    })
    .join('');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif">`,
    '<style>.title{font-size:18px;font-weight:600}.sub{font-size:12px;fill:#555}.group{font-size:13px;font-weight:600}.metric{font-size:13px;font-style:italic}.label{font-size:12px}.value{font-size:11px;fill:#333}</style>',
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="26" class="title">${escapeXml(chart.title)}</text>`,
    chart.subtitle ? `<text x="10" y="46" class="sub">${escapeXml(chart.subtitle)}</text>` : '',
    legend,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
