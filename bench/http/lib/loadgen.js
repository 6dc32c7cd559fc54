// The load generator, run as its own process (pinned to core 0 by the runner) so it never shares
// an event loop — or, when taskset exists, a core — with the server it measures.
//
//   node bench/http/lib/loadgen.js '<json>'   → prints one JSON result line on stdout
// input: {port, workload: {method, path, headers, body, connections, pipelining, close},
//         warmupS, durationS, pid?}
// output: {rps, requests, durationS, p50, p99, errors, non2xx, timeouts, tool, cpuUsPerRequest?}
// With `pid` (the server's), the server's CPU time (utime + stime from /proc/<pid>/stat) over the
// measured run is divided by the requests answered: steadier than req/s on a shared machine, where
// time other processes take from the server's core lowers req/s but not the CPU each request costs.
// Latencies are in milliseconds. autocannon records whole milliseconds (its histogram's unit), so
// sub-millisecond p50s print as 0–1 ms; wrk and the close loop measure microseconds.
//
// Tool: wrk (C, one thread) when it is installed — on a 2-core machine a JavaScript load generator
// saturates its own core before a fast server saturates its core, so autocannon's figures cap
// around its own ceiling; BENCH_LOADGEN=autocannon forces autocannon (then Connection: close runs
// on the close loop, see close-loop.js). Without wrk, autocannon is used.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { closeLoop, summarizeLatencies } from './close-loop.js';
import { runWrk, wrkAvailable } from './wrk.js';

function buildRequest(port, w) {
  const headers = { host: `127.0.0.1:${port}`, ...(w.headers ?? {}) };
  if (w.body != null) headers['content-length'] = String(Buffer.byteLength(w.body));
  let text = `${w.method} ${w.path} HTTP/1.1\r\n`;
  for (const [k, v] of Object.entries(headers)) text += `${k}: ${v}\r\n`;
  return Buffer.concat([Buffer.from(`${text}\r\n`, 'latin1'), Buffer.from(w.body ?? '', 'utf8')]);
}

function cannon(port, w, durationS) {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `http://127.0.0.1:${port}${w.path}`,
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

async function runAutocannon(port, w, durationS) {
  const r = await cannon(port, w, durationS);
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
  };
}

async function runCloseLoop(port, w, durationS) {
  const request = buildRequest(port, w);
  const o = { port, request, connections: w.connections };
  const r = await closeLoop({ ...o, durationMs: durationS * 1000 });
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

/** CPU time (utime + stime) of process `pid` in clock ticks, or null when it cannot be read. */
function cpuTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // fields 14 and 15 of proc(5)
  } catch {
    return null;
  }
}

let ticksPerSecond;
function clockTicks() {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

function runTool(tool, port, workload, durationS) {
  if (tool === 'wrk') return runWrk(port, workload, durationS);
  return workload.close ? runCloseLoop(port, workload, durationS) : runAutocannon(port, workload, durationS);
}

export async function generateLoad({ port, workload, warmupS, durationS, pid, tool = chooseTool() }) {
  if (warmupS > 0) await runTool(tool, port, workload, warmupS); // discarded
  const before = pid == null ? null : cpuTicks(pid);
  const result = await runTool(tool, port, workload, durationS);
  const after = before == null ? null : cpuTicks(pid);
  if (after != null && result.requests > 0) result.cpuUsPerRequest = ((after - before) * 1e6) / clockTicks() / result.requests;
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const input = JSON.parse(process.argv[2]);
  const result = await generateLoad(input);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
