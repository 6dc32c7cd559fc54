// wasmlane demo: `npm start` (builds first), then open http://127.0.0.1:8080 (PORT overrides).
// All demo routes are registered in routes() below; the WebSocket/SSE part adds its own there.
import { Server, Status } from 'wasmlane';
import { liveRoutes } from './live.js';

const port = Number(process.env.PORT ?? 8080);
const server = new Server({ host: '127.0.0.1', port });

function routes(app) {
  // A request middleware: stamp the start time for the response middleware below.
  app.requestMiddleware((ctx) => {
    ctx.attributes.set('start', process.hrtime.bigint());
    return Status.Continue;
  });
  app.responseMiddleware((ctx) => {
    const start = ctx.attributes.get('start');
    // A streamed response (the SSE /stats route) has its head on the wire already.
    if (ctx.headersSent) return;
    if (start !== undefined) ctx.header('server-timing', `app;dur=${Number(process.hrtime.bigint() - start) / 1e6}`);
  });

  liveRoutes(app, server); // GET / (chat page), WS /chat, SSE /stats
  app.get('/hello/{name}', (ctx) => ctx.send(`Hello, ${ctx.params.name}!\n`));
  app.get('/users/{id:\\d+}', (ctx) => ctx.json({ id: Number(ctx.params.id), name: `user ${ctx.params.id}` }));
  app.post('/echo', async (ctx) => {
    const type = ctx.request.header('content-type') ?? '';
    if (type.startsWith('application/json')) ctx.json({ echo: await ctx.request.json() });
    else ctx.json({ echo: await ctx.request.text() });
  });
}

routes(server);
const bound = await server.listen(); // PORT=0 → an ephemeral port: print the one we got
console.log(`wasmlane demo listening on http://127.0.0.1:${bound.port}`);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    server.close({ timeoutMs: 5000 }).then(() => process.exit(0));
  });
}
