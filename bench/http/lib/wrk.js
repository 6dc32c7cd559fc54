// wrk as the load generator (when installed): one thread, the workload's connections, its request
// (method, headers, body, pipelining depth) written as a Lua script, and a Lua `done` hook that
// prints the figures as one JSON line, so nothing is scraped from wrk's human-readable output.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

let available;
export function wrkAvailable() {
  if (available === undefined) {
    try {
      execFileSync('wrk', ['--version'], { stdio: 'ignore' });
      available = true;
    } catch (err) {
      // wrk --version exits 1 after printing its banner; only a missing binary is "not available".
      available = err?.code !== 'ENOENT' && err?.status != null;
    }
  }
  return available;
}

const luaString = (s) => `[==[${s}]==]`;

/** The Lua script for one workload: request shape, pipelining, and a JSON summary at the end. */
export function wrkScript(w) {
  const lines = [`wrk.method = "${w.method}"`];
  // Header names and values are ASCII, where a JSON string literal is also a Lua string literal.
  for (const [k, v] of Object.entries(w.headers ?? {})) lines.push(`wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`);
  if (w.body != null) lines.push(`wrk.body = ${luaString(w.body)}`);
  const depth = w.pipelining ?? 1;
  if (depth > 1) {
    // wrk counts the requests in the buffer request() returns and expects that many responses.
    lines.push('local batch', `init = function(args) batch = string.rep(wrk.format(), ${depth}) end`, 'request = function() return batch end');
  }
  lines.push(
    'done = function(summary, latency, requests)',
    '  local e = summary.errors',
    '  io.write(string.format(\'\\n{"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50_us":%d,"p99_us":%d}\\n\',',
    '    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,',
    '    latency:percentile(50), latency:percentile(99)))',
    'end',
  );
  return `${lines.join('\n')}\n`;
}

function wrkOnce(url, script, connections, seconds) {
  return new Promise((resolve, reject) => {
    const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', script, url];
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.once('exit', (code) => {
      const line = out.split('\n').reverse().find((l) => l.startsWith('{"requests"'));
      if (code === 0 && line) resolve(JSON.parse(line));
      else reject(new Error(`wrk failed (${code}): ${err || out}`));
    });
  });
}

export async function runWrk(port, w, durationS) {
  const dir = mkdtempSync(path.join(tmpdir(), 'wasmlane-wrk-'));
  try {
    const script = path.join(dir, 'workload.lua');
    writeFileSync(script, wrkScript(w));
    const url = `http://127.0.0.1:${port}${w.path}`;
    const r = await wrkOnce(url, script, w.connections, durationS);
    const durationSec = r.duration_us / 1e6;
    // wrk's summary.requests counts every complete response; errors.status counts status > 399.
    const ok = r.requests - r.status;
    return {
      tool: 'wrk',
      requests: ok,
      durationS: durationSec,
      rps: ok / durationSec,
      p50: r.p50_us / 1000,
      p99: r.p99_us / 1000,
      errors: r.connect + r.read + r.write,
      non2xx: r.status,
      timeouts: r.timeout,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
