// wasmlane server (the built package, dist/) with the engine given as the first argument:
//   node bench/http/servers/wasmlane.js wasm-simd|wasm|js
import { Server } from '../../../dist/index.js';
import { HELLO, userJson, uploadJson, UPLOAD_LIMIT, announce, onShutdown } from '../lib/server-common.js';

const engine = process.argv[2] ?? 'wasm-simd';
const server = new Server({ host: '127.0.0.1', port: 0, engine });
server.get('/', (ctx) => ctx.send(HELLO));
server.get('/users/{id}', (ctx) => ctx.json(userJson(ctx.params.id)));
server.post('/echo', async (ctx) => ctx.json(await ctx.request.json()));
server.post('/upload', async (ctx) => ctx.json(uploadJson((await ctx.request.bytes()).length)), { maxBodySize: UPLOAD_LIMIT });
const { port } = await server.listen();
announce(port, { server: 'wasmlane', engine });
onShutdown(() => server.close?.());
