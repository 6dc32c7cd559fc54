// Reference echo server: the `ws` package (bufferutil is picked up automatically when installed).
//   node bench/ws/servers/ws-echo.js
import { WebSocketServer } from 'ws';
import { announce, onShutdown } from '../../http/lib/server-common.js';

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
});
wss.on('listening', () => announce(wss.address().port, { server: 'ws' }));
onShutdown(() => wss.close());
