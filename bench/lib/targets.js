// Targets the load benchmarks print beside their figures, judged against a server measured in the
// same run (never against a figure from another run). Shared by bench/http/run.js, bench/ws/run.js and
// bench/report.js, so a run's console, its JSON and docs/benchmarks.md judge a target alike.
//
// A target: { label, where: {field: value…} (selects the cell: workload, or size + client),
//             server, vs (the server ids or labels of that suite), goal, metric, sense?, percent? }
//   metric 'rate'               this rate ÷ vs rate ≥ goal          (req/s, msg/s: the same-run anchor)
//   metric 'cpu', sense 'gain'  vs CPU/unit ÷ this CPU/unit ≥ goal  (work per server CPU-second, × vs)
//   metric 'cpu', sense 'cost'  this CPU/unit ÷ vs CPU/unit ≤ goal  (CPU per unit as a multiple of vs)
// CPU per unit is the server's user + system time per request/message (bench/lib/cpu.js): it does not
// depend on how fast the load generator is, which on a 2-core machine req/s does.
import { fmtRatio, fmtPercent } from './table.js';

const matches = (row, where) => Object.entries(where).every(([k, v]) => row[k] === v);

/**
 * @param {object} t the target
 * @param {object[]} rows the suite's rows
 * @param {{rate: string, cpu: string}} fields the names of the rate and CPU-per-unit fields of a row
 * @returns {{value: number|null, met: boolean|null, rateRatio: number|null, cpuGain: number|null}}
 *          value: the judged ratio; rateRatio and cpuGain: both same-run ratios, shown as anchors
 */
export function evaluateTarget(t, rows, fields) {
  const pick = (server) => rows.find((r) => r.server === server && matches(r, t.where) && !r.error);
  const a = pick(t.server);
  const b = pick(t.vs);
  const ok = (x) => x != null && Number.isFinite(x) && x > 0;
  const rateRatio = a && b && ok(a[fields.rate]) && ok(b[fields.rate]) ? a[fields.rate] / b[fields.rate] : null;
  const cpuGain = a && b && ok(a[fields.cpu]) && ok(b[fields.cpu]) ? b[fields.cpu] / a[fields.cpu] : null;
  let value = rateRatio;
  if (t.metric === 'cpu') value = cpuGain == null ? null : t.sense === 'cost' ? 1 / cpuGain : cpuGain;
  const met = value == null ? null : t.sense === 'cost' ? value <= t.goal : value >= t.goal;
  return { value, met, rateRatio, cpuGain };
}

const verdict = (met) => (met == null ? 'not measured' : met ? 'met' : 'NOT met');

/** "CPU/req ≤ 2.00× raw" / "req per CPU-s ≥ 2.00× node:http" / "req/s ≥ 1.60× node:http". */
export function describeTarget(t, vsName, unit) {
  const show = t.percent ? fmtPercent : fmtRatio;
  if (t.metric === 'rate') return `${unit}/s ≥ ${show(t.goal)} ${vsName}`;
  if (t.sense === 'cost') return `CPU/${unit} ≤ ${show(t.goal)} ${vsName}`;
  return `${unit} per CPU-s ≥ ${show(t.goal)} ${vsName}`;
}

/** One line for the console and the docs: the target, what was measured, the verdict, the anchor. */
export function targetLine(t, r, { nameOf = (s) => s, unit = 'req' } = {}) {
  const show = t.percent ? fmtPercent : fmtRatio;
  const u = t.unit ?? unit;
  const other = t.metric === 'rate' ? r.cpuGain : r.rateRatio;
  const anchor = other == null ? '' : `; same run: ${t.metric === 'rate' ? `${u} per CPU-s` : `${u}/s`} ${fmtRatio(other)}`;
  return `${t.label}: ${nameOf(t.server)} ${describeTarget(t, nameOf(t.vs), u)} — measured ${show(r.value)} (${verdict(r.met)}${anchor})`;
}

/** A short cell for a table row: "CPU/req ≤2.00× raw: 1.43× met". */
export function targetCell(t, r, { nameOf = (s) => s, unit = 'req' } = {}) {
  const show = t.percent ? fmtPercent : fmtRatio;
  return `${describeTarget(t, nameOf(t.vs), t.unit ?? unit).replace(/ ([≥≤]) /, ' $1')}: ${show(r.value)} ${verdict(r.met)}`;
}

/** Evaluate every target; returns [{...target, ...result}] (what the JSON stores). */
export function evaluateAll(targets, rows, fields) {
  return targets.map((t) => ({ ...t, ...evaluateTarget(t, rows, fields) }));
}

/** Attach to each row the short cells of the targets judged on it (row.target, '; '-joined). */
export function attachTargetCells(rows, evaluated, opts) {
  for (const e of evaluated) {
    const row = rows.find((r) => r.server === e.server && matches(r, e.where));
    if (row) row.target = row.target ? `${row.target}; ${targetCell(e, e, opts)}` : targetCell(e, e, opts);
  }
}
