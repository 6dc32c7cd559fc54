// A plain-text table printer for benchmark rows (no dependency, aligned columns, a rule under the
// header, optional group separators) plus the number formats every suite shares.

/** 1234.5 → "1,235"; small values keep one decimal so 45.3 ns does not print as 45. */
export function fmtNs(ns) {
  if (ns == null || !Number.isFinite(ns)) return '—';
  return ns >= 100 ? Math.round(ns).toLocaleString('en-US') : ns.toFixed(1);
}

export function fmtNumber(n, digits = 0) {
  if (n == null || !Number.isFinite(n)) return '—';
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A speed-up factor: 6.04 → "6.04×". */
export function fmtRatio(r) {
  if (r == null || !Number.isFinite(r)) return '—';
  return `${r >= 10 ? r.toFixed(1) : r.toFixed(2)}×`;
}

export function fmtPercent(p) {
  if (p == null || !Number.isFinite(p)) return '—';
  return `${(p * 100).toFixed(0)}%`;
}

/**
 * Render rows as an aligned table.
 * @param {object[]} rows
 * @param {{key: string, title: string, align?: 'left'|'right', fmt?: (v, row) => string}[]} columns
 * @param {{title?: string, groupKey?: string}} [options] a blank separator line between groups
 * @returns {string}
 */
export function renderTable(rows, columns, options = {}) {
  const cells = rows.map((row) =>
    columns.map((c) => {
      const v = row[c.key];
      return c.fmt ? c.fmt(v, row) : v == null ? '—' : String(v);
    }),
  );
  const widths = columns.map((c, i) => Math.max(c.title.length, ...cells.map((r) => r[i].length)));
  const line = (values) =>
    values
      .map((v, i) => ((columns[i].align ?? 'right') === 'left' ? v.padEnd(widths[i]) : v.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  const out = [];
  if (options.title) out.push(options.title);
  out.push(line(columns.map((c) => c.title)));
  out.push(widths.map((w) => '-'.repeat(w)).join('  '));
  let lastGroup;
  rows.forEach((row, i) => {
    if (options.groupKey && i > 0 && row[options.groupKey] !== lastGroup) out.push('');
    lastGroup = options.groupKey ? row[options.groupKey] : undefined;
    out.push(line(cells[i]));
  });
  return out.join('\n');
}

export function printTable(rows, columns, options = {}, out = console.log) {
  out(renderTable(rows, columns, options));
}
