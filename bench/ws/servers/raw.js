// The raw `net` WebSocket floor: the least work a server can do per message, to measure the others
// against (CPU per message ÷ this = what a server costs on top of the transport). It is a FLOOR, not a
// WebSocket implementation: no UTF-8 validation, no fragmentation rules, no limits, no ping/pong,
// no close handshake beyond answering a close frame; it trusts the client completely.
//
//   GET /      echo: each frame goes back with the same first byte, an unmasked header and the
//              unmasked payload (RFC 6455 §5.2, §5.3), streamed: a 1 MiB frame is forwarded piece by
//              piece as it arrives, never gathered, one write per incoming chunk.
//   GET /sub   subscriber: receives what /pub sends; what it sends is ignored.
//   GET /pub   publisher: the complete frames of each incoming chunk are unmasked once into one
//              buffer, and that same buffer is written to every subscriber: one write per
//              subscriber per chunk, however many messages it holds (what a batching server does,
//              like the HTTP ceiling's one write per pipelined batch).
// Handshake: the request head up to CRLFCRLF, Sec-WebSocket-Accept from the key (§4.2.2), no checks.
// Unmasking uses bufferutil (what ws uses) from 48 bytes on, a JS loop below (ws's threshold too).
//   node bench/ws/servers/raw.js
import net from 'node:net';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { announce, onShutdown } from '../../http/lib/server-common.js';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'; // RFC 6455 §1.3
let nativeMask = null;
try {
  nativeMask = createRequire(import.meta.url)('bufferutil').mask;
} catch {
  // no bufferutil: the JS loop for every size
}

/** out[at + i] = src[i] ^ mask[(phase + i) & 3] for i < n. */
function unmaskInto(src, mask, phase, out, at, n) {
  if (nativeMask && n >= 48) {
    const m = phase === 0 ? mask : Buffer.from([mask[phase & 3], mask[(phase + 1) & 3], mask[(phase + 2) & 3], mask[(phase + 3) & 3]]);
    nativeMask(src, m, out, at, n);
  } else {
    for (let i = 0; i < n; i++) out[at + i] = src[i] ^ mask[(phase + i) & 3];
  }
}

/** Per connection: the frame header being gathered, then how much payload is left to forward. */
function frameState() {
  return { head: Buffer.alloc(14), headLen: 0, mask: Buffer.alloc(4), left: 0, phase: 0, closed: false };
}

/** Bytes of the client frame header once its first two bytes are known (2 + ext + 4 mask). */
const headSize = (b1) => 2 + ((b1 & 0x7f) === 126 ? 2 : (b1 & 0x7f) === 127 ? 8 : 0) + 4;

/**
 * Turn a chunk of client frames into server frames (unmasked), continuing a frame split over
 * chunks. Returns the output bytes; sets st.closed on a close frame (nothing after its echo is read).
 */
export function unmaskFrames(st, chunk) {
  const out = Buffer.allocUnsafe(chunk.length + 14);
  let o = 0;
  let i = 0;
  while (i < chunk.length && !(st.closed && st.left === 0)) {
    if (st.left > 0) {
      const n = Math.min(st.left, chunk.length - i);
      unmaskInto(chunk.subarray(i, i + n), st.mask, st.phase, out, o, n);
      i += n;
      o += n;
      st.left -= n;
      st.phase = (st.phase + n) & 3;
      continue;
    }
    st.head[st.headLen++] = chunk[i++];
    if (st.headLen < 2 || st.headLen < headSize(st.head[1])) continue;
    const len7 = st.head[1] & 0x7f;
    const len = len7 === 126 ? st.head.readUInt16BE(2) : len7 === 127 ? Number(st.head.readBigUInt64BE(2)) : len7;
    st.head.copy(st.mask, 0, st.headLen - 4, st.headLen);
    out[o] = st.head[0];
    if (len7 < 126) {
      out[o + 1] = len7;
      o += 2;
    } else {
      out[o + 1] = len7;
      st.head.copy(out, o + 2, 2, st.headLen - 4);
      o += st.headLen - 4;
    }
    st.headLen = 0;
    st.left = len;
    st.phase = 0;
    if ((st.head[0] & 0x0f) === 0x8) st.closed = true; // close: its echo (header + payload) is the last output
  }
  return out.subarray(0, o);
}

const subscribers = new Set();

function onFrames(socket, path) {
  const st = frameState();
  if (path === '/sub') {
    subscribers.add(socket);
    socket.on('close', () => subscribers.delete(socket));
    socket.on('data', () => {}); // ignored
    return;
  }
  if (path === '/pub') {
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      // Whole frames only (a subscriber must never get half a message): the chunk's complete frames
      // leave as one buffer, built once, written to every subscriber.
      buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
      let at = 0;
      while (buffered.length - at >= 2) {
        const size = headSize(buffered[at + 1]);
        if (buffered.length - at < size) break;
        const len7 = buffered[at + 1] & 0x7f;
        const len = len7 === 126 ? buffered.readUInt16BE(at + 2) : len7 === 127 ? Number(buffered.readBigUInt64BE(at + 2)) : len7;
        if (buffered.length - at < size + len) break;
        at += size + len;
      }
      if (at === 0) return;
      const messages = unmaskFrames(st, buffered.subarray(0, at));
      for (const sub of subscribers) sub.write(messages);
      buffered = buffered.subarray(at);
    });
    return;
  }
  socket.on('data', (chunk) => {
    const out = unmaskFrames(st, chunk);
    if (out.length) socket.write(out);
    if (st.closed && st.left === 0) socket.end();
  });
}

function onConnection(socket) {
  socket.setNoDelay(true);
  socket.on('error', () => socket.destroy());
  let head = Buffer.alloc(0);
  const onHead = (chunk) => {
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) return;
    socket.off('data', onHead);
    const text = head.toString('latin1', 0, end);
    const path = text.slice(text.indexOf(' ') + 1, text.indexOf(' ', text.indexOf(' ') + 1));
    const key = /\r\nsec-websocket-key:[ \t]*([^\r]*)/i.exec(text)?.[1].trim() ?? '';
    const accept = createHash('sha1').update(key + GUID).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    onFrames(socket, path);
    const rest = head.subarray(end + 4);
    if (rest.length) socket.emit('data', rest);
  };
  socket.on('data', onHead);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const server = net.createServer(onConnection);
  server.listen(0, '127.0.0.1', () => announce(server.address().port, { server: 'raw-ws' }));
  onShutdown(() => {
    for (const s of subscribers) s.destroy();
    return new Promise((resolve) => server.close(() => resolve()));
  });
}
