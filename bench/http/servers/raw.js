// The raw `net` ceiling: no HTTP parsing at all. It counts the ends of request heads (CRLFCRLF,
// RFC 9112 §2.1) in the incoming bytes and writes one fixed hello-world response per head, all
// responses for one chunk in one write. Whatever an HTTP server does on top of this is its cost, so
// "% of raw" says how much of the transport's capacity a server keeps.
//
// Limits, on purpose: every head gets the hello response whatever its route (the ceiling measures
// transport, not application work); a request body is scanned too (the benchmark bodies contain no
// CRLFCRLF); "Connection: close" is honoured by looking for that exact header line in the chunk
// (the load generator sends it spelled exactly so) — then the socket is ended after the response.
import net from 'node:net';
import { HELLO, announce, onShutdown } from '../lib/server-common.js';

const CR = 13;
const LF = 10;
const CLOSE_LINE = Buffer.from('\r\nConnection: close\r\n', 'latin1');

let dateLine = '';
let responseKeepAlive;
let responseClose;
function buildResponses() {
  dateLine = `Date: ${new Date().toUTCString()}\r\n`;
  const head = (conn) =>
    `HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${HELLO.length}\r\n${dateLine}Connection: ${conn}\r\n\r\n${HELLO}`;
  responseKeepAlive = Buffer.from(head('keep-alive'), 'latin1');
  responseClose = Buffer.from(head('close'), 'latin1');
}
buildResponses();
// The Date header changes once per second (RFC 9110 §6.6.1), like every other server's cache.
setInterval(buildResponses, 1000).unref();

/**
 * Count CRLFCRLF in buf[0, len) continuing from `state` (how many bytes of CR LF CR LF the previous
 * chunk ended with). Returns count * 4 + new state, to stay allocation-free.
 */
export function countHeads(buf, state) {
  let count = 0;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (c === CR) state = state === 2 ? 3 : 1;
    else if (c === LF && (state === 1 || state === 3)) {
      if (state === 3) {
        count++;
        state = 0;
      } else state = 2;
    } else state = 0;
  }
  return count * 4 + state;
}

function respond(socket, count) {
  if (count === 1) return socket.write(responseKeepAlive);
  // Pipelined heads: one write of `count` responses (what a batching server would do).
  const all = Buffer.allocUnsafe(responseKeepAlive.length * count);
  for (let i = 0; i < count; i++) responseKeepAlive.copy(all, i * responseKeepAlive.length);
  return socket.write(all);
}

function onConnection(socket) {
  let state = 0;
  socket.setNoDelay(true);
  socket.on('data', (chunk) => {
    const r = countHeads(chunk, state);
    state = r & 3;
    const heads = r >>> 2;
    if (heads === 0) return;
    if (chunk.indexOf(CLOSE_LINE) !== -1) {
      if (heads > 1) respond(socket, heads - 1);
      socket.end(responseClose);
      return;
    }
    respond(socket, heads);
  });
  socket.on('error', () => socket.destroy());
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const server = net.createServer(onConnection);
  server.listen(0, '127.0.0.1', () => announce(server.address().port, { server: 'raw' }));
  onShutdown(() => new Promise((resolve) => server.close(() => resolve())));
}
