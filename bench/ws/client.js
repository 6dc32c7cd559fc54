// The echo load generator: the `ws` package client (with bufferutil), run in its own process pinned
// to core 0 by bench/ws/run.js. Every connection keeps `window` binary messages of `size` bytes in
// flight: each echo that comes back is counted and answered with the next message.
//   node bench/ws/client.js '{"url":"ws://127.0.0.1:port/","connections":50,"size":64,"window":1,
//                            "warmupMs":1000,"durationMs":5000,"serverPid":n}'   → one JSON line on stdout
// serverPid: the server's CPU time is read over the measured interval (bench/lib/cpu.js).
import WebSocket from 'ws';
import { cpuMeter, cpuUsPer } from '../lib/cpu.js';

const cfg = JSON.parse(process.argv[2]);
const payload = Buffer.alloc(cfg.size);
for (let i = 0; i < cfg.size; i++) payload[i] = (i * 7 + 3) & 0xff;
let counting = false;
let messages = 0;
let errors = 0;
let running = true;

function open(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
    ws.binaryType = 'nodebuffer';
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

const sockets = [];
for (let i = 0; i < cfg.connections; i++) sockets.push(await open(cfg.url));
for (const ws of sockets) {
  ws.on('error', () => errors++);
  ws.on('message', (data) => {
    // A wrong echo is an error, not a message (memcmp: cheap next to the socket work, same for all servers).
    if (!data.equals(payload)) errors++;
    else if (counting) messages++;
    if (running) ws.send(payload, { binary: true });
  });
  for (let w = 0; w < (cfg.window ?? 1); w++) ws.send(payload, { binary: true });
}

await new Promise((r) => setTimeout(r, cfg.warmupMs));
const cpu = cpuMeter(cfg.serverPid);
counting = true;
cpu.start();
const start = process.hrtime.bigint();
await new Promise((r) => setTimeout(r, cfg.durationMs));
counting = false;
const serverCpuS = cpu.stop();
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
running = false;
const count = messages;
for (const ws of sockets) ws.terminate();
process.stdout.write(
  `${JSON.stringify({ messages: count, seconds, msgPerSec: count / seconds, mbPerSec: (count * cfg.size) / seconds / 1e6, errors, serverCpuS, cpuUsPerMsg: cpuUsPer(serverCpuS, count) })}\n`,
);
process.exit(0);
