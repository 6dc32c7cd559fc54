// The load benchmark's workloads and servers, and the check that every server answers each workload
// with the same response before it is measured (a faster server that answers something else proves
// nothing).
import { Agent, request } from 'undici';
import net from 'node:net';
import { loadFixture } from '../../lib/fixtures.js';
import { HELLO, userJson } from './server-common.js';

const ECHO_BODY = loadFixture('post-json').body.toString('utf8');
/** An upload body of n ASCII bytes (ASCII so that it can sit in a wrk Lua string as it is). */
const uploadBody = (n) => 'abcdefghijklmnopqrstuvwxyz012345'.repeat(Math.ceil(n / 32)).slice(0, n);
const OCTETS = { 'content-type': 'application/octet-stream' };

export const WORKLOADS = [
  { id: 'hello', label: 'hello world, keep-alive', method: 'GET', path: '/', connections: 100 },
  {
    id: 'hello-close',
    label: 'hello world, Connection: close',
    method: 'GET',
    path: '/',
    // Spelled exactly so: the raw ceiling server looks for this header line byte for byte.
    headers: { Connection: 'close' },
    // Fewer than the keep-alive 100: each loop pays a TCP handshake and teardown, and 100 parallel
    // connects mostly measure the accept queue and the client's own connect cost.
    connections: 50,
    close: true,
  },
  { id: 'pipelined', label: 'hello world, 16-deep pipelining', method: 'GET', path: '/', connections: 100, pipelining: 16 },
  { id: 'users', label: 'GET /users/{id} → JSON', method: 'GET', path: '/users/42', connections: 100 },
  {
    id: 'echo',
    label: 'POST /echo, 1 KiB JSON',
    method: 'POST',
    path: '/echo',
    headers: { 'content-type': 'application/json' },
    body: ECHO_BODY,
    connections: 100,
  },
  // Uploads: the server reads the whole body and answers its length. The raw ceiling has no body
  // framing (it would take the chunked terminator for a second head), so it sits these out.
  { id: 'upload-16k', label: 'POST /upload, 16 KiB body', method: 'POST', path: '/upload', headers: OCTETS, body: uploadBody(16 * 1024), connections: 100, ceiling: false },
  {
    id: 'upload-1m-chunked',
    label: 'POST /upload, 1 MiB chunked',
    method: 'POST',
    path: '/upload',
    headers: { ...OCTETS, 'transfer-encoding': 'chunked' },
    body: uploadBody(1024 * 1024),
    chunkSize: 16 * 1024, // 64 chunks of 16 KiB, then the last chunk (RFC 9112 §7.1)
    // Fewer connections than the small workloads: each has 1 MiB in flight.
    connections: 16,
    ceiling: false,
  },
  // HTTPS (TLS 1.3 with the run's throwaway certificate, lib/tls.js), keep-alive: it measures record
  // encryption plus the HTTP work per request, not handshakes. Served only by the servers marked `tls`,
  // on their TLS port; node-http is node:https there, so "× node" is against node:https.
  { id: 'https-hello', label: 'hello world over TLS, keep-alive (vs node:https)', method: 'GET', path: '/', connections: 100, tls: true },
];

export const SERVERS = [
  // `tls`: also listens with TLS when given the run's certificate (the https-hello workload);
  // `tlsLabel`: what the server is on that workload.
  { id: 'wasmlane-wasm', label: 'wasmlane (wasm-simd)', script: 'wasmlane.js', args: ['wasm-simd'], wasmlane: true, tls: true },
  { id: 'wasmlane-js', label: 'wasmlane (js)', script: 'wasmlane.js', args: ['js'], wasmlane: true, tls: true },
  { id: 'node-http', label: 'node:http', script: 'node-http.js', baseline: true, tls: true, tlsLabel: 'node:https' },
  { id: 'fastify', label: 'fastify', script: 'fastify.js' },
  // The same hono app (lib/hono-app.js) on wasmlane's fetch adapter and on @hono/node-server.
  { id: 'hono-wasmlane', label: 'hono on wasmlane (serve)', script: 'hono-wasmlane.js', wasmlane: true },
  { id: 'hono-node-server', label: 'hono on @hono/node-server', script: 'hono-node-server.js' },
  // The ceiling answers every head with the hello response: it measures transport, not routes.
  { id: 'raw', label: 'raw net ceiling', script: 'raw.js', ceiling: true },
];

/**
 * Whether server runs workload w (otherwise: no run, no row). The raw ceiling sits out the workloads
 * it cannot answer (`ceiling: false`); a TLS workload runs on the servers marked `tls` only.
 */
export const runsOn = (server, w) => (w.tls ? server.tls === true : !(server.ceiling && w.ceiling === false));

/** What a correct answer to workload `w` looks like. */
export function expectedBody(w) {
  if (w.path === '/') return { text: HELLO };
  if (w.path.startsWith('/users/')) return { json: userJson(w.path.slice('/users/'.length)) };
  if (w.path === '/echo') return { json: JSON.parse(ECHO_BODY) };
  if (w.path === '/upload') return { json: { bytes: Buffer.byteLength(w.body) } };
  throw new Error(`no expected body for ${w.path}`);
}

function bodyMatches(w, text) {
  const exp = expectedBody(w);
  if (exp.text !== undefined) return text === exp.text;
  try {
    return JSON.stringify(JSON.parse(text)) === JSON.stringify(exp.json);
  } catch {
    return false;
  }
}

/**
 * The exact bytes of one request of workload `w`: its headers, then the body framed by Content-Length,
 * or in `w.chunkSize` chunks when the workload is chunked (then no Content-Length, RFC 9112 §6.3).
 * Used by the checks, the close loop and wrk (for chunked bodies), so all send the same request.
 */
export function buildRequest(port, w) {
  const headers = { host: `127.0.0.1:${port}`, ...(w.headers ?? {}) };
  let body = Buffer.from(w.body ?? '', 'utf8');
  if (w.chunkSize) {
    const parts = [];
    for (let at = 0; at < body.length; at += w.chunkSize) {
      const chunk = body.subarray(at, at + w.chunkSize);
      parts.push(Buffer.from(`${chunk.length.toString(16)}\r\n`, 'latin1'), chunk, Buffer.from('\r\n', 'latin1'));
    }
    parts.push(Buffer.from('0\r\n\r\n', 'latin1'));
    body = Buffer.concat(parts);
  } else if (w.body != null) headers['content-length'] = String(body.length);
  let text = `${w.method} ${w.path} HTTP/1.1\r\n`;
  for (const [k, v] of Object.entries(headers)) text += `${k}: ${v}\r\n`;
  return Buffer.concat([Buffer.from(`${text}\r\n`, 'latin1'), body]);
}

/**
 * Write `request` on a fresh connection and read one response: until the server closes (Connection:
 * close) or until its Content-Length body is complete.
 */
function rawExchange(port, request) {
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    let parsed = null;
    const s = net.connect(port, '127.0.0.1', () => s.write(request));
    const finish = () => {
      if (!parsed) return reject(new Error(`no complete response head: ${JSON.stringify(received.toString('latin1', 0, 80))}`));
      s.destroy();
      resolve({ status: parsed.status, headerCount: parsed.lines.length - 1, body: received.toString('utf8', parsed.bodyAt) });
    };
    s.setTimeout(5000, () => s.destroy(new Error('timeout')));
    s.on('data', (c) => {
      received = Buffer.concat([received, c]);
      if (!parsed) {
        const end = received.indexOf('\r\n\r\n');
        if (end < 0) return;
        const lines = received.toString('latin1', 0, end).split('\r\n');
        const length = lines.find((l) => /^content-length:/i.test(l));
        parsed = { lines, status: Number(lines[0].split(' ')[1]), bodyAt: end + 4, length: length ? Number(length.split(':')[1]) : null };
      }
      if (parsed.length != null && received.length >= parsed.bodyAt + parsed.length) finish();
    });
    s.on('error', reject);
    s.on('close', finish);
  });
}

/** One request through undici: over https for a TLS workload, trusting only `ca` (the run's CA). */
async function undiciExchange(port, w, ca) {
  const dispatcher = w.tls ? new Agent({ connect: { ca } }) : undefined;
  try {
    const r = await request(`${w.tls ? 'https' : 'http'}://127.0.0.1:${port}${w.path}`, {
      method: w.method,
      headers: w.headers,
      body: w.body,
      headersTimeout: 5000,
      bodyTimeout: 5000,
      dispatcher,
    });
    return { status: r.statusCode, headerCount: Object.keys(r.headers).length, body: await r.body.text() };
  } finally {
    await dispatcher?.close();
  }
}

/**
 * Send one request of workload `w` to a server; returns {ok, status, headerCount, reason}.
 * The raw ceiling is only expected to get the hello workloads right (and is not run on `ceiling: false`).
 * For a TLS workload `port` is the server's TLS port and `ca` the run's CA: the certificate must verify.
 */
export async function verify(port, w, server, ca) {
  if (server.ceiling && w.path !== '/') return { ok: true, skipped: 'ceiling answers hello to every route' };
  try {
    let status;
    let text;
    let headerCount;
    if (w.close || w.chunkSize) {
      // The exact bytes the load generator sends (undici would frame the body its own way).
      const r = await rawExchange(port, buildRequest(port, w));
      ({ status, headerCount } = r);
      text = r.body;
    } else {
      const r = await undiciExchange(port, w, ca);
      ({ status, headerCount } = r);
      text = r.body;
    }
    const ok = status === 200 && bodyMatches(w, text);
    return { ok, status, headerCount, reason: ok ? undefined : `status ${status}, body ${JSON.stringify(text.slice(0, 80))}` };
  } catch (err) {
    return { ok: false, reason: String(err?.message ?? err) };
  }
}
