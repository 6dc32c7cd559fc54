// Reads a V8 .cpuprofile (what `node --cpu-prof` writes) and lists the functions with the most
// self time. Format: {nodes: [{id, callFrame: {functionName, url, lineNumber}, hitCount, children}],
// startTime, endTime, samples: [nodeId…], timeDeltas: [µs…]} — timeDeltas[i] is the time between
// sample i-1 and sample i, so sample i's node is charged timeDeltas[i + 1] (the time until the next
// sample). Nodes with the same function (name, file, line) are summed.
import { readFileSync } from 'node:fs';

/**
 * @param {object} profile a parsed .cpuprofile
 * @param {number} [top]
 * @returns {{totalMs: number, rows: {name: string, where: string, selfMs: number, percent: number}[]}}
 */
export function topSelfTime(profile, top = 15) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  const { samples = [], timeDeltas = [] } = profile;
  // "(idle)" is the event loop waiting for I/O (between load runs, or a load generator too slow to
  // keep the server busy): left out, so percentages are shares of the time the server worked.
  const idle = new Set(profile.nodes.filter((n) => n.callFrame?.functionName === '(idle)').map((n) => n.id));
  for (let i = 0; i < samples.length; i++) {
    if (idle.has(samples[i])) continue;
    const delta = timeDeltas[i + 1] ?? 0;
    selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + Math.max(0, delta));
  }
  const byFunction = new Map();
  let totalUs = 0;
  for (const [id, us] of selfUs) {
    totalUs += us;
    const cf = byId.get(id)?.callFrame ?? { functionName: '?', url: '', lineNumber: -1 };
    const name = cf.functionName || '(anonymous)';
    const file = cf.url ? cf.url.replace(/^file:\/\//, '').split('/').slice(-2).join('/') : '';
    const where = file ? `${file}:${cf.lineNumber + 1}` : '';
    const key = `${name}\u0000${where}`;
    const entry = byFunction.get(key) ?? { name, where, selfUs: 0 };
    entry.selfUs += us;
    byFunction.set(key, entry);
  }
  const rows = [...byFunction.values()]
    .sort((a, b) => b.selfUs - a.selfUs)
    .slice(0, top)
    .map((e) => ({ name: e.name, where: e.where, selfMs: e.selfUs / 1000, percent: totalUs ? e.selfUs / totalUs : 0 }));
  return { totalMs: totalUs / 1000, rows };
}

export function readProfile(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}
