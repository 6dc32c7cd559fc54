// One load-benchmark session: start every server at once (all pinned to the server core; an idle
// one costs nothing), check each answers each workload correctly, then measure in interleaved
// rounds — round r runs every workload on every server, the server order rotating each round —
// so a burst of load from elsewhere on the machine lands on all servers alike instead of on
// whichever one happened to be measured at that moment. Each figure is the median over rounds.
// Beside req/s, each run records the server's CPU time per request (utime + stime of its process
// over the measured window, bench/lib/cpu.js): the warm-up runs as its own load-generator call so
// that the window holds the measured requests only.
// A TLS workload (w.tls) runs on the servers marked `tls`, on their TLS port, with the run's
// certificate (o.tls, lib/tls.js); other servers have no row for it.
import { existsSync } from 'node:fs';
import { cpuMs } from '../../lib/cpu.js';
import { startServer, runLoadgen } from './processes.js';
import { portFor } from './tls.js';
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
      const env = server.tls && o.tls ? o.tls.env : {};
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

/** One measured run: warm-up, then the load with the server's CPU time read around it. */
async function measure(instance, w, o) {
  const port = portFor(instance, w);
  const limits = { taskset: o.taskset, core: o.loadCore, timeoutMs: (o.warmupS + o.durationS) * 1000 + 60_000 };
  if (o.warmupS > 0) await runLoadgen({ port, workload: w, warmupS: 0, durationS: o.warmupS }, limits);
  const cpu0 = cpuMs([instance.pid]);
  const r = await runLoadgen({ port, workload: w, warmupS: 0, durationS: o.durationS }, limits);
  const cpu = cpuMs([instance.pid]) - cpu0;
  return { ...r, cpuUsPerReq: r.requests > 0 ? (cpu * 1000) / r.requests : null };
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
        if (w.tls && !server.tls) continue;
        if (w.tls && instance.tlsPort === undefined) {
          errors.set(key(server, w), 'no TLS listener (openssl missing?)');
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
          if (errors.has(k) || !checks.has(k)) continue;
          try {
            const r = await measure(instance, w, o);
            runs.set(k, [...(runs.get(k) ?? []), r]);
            const bad = r.errors || r.non2xx || r.timeouts ? `  errors ${r.errors} non-2xx ${r.non2xx} timeouts ${r.timeouts}` : '';
            const cpu = r.cpuUsPerReq == null ? '—' : fmtNumber(r.cpuUsPerReq, 1);
            console.log(`  ${w.id.padEnd(12)} ${server.label.padEnd(22)} ${fmtNumber(r.rps).padStart(9)} req/s  p50 ${fmtMs(r.p50)} ms  p99 ${fmtMs(r.p99)} ms  CPU ${cpu} µs/req${bad}`);
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
      else if (w.tls && !server.tls) continue;
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
