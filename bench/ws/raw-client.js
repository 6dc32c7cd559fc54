// A cheap load generator for small messages, so the SERVER is the bottleneck: plain node:net sockets
// that write pre-masked frames (encoded once; the server must still unmask every one) and count echo
// bytes instead of parsing frames. Each connection keeps `window` messages in flight. The echo
// content is not verified here (bench/ws/client.js does that); the frame length is.
//   node bench/ws/raw-client.js '{"port":n,"connections":50,"size":64,"window":16,"warmupMs":1000,"durationMs":5000}'
import { connect } from 'node:net';
import { randomBytes } from 'node:crypto';

const cfg = JSON.parse(process.argv[2]);
const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

function maskedFrame(size) {
  const ext = size < 126 ? 0 : size < 65536 ? 2 : 8;
  const head = Buffer.alloc(2 + ext + 4);
  head[0] = 0x82; // FIN + binary
  head[1] = 0x80 | (ext === 0 ? size : ext === 2 ? 126 : 127);
  if (ext === 2) head.writeUInt16BE(size, 2);
  if (ext === 8) head.writeBigUInt64BE(BigInt(size), 2);
  const key = randomBytes(4);
  key.copy(head, 2 + ext);
  const body = Buffer.alloc(size);
  for (let i = 0; i < size; i++) body[i] = ((i * 7 + 3) & 0xff) ^ key[i & 3];
  return Buffer.concat([head, body]);
}

const frame = maskedFrame(cfg.size);
const echoLength = cfg.size + 2 + (cfg.size < 126 ? 0 : cfg.size < 65536 ? 2 : 8); // unmasked reply
const window = cfg.window ?? 16;
const batches = []; // batches[k] = k frames in one buffer
for (let k = 0; k <= window; k++) batches.push(Buffer.concat(Array(k).fill(frame)));
let counting = false;
let messages = 0;
let running = true;

function open() {
  return new Promise((resolve, reject) => {
    const socket = connect(cfg.port, '127.0.0.1');
    socket.setNoDelay(true);
    let head = '';
    let pending = 0; // echo bytes of a partly received reply
    const onHead = (d) => {
      head += d.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      if (!head.startsWith('HTTP/1.1 101')) return reject(new Error(head.split('\r\n')[0]));
      socket.off('data', onHead);
      const rest = Buffer.byteLength(head.slice(end + 4), 'latin1');
      socket.on('data', (chunk) => onEcho(chunk.length));
      if (rest > 0) onEcho(rest);
      resolve(socket);
    };
    function onEcho(bytes) {
      pending += bytes;
      const done = Math.floor(pending / echoLength);
      if (done === 0) return;
      pending -= done * echoLength;
      if (counting) messages += done;
      if (running) for (let left = done; left > 0; left -= window) socket.write(batches[Math.min(left, window)]);
    }
    socket.on('data', onHead);
    socket.once('error', reject);
    socket.write(
      `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
  });
}

const sockets = [];
for (let i = 0; i < cfg.connections; i++) sockets.push(await open());
for (const s of sockets) s.write(batches[window]);
await new Promise((r) => setTimeout(r, cfg.warmupMs));
counting = true;
const start = process.hrtime.bigint();
await new Promise((r) => setTimeout(r, cfg.durationMs));
counting = false;
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
running = false;
const count = messages;
for (const s of sockets) s.destroy();
process.stdout.write(
  `${JSON.stringify({ messages: count, seconds, msgPerSec: count / seconds, mbPerSec: (count * cfg.size) / seconds / 1e6, errors: 0 })}\n`,
);
process.exit(0);
