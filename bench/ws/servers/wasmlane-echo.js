// wasmlane WebSocket server over the built package (dist/) for bench:ws. The frame codec engine comes
// from WASMLANE_ENGINE (wasm-simd | wasm | js), set by bench/ws/run.js.
//   WS /      echo
//   WS /sub   subscribes to topic "fan"
//   WS /pub   each message is published to "fan" (server.publish: one frame built, written N times)
//   WASMLANE_ENGINE=js node bench/ws/servers/wasmlane-echo.js
import { Server } from '../../../dist/index.js';
import { announce, onShutdown } from '../../http/lib/server-common.js';

const engine = process.env.WASMLANE_ENGINE ?? 'wasm-simd';
const options = { maxPayload: 64 * 1024 * 1024, heartbeatIntervalMs: 0, engine };

const server = new Server({ host: '127.0.0.1', port: 0, engine });
server.ws('/', { message: (ws, data, isBinary) => ws.send(data, isBinary) }, options);
server.ws('/sub', { open: (ws) => void ws.subscribe('fan') }, options);
server.ws('/pub', { message: (_ws, data, isBinary) => void server.publish('fan', data, isBinary) }, options);
const { port } = await server.listen();
announce(port, { server: 'wasmlane', engine });
onShutdown(() => server.close?.());
