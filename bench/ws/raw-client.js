// A cheap load generator for small messages, so the SERVER is the bottleneck: plain node:net sockets
// that write pre-masked frames (encoded once; the server must still unmask every one) and count echo
// bytes instead of parsing frames. Each connection keeps `window` messages in flight. The echo
// content is not verified here (bench/ws/client.js does that); the frame length is.
//   node bench/ws/raw-client.js '{"port":n,"connections":50,"size":64,"window":16,"warmupMs":1000,
//                                "durationMs":5000,"serverPid":n}'   → one JSON line on stdout
// serverPid: the server's CPU time is read over the measured interval (bench/lib/cpu.js).
import { maskedFrame, headerLength, openRaw } from './lib/frames.js';
import { cpuMeter, cpuUsPer } from '../lib/cpu.js';

const cfg = JSON.parse(process.argv[2]);
const frame = maskedFrame(cfg.size);
const echoLength = cfg.size + headerLength(cfg.size, false); // unmasked reply
const window = cfg.window ?? 16;
const batches = []; // batches[k] = k frames in one buffer
for (let k = 0; k <= window; k++) batches.push(Buffer.concat(Array(k).fill(frame)));
let counting = false;
let messages = 0;
let errors = 0;
let running = true;

async function open() {
  const { socket, rest } = await openRaw(cfg.port, '/');
  let pending = 0; // echo bytes of a partly received reply
  const onEcho = (bytes) => {
    pending += bytes;
    const done = Math.floor(pending / echoLength);
    if (done === 0) return;
    pending -= done * echoLength;
    if (counting) messages += done;
    if (running) for (let left = done; left > 0; left -= window) socket.write(batches[Math.min(left, window)]);
  };
  socket.on('data', (chunk) => onEcho(chunk.length));
  socket.on('error', () => errors++);
  if (rest.length > 0) onEcho(rest.length);
  return socket;
}

const sockets = [];
for (let i = 0; i < cfg.connections; i++) sockets.push(await open());
for (const s of sockets) s.write(batches[window]);
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
for (const s of sockets) s.destroy();
process.stdout.write(
  `${JSON.stringify({ messages: count, seconds, msgPerSec: count / seconds, mbPerSec: (count * cfg.size) / seconds / 1e6, errors, serverCpuS, cpuUsPerMsg: cpuUsPer(serverCpuS, count) })}\n`,
);
process.exit(0);
