// The public types, checked by tsc (vitest typecheck, never run) against the PUBLISHED declarations:
// 'wasmlane' resolves through package.json "exports" to dist/index.d.ts (tsconfig.build.json,
// stripInternal). Each `@ts-expect-error` is a mistake that must not compile: if it ever compiles,
// the directive itself is reported as unused and the test fails.
import { describe, expectTypeOf, test } from 'vitest';
import { connect, Server, Status } from 'wasmlane';
import type {
  Context, Middleware, Params, RouteGroup, TlsConfig, UpgradeRequest, UpgradeVerdict, WebSocket, WebSocketEvents,
  WebSocketOptions,
} from 'wasmlane';

const server = new Server({ host: '127.0.0.1', port: 0 });

describe('route params', () => {
  test('from the pattern: plain, regex-constrained and wildcard parameters', () => {
    server.get('/users/{id}/files/{name:[a-z]+}/{*rest}', (ctx) => {
      expectTypeOf(ctx.params).toEqualTypeOf<{ id: string; name: string; rest: string }>();
      // @ts-expect-error not a parameter of this pattern
      void ctx.params.user;
    });
    server.post('/plain', (ctx) => {
      expectTypeOf(ctx.params).toEqualTypeOf<{}>();
    });
    server.on('PROPFIND', '/dav/{*path}', (ctx) => {
      expectTypeOf(ctx.params.path).toBeString();
    });
  });

  test('a non-literal pattern gives a string record', () => {
    const pattern: string = '/x/{y}';
    server.get(pattern, (ctx) => {
      expectTypeOf(ctx.params).toEqualTypeOf<Record<string, string>>();
    });
  });

  test('group prefixes add their params, nested groups too', () => {
    server.group('/orgs/{org}', (orgs) => {
      expectTypeOf(orgs).toEqualTypeOf<RouteGroup<'/orgs/{org}'>>();
      orgs.get('/repos/{repo}', (ctx) => {
        expectTypeOf(ctx.params).toEqualTypeOf<{ org: string; repo: string }>();
        return ctx.send(ctx.params.org + ctx.params.repo);
      });
      orgs.group('teams/{team:\\w+}', (teams) => {
        teams.delete('/{member}', (ctx) => {
          expectTypeOf(ctx.params).toEqualTypeOf<{ org: string; team: string; member: string }>();
        });
      });
      orgs.ws('/live/{channel}', {
        upgrade: (request) => {
          expectTypeOf(request.params).toEqualTypeOf<Readonly<{ org: string; channel: string }>>();
          return true;
        },
      });
    });
  });
});

describe('middleware params', () => {
  test('server level: any route, so a string record', () => {
    server.requestMiddleware((ctx) => {
      expectTypeOf(ctx).toEqualTypeOf<Context<Params>>();
      expectTypeOf(ctx.params.anything).toBeString();
    });
    server.responseMiddleware((ctx) => {
      expectTypeOf(ctx.params).toEqualTypeOf<Params>();
      return Status.Continue;
    });
  });

  test('group level: Params too (it may run before routing, where no params are known)', () => {
    server.group('/orgs/{org}', (orgs) => {
      orgs.requestMiddleware((ctx) => {
        expectTypeOf(ctx).toEqualTypeOf<Context<Params>>();
        // @ts-expect-error params are read-only
        ctx.params.org = 'x';
      });
      const needsOrg: Middleware<Context<{ org: string }>> = (ctx) => void ctx.params.org;
      // @ts-expect-error not promised before routing: use it as route-level middleware instead
      orgs.requestMiddleware(needsOrg);
      orgs.get('/repos', (ctx) => ctx.send(ctx.params.org), { requestMiddleware: [needsOrg] });
    });
  });

  test('a plain (ctx: Context) function fits every level', () => {
    const plain = (ctx: Context): void => void ctx.request.path;
    server.requestMiddleware(plain);
    server.group('/orgs/{org}', (orgs) => {
      orgs.responseMiddleware(plain);
      orgs.get('/repos/{repo}', plain, { requestMiddleware: [plain] });
    });
  });

  test('route level: the route params, also through the group prefix', () => {
    server.group('/orgs/{org}', (orgs) => {
      orgs.get('/repos/{repo}', (ctx) => ctx.send('ok'), {
        requestMiddleware: [(ctx) => {
          expectTypeOf(ctx.params).toEqualTypeOf<{ org: string; repo: string }>();
        }],
        responseMiddleware: [async (ctx) => {
          // @ts-expect-error not a parameter of this route
          void ctx.params.id;
          return Status.Reject;
        }],
      });
    });
  });

  test('a middleware written for a param the route lacks does not fit it', () => {
    const needsId: Middleware<Context<{ id: string }>> = (ctx) => void ctx.params.id;
    server.get('/items/{id}', (ctx) => ctx.send(ctx.params.id), { requestMiddleware: [needsId] });
    // @ts-expect-error '/items' has no {id}
    server.get('/items', (ctx) => ctx.send('all'), { requestMiddleware: [needsId] });
  });

  test('a middleware returns Status, nothing, or a promise of those', () => {
    // @ts-expect-error a string is not a Status
    server.requestMiddleware(() => 'continue');
  });
});

describe('WebSocket routes', () => {
  test('ws.data is typed from what upgrade returns as { data }', () => {
    server.ws('/chat/{room}', {
      upgrade: (request) => (request.header('authorization') === undefined
        ? 401
        : { data: { user: 'ann', room: request.params.room } }),
      open(ws) {
        expectTypeOf(ws).toEqualTypeOf<WebSocket<{ user: string; room: string }>>();
        expectTypeOf(ws.data.user).toBeString();
      },
      message(ws, data, isBinary) {
        expectTypeOf(ws.data.room).toBeString();
        expectTypeOf(data).toEqualTypeOf<Buffer>();
        expectTypeOf(isBinary).toBeBoolean();
        // @ts-expect-error not in the upgrade's data
        void ws.data.admin;
      },
      close(ws, code, reason) {
        expectTypeOf(ws.data.user).toBeString();
        expectTypeOf(code).toBeNumber();
        expectTypeOf(reason).toEqualTypeOf<Buffer>();
      },
    });
  });

  test('an async upgrade (auth lookup) types ws.data too; without upgrade it is unknown', () => {
    server.ws('/async', {
      async upgrade(request: UpgradeRequest) {
        await Promise.resolve(request.path);
        return request.header('x-token') === undefined ? { status: 401 } : { data: { id: 7 } };
      },
      open(ws) {
        expectTypeOf(ws.data.id).toBeNumber();
      },
    });
    server.ws('/plain', {
      open(ws) {
        expectTypeOf(ws.data).toBeUnknown();
      },
    });
  });

  test('the upgrade return type is checked', () => {
    expectTypeOf<{ status: 403 }>().toExtend<UpgradeVerdict>();
    server.ws('/bad', {
      // @ts-expect-error a string is not a verdict
      upgrade: () => 'yes',
    });
    server.ws('/bad-status', {
      // @ts-expect-error status is a number
      upgrade: () => ({ status: '401' }),
    });
  });

  test('options are WebSocketOptions: a typo or a bad value does not compile', () => {
    server.ws('/opts', {}, { maxPayload: 1024, perMessageDeflate: { threshold: 256 }, slowConsumerPolicy: 'close' });
    // @ts-expect-error maxPayLoad is a typo of maxPayload
    server.ws('/typo', {}, { maxPayLoad: 1024 });
    // @ts-expect-error not a policy
    server.ws('/policy', {}, { slowConsumerPolicy: 'block' });
    // @ts-expect-error a typo inside perMessageDeflate
    server.ws('/deflate', {}, { perMessageDeflate: { treshold: 1 } });
    expectTypeOf<WebSocketOptions['heartbeatIntervalMs']>().toEqualTypeOf<number | undefined>();
  });

  test('events are typed; an unknown event name does not compile', async () => {
    const ws = await connect('ws://127.0.0.1:1/', { handshakeTimeoutMs: 1000, maxPayload: 1 << 20 });
    expectTypeOf(ws).toEqualTypeOf<WebSocket<unknown>>();
    ws.on('message', (data, isBinary) => {
      expectTypeOf(data).toEqualTypeOf<Buffer>();
      expectTypeOf(isBinary).toBeBoolean();
    });
    ws.once('close', (code, reason) => {
      expectTypeOf(code).toBeNumber();
      expectTypeOf(reason).toEqualTypeOf<Buffer>();
    });
    ws.on('error', (error) => expectTypeOf(error.code).toEqualTypeOf<string | undefined>());
    ws.on('open', () => {});
    expectTypeOf<WebSocketEvents['ping']>().toEqualTypeOf<[data: Buffer]>();
    // @ts-expect-error data is a Buffer, not a string
    ws.on('message', (data: string) => data);
    // @ts-expect-error no such event
    ws.on('mesage', () => {});
    // @ts-expect-error handleProtocols is a server option
    await connect('ws://127.0.0.1:1/', { handleProtocols: () => false });
    // @ts-expect-error handshakeTimeout is a typo of handshakeTimeoutMs
    await connect('ws://127.0.0.1:1/', { handshakeTimeout: 1000 });
  });

  test('a typed socket goes in an untyped collection', () => {
    const all = new Set<WebSocket>();
    server.ws('/set', {
      upgrade: () => ({ data: { n: 1 } }),
      open(ws) {
        all.add(ws);
      },
    });
  });
});

describe('internals are not part of the published types', () => {
  test('Context', () => {
    server.get('/internals', (ctx) => {
      // @ts-expect-error internal
      void ctx.finished;
      // @ts-expect-error internal
      void ctx.stream_;
      // @ts-expect-error internal
      ctx.resetForError();
      // @ts-expect-error internal
      ctx.chainDone();
      // @ts-expect-error internal
      ctx.chainFailed(new Error('x'));
      // @ts-expect-error internal
      void ctx.owner;
      // @ts-expect-error internal
      void ctx.halted;
      expectTypeOf(ctx.headersSent).toBeBoolean();
      expectTypeOf(ctx.sent).toBeBoolean();
    });
  });

  test('Server', () => {
    // @ts-expect-error internal
    void server.routeFor;
    // @ts-expect-error internal
    server.addRoute('GET', '/', () => {}, undefined, []);
    // @ts-expect-error internal
    void server.answers;
    // @ts-expect-error internal
    void server.createHeadParser;
    // @ts-expect-error internal
    void server.connectionClosed;
    // @ts-expect-error gone with the App/Server split
    void server.dispatch;
    // @ts-expect-error gone with the App/Server split
    void server.fillError;
    expectTypeOf(server.listen).returns.resolves.toEqualTypeOf<{ host: string; port: number }>();
  });

  test('the tls option and the request scheme', () => {
    const tls: TlsConfig = { key: 'PEM', cert: 'PEM', SNICallback: (_name, cb) => cb(null, undefined) };
    void new Server({ tls });
    // @ts-expect-error ALPN is the server's
    void new Server({ tls: { key: 'PEM', cert: 'PEM', ALPNCallback: () => 'h2' } });
    server.get('/scheme', (ctx) => {
      expectTypeOf(ctx.request.secure).toBeBoolean();
      expectTypeOf(ctx.request.protocol).toEqualTypeOf<'https' | 'http'>();
    });
    server.ws('/secure', { upgrade: (request) => request.secure });
    // @ts-expect-error internal (the HTTP/2 seam)
    void server.acceptAlpn;
  });
});

