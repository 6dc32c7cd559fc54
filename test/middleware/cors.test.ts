// cors(): preflights and actual requests over real sockets with undici — allowed and denied origins,
// lists, RegExp, async functions, credentials (never '*'), Vary (appended, never duplicated),
// exposed headers, max-age, preflightContinue, private network access, config errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { cors } from '../../src/middleware/cors.js';
import { Status } from '../../src/hooks.js';
import { WasmlaneError } from '../../src/errors.js';
import { start } from '../server/helpers.js';
import type { Running } from '../server/helpers.js';

const A = 'https://app.example';
const B = 'http://127.0.0.1:5173';
const EVIL = 'https://evil.example';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

async function call(app: Running, path: string, method: string, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await request(`${app.url}${path}`, { method: method as 'GET', headers });
  return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
}

function preflight(app: Running, path: string, origin: string, extra: Record<string, string> = {}): Promise<Answer> {
  return call(app, path, 'OPTIONS', { origin, 'access-control-request-method': 'PUT', ...extra });
}

const vary = (a: Answer): string[] => String(a.headers['vary'] ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');

describe('cors() with the default origin "*"', () => {
  let app: Running;
  let handled = 0;
  beforeAll(async () => {
    app = await start((s) => {
      s.use(cors());
      s.route('/api', (ctx) => {
        handled++;
        ctx.json({ method: ctx.request.method });
      });
    });
  });
  afterAll(() => app.close());

  it('puts Access-Control-Allow-Origin: * on an actual request, without Vary: Origin', async () => {
    const a = await call(app, '/api', 'GET', { origin: A });
    expect(a.status).toBe(200);
    expect(a.headers['access-control-allow-origin']).toBe('*');
    expect(a.headers['access-control-allow-credentials']).toBeUndefined();
    expect(vary(a)).not.toContain('Origin');
  });

  it('answers a preflight with 204, the default methods and the reflected request headers; the handler never runs', async () => {
    const before = handled;
    const a = await preflight(app, '/api', A, { 'access-control-request-headers': 'x-custom, content-type' });
    expect(a.status).toBe(204);
    expect(a.body).toBe('');
    expect(a.headers['content-length']).toBeUndefined(); // RFC 9110 §8.6: none on 204
    expect(a.headers['access-control-allow-origin']).toBe('*');
    expect(a.headers['access-control-allow-methods']).toBe('GET, HEAD, PUT, PATCH, POST, DELETE');
    expect(a.headers['access-control-allow-headers']).toBe('x-custom, content-type');
    expect(vary(a)).toEqual(['Access-Control-Request-Headers']);
    expect(a.headers['access-control-max-age']).toBeUndefined();
    expect(handled).toBe(before);
  });

  it('an OPTIONS without Access-Control-Request-Method is not a preflight: it reaches the handler', async () => {
    const a = await call(app, '/api', 'OPTIONS', { origin: A });
    expect(a.status).toBe(200);
    expect(JSON.parse(a.body)).toEqual({ method: 'OPTIONS' });
    expect(a.headers['access-control-allow-origin']).toBe('*');
  });
});

describe('cors() with an allow-list, credentials and the other options', () => {
  let app: Running;
  let handled = 0;
  beforeAll(async () => {
    app = await start((s) => {
      s.use(cors({
        origin: [A, /^http:\/\/127\.0\.0\.1:\d+$/g], // the g flag must not make every other test() fail
        credentials: true,
        methods: ['GET', 'PUT'],
        allowedHeaders: ['x-token'],
        exposedHeaders: ['x-request-id', 'x-total'],
        maxAge: 600,
        privateNetwork: true,
      }));
      s.requestMiddleware((ctx) => {
        if (ctx.request.header('x-token') === 'bad') {
          ctx.status(401).send('no');
          return Status.Reject;
        }
      });
      s.route('/api', (ctx) => {
        handled++;
        ctx.header('x-request-id', '7').send('ok');
      });
      s.get('/vary', (ctx) => ctx.header('vary', 'Accept-Language').send('v'));
      s.get('/vary-origin', (ctx) => ctx.header('vary', 'accept-language, origin').send('v'));
      s.get('/boom', () => {
        throw new Error('boom');
      });
      s.onPanic(() => {}); // expected: keep the test output quiet
    });
  });
  afterAll(() => app.close());

  it('echoes an allowed origin (exact string) with credentials, exposed headers and Vary: Origin', async () => {
    const a = await call(app, '/api', 'GET', { origin: A });
    expect(a.headers['access-control-allow-origin']).toBe(A);
    expect(a.headers['access-control-allow-credentials']).toBe('true');
    expect(a.headers['access-control-expose-headers']).toBe('x-request-id, x-total');
    expect(vary(a)).toEqual(['Origin']);
    expect(a.headers['x-request-id']).toBe('7');
  });

  it('matches a RegExp on every request, even with the g flag', async () => {
    for (let i = 0; i < 3; i++) {
      const a = await call(app, '/api', 'GET', { origin: B });
      expect(a.headers['access-control-allow-origin']).toBe(B);
    }
  });

  it('a denied origin gets the response without any Access-Control-* field, but with Vary: Origin', async () => {
    for (const origin of [EVIL, `${A}.evil.example`, 'null', 'HTTPS://APP.EXAMPLE']) {
      const a = await call(app, '/api', 'GET', { origin });
      expect(a.status).toBe(200);
      expect(Object.keys(a.headers).filter((k) => k.startsWith('access-control-'))).toEqual([]);
      expect(vary(a)).toEqual(['Origin']);
    }
  });

  it('a request without Origin is not CORS: no Allow-Origin, still Vary: Origin (cacheable answer differs)', async () => {
    const a = await call(app, '/api', 'GET');
    expect(a.headers['access-control-allow-origin']).toBeUndefined();
    expect(vary(a)).toEqual(['Origin']);
  });

  it('answers an allowed preflight with methods, configured headers, max-age and private network access', async () => {
    const before = handled;
    const a = await preflight(app, '/api', A, {
      'access-control-request-headers': 'x-token, x-other',
      'access-control-request-private-network': 'true',
    });
    expect(a.status).toBe(204);
    expect(a.headers['access-control-allow-origin']).toBe(A);
    expect(a.headers['access-control-allow-credentials']).toBe('true');
    expect(a.headers['access-control-allow-methods']).toBe('GET, PUT');
    expect(a.headers['access-control-allow-headers']).toBe('x-token'); // configured: not reflected
    expect(a.headers['access-control-max-age']).toBe('600');
    expect(a.headers['access-control-allow-private-network']).toBe('true');
    expect(a.headers['access-control-expose-headers']).toBeUndefined(); // only on actual responses
    expect(vary(a)).toEqual(['Origin']);
    expect(handled).toBe(before);
  });

  it('answers a denied preflight with an empty 204 that the browser will refuse, without calling the handler', async () => {
    const before = handled;
    const a = await preflight(app, '/api', EVIL, { 'access-control-request-headers': 'x-token' });
    expect(a.status).toBe(204);
    expect(Object.keys(a.headers).filter((k) => k.startsWith('access-control-'))).toEqual([]);
    expect(vary(a)).toEqual(['Origin']);
    expect(handled).toBe(before);
  });

  it('keeps its fields on a response another middleware rejected (401)', async () => {
    const a = await call(app, '/api', 'GET', { origin: A, 'x-token': 'bad' });
    expect(a.status).toBe(401);
    expect(a.headers['access-control-allow-origin']).toBe(A);
    expect(a.headers['access-control-allow-credentials']).toBe('true');
  });

  it('adds Origin to a Vary the handler set instead of replacing it, and never lists it twice', async () => {
    const a = await call(app, '/vary', 'GET', { origin: A });
    expect(vary(a)).toEqual(['Accept-Language', 'Origin']);
    expect(a.headers['access-control-allow-origin']).toBe(A);
    const b = await call(app, '/vary-origin', 'GET', { origin: A });
    expect(vary(b)).toEqual(['accept-language', 'origin']);
  });

  // Hook phases (issue 9 item 1): server-level request middleware runs before routing, response
  // middleware on every response the server sends.
  it('a preflight to an unregistered path (and to a GET-only route) gets the CORS answer (204), not 404/405', async () => {
    for (const path of ['/not/registered', '/vary']) {
      const a = await preflight(app, path, A, { 'access-control-request-headers': 'x-token' });
      expect(a.status).toBe(204);
      expect(a.headers['access-control-allow-origin']).toBe(A);
      expect(a.headers['access-control-allow-methods']).toBe('GET, PUT');
      expect(a.headers['access-control-max-age']).toBe('600');
    }
    const denied = await preflight(app, '/not/registered', EVIL);
    expect(denied.status).toBe(204);
    expect(denied.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('a 404 and a handler panic (500) carry Access-Control-Allow-Origin', async () => {
    const missing = await call(app, '/not/registered', 'GET', { origin: A });
    expect(missing.status).toBe(404);
    expect(missing.headers['access-control-allow-origin']).toBe(A);
    expect(missing.headers['access-control-allow-credentials']).toBe('true');
    expect(vary(missing)).toEqual(['Origin']);
    const panic = await call(app, '/boom', 'GET', { origin: A });
    expect(panic.status).toBe(500);
    expect(panic.headers['access-control-allow-origin']).toBe(A);
    expect(vary(panic)).toEqual(['Origin']);
    const denied = await call(app, '/not/registered', 'GET', { origin: EVIL });
    expect(denied.status).toBe(404);
    expect(denied.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('cors() with credentials and "*", a function, preflightContinue', () => {
  let app: Running;
  const seen: string[] = [];
  beforeAll(async () => {
    app = await start((s) => {
      s.group('/star', (g) => {
        g.use(cors({ credentials: true }));
        g.route('/x', (ctx) => ctx.send('x'));
      });
      s.group('/fn', (g) => {
        g.use(cors({
          origin: async (origin, ctx) => {
            seen.push(`${ctx.request.method} ${origin}`);
            await new Promise((r) => setTimeout(r, 1));
            return origin.endsWith('.trusted.example') ? true : origin === A ? '*' : false;
          },
          preflightContinue: true,
        }));
        g.route('/x', (ctx) => ctx.send(`handler ${ctx.request.method}`));
      });
      s.get('/route-level', (ctx) => ctx.send('r'), { ...cors({ origin: A, optionsSuccessStatus: 200 }) });
      s.options('/route-level', (ctx) => ctx.send('never'), { ...cors({ origin: A, optionsSuccessStatus: 200 }) });
    });
  });
  afterAll(() => app.close());

  it('never sends "*" with credentials: the origin is echoed, with Vary: Origin', async () => {
    const a = await call(app, '/star/x', 'GET', { origin: EVIL });
    expect(a.headers['access-control-allow-origin']).toBe(EVIL);
    expect(a.headers['access-control-allow-credentials']).toBe('true');
    expect(vary(a)).toEqual(['Origin']);
  });

  it('asks an async origin function once per request; true echoes, a string is used, false denies', async () => {
    seen.length = 0;
    const ok = await call(app, '/fn/x', 'GET', { origin: 'https://a.trusted.example' });
    expect(ok.headers['access-control-allow-origin']).toBe('https://a.trusted.example');
    const star = await call(app, '/fn/x', 'GET', { origin: A });
    expect(star.headers['access-control-allow-origin']).toBe('*');
    const denied = await call(app, '/fn/x', 'GET', { origin: EVIL });
    expect(denied.headers['access-control-allow-origin']).toBeUndefined();
    expect(vary(denied)).toEqual(['Origin']);
    expect(seen).toEqual(['GET https://a.trusted.example', `GET ${A}`, `GET ${EVIL}`]);
  });

  it('preflightContinue: the fields are set and the OPTIONS handler answers', async () => {
    const a = await preflight(app, '/fn/x', 'https://b.trusted.example');
    expect(a.status).toBe(200);
    expect(a.body).toBe('handler OPTIONS');
    expect(a.headers['access-control-allow-origin']).toBe('https://b.trusted.example');
    expect(a.headers['access-control-allow-methods']).toBe('GET, HEAD, PUT, PATCH, POST, DELETE');
  });

  it('works as route options ({ ...cors() }) with optionsSuccessStatus 200', async () => {
    const a = await preflight(app, '/route-level', A);
    expect(a.status).toBe(200);
    expect(a.headers['content-length']).toBe('0');
    expect(a.headers['access-control-allow-origin']).toBe(A);
    const b = await call(app, '/route-level', 'GET', { origin: A });
    expect(b.body).toBe('r');
    expect(b.headers['access-control-allow-origin']).toBe(A);
  });
});

describe('cors() options are checked when it is called', () => {
  it.each([
    [{ origin: 'https://a.example/' }],
    [{ origin: ['https://a.example', 'a.example'] }],
    [{ methods: ['GET', 'BAD METHOD'] }],
    [{ allowedHeaders: ['x-ok', 'x\r\nbad'] }],
    [{ maxAge: -1 }],
    [{ maxAge: 1.5 }],
    [{ optionsSuccessStatus: 302 }],
  ])('%j → WL_INVALID_CONFIG', (options) => {
    expect(() => cors(options as never)).toThrow(WasmlaneError);
    try {
      cors(options as never);
    } catch (error) {
      expect((error as WasmlaneError).code).toBe('WL_INVALID_CONFIG');
    }
  });
});
