// Turning what the attacks saw into the report's cells: status histograms, "closed by server"
// counts, time-to-cut spreads and byte counts — the same wording for every implementation.

export function fmtBytes(n) {
  if (n == null || !Number.isFinite(n)) return '—';
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kB`;
  return `${n} B`;
}

export const fmtKb = (kb) => (kb == null || !Number.isFinite(kb) || kb <= 0 ? '—' : `${(kb / 1024).toFixed(0)} MB`);

export function fmtSeconds(ms) {
  if (ms == null || !Number.isFinite(ms)) return '—';
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

/** "408 ×50" / "503 ×150, none ×50": response statuses over `watches` (none = no response). */
export function statusSummary(watches) {
  const counts = new Map();
  for (const w of watches) counts.set(w.status ?? 'no response', (counts.get(w.status ?? 'no response') ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).map(([s, n]) => (watches.length === 1 ? String(s) : `${s} ×${n}`)).join(', ');
}

/** "50/50 (fin)" — how many connections the server ended, and how (FIN, reset). */
export function closedSummary(watches) {
  const by = watches.filter((w) => w.serverClosed !== null);
  if (by.length === 0) return watches.length === 1 ? 'no' : `0/${watches.length}`;
  const kinds = [...new Set(by.map((w) => w.serverClosed))].join('+');
  return watches.length === 1 ? `yes (${kinds})` : `${by.length}/${watches.length} (${kinds})`;
}

/** "4.9–5.3 s" — spread of the times at which the server closed connections (null when none). */
export function cutSpread(watches) {
  const ms = watches.map((w) => w.closedMs).filter((v) => v != null).sort((a, b) => a - b);
  if (!ms.length) return { text: null, minMs: null, maxMs: null };
  const lo = ms[0];
  const hi = ms[ms.length - 1];
  const text = fmtSeconds(lo) === fmtSeconds(hi) ? fmtSeconds(hi) : `${fmtSeconds(lo)}–${fmtSeconds(hi)}`;
  return { text, minMs: lo, maxMs: hi };
}

/** "1.2–2.0 s" — spread of first-response times. */
export function responseSpread(watches) {
  const ms = watches.map((w) => w.firstByteMs).filter((v) => v != null).sort((a, b) => a - b);
  if (!ms.length) return null;
  const lo = fmtSeconds(ms[0]);
  const hi = fmtSeconds(ms[ms.length - 1]);
  return lo === hi ? lo : `${lo}–${hi}`;
}

/** Connections the server has not closed (client view). */
export const stillOpen = (watches) => watches.filter((w) => w.serverClosed === null).length;
