#!/usr/bin/env node
// `npm run stress` — attacks against whole servers in child processes, with the server's memory and
// what the attacker saw, next to the same attack on node:http or `ws` (+ bufferutil). Not a test:
// it asserts nothing, it reports what happened (a limit that is not enforced shows as such).
//
//   node bench/stress/run.js [scenario…] [--quick] [--pending-pongs N] [--engine auto|wasm-simd|wasm|js]
//   scenarios (names or numbers): ping-flood (1), echo-flood (2), slow-bodies (3), tiny-segments and
//   tiny-segments-over-limit (4), chunk-size-line (5), stalled-subscriber (6), hung-handler (7); default all.
//   --quick             smaller counts and shorter runs (about 90 s in all)
//   --pending-pongs N   give wasmlane's WS route maxPendingPongs: N (refused or ignored by builds
//                       without the option: the note column says so)
//   STRESS_RSS_CAP_MB=2048   the harness stops an attack once the server's RSS passes this
//   BENCH_NO_PIN=1           do not pin the servers to core 1 (taskset)
//
// Per scenario × server: a fresh server process (bench/stress/servers/*.js), its VmRSS sampled every
// 50 ms from /proc/<pid>/status by a worker thread, VmHWM read at the end, the attack's outcome
// (status / close code, closed by the server and how, bytes the server's kernel took, time to the
// cut, connections still open). Output: a markdown table and bench/results/stress-<stamp>.json.
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { tasksetPath, machineInfo, printMachine } from '../lib/machine.js';
import { writeResults, timestamp } from '../lib/results.js';
import { startServer, killAll } from '../http/lib/processes.js';
import { scenarios } from './lib/scenarios.js';
import { sampleRss, readStatus, socketCount } from './lib/monitor.js';
import { fmtBytes, fmtKb, fmtSeconds } from './lib/outcome.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    quick: { type: 'boolean', default: false },
    'pending-pongs': { type: 'string' },
    engine: { type: 'string', default: 'auto' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

const all = scenarios({ quick: values.quick, pendingPongs: values['pending-pongs'] != null ? Number(values['pending-pongs']) : null, engine: values.engine });
if (values.help) {
  console.log('node bench/stress/run.js [scenario…] [--quick] [--pending-pongs N] [--engine auto|wasm-simd|wasm|js]');
  for (const s of all) console.log(`  ${String(s.n).padStart(2)}  ${s.id.padEnd(26)} ${s.title}`);
  process.exit(0);
}
const picked = positionals.length
  ? all.filter((s) => positionals.some((p) => p === s.id || p === String(s.n)))
  : all;
const unknown = positionals.filter((p) => !all.some((s) => p === s.id || p === String(s.n)));
if (unknown.length || !picked.length) {
  console.error(`unknown scenario: ${unknown.join(', ') || '(none picked)'} (known: ${all.map((s) => `${s.id} (${s.n})`).join(', ')})`);
  process.exit(2);
}

const capKb = Number(process.env.STRESS_RSS_CAP_MB || 2048) * 1024;
const taskset = process.env.BENCH_NO_PIN !== '1' && os.cpus().length > 1 ? tasksetPath() : null;
let interrupted = false;
const rows = []; // finished runs, also printed when the run is interrupted

/** One scenario against one server: fresh child, RSS sampler, attack, VmHWM, teardown. */
async function runCell(scenario, server) {
  const row = { scenario: scenario.id, n: scenario.n, title: scenario.title, server: server.label, impl: server.impl, params: scenario.params, config: server.config };
  let instance;
  try {
    instance = await startServer({
      script: new URL(`./servers/${server.script}`, import.meta.url),
      args: [JSON.stringify(server.config)],
      taskset,
      core: taskset ? 1 : null,
    });
  } catch (err) {
    return { ...row, error: `did not start: ${String(err.message).split('\n')[0]}` };
  }
  const { pid, child } = instance;
  row.serverNotes = instance.notes ?? [];
  row.serverInfo = { ...instance, child: undefined, stderr: undefined, stop: undefined };
  let exited = null;
  child.once('exit', (code, signal) => (exited = signal ?? `code ${code}`));
  const start = readStatus(pid);
  const baseSockets = socketCount(pid) ?? 0;
  const sampler = sampleRss(pid);
  let capHit = false;
  const ctx = {
    stop() {
      if (interrupted) return 'interrupted';
      if (exited) return `server process exited (${exited})`;
      if (sampler.lastKb() > capKb) {
        capHit = true;
        return `cut by harness: server RSS above the ${fmtKb(capKb)} cap`;
      }
      return null;
    },
    serverOpen() {
      const n = socketCount(pid);
      return n == null ? null : Math.max(0, n - baseSockets);
    },
  };
  const t0 = performance.now();
  try {
    Object.assign(row, await scenario.attack(instance.port, scenario.params, ctx));
  } catch (err) {
    row.error = `attack failed: ${err.message}`;
  }
  row.durationMs = performance.now() - t0;
  const end = readStatus(pid);
  const { peakKb, samples } = await sampler.stop();
  row.baseRssKb = start?.rssKb ?? null;
  row.peakRssKb = Math.max(peakKb, end?.rssKb ?? 0) || null;
  row.hwmKb = end?.hwmKb ?? null;
  row.samples = samples;
  row.capHit = capHit;
  if (exited) row.note = [row.note, `server process exited (${exited})`].filter(Boolean).join('; ');
  await instance.stop();
  return row;
}

const cell = (v) => String(v ?? '—').replace(/\|/g, '\\|');

function markdownTable(rows) {
  const cols = [
    ['#', (r) => r.n],
    ['scenario', (r) => r.scenario],
    ['server', (r) => r.server],
    ['peak RSS', (r) => fmtKb(r.peakRssKb)],
    ['VmHWM', (r) => fmtKb(r.hwmKb)],
    ['outcome', (r) => r.error ?? r.outcome],
    ['closed by server', (r) => r.closedByServer],
    ['accepted', (r) => (r.acceptedBytes == null ? '—' : fmtBytes(r.acceptedBytes))],
    ['cut after', (r) => r.cut ?? (r.cutMs != null ? fmtSeconds(r.cutMs) : '—')],
    ['open at end (client/server)', (r) => (r.error ? '—' : `${r.openClient ?? '—'}/${r.openServer ?? '—'}`)],
    ['note', (r) => [r.note, ...(r.serverNotes ?? [])].filter(Boolean).join('; ')],
  ];
  const lines = [`| ${cols.map((c) => c[0]).join(' | ')} |`, `|${cols.map((c, i) => (i === 0 || i > 2 && i < 5 ? '---:' : '---')).join('|')}|`];
  for (const r of rows) lines.push(`| ${cols.map(([, f]) => cell(f(r))).join(' | ')} |`);
  return lines.join('\n');
}

async function main() {
  const machine = machineInfo({ pinned: !!taskset, core: 1, reason: taskset === null ? 'taskset not found or BENCH_NO_PIN=1' : '' });
  if (taskset) machine.pinned = 'servers on core 1 (taskset); attacker unpinned';
  printMachine(machine);
  if (!existsSync(new URL('../../dist/index.js', import.meta.url))) console.log('note: dist/index.js is missing (run `npm run build`): the wasmlane servers will not start');
  const cells = picked.reduce((n, s) => n + s.servers.length, 0);
  console.log(`${values.quick ? 'quick run: ' : ''}${picked.length} scenario(s), ${cells} runs; server RSS cap ${fmtKb(capKb)} (STRESS_RSS_CAP_MB)\n`);
  const stamp = timestamp();
  const began = performance.now();
  for (const scenario of picked) {
    console.log(`${scenario.n}. ${scenario.title}`);
    for (const server of scenario.servers) {
      if (interrupted) break;
      const row = await runCell(scenario, server);
      rows.push(row);
      const mem = `peak RSS ${fmtKb(row.peakRssKb)} (start ${fmtKb(row.baseRssKb)}, VmHWM ${fmtKb(row.hwmKb)})`;
      console.log(`   ${server.label.padEnd(40)} ${row.error ?? row.outcome} · closed by server: ${row.closedByServer ?? '—'} · ${mem} · ${fmtSeconds(row.durationMs)}`);
      if (row.note || row.serverNotes?.length) console.log(`   ${''.padEnd(40)} ${[row.note, ...(row.serverNotes ?? [])].filter(Boolean).join('; ')}`);
    }
  }
  console.log(`\n${markdownTable(rows)}\n`);
  console.log(`${rows.length} runs in ${fmtSeconds(performance.now() - began)}; peak RSS = highest VmRSS sampled every 50 ms, VmHWM = the kernel's high-water mark (includes start-up); accepted = bytes the server's side of the connection took in (kernel buffers included); open at end = connections the server had not closed when the attack stopped (client view / server's socket count).`);
  const json = writeResults('stress', { options: { quick: values.quick, engine: values.engine, pendingPongs: values['pending-pongs'] ?? null, rssCapMb: capKb / 1024, pinned: !!taskset }, rows }, machine, stamp);
  console.log(`results: ${json}`);
}

process.once('SIGINT', () => {
  interrupted = true;
  killAll();
  if (rows.length) console.log(`\ninterrupted; finished runs so far (no results file written):\n\n${markdownTable(rows)}`);
  process.exit(130);
});
main().catch((err) => {
  console.error(err?.stack ?? err);
  killAll();
  process.exit(1);
});
