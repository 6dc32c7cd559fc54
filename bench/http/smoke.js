#!/usr/bin/env node
// Quick check of the load-benchmark plumbing, not a benchmark: every server × workload for 1 s at
// 10 connections, no warm-up, no pinning. Exits 1 when a server fails to start, answers a workload
// wrongly, or serves nothing.
//   node bench/http/smoke.js [--servers a,b]
import { parseArgs } from 'node:util';
import { SERVERS, WORKLOADS, verify, runsOn } from './lib/workloads.js';
import { startServer, runLoadgen, killAll } from './lib/processes.js';
import { benchTls, portFor, serverEnv } from './lib/tls.js';
import { fmtNumber } from '../lib/table.js';

const { values } = parseArgs({ options: { servers: { type: 'string' } } });
const wanted = values.servers?.split(',');
let failures = 0;
const tls = benchTls(); // the https-hello workload's certificate (null without openssl: then it is skipped)
if (!tls) console.log('skip https-hello: no openssl to make its certificate');
for (const server of SERVERS.filter((s) => !wanted || wanted.includes(s.id))) {
  let instance;
  try {
    instance = await startServer({ script: new URL(`./servers/${server.script}`, import.meta.url), args: server.args, env: serverEnv(server, tls) });
  } catch (err) {
    failures++;
    console.log(`FAIL ${server.label}: ${String(err.message).split('\n')[0]}`);
    continue;
  }
  try {
    for (const w of WORKLOADS.filter((x) => runsOn(server, x) && (!x.tls || tls))) {
      const port = portFor(instance, w);
      if (port === undefined) {
        failures++;
        console.log(`FAIL ${server.label} / ${w.id}: no TLS listener announced`);
        continue;
      }
      const check = await verify(port, w, server, tls?.ca);
      if (!check.ok) {
        failures++;
        console.log(`FAIL ${server.label} / ${w.id}: ${check.reason}`);
        continue;
      }
      const r = await runLoadgen(
        { port, workload: { ...w, connections: 10 }, warmupS: 0, durationS: 1 },
        { taskset: null, core: null, timeoutMs: 30_000 },
      );
      const bad = !(r.requests > 0) || r.errors > 0 || r.non2xx > 0;
      if (bad) failures++;
      console.log(`${bad ? 'FAIL' : 'ok  '} ${server.label.padEnd(22)} ${w.id.padEnd(12)} ${fmtNumber(r.rps).padStart(8)} req/s  errors ${r.errors} non-2xx ${r.non2xx}`);
    }
  } finally {
    await instance.stop();
  }
}
killAll();
console.log(failures ? `${failures} failure(s)` : 'all servers answered every workload');
process.exitCode = failures ? 1 : 0;
