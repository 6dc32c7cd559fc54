// The load benchmark's workloads and servers, and the check that every server answers each workload
// with the same response before it is measured (a faster server that answers something else proves
// nothing).
import { request } from 'undici';
import net from 'node:net';
import { loadFixture } from '../../lib/fixtures.js';
import { HELLO, userJson } from './server-common.js';

const ECHO_BODY = loadFixture('post-json').body.toString('utf8');

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
];

export const SERVERS = [
  { id: 'wasmlane-wasm', label: 'wasmlane (wasm-simd)', script: 'wasmlane.js', args: ['wasm-simd'], wasmlane: true },
  { id: 'wasmlane-js', label: 'wasmlane (js)', script: 'wasmlane.js', args: ['js'], wasmlane: true },
  { id: 'node-http', label: 'node:http', script: 'node-http.js', baseline: true },
  { id: 'fastify', label: 'fastify', script: 'fastify.js' },
  // The same hono app (lib/hono-app.js) on wasmlane's fetch adapter and on @hono/node-server.
  { id: 'hono-wasmlane', label: 'hono on wasmlane (serve)', script: 'hono-wasmlane.js', wasmlane: true },
  { id: 'hono-node-server', label: 'hono on @hono/node-server', script: 'hono-node-server.js' },
  // The ceiling answers every head with the hello response: it measures transport, not routes.
  { id: 'raw', label: 'raw net ceiling', script: 'raw.js', ceiling: true },
];

/** What a correct answer to workload `w` looks like. */
export function expectedBody(w) {
  if (w.path === '/') return { text: HELLO };
  if (w.path.startsWith('/users/')) return { json: userJson(w.path.slice('/users/'.length)) };
  if (w.path === '/echo') return { json: JSON.parse(ECHO_BODY) };
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

/** One request over a fresh connection with the workload's exact headers; for Connection: close. */
function rawExchange(port, w) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    const s = net.connect(port, '127.0.0.1', () => {
      let head = `${w.method} ${w.path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`;
      for (const [k, v] of Object.entries(w.headers ?? {})) head += `${k}: ${v}\r\n`;
      s.write(`${head}\r\n`);
    });
    s.setTimeout(5000, () => s.destroy(new Error('timeout')));
    s.on('data', (c) => chunks.push(c));
    s.on('error', reject);
    s.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const [head, ...rest] = text.split('\r\n\r\n');
      const lines = head.split('\r\n');
      resolve({ status: Number(lines[0].split(' ')[1]), headerCount: lines.length - 1, body: rest.join('\r\n\r\n'), closed: true });
    });
  });
}

/**
 * Send one request of workload `w` to a server; returns {ok, status, headerCount, reason}.
 * The raw ceiling is only expected to get the hello workloads right.
 */
export async function verify(port, w, server) {
  if (server.ceiling && w.path !== '/') return { ok: true, skipped: 'ceiling answers hello to every route' };
  try {
    let status;
    let text;
    let headerCount;
    if (w.close) {
      const r = await rawExchange(port, w);
      ({ status, headerCount } = r);
      text = r.body;
    } else {
      const r = await request(`http://127.0.0.1:${port}${w.path}`, {
        method: w.method,
        headers: w.headers,
        body: w.body,
        headersTimeout: 5000,
        bodyTimeout: 5000,
      });
      status = r.statusCode;
      headerCount = Object.keys(r.headers).length;
      text = await r.body.text();
    }
    const ok = status === 200 && bodyMatches(w, text);
    return { ok, status, headerCount, reason: ok ? undefined : `status ${status}, body ${JSON.stringify(text.slice(0, 80))}` };
  } catch (err) {
    return { ok: false, reason: String(err?.message ?? err) };
  }
}
