// A grouped horizontal bar chart as a standalone SVG string (hand-written, no dependency): one group
// per workload, one bar per server, bar length = requests per second, value printed at the bar end.

const PALETTE = ['#2563eb', '#60a5fa', '#16a34a', '#f59e0b', '#6b7280', '#db2777', '#7c3aed'];

export function escapeXml(s) {
  return String(s).replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]);
}

/**
 * @param {{title: string, subtitle?: string, groups: {label: string, bars: {series: string, value: number|null}[]}[],
 *          series: string[], unit?: string}} chart
 * @returns {string} SVG document
 */
export function barChartSvg(chart) {
  const width = 900;
  const labelW = 190;
  const valueW = 90;
  const barH = 16;
  const gap = 4;
  const groupGap = 22;
  const top = chart.subtitle ? 64 : 48;
  const legendH = 28;
  const plotW = width - labelW - valueW - 20;
  const max = Math.max(1, ...chart.groups.flatMap((g) => g.bars.map((b) => b.value ?? 0)));
  const color = (series) => PALETTE[chart.series.indexOf(series) % PALETTE.length];
  const fmt = (v) => (v == null ? 'n/a' : Math.round(v).toLocaleString('en-US'));

  const parts = [];
  let y = top + legendH;
  for (const g of chart.groups) {
    parts.push(`<text x="10" y="${y + 12}" class="group">${escapeXml(g.label)}</text>`);
    y += 18;
    for (const b of g.bars) {
      const w = b.value ? Math.max(1, (b.value / max) * plotW) : 0;
      parts.push(
        `<text x="${labelW - 8}" y="${y + barH - 4}" class="label" text-anchor="end">${escapeXml(b.series)}</text>`,
        `<rect x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${color(b.series)}"><title>${escapeXml(`${b.series}: ${fmt(b.value)} ${chart.unit ?? ''}`)}</title></rect>`,
        `<text x="${(labelW + w + 6).toFixed(1)}" y="${y + barH - 4}" class="value">${fmt(b.value)}</text>`,
      );
      y += barH + gap;
    }
    y += groupGap;
  }
  const height = y + 10;
  const legend = chart.series
    .map((s, i) => {
      const x = 10 + i * 170;
      return `<rect x="${x}" y="${top}" width="12" height="12" fill="${color(s)}"/><text x="${x + 18}" y="${top + 11}" class="label">${escapeXml(s)}</text>`;
    })
    .join('');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif">`,
    '<style>.title{font-size:18px;font-weight:600}.sub{font-size:12px;fill:#555}.group{font-size:13px;font-weight:600}.label{font-size:12px}.value{font-size:11px;fill:#333}</style>',
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="26" class="title">${escapeXml(chart.title)}</text>`,
    chart.subtitle ? `<text x="10" y="46" class="sub">${escapeXml(chart.subtitle)}</text>` : '',
    legend,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
