// Scale-out benchmark (npm run bench:cluster [-- --quick]): same-run figures for
//  1. HTTP hello-world keep-alive throughput: one process, cluster of 1, cluster of N (round-robin
//     and OS scheduling), with the servers' CPU per request (primary + workers, from /proc/<pid>/stat):
//     on a 2-core machine the load generator shares the cores, so req/s alone understates the server.
//  2. Cross-process fan-out: 1 publisher → 1,000 WebSocket subscribers spread over processes, in
//     messages delivered per second: one process (in-process topics), a cluster of 2 (cluster broker
//     through the primary), two processes sharing a Redis (RedisBroker; needs redis-server).
// Subscribers are raw sockets that count bytes (every message is one 34-byte frame), so the
// subscribers cost little next to the servers.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { cpuMs } from '../lib/cpu.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes('--quick');
const DURATION = quick ? 3 : 10;
const CONNECTIONS = 50;
const SUBSCRIBERS = 1000;
const MESSAGES = quick ? 200 : 1000;
const FRAME = 34; // 2-byte header + 32-byte payload
const N = os.availableParallelism();
function startServer(cfg) {
  const child = spawn(process.execPath, [path.join(HERE, 'server.js'), JSON.stringify(cfg)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start')), 30_000);
    lines.once('line', (line) => {
      clearTimeout(timer);
      const server = { child, ...JSON.parse(line) };
      // Per-worker request counts (cluster only): how evenly the scheduling policy spread the load.
      server.spread = () => new Promise((done) => {
        lines.once('line', (l) => done(JSON.parse(l).requests));
        child.stdin.write('stats\n');
      });
      resolve(server);
    });
  });
}

function stop(server) {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null) return resolve();
    const kill = setTimeout(() => server.child.kill('SIGKILL'), 5000);
    server.child.once('exit', () => (clearTimeout(kill), resolve()));
    server.child.kill('SIGTERM');
  });
}

async function http(label, cfg, close = false) {
  const server = await startServer(cfg);
  const url = `http://127.0.0.1:${server.port}/`;
  // close: a new connection per request (every accept goes through the scheduling policy).
  const options = { url, connections: close ? 20 : CONNECTIONS, headers: close ? { connection: 'close' } : {} };
  await autocannon({ ...options, duration: 1 }); // warm-up (JIT, connections)
  const before = cfg.mode === 'cluster' ? await server.spread() : null;
  const cpu0 = cpuMs(server.pids);
  const result = await autocannon({ ...options, duration: DURATION });
  const cpu = cpuMs(server.pids) - cpu0;
  const after = cfg.mode === 'cluster' ? await server.spread() : null;
  await stop(server);
  const requests = result.requests.total;
  return {
    label, reqPerSec: Math.round(requests / DURATION), cpuUsPerReq: +((cpu * 1000) / requests).toFixed(1),
    serverCores: +(cpu / 1000 / DURATION).toFixed(2), errors: result.errors + result.non2xx,
    ...(after !== null ? { perWorker: after.map((n, i) => n - (before[i] ?? 0)) } : {}),
  };
}

/** A raw WebSocket subscriber: handshake, then count bytes after the 101 response. */
function subscriber(port) {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const sub = { bytes: 0, socket };
    let head = '';
    socket.on('error', reject);
    socket.on('connect', () => socket.write(`GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`));
    socket.on('data', (chunk) => {
      if (head !== null) {
        head += chunk.toString('latin1');
        const end = head.indexOf('\r\n\r\n');
        if (end === -1) return;
        sub.bytes += head.length - end - 4;
        head = null;
        resolve(sub);
        return;
      }
      sub.bytes += chunk.length;
    });
  });
}

const burst = (port, n) => fetch(`http://127.0.0.1:${port}/burst?n=${n}`, { headers: { connection: 'close' } }).then((r) => r.text());

async function waitFor(check, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 5));
  }
  return true;
}

async function fanOut(label, servers, publisherPort) {
  const ports = servers.map((s) => s.port);
  const subs = [];
  for (let i = 0; i < SUBSCRIBERS; i++) subs.push(await subscriber(ports[i % ports.length]));
  // Warm-up: probes until every subscriber got one (subscriptions reached the broker everywhere).
  for (let k = 0; !subs.every((s) => s.bytes >= FRAME); k++) {
    if (k > 400) throw new Error(`${label}: subscribers never all reached`);
    await burst(publisherPort, 1);
    await new Promise((r) => setTimeout(r, 25));
  }
  await new Promise((r) => setTimeout(r, 300));
  const base = subs.map((s) => s.bytes);
  const pids = servers.flatMap((s) => s.pids);
  const cpu0 = cpuMs(pids);
  const t0 = process.hrtime.bigint();
  for (let sent = 0; sent < MESSAGES; sent += 50) await burst(publisherPort, Math.min(50, MESSAGES - sent));
  const target = MESSAGES * FRAME;
  const complete = await waitFor(() => subs.every((s, i) => s.bytes - base[i] >= target), 60_000);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = cpuMs(pids) - cpu0;
  const delivered = subs.reduce((n, s, i) => n + Math.floor((s.bytes - base[i]) / FRAME), 0);
  for (const s of subs) s.socket.destroy();
  return {
    label, processes: servers.length === 1 ? servers[0].pids.length : servers.length, subscribers: SUBSCRIBERS, messages: MESSAGES,
    delivered, complete, msgPerSec: Math.round(delivered / seconds), cpuUsPerDelivery: +((cpu * 1000) / delivered).toFixed(2),
  };
}

async function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function startRedis() {
  const bin = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => { try { readFileSync(p); return true; } catch { return false; } });
  if (bin === undefined) return null;
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wasmlane-bench-redis-'));
  const child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 300));
  return { url: `redis://127.0.0.1:${port}`, stop: () => (child.kill('SIGKILL'), rmSync(dir, { recursive: true, force: true })) };
}

const out = { machine: { cpus: N, model: os.cpus()[0]?.model, node: process.version }, quick, durationS: DURATION, connections: CONNECTIONS, http: [], fanOut: [] };
console.error(`bench:cluster — ${N} cores, ${DURATION}s per HTTP run, ${CONNECTIONS} keep-alive connections (autocannon, same machine)`);
for (const [label, cfg] of [
  ['1 process (no cluster)', { mode: 'single' }],
  ['cluster, 1 worker (rr)', { mode: 'cluster', workers: 1, policy: 'rr' }],
  [`cluster, ${N} workers (rr)`, { mode: 'cluster', workers: N, policy: 'rr' }],
  [`cluster, ${N} workers (os)`, { mode: 'cluster', workers: N, policy: 'os' }],
]) {
  const r = await http(`${label}, keep-alive`, cfg);
  out.http.push(r);
  console.error(JSON.stringify(r));
}
// A new connection per request: where round-robin (the primary accepts and hands over each socket)
// and OS scheduling (workers accept from the shared socket) differ most.
for (const policy of ['rr', 'os']) {
  const r = await http(`cluster, ${N} workers (${policy}), connection: close`, { mode: 'cluster', workers: N, policy }, true);
  out.http.push(r);
  console.error(JSON.stringify(r));
}

{
  const single = await startServer({ mode: 'single' });
  out.fanOut.push(await fanOut('1 process, in-process topics', [single], single.port));
  await stop(single);
  const clustered = await startServer({ mode: 'cluster', workers: 2, policy: 'rr' });
  out.fanOut.push(await fanOut('cluster of 2, cluster broker', [clustered], clustered.port));
  await stop(clustered);
  const redis = await startRedis();
  if (redis === null) {
    out.fanOut.push({ label: '2 processes, Redis broker', skipped: 'redis-server not found' });
  } else {
    const a = await startServer({ mode: 'single', redis: redis.url });
    const b = await startServer({ mode: 'single', redis: redis.url });
    out.fanOut.push(await fanOut('2 processes, Redis broker', [a, b], a.port));
    await Promise.all([stop(a), stop(b)]);
    redis.stop();
  }
  for (const r of out.fanOut) console.error(JSON.stringify(r));
}
console.log(JSON.stringify(out, null, 2));
