// wasmlane under attack (the built package, dist/). One JSON argument configures it:
//   node bench/stress/servers/wasmlane.js '{"engine":"auto","request":{…},"ws":{…},
//        "slowConsumerPolicy":"drop","maxPendingPongs":64}'
// request → new Server({request}); ws → every WebSocket route; slowConsumerPolicy → /sub only;
// maxPendingPongs → /echo only, and only when given (builds without the option reject or ignore it:
// the announcement says which, so the report never claims a limit that was not in force).
// Routes: GET / · POST /upload (reads the whole body, answers its length) · GET|POST /hang (never
// settles) · WS /echo (echo) · WS /sub (subscribes to topic "t") · WS /pub (publishes each message to "t").
import { Server } from '../../../dist/index.js';
import { announce, onShutdown } from '../../http/lib/server-common.js';

const cfg = JSON.parse(process.argv[2] ?? '{}');
const notes = [];
const server = new Server({ host: '127.0.0.1', port: 0, engine: cfg.engine ?? 'auto', request: cfg.request ?? {} });

server.get('/', (ctx) => ctx.send('ok'));
server.post('/upload', async (ctx) => {
  const body = await ctx.request.bytes();
  ctx.json({ received: body.length });
});
const never = () => new Promise(() => {});
server.get('/hang', never);
server.post('/hang', never);

const wsBase = { ...(cfg.ws ?? {}) };
let echoOptions = wsBase;
if (cfg.maxPendingPongs != null) {
  echoOptions = { ...wsBase, maxPendingPongs: cfg.maxPendingPongs };
  // Ask the option resolver directly: an unknown key may be rejected (WL_INVALID_CONFIG) or dropped.
  const resolver = await import('../../../dist/ws/options.js').catch(() => null);
  try {
    const resolved = resolver?.resolveWebSocketOptions(echoOptions);
    if (resolved && !('maxPendingPongs' in resolved)) notes.push('maxPendingPongs ignored by this build');
  } catch (err) {
    notes.push(`maxPendingPongs refused (${err.code ?? err.message})`);
    echoOptions = wsBase;
  }
}
const echo = { message: (ws, data, isBinary) => ws.send(data, isBinary) };
try {
  server.ws('/echo', echo, echoOptions);
} catch (err) {
  if (echoOptions === wsBase) throw err;
  notes.push(`maxPendingPongs refused (${err.code ?? err.message})`);
  server.ws('/echo', echo, wsBase);
}
server.ws('/sub', { open: (ws) => ws.subscribe('t') }, { ...wsBase, slowConsumerPolicy: cfg.slowConsumerPolicy ?? 'drop' });
server.ws('/pub', { message: (ws, data, isBinary) => server.publish('t', data, isBinary) }, wsBase);

const { port } = await server.listen();
announce(port, { server: 'wasmlane', notes });
onShutdown(() => server.close?.({ timeoutMs: 200 }));
