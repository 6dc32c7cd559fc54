// wasmlane echo server over the built package (dist/). The frame codec engine comes from
// WASMLANE_ENGINE (wasm-simd | wasm | js), set by bench/ws/run.js.
//   WASMLANE_ENGINE=js node bench/ws/servers/wasmlane-echo.js
import { announce, onShutdown } from '../../http/lib/server-common.js';

const engine = process.env.WASMLANE_ENGINE ?? 'wasm-simd';
const handlers = { message: (ws, data, isBinary) => ws.send(data, isBinary) };
const options = { maxPayload: 64 * 1024 * 1024, heartbeatIntervalMs: 0, engine };

let close;
let port;
const pkg = await import('../../../dist/index.js').catch(() => ({}));
if (typeof pkg.Server === 'function' && typeof pkg.Server.prototype.ws === 'function') {
  const server = new pkg.Server({ host: '127.0.0.1', port: 0, engine });
  server.ws('/', handlers, options);
  ({ port } = await server.listen());
  close = () => server.close?.();
} else {
  // The HTTP core is not built yet: hand upgrades to the WebSocket layer straight from node:net.
  const { minimalUpgradeServer } = await import('./minimal-upgrade.js');
  ({ port, close } = await minimalUpgradeServer(handlers, options));
}
announce(port, { server: 'wasmlane', engine });
onShutdown(close);
