// Reference server: the `ws` package (bufferutil is picked up automatically when installed).
//   WS /      echo
//   WS /sub   joins the subscriber set
//   WS /pub   each message goes to every subscriber with the frame built ONCE: ws's public
//             Sender.frame() (ws#1016, made static for exactly this broadcast case) encodes
//             it, and the same buffer is written to each subscriber's socket — the socket
//             handleUpgrade was given, so no private field is touched. This bypasses ws's per-socket
//             send queue, which is safe here: subscribers get nothing else (no compression, no
//             pings). A plain `for (c of clients) c.send(data)` loop (ws's README) frames per client.
//   node bench/ws/servers/ws-echo.js
import http from 'node:http';
import { Sender, WebSocketServer } from 'ws';
import { announce, onShutdown } from '../../http/lib/server-common.js';

const subscribers = new Set(); // sockets
const server = http.createServer((_req, res) => res.writeHead(404, { 'content-length': 0 }).end());
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
server.on('upgrade', (req, socket, head) => {
  wss.handleUpgrade(req, socket, head, (ws) => {
    ws.on('error', () => {});
    if (req.url === '/sub') {
      subscribers.add(socket);
      ws.on('close', () => subscribers.delete(socket));
    } else if (req.url === '/pub') {
      ws.on('message', (data, isBinary) => {
        const frame = Buffer.concat(Sender.frame(data, { fin: true, rsv1: false, opcode: isBinary ? 2 : 1, mask: false, readOnly: false }));
        for (const s of subscribers) s.write(frame);
      });
    } else {
      ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    }
  });
});
server.listen(0, '127.0.0.1', () => announce(server.address().port, { server: 'ws' }));
onShutdown(() => new Promise((resolve) => { for (const c of wss.clients) c.terminate(); server.closeAllConnections?.(); server.close(() => resolve()); }));
