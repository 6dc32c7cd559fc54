// The load benchmark's chart: per workload, one bar per server for req/s and for server CPU µs per
// request, bars scaled per workload (servers are compared within a workload). Drawn from rows of a run (bench/http/run.js) or of bench/figures.json (bench/report.js).
import { barChartSvg } from '../../lib/svg.js';
import { SERVERS, WORKLOADS } from './workloads.js';

/**
 * @param {{server: string, workload: string, rps?: number, cpuUsPerReq?: number}[]} rows
 * @param {string} subtitle machine, date, load average
 */
export function httpChartSvg(rows, subtitle) {
  const has = (pred) => rows.some((r) => pred(r) && r.rps);
  const servers = SERVERS.filter((s) => has((r) => r.server === s.id));
  const workloads = WORKLOADS.filter((w) => has((r) => r.workload === w.id));
  const cell = (s, w) => rows.find((r) => r.server === s.id && r.workload === w.id);
  return barChartSvg({
    title: 'wasmlane load benchmark (npm run bench:http); bars scaled within each workload',
    subtitle,
    series: servers.map((s) => s.label),
    scalePerGroup: true,
    metrics: [
      { title: 'requests per second (higher is better)', unit: 'req/s' },
      { title: 'server CPU µs per request (lower is better)', unit: 'µs', digits: 1 },
    ],
    groups: workloads.map((w) => ({
      label: w.label,
      bars: servers.filter((s) => cell(s, w)).map((s) => ({ series: s.label, values: [cell(s, w)?.rps ?? null, cell(s, w)?.cpuUsPerReq ?? null] })),
    })),
  });
}
