#!/usr/bin/env node
// `npm run bench:http` — load benchmark of whole servers, side by side in one run.
//
//   node bench/http/run.js [--servers a,b] [--workloads x,y] [--repeats n] [--profile]
//   BENCH_DURATION=5  measured seconds per server × workload (after BENCH_WARMUP=2 s, discarded)
//   BENCH_REPEATS=1   measured runs per server × workload; the table shows their median
//   BENCH_NO_PIN=1    do not pin (by default the server runs on core 1, the load generator on core 0)
//
// Servers: wasmlane with the wasm-simd engine and with the js engine, node:http, fastify, and a raw
// `net` ceiling (bench/http/servers/*.js, each a child process that prints its port). All run at
// once; each is checked to answer every workload correctly, then measured in interleaved rounds
// (bench/http/lib/session.js). Output: a table (req/s, p50, p99, ratio vs node:http, % of the raw
// ceiling, server CPU µs per request and its same-run ratios, the targets judged on the row), the
// targets with their verdicts, bench/results/http-<stamp>.json and .svg (req/s and CPU/req bars).
// CPU per request: user + system time of the server process over the measured run (read from
// /proc/<pid>/stat by the load generator, bench/lib/cpu.js) ÷ requests answered — the figure that
// does not depend on how fast the load generator is.
// https-hello: hello world over TLS, served by wasmlane (`tls` option) and node:https on a second port
// of the same server processes, with a certificate made when the run starts (lib/tls.js; skipped with
// an error row without openssl); its "× node" figures are against node:https. `--workloads
// https-hello` runs it alone.
// --profile: the wasmlane servers run under --cpu-prof; the top 15 self-time functions are printed.
import { parseArgs } from 'node:util';
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { tasksetPath, machineInfo, printMachine } from '../lib/machine.js';
import { printTable, fmtNumber, fmtRatio, fmtPercent } from '../lib/table.js';
import { writeResults, resultPath, timestamp, RESULTS_DIR } from '../lib/results.js';
import { evaluateAll, attachTargetCells, targetLine } from '../lib/targets.js';
import { SERVERS, WORKLOADS, runsOn } from './lib/workloads.js';
import { HTTP_TARGETS, HTTP_FIELDS, CEILING_WORKLOADS } from './lib/targets.js';
import { killAll } from './lib/processes.js';
import { chooseTool } from './lib/loadgen.js';
import { runSession, fmtMs } from './lib/session.js';
import { httpChartSvg } from './lib/chart.js';
import { benchTls } from './lib/tls.js';

function pickList(value, all, what) {
  if (!value) return all;
  const ids = value.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = ids.filter((id) => !all.some((x) => x.id === id));
  if (unknown.length) throw new Error(`unknown ${what}: ${unknown.join(', ')} (known: ${all.map((x) => x.id).join(', ')})`);
  return all.filter((x) => ids.includes(x.id));
}

/** Same-run ratios of every row: req/s and CPU per request against node:http and the raw ceiling. */
function addRatios(rows) {
  const find = (server, workload) => rows.find((r) => r.server === server && r.workload === workload && r.rps);
  for (const r of rows) {
    const base = find('node-http', r.workload);
    // The ceiling only means something where it answers the same response (hello workloads).
    const raw = CEILING_WORKLOADS.has(r.workload) ? find('raw', r.workload) : null;
    r.vsNode = r.rps && base ? r.rps / base.rps : null;
    r.ofRaw = r.rps && raw ? r.rps / raw.rps : null;
    // Requests per CPU-second against node:http's (higher is better, like req/s × node) …
    r.cpuVsNode = r.cpuUsPerReq && base?.cpuUsPerReq ? base.cpuUsPerReq / r.cpuUsPerReq : null;
    // … and CPU per request as a multiple of the ceiling's (≥ 1; lower is better).
    r.cpuOfRaw = r.cpuUsPerReq && raw?.cpuUsPerReq ? r.cpuUsPerReq / raw.cpuUsPerReq : null;
  }
}

function tools(rows) {
  const used = [...new Set(rows.map((r) => r.tool).filter(Boolean))];
  const notes = { autocannon: 'autocannon (latency in whole ms)', 'close-loop': 'close loop for Connection: close', wrk: 'wrk, one thread' };
  return used.map((t) => notes[t] ?? t).join(' + ') || 'none';
}

function printProfile(label, profile) {
  console.log(`\nprofile of ${label}: top 15 by self time, of ${fmtNumber(profile.totalMs)} ms busy (idle excluded; ${profile.file})`);
  printTable(profile.rows, [
    { key: 'selfMs', title: 'self ms', fmt: (v) => fmtNumber(v, 1) },
    { key: 'percent', title: '%', fmt: (v) => `${(v * 100).toFixed(1)}%` },
    { key: 'name', title: 'function', align: 'left' },
    { key: 'where', title: 'where', align: 'left' },
  ]);
}

async function main() {
  const { values } = parseArgs({
    options: {
      servers: { type: 'string' },
      workloads: { type: 'string' },
      repeats: { type: 'string' },
      profile: { type: 'boolean', default: false },
    },
  });
  const servers = pickList(values.servers, SERVERS, 'server');
  const workloads = pickList(values.workloads, WORKLOADS, 'workload');
  const pin = process.env.BENCH_NO_PIN !== '1' && os.cpus().length > 1;
  const taskset = pin ? tasksetPath() : null;
  const o = {
    stamp: timestamp(),
    resultsDir: process.env.BENCH_RESULTS_DIR || RESULTS_DIR.replace(/\/$/, ''),
    durationS: Number(process.env.BENCH_DURATION) || 5,
    warmupS: process.env.BENCH_WARMUP != null ? Number(process.env.BENCH_WARMUP) : 2,
    repeats: Number(values.repeats ?? process.env.BENCH_REPEATS) || 1,
    profile: values.profile,
    taskset,
    serverCore: taskset ? 1 : null,
    loadCore: taskset ? 0 : null,
    // The TLS workload's certificate, made only when a TLS workload runs (null without openssl).
    tls: workloads.some((w) => w.tls) ? benchTls() : null,
  };
  const machine = machineInfo({ pinned: !!taskset, core: 1, reason: pin ? 'taskset not found' : 'BENCH_NO_PIN=1 or one core' });
  if (taskset) machine.pinned = 'server on core 1, load generator on core 0 (taskset)';
  printMachine(machine);
  console.log(`load generator: ${chooseTool()} (BENCH_LOADGEN=autocannon|wrk to choose)`);
  const pairs = servers.reduce((n, s) => n + workloads.filter((w) => runsOn(s, w)).length, 0);
  const eta = pairs * o.repeats * (o.durationS + o.warmupS);
  console.log(`${pairs} server × workload pairs × ${o.repeats} run(s) of ${o.warmupS} s warm-up + ${o.durationS} s: about ${Math.ceil(eta / 60)} min`);
  if (workloads.some((w) => w.tls) && !o.tls) console.log('note: openssl not found: no certificate, so the https-hello workload is not measured');
  if (!existsSync(new URL('../../dist/index.js', import.meta.url))) console.log('note: dist/index.js is missing (run `npm run build`): the wasmlane servers will not start');

  const { rows, profiles } = await runSession(servers, workloads, o);
  addRatios(rows);
  const label = (id) => SERVERS.find((s) => s.id === id)?.label ?? id;
  // On a TLS workload a server is what it runs there (node:http's row is node:https).
  const rowLabel = (r) => (WORKLOADS.find((w) => w.id === r.workload)?.tls && SERVERS.find((s) => s.id === r.server)?.tlsLabel) || label(r.server);
  const targets = evaluateAll(HTTP_TARGETS, rows, HTTP_FIELDS);
  attachTargetCells(rows, targets, { nameOf: (id) => ({ 'node-http': 'node', raw: 'raw' })[id] ?? label(id) });

  const wlabel = (id) => WORKLOADS.find((w) => w.id === id)?.label ?? id;
  // Grouped by workload (the order of WORKLOADS), servers in the order of SERVERS within a group.
  const order = (list, id) => list.findIndex((x) => x.id === id);
  const table = rows
    .map((r) => ({ ...r, serverLabel: rowLabel(r), workloadLabel: wlabel(r.workload) }))
    .sort((a, b) => order(WORKLOADS, a.workload) - order(WORKLOADS, b.workload) || order(SERVERS, a.server) - order(SERVERS, b.server));
  console.log('');
  printTable(table, [
    { key: 'workloadLabel', title: 'workload', align: 'left' },
    { key: 'serverLabel', title: 'server', align: 'left' },
    { key: 'rps', title: 'req/s', fmt: (v, row) => (row.error ? row.error.slice(0, 30) : fmtNumber(v)) },
    { key: 'p50', title: 'p50 ms', fmt: fmtMs },
    { key: 'p99', title: 'p99 ms', fmt: fmtMs },
    { key: 'vsNode', title: 'vs node', fmt: fmtRatio },
    { key: 'ofRaw', title: '% of raw', fmt: fmtPercent },
    { key: 'cpuUsPerReq', title: 'CPU µs/req', fmt: (v) => fmtNumber(v, 2) },
    { key: 'cpuVsNode', title: 'req/CPU-s vs node', fmt: fmtRatio },
    { key: 'cpuOfRaw', title: 'CPU/req ÷ raw', fmt: fmtRatio },
    { key: 'errors', title: 'errors', fmt: (v, row) => (row.error ? '—' : String((v ?? 0) + (row.non2xx ?? 0))) },
    { key: 'target', title: 'target (issue 12, same run)', align: 'left', fmt: (v) => v ?? '' },
  ], {
    groupKey: 'workload',
    title: `median of ${o.repeats} run(s), ${o.durationS} s each; load generator: ${tools(rows)}; CPU = server user+system time per request (/proc/<pid>/stat)`,
  });

  const helloHeaders = rows.filter((r) => r.workload === 'hello' && r.responseHeaders != null);
  if (helloHeaders.length) {
    console.log(`response header fields on hello world: ${helloHeaders.map((r) => `${label(r.server)} ${r.responseHeaders}`).join(', ')}`);
  }
  if (rows.some((r) => WORKLOADS.find((w) => w.id === r.workload)?.tls)) console.log('https-hello: TLS 1.3, keep-alive; "vs node" and "req/CPU-s vs node" are against node:https (the node:http handler on https.createServer)');
  console.log(`load average now: ${os.loadavg().map((n) => n.toFixed(2)).join(' ')} (was ${machine.loadavg} at the start; a busy machine skews every figure)`);
  console.log('\ntargets (same run):');
  for (const t of targets) console.log(`  ${targetLine(t, t, { nameOf: label, unit: 'req' })}`);
  for (const p of profiles) printProfile(p.label, p);

  const loadEnd = os.loadavg().map((n) => n.toFixed(2)).join(' ');
  const json = writeResults('http', { options: { ...o, taskset: !!o.taskset, tls: !!o.tls }, loadavgEnd: loadEnd, servers, workloads: workloads.map(({ body, ...w }) => ({ ...w, bodyBytes: body == null ? 0 : Buffer.byteLength(body) })), rows, targets, profiles }, machine, o.stamp);
  const svgFile = resultPath('http', 'svg', o.stamp, o.resultsDir);
  const subtitle = `${machine.cpu}, ${machine.cores} cores, node ${machine.node}; ${o.durationS} s per run, median of ${o.repeats}; load average ${machine.loadavg}; ${machine.pinned}`;
  writeFileSync(svgFile, httpChartSvg(rows, subtitle));
  console.log(`\nresults: ${json}\nchart:   ${svgFile}`);
}

process.once('SIGINT', () => {
  killAll();
  process.exit(130);
});
main().catch((err) => {
  console.error(err?.stack ?? err);
  killAll();
  process.exit(1);
});
