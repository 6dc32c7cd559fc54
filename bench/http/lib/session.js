// One load-benchmark session: start every server at once (all pinned to the server core; an idle
// one costs nothing), check each answers each workload correctly, then measure in interleaved
// rounds — round r runs every workload on every server, the server order rotating each round —
// so a burst of load from elsewhere on the machine lands on all servers alike instead of on
// whichever one happened to be measured at that moment. Each figure is the median over rounds.
import { existsSync } from 'node:fs';
import { startServer, runLoadgen } from './processes.js';
import { verify } from './workloads.js';
import { median } from './stats.js';
import { topSelfTime, readProfile } from './cpuprofile.js';
import { fmtNumber } from '../../lib/table.js';

export const fmtMs = (v) => (v == null ? '—' : fmtNumber(v, v < 10 ? 2 : 0));

function profileFlags(server, o) {
  if (!o.profile || !server.wasmlane) return { flags: [], file: null };
  const name = `http-${o.stamp}-${server.id}.cpuprofile`;
  return { flags: ['--cpu-prof', `--cpu-prof-dir=${o.resultsDir}`, `--cpu-prof-name=${name}`], file: `${o.resultsDir}/${name}` };
}

async function startAll(servers, o) {
  const live = new Map();
  for (const server of servers) {
    const prof = profileFlags(server, o);
    try {
      const script = new URL(`../servers/${server.script}`, import.meta.url);
      const instance = await startServer({ script, args: server.args, nodeFlags: prof.flags, taskset: o.taskset, core: o.serverCore });
      live.set(server.id, { server, instance, profileFile: prof.file });
    } catch (err) {
      console.log(`  ${server.label}: could not start — ${String(err.message).split('\n')[0]}`);
    }
  }
  return live;
}

function summarize(server, w, runs, check) {
  return {
    server: server.id,
    workload: w.id,
    rps: median(runs.map((x) => x.rps)),
    p50: median(runs.map((x) => x.p50)),
    p99: median(runs.map((x) => x.p99)),
    cpuUsPerRequest: median(runs.map((x) => x.cpuUsPerRequest)),
    errors: runs.reduce((s, x) => s + (x.errors ?? 0) + (x.timeouts ?? 0), 0),
    non2xx: runs.reduce((s, x) => s + (x.non2xx ?? 0), 0),
    responseHeaders: check.headerCount,
    tool: runs[0].tool,
    runs,
  };
}

/**
 * @returns {Promise<{rows: object[], profiles: object[]}>} one row per server × workload: figures, or
 *          `error` when the server did not start, answered wrongly or the load generator failed
 */
export async function runSession(servers, workloads, o) {
  const live = await startAll(servers, o);
  const errors = new Map(); // "server/workload" → reason
  const checks = new Map();
  const runs = new Map();
  const key = (s, w) => `${s.id}/${w.id}`;
  try {
    for (const { server, instance } of live.values()) {
      for (const w of workloads) {
        const check = await verify(instance.port, w, server);
        checks.set(key(server, w), check);
        if (!check.ok) {
          errors.set(key(server, w), `wrong answer: ${check.reason}`);
          console.log(`  ${server.label} / ${w.id}: wrong answer (${check.reason}) — not measured`);
        }
      }
    }
    const order = [...live.values()];
    for (let round = 0; round < o.repeats; round++) {
      console.log(`round ${round + 1} of ${o.repeats}`);
      for (const w of workloads) {
        for (let i = 0; i < order.length; i++) {
          const { server, instance } = order[(i + round) % order.length];
          const k = key(server, w);
          if (errors.has(k)) continue;
          try {
            const r = await runLoadgen(
              { port: instance.port, pid: instance.pid, workload: w, warmupS: o.warmupS, durationS: o.durationS },
              { taskset: o.taskset, core: o.loadCore, timeoutMs: (o.warmupS + o.durationS) * 1000 + 60_000 },
            );
            runs.set(k, [...(runs.get(k) ?? []), r]);
            const bad = r.errors || r.non2xx || r.timeouts ? `  errors ${r.errors} non-2xx ${r.non2xx} timeouts ${r.timeouts}` : '';
            // The share of its core the server used: well below 100% means the load generator (or
            // other work on the machine) held it back, and req/s says little about the server.
            const cpu = r.cpuUsPerRequest == null ? ''
              : `  cpu ${r.cpuUsPerRequest.toFixed(2)} µs/req (${Math.round((r.rps * r.cpuUsPerRequest) / 1e4)}% of a core)`;
            console.log(`  ${w.id.padEnd(12)} ${server.label.padEnd(26)} ${fmtNumber(r.rps).padStart(9)} req/s  p50 ${fmtMs(r.p50)} ms  p99 ${fmtMs(r.p99)} ms${cpu}${bad}`);
          } catch (err) {
            errors.set(k, 'load generator failed');
            console.log(`  ${server.label} / ${w.id}: load generator failed — ${String(err.message).split('\n')[0]}`);
          }
        }
      }
    }
  } finally {
    await Promise.all([...live.values()].map(({ instance }) => instance.stop()));
  }
  const rows = [];
  for (const server of servers) {
    for (const w of workloads) {
      const k = key(server, w);
      if (!live.has(server.id)) rows.push({ server: server.id, workload: w.id, error: 'did not start' });
      else if (errors.has(k)) rows.push({ server: server.id, workload: w.id, error: errors.get(k) });
      else if (runs.has(k)) rows.push(summarize(server, w, runs.get(k), checks.get(k)));
    }
  }
  const profiles = [];
  for (const { server, profileFile } of live.values()) {
    if (!profileFile) continue;
    if (existsSync(profileFile)) profiles.push({ server: server.id, label: server.label, file: profileFile, ...topSelfTime(readProfile(profileFile), 15) });
    else console.log(`(no profile written at ${profileFile})`);
  }
  return { rows, profiles };
}
