// One load-benchmark session: start every server at once (all pinned to the server core; an idle
// one costs nothing), check each answers each workload correctly, then measure in interleaved
// rounds — round r runs every workload on every server, the server order rotating each round —
// so a burst of load from elsewhere on the machine lands on all servers alike instead of on
// whichever one happened to be measured at that moment. Each figure is the median over rounds.
// Beside req/s every run records the server's CPU time per request (bench/lib/cpu.js).
// A TLS workload (w.tls) runs on the servers marked `tls`, on their TLS port, with the run's
// certificate (o.tls, lib/tls.js); a server started without a TLS listener gets an error row.
import { existsSync } from 'node:fs';
import { startServer, runLoadgen } from './processes.js';
import { portFor, serverEnv } from './tls.js';
import { verify, runsOn } from './workloads.js';
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
      const env = serverEnv(server, o.tls);
      const instance = await startServer({ script, args: server.args, nodeFlags: prof.flags, taskset: o.taskset, core: o.serverCore, env });
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
    cpuUsPerReq: median(runs.map((x) => x.cpuUsPerReq)),
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
        if (!runsOn(server, w)) continue;
        if (portFor(instance, w) === undefined) {
          errors.set(key(server, w), 'no TLS listener (openssl missing?)');
          console.log(`  ${server.label} / ${w.id}: no TLS listener (no certificate: openssl missing?) — not measured`);
          continue;
        }
        const check = await verify(portFor(instance, w), w, server, o.tls?.ca);
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
          if (errors.has(k) || !runsOn(server, w)) continue;
          try {
            const r = await runLoadgen(
              { port: portFor(instance, w), workload: w, warmupS: o.warmupS, durationS: o.durationS, serverPid: instance.pid ?? instance.child.pid },
              { taskset: o.taskset, core: o.loadCore, timeoutMs: (o.warmupS + o.durationS) * 1000 + 60_000 },
            );
            runs.set(k, [...(runs.get(k) ?? []), r]);
            let bad = r.errors || r.non2xx || r.timeouts ? `  errors ${r.errors} non-2xx ${r.non2xx} timeouts ${r.timeouts}` : '';
            if (!r.requests) bad += '  NO RESPONSE during the run (a stalled server or machine)';
            console.log(`  ${w.id.padEnd(17)} ${server.label.padEnd(24)} ${fmtNumber(r.rps).padStart(9)} req/s  ${fmtNumber(r.cpuUsPerReq, 1).padStart(7)} µs CPU/req  p50 ${fmtMs(r.p50)} ms  p99 ${fmtMs(r.p99)} ms${bad}`);
          } catch (err) {
            errors.set(k, 'load generator failed');
            console.log(`  ${server.label} / ${w.id}: load generator failed — ${String(err.message).split('\n').slice(0, 3).join(' ')}`);
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
      if (!runsOn(server, w)) continue;
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
