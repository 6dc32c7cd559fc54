#!/usr/bin/env node
// `npm run bench:ws` — WebSocket throughput and server CPU per message: wasmlane (engine wasm-simd,
// engine js) against the `ws` package with bufferutil and a raw `net` floor (servers/raw.js: the least
// work per frame, not a WebSocket implementation). Every server runs pinned to core 1, every client
// process to core 0 (taskset, when installed), the same client for every server.
//
// Cases (each measured on every server, BENCH_WS_ROUNDS times, servers in rotated order per round;
// the median is printed with the min–max spread — the machine is shared):
//   BENCH_WS_SIZES=64,16384,1048576   echo with the ws client (client.js), BENCH_WS_WINDOW (1) in flight
//   BENCH_WS_MULTI_SIZES=64           echo with the ws client, 16 messages in flight per connection
//   BENCH_WS_RAW_SIZES=64             echo with the raw pipelined client (raw-client.js: pre-masked frames,
//                                     BENCH_WS_RAW_WINDOW=16 in flight), which costs far less per message
//                                     than the ws client, so the server is the bottleneck
//   BENCH_WS_SUBSCRIBERS=1000         broadcast fan-out (fanout-client.js): 1 publisher → this many raw
//                                     subscribers, 64 B messages, 8 in flight; '0' to skip
//   (a list set to '' skips its case)
//   BENCH_WS_CONNECTIONS=50           echo connections
//   BENCH_WS_DURATION_MS=5000         measured time per run, after BENCH_WS_WARMUP_MS=1000
//   BENCH_WS_ROUNDS=3                 rounds
//   BENCH_QUICK=1                     1 s runs, 1 round (smoke test; figures only indicative)
// msg/s counts echoes received (fan-out: deliveries, one message reaching one subscriber); MB/s is
// payload bytes per second in ONE direction. CPU µs/msg: the server's user + system CPU time over the
// measured interval (/proc/<pid>/stat, bench/lib/cpu.js) ÷ messages — the figure that does not depend
// on how fast the client is. Output: the table with same-run ratios and targets,
// bench/results/ws-echo-<stamp>.json and .svg.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { tasksetPath, machineInfo, printMachine } from '../lib/machine.js';
import { printTable, fmtNumber, fmtRatio } from '../lib/table.js';
import { writeResults, resultPath, timestamp } from '../lib/results.js';
import { evaluateAll, attachTargetCells, targetLine } from '../lib/targets.js';
import { startServer } from '../http/lib/processes.js';
import { median } from '../http/lib/stats.js';
import { WS_TARGETS, WS_FIELDS, WS, RAW, FANOUT_CLIENT, sizeLabel } from './lib/targets.js';
import { wsChartSvg } from './lib/chart.js';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const quick = process.env.BENCH_QUICK === '1';
const list = (name, fallback) => (process.env[name] ?? fallback).split(',').filter(Boolean).map(Number);
const connections = Number(process.env.BENCH_WS_CONNECTIONS ?? 50);
const window = Number(process.env.BENCH_WS_WINDOW ?? 1);
const rawWindow = Number(process.env.BENCH_WS_RAW_WINDOW ?? 16);
const subscribers = Number(process.env.BENCH_WS_SUBSCRIBERS ?? 1000);
const durationMs = Number(process.env.BENCH_WS_DURATION_MS ?? (quick ? 1000 : 5000));
const warmupMs = Number(process.env.BENCH_WS_WARMUP_MS ?? (quick ? 300 : 1000));
const rounds = Number(process.env.BENCH_WS_ROUNDS ?? (quick ? 1 : 3));
const taskset = process.env.BENCH_NO_PIN === '1' ? null : tasksetPath();

const SERVERS = [
  { label: 'wasmlane (wasm-simd)', script: 'servers/wasmlane-echo.js', env: { WASMLANE_ENGINE: 'wasm-simd' } },
  { label: 'wasmlane (js)', script: 'servers/wasmlane-echo.js', env: { WASMLANE_ENGINE: 'js' } },
  { label: WS, script: 'servers/ws-echo.js', env: {} },
  { label: RAW, script: 'servers/raw.js', env: {} },
];

const CASES = [
  ...list('BENCH_WS_SIZES', '64,16384,1048576').map((size) => ({ size, client: `ws ×${window}`, script: 'client.js', window })),
  ...list('BENCH_WS_MULTI_SIZES', '64').map((size) => ({ size, client: 'ws ×16', script: 'client.js', window: 16 })),
  ...list('BENCH_WS_RAW_SIZES', '64').map((size) => ({ size, client: `raw ×${rawWindow}`, script: 'raw-client.js', window: rawWindow })),
  ...(subscribers > 0 ? [{ size: 64, client: subscribers === 1000 ? FANOUT_CLIENT : `fan-out 1→${subscribers}`, script: 'fanout-client.js', window: 8, subscribers }] : []),
];

function runClient(c, port, serverPid) {
  const cfg = c.script === 'client.js'
    ? { url: `ws://127.0.0.1:${port}/`, connections, size: c.size, window: c.window, warmupMs, durationMs, serverPid }
    : { port, connections, size: c.size, window: c.window, subscribers: c.subscribers, warmupMs, durationMs, serverPid };
  const args = [process.execPath, here(c.script), JSON.stringify(cfg)];
  const child = taskset ? spawn(taskset, ['-c', '0', ...args], { stdio: ['ignore', 'pipe', 'inherit'] }) : spawn(args[0], args.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`client exited with ${code}`))));
  });
}

async function measureCase(c) {
  const runs = new Map(SERVERS.map((s) => [s.label, []]));
  const errors = new Map(SERVERS.map((s) => [s.label, 0]));
  const failures = new Map();
  for (let round = 0; round < rounds; round++) {
    // Rotate the order so no server always runs first (or last) in a round.
    for (const server of SERVERS.map((_, i) => SERVERS[(i + round) % SERVERS.length])) {
      let instance;
      try {
        instance = await startServer({ script: new URL(server.script, import.meta.url), env: server.env, taskset, core: 1 });
        const r = await runClient(c, instance.port, instance.pid);
        runs.get(server.label).push(r);
        errors.set(server.label, errors.get(server.label) + r.errors);
        console.log(`  ${sizeLabel(c.size).padEnd(7)} ${c.client.padEnd(15)} ${server.label.padEnd(21)} ${fmtNumber(r.msgPerSec).padStart(10)} msg/s ${fmtNumber(r.cpuUsPerMsg, 2).padStart(9)} µs CPU/msg`);
      } catch (err) {
        failures.set(server.label, String(err.message ?? err).split('\n')[0]);
      } finally {
        await instance?.stop();
      }
    }
  }
  return SERVERS.map((server) => {
    const xs = runs.get(server.label);
    const msgPerSec = median(xs.map((r) => r.msgPerSec));
    return {
      size: c.size,
      group: `${c.size}|${c.client}`,
      client: c.client,
      server: server.label,
      msgPerSec,
      mbPerSec: msgPerSec == null ? null : (msgPerSec * c.size) / 1e6,
      spread: xs.length ? [Math.min(...xs.map((r) => r.msgPerSec)), Math.max(...xs.map((r) => r.msgPerSec))] : undefined,
      cpuUsPerMsg: median(xs.map((r) => r.cpuUsPerMsg)),
      runs: xs,
      errors: errors.get(server.label),
      error: failures.get(server.label),
    };
  });
}

/** Same-run ratios within one case: msg/s and CPU per message against ws, CPU against the floor. */
function addRatios(cell) {
  const ref = cell.find((r) => r.server === WS);
  const raw = cell.find((r) => r.server === RAW);
  for (const r of cell) {
    r.ratio = ref?.msgPerSec && r.msgPerSec ? r.msgPerSec / ref.msgPerSec : null;
    r.cpuVsWs = ref?.cpuUsPerMsg && r.cpuUsPerMsg ? ref.cpuUsPerMsg / r.cpuUsPerMsg : null;
    r.cpuOfRaw = raw?.cpuUsPerMsg && r.cpuUsPerMsg ? r.cpuUsPerMsg / raw.cpuUsPerMsg : null;
    r.cpuUsPerMB = r.cpuUsPerMsg && r.size >= 1024 ? (r.cpuUsPerMsg * 1e6) / r.size : null;
  }
}

const machine = machineInfo({ pinned: Boolean(taskset), core: '1 (servers), 0 (client)', reason: 'taskset not found' });
printMachine(machine);
console.log(`${CASES.length} cases × ${SERVERS.length} servers × ${rounds} round(s) of ${warmupMs} ms warm-up + ${durationMs} ms; echo over ${connections} connections`);
const stamp = timestamp();
const rows = [];
for (const c of CASES) {
  const cell = await measureCase(c);
  addRatios(cell);
  rows.push(...cell);
}
const targets = evaluateAll(WS_TARGETS, rows, WS_FIELDS);
const short = (s) => ({ [WS]: 'ws', [RAW]: 'raw' })[s] ?? s;
attachTargetCells(rows, targets, { nameOf: short, unit: 'msg' });

printTable(
  rows,
  [
    { key: 'size', title: 'message', align: 'left', fmt: sizeLabel },
    { key: 'client', title: 'client', align: 'left' },
    { key: 'server', title: 'server', align: 'left' },
    { key: 'msgPerSec', title: 'msg/s (median)', fmt: (v) => fmtNumber(v) },
    { key: 'spread', title: 'min–max', fmt: (v) => (v ? `${fmtNumber(v[0])}–${fmtNumber(v[1])}` : '—') },
    { key: 'mbPerSec', title: 'MB/s', fmt: (v) => fmtNumber(v) },
    { key: 'ratio', title: 'vs ws', fmt: fmtRatio },
    { key: 'cpuUsPerMsg', title: 'CPU µs/msg', fmt: (v) => fmtNumber(v, 2) },
    { key: 'cpuUsPerMB', title: 'CPU µs/MB', fmt: (v) => fmtNumber(v) },
    { key: 'cpuVsWs', title: 'msg/CPU-s vs ws', fmt: fmtRatio },
    { key: 'cpuOfRaw', title: 'CPU/msg ÷ raw', fmt: fmtRatio },
    { key: 'errors', title: 'errors', fmt: (v, row) => (row.error ? row.error : String(v ?? 0)) },
    { key: 'target', title: 'target (issue 12, same run)', align: 'left', fmt: (v) => v ?? '' },
  ],
  { title: `\nWebSocket, median of ${rounds} round(s); CPU = server user+system time per message (fan-out: per delivery)`, groupKey: 'group' },
);
console.log(`\nload average now: ${os.loadavg().map((n) => n.toFixed(2)).join(' ')} (was ${machine.loadavg} at the start)`);
console.log('targets (same run):');
for (const t of targets) console.log(`  ${targetLine(t, t, { unit: 'msg' })}`);
const json = writeResults('ws-echo', { connections, window, rawWindow, subscribers, durationMs, warmupMs, rounds, cases: CASES, rows, targets }, machine, stamp);
const svg = resultPath('ws-echo', 'svg', stamp);
writeFileSync(svg, wsChartSvg(rows, SERVERS.map((s) => s.label), `${machine.cpu}, ${machine.cores} cores, node ${machine.node}; median of ${rounds}; load average ${machine.loadavg}; ${machine.pinned}`));
console.log(`results: ${json}\nchart:   ${svg}`);
