// GENERATED from README.md and docs/types.md by test/types/doc-samples.ts: do not edit by hand.
// Regenerate after changing a sample: UPDATE_DOC_SAMPLES=1 npx vitest run test/types/readme-sync.test.ts
import { describe, expectTypeOf, test } from 'vitest';
import { Server, Status, compress, connect, cors, serveStatic, type Context, type Middleware } from 'wasmlane';

// README.md:37
export async function sample1(): Promise<void> {
  const server = new Server({ host: '127.0.0.1', port: 8080 });
  server.get('/hello/{name}', (ctx) => ctx.send(`Hello, ${ctx.params.name}!`));
  const { port } = await server.listen();
  console.log(`listening on http://127.0.0.1:${port}`);
}

// README.md:55
export async function sample2(): Promise<void> {
  const server = new Server({ host: '127.0.0.1', port: 8080, request: { maxBodySize: 64 * 1024 } });
  server.use(cors({ origin: ['https://app.example'], credentials: true })); // preflights on any path
  server.use(compress());                                                   // br / gzip / deflate
  server.get('/assets/{*path}', serveStatic('./public', { prefix: '/assets', maxAge: 3600 }));
  server.get('/users/{id:\\d+}', (ctx) => ctx.json({ id: Number(ctx.params.id) }));
  server.post('/echo', async (ctx) => ctx.json(await ctx.request.json()));     // invalid JSON → 400
  server.ws('/chat', {
    open(ws) { ws.subscribe('chat'); },
    message(ws, data, isBinary) { server.publish('chat', data, isBinary); }, // to every subscriber
  });
  server.get('/events', (ctx) => { ctx.sse().subscribe('chat'); });           // the same topic, as SSE
  server.onRequestError((err, ctx) => { ctx.json({ error: err.code }); });    // 404, 405, 413, 4xx …
  await server.listen();
  process.once('SIGINT', () => server.close({ timeoutMs: 5000 }));            // graceful shutdown
}

// docs/types.md:14
export async function sample3(): Promise<void> {
  const server = new Server();
  server.get('/users/{id:\\d+}/files/{*path}', (ctx) => {
    const id: string = ctx.params.id;      // { id: string; path: string }
    return ctx.json({ id: Number(id), path: ctx.params.path });
  });
  // @ts-expect-error the pattern has no {user}
  server.get('/users/{id}', (ctx) => ctx.send(ctx.params.user));
}

// docs/types.md:33
export async function sample4(): Promise<void> {
  const server = new Server();
  server.group('/orgs/{org}', (orgs) => {
    orgs.get('/repos/{repo}', (ctx) => ctx.send(`${ctx.params.org}/${ctx.params.repo}`), {
      requestMiddleware: [(ctx) => {
        // Route-level middleware runs after the match: { org: string; repo: string }
        if (ctx.params.org === 'blocked') {
          ctx.status(403).send('no');
          return Status.Reject;
        }
      }],
    });
    orgs.group('/teams/{team}', (teams) => {
      teams.get('/', (ctx) => ctx.json({ org: ctx.params.org, team: ctx.params.team }));
    });
  });
}

// docs/types.md:70
export async function sample5(): Promise<void> {
  const server = new Server();
  const loadItem: Middleware<Context<{ id: string }>> = (ctx) => {
    ctx.attributes.set('item', ctx.params.id);
  };
  server.get('/items/{id}', (ctx) => ctx.json(ctx.attributes.get('item')), { requestMiddleware: [loadItem] });
  // @ts-expect-error '/items' has no {id}
  server.get('/items', (ctx) => ctx.send('all'), { requestMiddleware: [loadItem] });
  // @ts-expect-error server middleware may run before routing: no {id} promised
  server.requestMiddleware(loadItem);
}

// docs/types.md:100
export async function sample6(): Promise<void> {
  const server = new Server();
  server.ws('/rooms/{room}', {
    async upgrade(request) {
      const token = request.header('authorization');
      if (token === undefined) return 401;
      return { data: { user: token.slice(7), room: request.params.room } };
    },
    open(ws) {
      ws.subscribe(ws.data.room);                       // ws.data: { user: string; room: string }
    },
    message(ws, data, isBinary) {
      ws.publish(ws.data.room, `${ws.data.user}: ${data.toString()}`, isBinary);
    },
  }, { maxPayload: 64 * 1024, heartbeatIntervalMs: 15_000 });

  // @ts-expect-error maxPayLoad is not an option (maxPayload is)
  server.ws('/typo', {}, { maxPayLoad: 1024 });
}

// docs/types.md:150
export async function sample7(): Promise<void> {
  const ws = await connect('ws://127.0.0.1:8080/rooms/lobby', { headers: { authorization: 'Bearer ann' } });
  ws.on('message', (data, isBinary) => console.log(isBinary ? data : data.toString()));
  ws.once('close', (code, reason) => console.log('closed', code, reason.toString()));
  // @ts-expect-error there is no 'mesage' event
  ws.on('mesage', () => {});
}

describe('documentation samples compile', () => {
  test('README.md:37', () => expectTypeOf(sample1).toBeFunction());
  test('README.md:55', () => expectTypeOf(sample2).toBeFunction());
  test('docs/types.md:14', () => expectTypeOf(sample3).toBeFunction());
  test('docs/types.md:33', () => expectTypeOf(sample4).toBeFunction());
  test('docs/types.md:70', () => expectTypeOf(sample5).toBeFunction());
  test('docs/types.md:100', () => expectTypeOf(sample6).toBeFunction());
  test('docs/types.md:150', () => expectTypeOf(sample7).toBeFunction());
});
