// node:http under attack, written the way a plain node:http application would be. One JSON argument:
//   node bench/stress/servers/node-http.js '{"requestTimeout":5000,"maxBodySize":1048576}'
// requestTimeout → server.requestTimeout (and headersTimeout, which may not exceed it), checked every
// 500 ms (connectionsCheckingInterval; Node's default of 30 s would make any timeout below that moot).
// maxBodySize → the app's own body limit in /upload (node:http has none): 413 + Connection: close.
// Routes: GET / · POST /upload (collects the body, answers its length) · GET|POST /hang (never answers).
import http from 'node:http';
import { announce, onShutdown } from '../../http/lib/server-common.js';

const cfg = JSON.parse(process.argv[2] ?? '{}');
const server = http.createServer({ connectionsCheckingInterval: 500 }, (req, res) => {
  if (req.url === '/hang') return; // never answers: nothing bounds this but the client
  if (req.method === 'POST' && req.url === '/upload') {
    const chunks = [];
    let received = 0;
    req.on('data', (chunk) => {
      received += chunk.length;
      if (cfg.maxBodySize != null && received > cfg.maxBodySize) {
        if (!res.headersSent) res.writeHead(413, { connection: 'close', 'content-length': 0 }).end();
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (res.headersSent) return;
      const body = JSON.stringify({ received: Buffer.concat(chunks).length });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
    });
    return;
  }
  res.writeHead(req.url === '/' ? 200 : 404, { 'content-length': 2 }).end('ok');
});
if (cfg.requestTimeout != null) {
  server.requestTimeout = cfg.requestTimeout;
  server.headersTimeout = Math.min(server.headersTimeout, cfg.requestTimeout);
}
server.listen(0, '127.0.0.1', () => announce(server.address().port, { server: 'node-http', requestTimeout: server.requestTimeout }));
onShutdown(() => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }));
