// node:http reference server: the same routes as every bench server, written the way a
// plain node:http application would (no framework), so it is the baseline the ratios use. With
// BENCH_TLS_KEY/BENCH_TLS_CERT (server-common.js tlsFromEnv) node:https serves the same handler on a
// second port, announced as tlsPort: the baseline of the https-hello workload.
import http from 'node:http';
import https from 'node:https';
import { HELLO, userJson, uploadJson, announce, onShutdown, tlsFromEnv } from '../lib/server-common.js';

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
  } else if (req.method === 'POST' && url === '/upload') {
    // Gather the whole body, as the other servers' body readers do, then answer its length.
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.stringify(uploadJson(Buffer.concat(chunks).length));
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  } else {
    res.writeHead(404, { 'content-length': 0 }).end();
  }
}

const tls = tlsFromEnv();
const servers = [http.createServer(handle), ...(tls ? [https.createServer(tls, handle)] : [])];
const ports = [];
for (const server of servers) {
  // node:http's defaults otherwise (keep-alive timeout 5 s); lift the per-socket request cap so
  // pipelined and long keep-alive runs are not cut short.
  server.maxRequestsPerSocket = 0;
  ports.push(await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port))));
}
announce(ports[0], { server: 'node-http', ...(tls ? { tlsPort: ports[1] } : {}) });
const stop = (server) => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); });
onShutdown(() => Promise.all(servers.map(stop)));
