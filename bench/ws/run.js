#!/usr/bin/env node
// `npm run bench:ws` — WebSocket echo throughput: wasmlane (engine wasm-simd, engine js) against the
// `ws` package with bufferutil. One client process (ws + bufferutil) pinned to core 0, each server
// pinned to core 1 (taskset, when installed), the same client for every server.
//
//   BENCH_WS_SIZES=64,16384,1048576   message sizes in bytes
//   BENCH_WS_CONNECTIONS=50           connections, each keeping BENCH_WS_WINDOW (1) messages in flight
//   BENCH_WS_DURATION_MS=5000         measured time per cell, after BENCH_WS_WARMUP_MS=1000
//   BENCH_WS_ROUNDS=3                 every cell is measured this many times, servers in rotated order
//                                     per round; the median is printed with the min–max spread (the
//                                     machine is shared: single runs swing by 2× under outside load)
//   BENCH_QUICK=1                     1 s cells, 1 round (smoke test; figures only indicative)
//   BENCH_WS_RAW_SIZES=64             sizes also run with the raw pipelined client (raw-client.js:
//                                     pre-masked frames, BENCH_WS_RAW_WINDOW=16 in flight), which costs
//                                     far less per message than the ws client, so the server is the
//                                     bottleneck; '' to skip
// msg/s counts echoes received by the client; MB/s is payload bytes per second in ONE direction.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { tasksetPath, machineInfo, printMachine } from '../lib/machine.js';
import { printTable, fmtNumber, fmtRatio } from '../lib/table.js';
import { writeResults } from '../lib/results.js';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const quick = process.env.BENCH_QUICK === '1';
const sizes = (process.env.BENCH_WS_SIZES ?? '64,16384,1048576').split(',').map(Number);
const connections = Number(process.env.BENCH_WS_CONNECTIONS ?? 50);
const window = Number(process.env.BENCH_WS_WINDOW ?? 1);
const durationMs = Number(process.env.BENCH_WS_DURATION_MS ?? (quick ? 1000 : 5000));
const warmupMs = Number(process.env.BENCH_WS_WARMUP_MS ?? (quick ? 300 : 1000));
const rounds = Number(process.env.BENCH_WS_ROUNDS ?? (quick ? 1 : 3));
const taskset = process.env.BENCH_NO_PIN === '1' ? null : tasksetPath();

const SERVERS = [
  { label: 'wasmlane (wasm-simd)', script: 'servers/wasmlane-echo.js', env: { WASMLANE_ENGINE: 'wasm-simd' } },
  { label: 'wasmlane (js)', script: 'servers/wasmlane-echo.js', env: { WASMLANE_ENGINE: 'js' } },
  { label: 'ws + bufferutil', script: 'servers/ws-echo.js', env: {}, reference: true },
];
// Targets from the brief, against ws + bufferutil on the same machine.
const TARGETS = { 64: 1.3, 1048576: 1.0 };

function pinned(core, args) {
  return taskset ? [taskset, ['-c', String(core), ...args]] : [args[0], args.slice(1)];
}

function startServer(server) {
  const [cmd, args] = pinned(1, [process.execPath, here(server.script)]);
  const child = spawn(cmd, args, { env: { ...process.env, ...server.env }, stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => resolve({ child, port: JSON.parse(line).port }));
    child.once('exit', (code) => reject(new Error(`${server.label} exited with ${code} before listening`)));
  });
}

const rawSizes = (process.env.BENCH_WS_RAW_SIZES ?? '64').split(',').filter(Boolean).map(Number);
const rawWindow = Number(process.env.BENCH_WS_RAW_WINDOW ?? 16);

function runClient(port, size, raw = false) {
  const cfg = raw
    ? { port, connections, size, window: rawWindow, warmupMs, durationMs }
    : { url: `ws://127.0.0.1:${port}/`, connections, size, window, warmupMs, durationMs };
  const [cmd, args] = pinned(0, [process.execPath, here(raw ? 'raw-client.js' : 'client.js'), JSON.stringify(cfg)]);
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`client exited with ${code}`))));
  });
}

async function stop(child) {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

const machine = machineInfo({ pinned: Boolean(taskset), core: '1 (servers), 0 (client)', reason: 'taskset not found' });
printMachine(machine);
console.log(`echo: ${connections} connections × ${window} in flight, ${warmupMs} ms warm-up + ${durationMs} ms per run, ${rounds} rounds per cell`);

const median = (xs) => {
  const v = [...xs].sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};

const rows = [];
const cells = [...sizes.map((size) => ({ size, raw: false })), ...rawSizes.map((size) => ({ size, raw: true }))];
for (const { size, raw } of cells) {
  const runs = new Map(SERVERS.map((s) => [s.label, []]));
  const errors = new Map(SERVERS.map((s) => [s.label, 0]));
  const failures = new Map();
  for (let round = 0; round < rounds; round++) {
    // Rotate the order so no server always runs first (or last) in a round.
    const order = SERVERS.map((_, i) => SERVERS[(i + round) % SERVERS.length]);
    for (const server of order) {
      const { child, port } = await startServer(server);
      try {
        const r = await runClient(port, size, raw);
        runs.get(server.label).push(r.msgPerSec);
        errors.set(server.label, errors.get(server.label) + r.errors);
      } catch (err) {
        failures.set(server.label, String(err));
      } finally {
        await stop(child);
      }
    }
  }
  const cell = SERVERS.map((server) => {
    const xs = runs.get(server.label);
    const msgPerSec = xs.length ? median(xs) : undefined;
    return {
      size,
      group: `${size}${raw}`,
      client: raw ? `raw ×${rawWindow}` : `ws ×${window}`,
      server: server.label,
      reference: server.reference === true,
      msgPerSec,
      mbPerSec: msgPerSec === undefined ? undefined : (msgPerSec * size) / 1e6,
      spread: xs.length ? [Math.min(...xs), Math.max(...xs)] : undefined,
      runs: xs,
      errors: errors.get(server.label),
      error: failures.get(server.label),
    };
  });
  const ref = cell.find((r) => r.reference);
  for (const r of cell) r.ratio = ref?.msgPerSec && r.msgPerSec ? r.msgPerSec / ref.msgPerSec : undefined;
  rows.push(...cell);
}

const fmtSize = (n) => (n >= 1048576 ? `${n / 1048576} MiB` : n >= 1024 ? `${n / 1024} KiB` : `${n} B`);
printTable(
  rows,
  [
    { key: 'size', title: 'message', align: 'left', fmt: fmtSize },
    { key: 'client', title: 'client', align: 'left' },
    { key: 'server', title: 'server', align: 'left' },
    { key: 'msgPerSec', title: 'msg/s (median)', fmt: (v) => fmtNumber(v) },
    { key: 'spread', title: 'min–max', fmt: (v) => (v ? `${fmtNumber(v[0])}–${fmtNumber(v[1])}` : '—') },
    { key: 'mbPerSec', title: 'MB/s', fmt: (v) => fmtNumber(v) },
    { key: 'ratio', title: 'vs ws', fmt: fmtRatio },
    { key: 'errors', title: 'errors', fmt: (v, row) => (row.error ? row.error : String(v ?? 0)) },
  ],
  { title: '\nWebSocket echo', groupKey: 'group' },
);
console.log('');
for (const [size, goal] of Object.entries(TARGETS)) {
  for (const r of rows.filter((x) => x.size === Number(size) && x.server === 'wasmlane (wasm-simd)')) {
    const met = r.ratio !== undefined && r.ratio >= goal;
    console.log(`target: wasm-simd msg/s at ${fmtSize(Number(size))} ≥ ${goal}× ws (${r.client} client) — measured ${fmtRatio(r.ratio)} (${met ? 'met' : 'NOT met'})`);
  }
}
console.log(`results: ${writeResults('ws-echo', { connections, window, rawWindow, durationMs, warmupMs, rounds, rows }, machine)}`);
