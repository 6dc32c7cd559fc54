#!/usr/bin/env node
// `npm run bench:http` — load benchmark of whole servers, side by side in one run.
//
//   node bench/http/run.js [--servers a,b] [--workloads x,y] [--repeats n] [--profile]
//   BENCH_DURATION=5  measured seconds per server × workload (after BENCH_WARMUP=2 s, discarded)
//   BENCH_REPEATS=1   measured runs per server × workload; the table shows their median
//   BENCH_NO_PIN=1    do not pin (by default the server runs on core 1, the load generator on core 0)
//   BENCH_NICE=-10    on Linux with autogroup scheduling (as root), weight this run's session above the
//                     other sessions' processes for the run's length (restored at exit): on a machine
//                     shared with other work the servers and the load generator then get their cores
//
// Servers: wasmlane with the wasm-simd engine and with the js engine, node:http, fastify, and a raw
// `net` ceiling (bench/http/servers/*.js, each a child process that prints its port). All run at
// once; each is checked to answer every workload correctly, then measured in interleaved rounds
// (bench/http/lib/session.js). Output: a table (req/s, p50,
// p99, ratio vs node:http, % of the raw ceiling, server CPU µs per request), bench/results/http-<stamp>.json
// and .svg.
// --profile: the wasmlane servers (hono on wasmlane too) run under --cpu-prof; the top 15 self-time functions are printed.
import { parseArgs } from 'node:util';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { tasksetPath, machineInfo, printMachine } from '../lib/machine.js';
import { printTable, fmtNumber, fmtRatio, fmtPercent } from '../lib/table.js';
import { writeResults, resultPath, timestamp, RESULTS_DIR } from '../lib/results.js';
import { SERVERS, WORKLOADS } from './lib/workloads.js';
import { killAll } from './lib/processes.js';
import { chooseTool } from './lib/loadgen.js';
import { runSession, fmtMs } from './lib/session.js';
import { barChartSvg } from './lib/svg.js';

const TARGETS = [
  { workload: 'hello', server: 'wasmlane-wasm', vs: 'node-http', goal: 1.6, label: 'wasmlane (wasm-simd) hello keep-alive vs node:http' },
  { workload: 'hello', server: 'wasmlane-wasm', vs: 'raw', goal: 0.85, label: 'wasmlane (wasm-simd) hello keep-alive, share of raw', percent: true },
  { workload: 'pipelined', server: 'wasmlane-wasm', vs: 'node-http', goal: 4, label: 'wasmlane (wasm-simd) pipelined vs node:http' },
  // The fetch adapter (docs/fetch.md): the same hono app on wasmlane's serve() and on @hono/node-server.
  { workload: 'hello', server: 'hono-wasmlane', vs: 'hono-node-server', goal: 1.5, label: 'hono on wasmlane vs @hono/node-server, hello', cpu: true },
  { workload: 'users', server: 'hono-wasmlane', vs: 'hono-node-server', goal: 1.5, label: 'hono on wasmlane vs @hono/node-server, JSON', cpu: true },
];

function pickList(value, all, what) {
  if (!value) return all;
  const ids = value.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = ids.filter((id) => !all.some((x) => x.id === id));
  if (unknown.length) throw new Error(`unknown ${what}: ${unknown.join(', ')} (known: ${all.map((x) => x.id).join(', ')})`);
  return all.filter((x) => ids.includes(x.id));
}

function addRatios(rows) {
  const find = (server, workload) => rows.find((r) => r.server === server && r.workload === workload && r.rps);
  for (const r of rows) {
    const base = find('node-http', r.workload);
    const raw = find('raw', r.workload);
    r.vsNode = r.rps && base ? r.rps / base.rps : null;
    // The ceiling only means something where it answers the same response (hello workloads).
    const comparable = r.workload === 'hello' || r.workload === 'hello-close' || r.workload === 'pipelined';
    r.ofRaw = comparable && r.rps && raw ? r.rps / raw.rps : null;
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

/** BENCH_NICE: set this session's autogroup nice value; returns a function that restores it. */
function raisePriority(value) {
  const file = '/proc/self/autogroup';
  if (value === undefined || value === '') return () => {};
  try {
    const before = /nice (-?\d+)/.exec(readFileSync(file, 'utf8'))?.[1] ?? '0';
    writeFileSync(file, String(Number(value)));
    console.log(`scheduling: this session's autogroup nice ${before} → ${Number(value)} for the run (BENCH_NICE)`);
    return () => {
      try {
        writeFileSync(file, before);
      } catch {
        /* the session is gone */
      }
    };
  } catch (err) {
    console.log(`scheduling: BENCH_NICE ignored (${String(err.message).split('\n')[0]})`);
    return () => {};
  }
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
  };
  const machine = machineInfo({ pinned: !!taskset, core: 1, reason: pin ? 'taskset not found' : 'BENCH_NO_PIN=1 or one core' });
  if (taskset) machine.pinned = 'server on core 1, load generator on core 0 (taskset)';
  printMachine(machine);
  console.log(`load generator: ${chooseTool()} (BENCH_LOADGEN=autocannon|wrk to choose)`);
  const eta = servers.length * workloads.length * o.repeats * (o.durationS + o.warmupS);
  console.log(`${servers.length} servers × ${workloads.length} workloads × ${o.repeats} run(s) of ${o.warmupS} s warm-up + ${o.durationS} s: about ${Math.ceil(eta / 60)} min`);
  if (!existsSync(new URL('../../dist/index.js', import.meta.url))) console.log('note: dist/index.js is missing (run `npm run build`): the wasmlane servers will not start');

  const restorePriority = raisePriority(process.env.BENCH_NICE);
  process.once('exit', restorePriority);
  const { rows, profiles } = await runSession(servers, workloads, o);
  restorePriority();
  addRatios(rows);

  const label = (id) => SERVERS.find((s) => s.id === id)?.label ?? id;
  const wlabel = (id) => WORKLOADS.find((w) => w.id === id)?.label ?? id;
  // Grouped by workload (the order of WORKLOADS), servers in the order of SERVERS within a group.
  const order = (list, id) => list.findIndex((x) => x.id === id);
  const table = rows
    .map((r) => ({ ...r, serverLabel: label(r.server), workloadLabel: wlabel(r.workload) }))
    .sort((a, b) => order(WORKLOADS, a.workload) - order(WORKLOADS, b.workload) || order(SERVERS, a.server) - order(SERVERS, b.server));
  console.log('');
  printTable(table, [
    { key: 'workloadLabel', title: 'workload', align: 'left' },
    { key: 'serverLabel', title: 'server', align: 'left' },
    { key: 'rps', title: 'req/s', fmt: (v, row) => (row.error ? row.error.slice(0, 30) : fmtNumber(v)) },
    { key: 'p50', title: 'p50 ms', fmt: fmtMs },
    { key: 'p99', title: 'p99 ms', fmt: fmtMs },
    { key: 'cpuUsPerRequest', title: 'CPU µs/req', fmt: (v) => (v == null ? '—' : v.toFixed(2)) },
    { key: 'vsNode', title: 'vs node:http', fmt: fmtRatio },
    { key: 'ofRaw', title: '% of raw', fmt: fmtPercent },
    { key: 'errors', title: 'errors', fmt: (v, row) => (row.error ? '—' : String((v ?? 0) + (row.non2xx ?? 0))) },
  ], { groupKey: 'workload', title: `median of ${o.repeats} run(s), ${o.durationS} s each; load generator: ${tools(rows)}` });

  const helloHeaders = rows.filter((r) => r.workload === 'hello' && r.responseHeaders != null);
  if (helloHeaders.length) {
    console.log(`response header fields on hello world: ${helloHeaders.map((r) => `${label(r.server)} ${r.responseHeaders}`).join(', ')}`);
  }
  console.log(`load average now: ${os.loadavg().map((n) => n.toFixed(2)).join(' ')} (was ${machine.loadavg} at the start; a busy machine skews every figure)`);
  console.log('\ntargets:');
  const targets = [];
  for (const t of TARGETS) {
    const a = rows.find((r) => r.server === t.server && r.workload === t.workload && r.rps);
    const b = rows.find((r) => r.server === t.vs && r.workload === t.workload && r.rps);
    const value = a && b ? a.rps / b.rps : null;
    // CPU per request, the other server's over this one's: how many times cheaper a request is.
    const cpuValue = t.cpu && a?.cpuUsPerRequest && b?.cpuUsPerRequest ? b.cpuUsPerRequest / a.cpuUsPerRequest : null;
    const met = value != null && value >= t.goal && (!t.cpu || (cpuValue != null && cpuValue >= t.goal));
    targets.push({ ...t, value, cpuValue, met });
    const show = t.percent ? fmtPercent : fmtRatio;
    const cpu = t.cpu ? `, server CPU/request ${show(cpuValue)}` : '';
    console.log(`  ${t.label} ≥ ${show(t.goal)} — measured req/s ${show(value)}${cpu} (${value == null ? 'not measured' : met ? 'met' : 'NOT met'})`);
  }
  for (const p of profiles) printProfile(p.label, p);

  const json = writeResults('http', { options: { ...o, taskset: !!o.taskset }, servers, workloads, rows, targets, profiles }, machine, o.stamp);
  const svgFile = resultPath('http', 'svg', o.stamp, o.resultsDir);
  const measured = servers.map((s) => s.label);
  writeFileSync(
    svgFile,
    barChartSvg({
      title: 'wasmlane load benchmark — requests per second (higher is better)',
      subtitle: `${machine.cpu}, ${machine.cores} cores, node ${machine.node}; ${o.durationS} s per run, median of ${o.repeats}; ${machine.pinned}`,
      series: measured,
      unit: 'req/s',
      groups: workloads.map((w) => ({
        label: w.label,
        bars: servers.map((s) => ({ series: s.label, value: rows.find((r) => r.server === s.id && r.workload === w.id)?.rps ?? null })),
      })),
    }),
  );
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
