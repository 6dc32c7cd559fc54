// wasmlane server (the built package, dist/) with the engine given as the first argument:
//   node bench/http/servers/wasmlane.js wasm-simd|wasm|js
// With BENCH_TLS_KEY/BENCH_TLS_CERT (server-common.js tlsFromEnv) a second Server with the same
// routes listens with the `tls` option (HTTPS) on another port, announced as tlsPort.
import { Server } from '../../../dist/index.js';
import { HELLO, userJson, uploadJson, UPLOAD_LIMIT, announce, onShutdown, tlsFromEnv } from '../lib/server-common.js';

const engine = process.argv[2] ?? 'wasm-simd';

async function start(options) {
  const server = new Server({ host: '127.0.0.1', port: 0, engine, ...options });
  server.get('/', (ctx) => ctx.send(HELLO));
  server.get('/users/{id}', (ctx) => ctx.json(userJson(ctx.params.id)));
  server.post('/echo', async (ctx) => ctx.json(await ctx.request.json()));
  server.post('/upload', async (ctx) => ctx.json(uploadJson((await ctx.request.bytes()).length)), { maxBodySize: UPLOAD_LIMIT });
  const { port } = await server.listen();
  return { server, port };
}

const tls = tlsFromEnv();
const plain = await start({});
const secure = tls ? await start({ tls }) : null;
announce(plain.port, { server: 'wasmlane', engine, ...(secure ? { tlsPort: secure.port } : {}) });
onShutdown(() => Promise.all([plain.server.close(), secure?.server.close()]));
