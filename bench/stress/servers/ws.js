// The `ws` package under attack (bufferutil is picked up when installed), the way a plain ws
// application is written: WS /echo echoes; WS /sub joins a set; WS /pub broadcasts each message with
// a plain loop over that set (no slow-consumer policy: ws has none, it queues for every client).
//   node bench/stress/servers/ws.js
import http from 'node:http';
import { createRequire } from 'node:module';
import { WebSocketServer } from 'ws';
import { announce, onShutdown } from '../../http/lib/server-common.js';

const subscribers = new Set();
const server = http.createServer((req, res) => res.writeHead(404, { 'content-length': 0 }).end());
const wss = new WebSocketServer({ noServer: true });
server.on('upgrade', (req, socket, head) => {
  if (!['/echo', '/sub', '/pub'].includes(req.url)) return socket.destroy();
  wss.handleUpgrade(req, socket, head, (ws) => {
    ws.on('error', () => {});
    if (req.url === '/echo') ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    if (req.url === '/sub') {
      subscribers.add(ws);
      ws.on('close', () => subscribers.delete(ws));
    }
    if (req.url === '/pub') {
      ws.on('message', (data, isBinary) => {
        for (const client of subscribers) client.send(data, { binary: isBinary });
      });
    }
  });
});
server.listen(0, '127.0.0.1', () => announce(server.address().port, { server: 'ws', version: createRequire(import.meta.url)('ws/package.json').version }));
onShutdown(() => new Promise((resolve) => { for (const c of wss.clients) c.terminate(); server.closeAllConnections?.(); server.close(() => resolve()); }));
