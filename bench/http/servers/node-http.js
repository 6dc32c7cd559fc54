// node:http reference server: the same three routes as every bench server, written the way a
// plain node:http application would (no framework), so it is the baseline the ratios use. With
// BENCH_TLS_KEY/BENCH_TLS_CERT (server-common.js tlsFromEnv) node:https serves the same handler on
// a second port, announced as tlsPort: the baseline of the HTTPS workload.
import http from 'node:http';
import https from 'node:https';
import { HELLO, userJson, announce, onShutdown, tlsFromEnv } from '../lib/server-common.js';

const USER_PREFIX = '/users/';

function handle(req, res) {
  const url = req.url;
  if (req.method === 'GET' && url === '/') {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(HELLO) });
    res.end(HELLO);
  } else if (req.method === 'GET' && url.startsWith(USER_PREFIX) && url.indexOf('/', USER_PREFIX.length) === -1) {
    const body = JSON.stringify(userJson(url.slice(USER_PREFIX.length)));
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  } else if (req.method === 'POST' && url === '/echo') {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      let body;
      try {
        body = JSON.stringify(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        res.writeHead(400).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  } else {
    res.writeHead(404, { 'content-length': 0 }).end();
  }
}

const server = http.createServer(handle);
const tls = tlsFromEnv();
const secure = tls === null ? null : https.createServer(tls, handle);
// node:http's defaults otherwise (keep-alive timeout 5 s); lift the per-socket request cap so
// pipelined and long keep-alive runs are not cut short.
for (const s of [server, secure]) if (s) s.maxRequestsPerSocket = 0;
const listening = (s) => new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(s.address().port)));
const port = await listening(server);
const tlsPort = secure ? await listening(secure) : undefined;
announce(port, { server: 'node-http', ...(secure ? { tlsPort } : {}) });
const stop = (s) => new Promise((resolve) => { s.closeAllConnections?.(); s.close(() => resolve()); });
onShutdown(() => Promise.all([stop(server), secure && stop(secure)]));
