// A load loop for the "Connection: close" workload: each of `connections` workers opens a TCP
// connection, sends one request, reads the response until the server closes, and starts over.
//
// Why not autocannon here: with `Connection: close` autocannon writes its next request on the
// closing socket before it sees the close, then reconnects (twice on an error), and its
// `reconnectRate` option resets the connection before the response is counted — so neither path
// counts one request per connection reliably. This loop does exactly one request per connection,
// and counts a response only when it is complete and starts with "HTTP/1.1 200".
import net from 'node:net';
import { percentile } from './stats.js';

/**
 * @param {{port: number, host?: string, request: Buffer, connections: number, durationMs: number}} o
 * @returns {Promise<{requests: number, errors: number, non2xx: number, durationS: number, latenciesMs: number[]}>}
 */
export function closeLoop(o) {
  const host = o.host ?? '127.0.0.1';
  const latenciesMs = [];
  let requests = 0;
  let errors = 0;
  let non2xx = 0;
  const started = performance.now();
  const deadline = started + o.durationMs;

  const one = () =>
    new Promise((resolve) => {
      const t0 = performance.now();
      const chunks = [];
      let settled = false;
      // write, not end: a real client does not half-close before the response (RFC 9112 §9.6).
      const socket = net.connect(o.port, host, () => socket.write(o.request));
      socket.setNoDelay(true);
      socket.on('data', (c) => chunks.push(c));
      const finish = (failed) => {
        if (settled) return;
        settled = true;
        if (failed) errors++;
        else {
          const head = Buffer.concat(chunks).subarray(0, 12).toString('latin1');
          if (head === 'HTTP/1.1 200') {
            requests++;
            latenciesMs.push(performance.now() - t0);
          } else non2xx++;
        }
        resolve();
      };
      socket.on('end', () => finish(chunks.length === 0));
      socket.on('close', () => finish(chunks.length === 0));
      socket.on('error', () => {
        socket.destroy();
        finish(true);
      });
    });

  const worker = async () => {
    while (performance.now() < deadline) await one();
  };
  return Promise.all(Array.from({ length: o.connections }, worker)).then(() => ({
    requests,
    errors,
    non2xx,
    durationS: (performance.now() - started) / 1000,
    latenciesMs,
  }));
}

export function summarizeLatencies(latenciesMs) {
  const sorted = Float64Array.from(latenciesMs).sort();
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}
