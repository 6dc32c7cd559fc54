// bench:ws's chart: per case (message size × client), one bar per server for messages per second and
// for server CPU µs per message (per delivery for the fan-out), scaled within each case. Drawn from
// the rows of a run (bench/ws/run.js) or of bench/figures.json (bench/report.js).
import { barChartSvg } from '../../lib/svg.js';
import { sizeLabel } from './targets.js';

/**
 * @param {{size: number, client: string, server: string, msgPerSec?: number, cpuUsPerMsg?: number}[]} rows
 * @param {string[]} servers labels, in legend order
 * @param {string} subtitle machine, date, load average
 */
export function wsChartSvg(rows, servers, subtitle) {
  const cases = [...new Set(rows.map((r) => `${r.size}|${r.client}`))];
  return barChartSvg({
    title: 'wasmlane WebSocket benchmark (npm run bench:ws); bars scaled within each case',
    subtitle,
    series: servers,
    scalePerGroup: true,
    metrics: [
      { title: 'messages (fan-out: deliveries) per second (higher is better)', unit: 'msg/s' },
      { title: 'server CPU µs per message (lower is better)', unit: 'µs', digits: 2 },
    ],
    groups: cases.map((c) => {
      const [size, client] = c.split('|');
      const pick = (s) => rows.find((r) => String(r.size) === size && r.client === client && r.server === s);
      return {
        label: `${sizeLabel(Number(size))}, ${client}`,
        bars: servers.filter(pick).map((s) => ({ series: s, values: [pick(s).msgPerSec ?? null, pick(s).cpuUsPerMsg ?? null] })),
      };
    }),
  });
}
