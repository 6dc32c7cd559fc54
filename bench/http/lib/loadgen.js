// The load generator, run as its own process (pinned to core 0 by the runner) so it never shares
// an event loop — or, when taskset exists, a core — with the server it measures.
//
//   node bench/http/lib/loadgen.js '<json>'   → prints one JSON result line on stdout
//   node bench/http/lib/loadgen.js -          the same with the JSON on stdin
// input: {port, workload: {method, path, headers, body, chunkSize, connections, pipelining, close, tls},
//         warmupS, durationS, serverPid?}
// output: {rps, requests, durationS, p50, p99, errors, non2xx, timeouts, tool, serverCpuS, cpuUsPerReq}
// serverCpuS: the server process's user + system CPU seconds over the measured run only (read from
// /proc/<serverPid>/stat right before and right after it, bench/lib/cpu.js); cpuUsPerReq = that per
// request answered. The warm-up is excluded, and the server gets a moment to finish closing the
// warm-up's connections before the first reading.
// Latencies are in milliseconds. autocannon records whole milliseconds (its histogram's unit), so
// sub-millisecond p50s print as 0–1 ms; wrk and the close loop measure microseconds.
//
// Tool: wrk (C, one thread) when it is installed — on a 2-core machine a JavaScript load generator
// saturates its own core before a fast server saturates its core, so autocannon's figures cap
// around its own ceiling; BENCH_LOADGEN=autocannon forces autocannon (then Connection: close runs
// on the close loop, see close-loop.js). Without wrk, autocannon is used.
import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { closeLoop, summarizeLatencies } from './close-loop.js';
import { runWrk, wrkAvailable } from './wrk.js';
import { buildRequest } from './workloads.js';
import { cpuMeter, cpuUsPer } from '../../lib/cpu.js';

function cannon(port, w, durationS) {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        // https for a TLS workload; autocannon never verifies the certificate (verify() did).
        url: `${w.tls ? 'https' : 'http'}://127.0.0.1:${port}${w.path}`,
        method: w.method,
        headers: w.headers ?? {},
        body: w.body ?? undefined,
        connections: w.connections,
        pipelining: w.pipelining ?? 1,
        duration: durationS,
        timeout: 10,
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
  });
}

async function runAutocannon(port, w, warmupS, durationS, meter) {
  // autocannon always writes its own Content-Length: it cannot send a chunked body.
  if (w.chunkSize) throw new Error(`workload ${w.id ?? w.path} sends a chunked body, which needs wrk (autocannon frames bodies by Content-Length)`);
  if (warmupS > 0) await cannon(port, w, warmupS);
  await meter.start();
  const r = await cannon(port, w, durationS);
  const serverCpuS = meter.stop();
  const durationSec = r.duration || durationS;
  return {
    tool: 'autocannon',
    requests: r['2xx'],
    durationS: durationSec,
    rps: r['2xx'] / durationSec,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors,
    non2xx: r.non2xx,
    timeouts: r.timeouts,
    serverCpuS,
  };
}

async function runCloseLoop(port, w, warmupS, durationS, meter) {
  if (w.tls) throw new Error(`workload ${w.id ?? w.path}: the close loop speaks plain TCP only`);
  const request = buildRequest(port, w);
  const o = { port, request, connections: w.connections };
  if (warmupS > 0) await closeLoop({ ...o, durationMs: warmupS * 1000 });
  await meter.start();
  const r = await closeLoop({ ...o, durationMs: durationS * 1000 });
  const serverCpuS = meter.stop();
  const { p50, p99 } = summarizeLatencies(r.latenciesMs);
  return {
    tool: 'close-loop',
    requests: r.requests,
    durationS: r.durationS,
    rps: r.requests / r.durationS,
    p50,
    p99,
    errors: r.errors,
    non2xx: r.non2xx,
    timeouts: 0,
    serverCpuS,
  };
}

export function chooseTool(env = process.env) {
  const wanted = env.BENCH_LOADGEN ?? 'auto';
  if (wanted === 'autocannon') return 'autocannon';
  if (wanted === 'wrk' || wanted === 'auto') {
    if (wrkAvailable()) return 'wrk';
    if (wanted === 'wrk') throw new Error('BENCH_LOADGEN=wrk but wrk is not installed');
    return 'autocannon';
  }
  throw new Error(`BENCH_LOADGEN must be auto, wrk or autocannon (got ${wanted})`);
}

/** Reads the server's CPU time around the measured run (after a short settle following the warm-up). */
function serverMeter(pid, settleMs) {
  const cpu = cpuMeter(pid);
  return {
    async start() {
      if (settleMs > 0) await sleep(settleMs);
      cpu.start();
    },
    stop: () => cpu.stop(),
  };
}

export async function generateLoad({ port, workload, warmupS, durationS, serverPid, tool = chooseTool() }) {
  const meter = serverMeter(serverPid, warmupS > 0 ? 250 : 0);
  let r;
  if (tool === 'wrk') r = await runWrk(port, workload, warmupS, durationS, meter);
  else if (workload.close) r = await runCloseLoop(port, workload, warmupS, durationS, meter);
  else r = await runAutocannon(port, workload, warmupS, durationS, meter);
  return { ...r, serverCpuS: r.serverCpuS ?? null, cpuUsPerReq: cpuUsPer(r.serverCpuS, r.requests) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = process.argv[2];
  const input = JSON.parse(arg === '-' ? readFileSync(0, 'utf8') : arg);
  const result = await generateLoad(input);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
