// The load generator, run as its own process (pinned to core 0 by the runner) so it never shares
// an event loop — or, when taskset exists, a core — with the server it measures.
//
//   node bench/http/lib/loadgen.js '<json>'   → prints one JSON result line on stdout
// input: {port, workload: {method, path, headers, body, connections, pipelining, close},
//         warmupS, durationS}
// output: {rps, requests, durationS, p50, p99, errors, non2xx, timeouts, tool}
// Latencies are in milliseconds. autocannon records whole milliseconds (its histogram's unit), so
// sub-millisecond p50s print as 0–1 ms; wrk and the close loop measure microseconds.
//
// Tool: wrk (C, one thread) when it is installed — on a 2-core machine a JavaScript load generator
// saturates its own core before a fast server saturates its core, so autocannon's figures cap
// around its own ceiling; BENCH_LOADGEN=autocannon forces autocannon (then Connection: close runs
// on the close loop, see close-loop.js). Without wrk, autocannon is used.
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
        url: `${w.tls ? 'https' : 'http'}://127.0.0.1:${port}${w.path}`,
        // The certificate was verified by the runner's check (workloads.js verify); here only load.
        ...(w.tls ? { tlsOptions: { rejectUnauthorized: false } } : {}),
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

async function runAutocannon(port, w, warmupS, durationS) {
  if (warmupS > 0) await cannon(port, w, warmupS);
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

async function runCloseLoop(port, w, warmupS, durationS) {
  const request = buildRequest(port, w);
  const o = { port, request, connections: w.connections };
  if (warmupS > 0) await closeLoop({ ...o, durationMs: warmupS * 1000 });
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

export async function generateLoad({ port, workload, warmupS, durationS, tool = chooseTool() }) {
  if (tool === 'wrk') return runWrk(port, workload, warmupS, durationS);
  return workload.close
    ? runCloseLoop(port, workload, warmupS, durationS)
    : runAutocannon(port, workload, warmupS, durationS);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const input = JSON.parse(process.argv[2]);
  const result = await generateLoad(input);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
