// Broadcast fan-out load: `subscribers` raw WebSocket connections on /sub and one publisher on /pub.
// The server sends every message the publisher sends to every subscriber (wasmlane: server.publish;
// ws and the raw floor: a loop over the subscriber sockets with the frame built once). Subscribers
// are as cheap as the raw echo client: they count bytes, not frames, so the server is the bottleneck.
//
// Closed loop: the publisher keeps `window` messages in flight, where a message is in flight until
// every subscriber has it (counted over all subscribers: published × N − delivered ≤ window × N).
// Before measuring, one probe message must reach every subscriber with the exact expected frame.
//   node bench/ws/fanout-client.js '{"port":n,"subscribers":1000,"size":64,"window":8,"warmupMs":1000,
//                                   "durationMs":5000,"serverPid":n}'   → one JSON line on stdout
// msgPerSec = deliveries per second (one message reaching one subscriber); cpuUsPerMsg = server CPU
// µs per delivery over the measured interval (bench/lib/cpu.js).
import { maskedFrame, headerLength, openRaw } from './lib/frames.js';
import { cpuMeter, cpuUsPer } from '../lib/cpu.js';

const cfg = JSON.parse(process.argv[2]);
const N = cfg.subscribers ?? 1000;
const window = cfg.window ?? 8;
const frame = maskedFrame(cfg.size);
const frameLength = cfg.size + headerLength(cfg.size, false); // what a subscriber receives
const expected = Buffer.alloc(frameLength); // that frame, unmasked: FIN + binary, length, payload
expected[0] = 0x82;
{
  const h = headerLength(cfg.size, false);
  expected[1] = h === 2 ? cfg.size : h === 4 ? 126 : 127;
  if (h === 4) expected.writeUInt16BE(cfg.size, 2);
  if (h === 10) expected.writeBigUInt64BE(BigInt(cfg.size), 2);
  for (let i = 0; i < cfg.size; i++) expected[h + i] = (i * 7 + 3) & 0xff;
}
const batches = [];
for (let k = 0; k <= window; k++) batches.push(Buffer.concat(Array(k).fill(frame)));

let delivered = 0; // frames received, all subscribers together
let published = 0;
let running = false;
let errors = 0;
let publisher;

function pump() {
  if (!running) return;
  const inFlight = Math.ceil((published * N - delivered) / N);
  const room = window - inFlight;
  if (room <= 0) return;
  publisher.write(batches[room]);
  published += room;
}

async function subscribe() {
  const { socket, rest } = await openRaw(cfg.port, '/sub');
  const sub = { socket, pending: 0, first: null, frames: 0 };
  const onBytes = (chunk) => {
    if (sub.first === null || sub.first.length < frameLength) {
      sub.first = Buffer.concat([sub.first ?? Buffer.alloc(0), chunk]).subarray(0, frameLength);
    }
    sub.pending += chunk.length;
    const k = Math.floor(sub.pending / frameLength);
    if (k === 0) return;
    sub.pending -= k * frameLength;
    sub.frames += k;
    delivered += k;
    pump();
  };
  socket.on('data', onBytes);
  socket.on('error', () => errors++);
  if (rest.length) onBytes(rest);
  return sub;
}

const subs = [];
for (let i = 0; i < N; i += 50) subs.push(...(await Promise.all(Array.from({ length: Math.min(50, N - i) }, subscribe))));
({ socket: publisher } = await openRaw(cfg.port, '/pub'));
publisher.on('data', () => {}); // the servers send nothing back; drain anyway
publisher.on('error', () => errors++);

// Probe: one message must reach every subscriber, byte for byte, before anything is measured.
publisher.write(frame);
published = 1;
const deadline = Date.now() + 10_000;
while (subs.some((s) => s.frames < 1) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
const missing = subs.filter((s) => s.frames < 1).length;
const wrong = subs.filter((s) => s.first && !s.first.equals(expected)).length;
if (missing || wrong) {
  process.stderr.write(`fan-out probe: ${missing} of ${N} subscribers got nothing, ${wrong} got a wrong frame\n`);
  process.exit(1);
}

running = true;
pump();
// A stall (a message lost: a server dropped it for a slow subscriber) would stop the closed loop;
// count it as an error and forgive the missing deliveries so the run goes on.
let lastDelivered = -1;
const watchdog = setInterval(() => {
  if (delivered === lastDelivered && running) {
    errors++;
    published = Math.ceil(delivered / N);
    pump();
  }
  lastDelivered = delivered;
}, 1000);

await new Promise((r) => setTimeout(r, cfg.warmupMs));
const cpu = cpuMeter(cfg.serverPid);
const delivered0 = delivered;
cpu.start();
const start = process.hrtime.bigint();
await new Promise((r) => setTimeout(r, cfg.durationMs));
const count = delivered - delivered0;
const serverCpuS = cpu.stop();
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
running = false;
clearInterval(watchdog);
publisher.destroy();
for (const s of subs) s.socket.destroy();
process.stdout.write(
  `${JSON.stringify({ messages: count, seconds, msgPerSec: count / seconds, mbPerSec: (count * cfg.size) / seconds / 1e6, errors, serverCpuS, cpuUsPerMsg: cpuUsPer(serverCpuS, count), subscribers: N, window })}\n`,
);
process.exit(0);
