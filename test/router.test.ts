// Router suite in the style of hono's common.case.test: each case registers a small table and lists
// requests with the expected answer. `found` is compared by value AND by exact params object.
import { describe, expect, expectTypeOf, it } from 'vitest';
import fc from 'fast-check';
import { Router, joinPaths } from '../src/router.js';
import type { RouteMatch, RouteParams } from '../src/router.js';
import { WasmlaneError } from '../src/errors.js';

type Expect =
  | { found: string; params?: Record<string, string> }
  | { allow: string[] }
  | 'not-found';

interface Case {
  name: string;
  routes: Array<[method: string, pattern: string]>;
  requests: Array<[method: string, path: string, expected: Expect]>;
}

const route = (m: string, p: string): string => `${m} ${p}`;

function check(result: RouteMatch<string>, expected: Expect, label: string): void {
  if (expected === 'not-found') {
    expect(result, label).toEqual({ kind: 'not-found' });
  } else if ('allow' in expected) {
    expect(result, label).toEqual({ kind: 'method-not-allowed', allow: expected.allow });
  } else {
    expect(result.kind, label).toBe('found');
    if (result.kind !== 'found') return;
    expect(result.value, label).toBe(expected.found);
    expect({ ...result.params }, label).toEqual(expected.params ?? {});
  }
}

const CASES: Case[] = [
  {
    name: 'static routes',
    routes: [['GET', '/'], ['GET', '/hello'], ['GET', '/hello/world'], ['POST', '/hello']],
    requests: [
      ['GET', '/', { found: 'GET /' }],
      ['GET', '/hello', { found: 'GET /hello' }],
      ['POST', '/hello', { found: 'POST /hello' }],
      ['GET', '/hello/world', { found: 'GET /hello/world' }],
      ['GET', '/hello/', 'not-found'], // strict trailing slash
      ['GET', '/Hello', 'not-found'], // case-sensitive
      ['GET', '/hello/world/x', 'not-found'],
      ['GET', '', 'not-found'],
      ['GET', '*', 'not-found'],
    ],
  },
  {
    name: 'trailing slash is a different route',
    routes: [['GET', '/a'], ['GET', '/a/'], ['GET', '/b/{id}/']],
    requests: [
      ['GET', '/a', { found: 'GET /a' }],
      ['GET', '/a/', { found: 'GET /a/' }],
      ['GET', '/b/1/', { found: 'GET /b/{id}/', params: { id: '1' } }],
      ['GET', '/b/1', 'not-found'],
    ],
  },
  {
    name: 'named parameters',
    routes: [['GET', '/users/{id}'], ['GET', '/users/{id}/files/{file}'], ['GET', '/{a}/{b}/{c}/{d}']],
    requests: [
      ['GET', '/users/42', { found: 'GET /users/{id}', params: { id: '42' } }],
      ['GET', '/users/42/files/x.txt', { found: 'GET /users/{id}/files/{file}', params: { id: '42', file: 'x.txt' } }],
      ['GET', '/users/', 'not-found'], // a parameter is never empty
      ['GET', '/users//files/x', 'not-found'],
      ['GET', '/w/x/y/z', { found: 'GET /{a}/{b}/{c}/{d}', params: { a: 'w', b: 'x', c: 'y', d: 'z' } }],
    ],
  },
  {
    name: 'regex parameters',
    routes: [
      ['GET', '/post/{id:\\d+}'],
      ['GET', '/post/{slug:[a-z-]+}'],
      ['GET', '/year/{y:\\d{4}}'],
      ['GET', '/alt/{v:a|ab}'],
    ],
    requests: [
      ['GET', '/post/123', { found: 'GET /post/{id:\\d+}', params: { id: '123' } }],
      ['GET', '/post/hello-world', { found: 'GET /post/{slug:[a-z-]+}', params: { slug: 'hello-world' } }],
      ['GET', '/post/Hello', 'not-found'],
      ['GET', '/year/2024', { found: 'GET /year/{y:\\d{4}}', params: { y: '2024' } }],
      ['GET', '/year/20245', 'not-found'], // anchored ^…$
      ['GET', '/alt/ab', { found: 'GET /alt/{v:a|ab}', params: { v: 'ab' } }], // alternation stays anchored
      ['GET', '/alt/abc', 'not-found'],
    ],
  },
  {
    name: 'wildcard',
    routes: [['GET', '/static/{*path}'], ['GET', '/{*all}']],
    requests: [
      ['GET', '/static/css/site.css', { found: 'GET /static/{*path}', params: { path: 'css/site.css' } }],
      ['GET', '/static/a/', { found: 'GET /static/{*path}', params: { path: 'a/' } }],
      // wildcard needs at least one character: '/static/' falls through to the root wildcard
      ['GET', '/static/', { found: 'GET /{*all}', params: { all: 'static/' } }],
      ['GET', '/anything/else', { found: 'GET /{*all}', params: { all: 'anything/else' } }],
      ['GET', '/', 'not-found'],
    ],
  },
  {
    name: 'priority: static > {name} > {name:regex} > wildcard',
    routes: [
      ['GET', '/p/{*rest}'],
      ['GET', '/p/{n:\\d+}'],
      ['GET', '/p/{name}'],
      ['GET', '/p/new'],
    ],
    requests: [
      ['GET', '/p/new', { found: 'GET /p/new' }],
      ['GET', '/p/123', { found: 'GET /p/{name}', params: { name: '123' } }],
      ['GET', '/p/abc', { found: 'GET /p/{name}', params: { name: 'abc' } }],
      ['GET', '/p/1/2', { found: 'GET /p/{*rest}', params: { rest: '1/2' } }],
    ],
  },
  {
    name: 'regex beats wildcard, first registered regex wins',
    routes: [['GET', '/r/{*rest}'], ['GET', '/r/{a:[0-9]+}'], ['GET', '/r/{b:[0-9a-f]+}']],
    requests: [
      ['GET', '/r/12', { found: 'GET /r/{a:[0-9]+}', params: { a: '12' } }],
      ['GET', '/r/ff', { found: 'GET /r/{b:[0-9a-f]+}', params: { b: 'ff' } }],
      ['GET', '/r/zz', { found: 'GET /r/{*rest}', params: { rest: 'zz' } }],
    ],
  },
  {
    name: 'backtracking from a failed deeper static match',
    routes: [
      ['GET', '/users/me/settings'],
      ['GET', '/users/{id}/posts'],
      ['GET', '/users/{id:\\d+}/likes'],
      ['GET', '/users/{*rest}'],
    ],
    requests: [
      ['GET', '/users/me/settings', { found: 'GET /users/me/settings' }],
      ['GET', '/users/me/posts', { found: 'GET /users/{id}/posts', params: { id: 'me' } }],
      ['GET', '/users/7/likes', { found: 'GET /users/{id:\\d+}/likes', params: { id: '7' } }],
      ['GET', '/users/me/likes', { found: 'GET /users/{*rest}', params: { rest: 'me/likes' } }],
    ],
  },
  {
    name: 'backtracking on method: a lower-priority route that serves the method wins',
    routes: [['GET', '/items/new'], ['POST', '/items/{id}']],
    requests: [
      ['POST', '/items/new', { found: 'POST /items/{id}', params: { id: 'new' } }],
      ['GET', '/items/new', { found: 'GET /items/new' }],
      ['GET', '/items/5', { allow: ['POST'] }],
    ],
  },
  {
    name: 'HEAD falls back to GET, exact method and * (RFC 9110 §9.3.2)',
    routes: [['GET', '/a'], ['HEAD', '/b'], ['GET', '/b'], ['*', '/c'], ['GET', '/c'], ['GET', '/d/{x}']],
    requests: [
      ['HEAD', '/a', { found: 'GET /a' }],
      ['HEAD', '/b', { found: 'HEAD /b' }],
      ['GET', '/c', { found: 'GET /c' }],
      ['HEAD', '/c', { found: 'GET /c' }],
      ['DELETE', '/c', { found: '* /c' }],
      ['PURGE', '/c', { found: '* /c' }],
      ['HEAD', '/d/1', { found: 'GET /d/{x}', params: { x: '1' } }],
      ['get', '/a', { allow: ['GET', 'HEAD'] }], // methods are case-sensitive (RFC 9110 §9.1)
    ],
  },
  {
    name: '405 allow lists',
    routes: [
      ['GET', '/x'], ['POST', '/x'], ['PUT', '/x/{id}'], ['DELETE', '/x/{id:\\d+}'], ['PATCH', '/x/{*rest}'],
      ['POST', '/y'], ['*', '/z/{id}'],
    ],
    requests: [
      ['DELETE', '/x', { allow: ['GET', 'HEAD', 'POST'] }],
      ['GET', '/x/1', { allow: ['DELETE', 'PATCH', 'PUT'] }],
      ['GET', '/x/a', { allow: ['PATCH', 'PUT'] }],
      ['GET', '/x/a/b', { allow: ['PATCH'] }],
      ['GET', '/y', { allow: ['POST'] }],
      ['HEAD', '/y', { allow: ['POST'] }],
      ['OPTIONS', '/z/1', { found: '* /z/{id}', params: { id: '1' } }], // '*' never answers 405
      ['GET', '/nothing', 'not-found'],
    ],
  },
  {
    name: 'percent-decoding of params',
    routes: [['GET', '/f/{name}'], ['GET', '/g/{n:[a-z ]+}'], ['GET', '/w/{*rest}'], ['GET', '/caf%C3%A9']],
    requests: [
      ['GET', '/f/hello%20world', { found: 'GET /f/{name}', params: { name: 'hello world' } }],
      ['GET', '/f/caf%C3%A9', { found: 'GET /f/{name}', params: { name: 'café' } }],
      ['GET', '/f/a%2Fb', { found: 'GET /f/{name}', params: { name: 'a/b' } }],
      ['GET', '/f/%E0%A4%A', 'not-found'], // invalid escape → the route does not match
      ['GET', '/f/%ZZ', 'not-found'],
      ['GET', '/g/a%20b', { found: 'GET /g/{n:[a-z ]+}', params: { n: 'a b' } }], // regex sees the decoded value
      ['GET', '/w/a%20b/c', { found: 'GET /w/{*rest}', params: { rest: 'a b/c' } }],
      ['GET', '/caf%C3%A9', { found: 'GET /caf%C3%A9' }], // static segments compare in canonical spelling
    ],
  },
  {
    name: 'equivalent params with different names on different methods',
    routes: [['GET', '/u/{id}'], ['DELETE', '/u/{userId}']],
    requests: [
      ['GET', '/u/1', { found: 'GET /u/{id}', params: { id: '1' } }],
      ['DELETE', '/u/1', { found: 'DELETE /u/{userId}', params: { userId: '1' } }],
    ],
  },
];

describe('Router: case table', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const router = new Router<string>();
      for (const [m, p] of c.routes) router.add(m, p, route(m, p));
      for (const [m, path, expected] of c.requests) check(router.match(m, path), expected, `${m} ${path}`);
    });
  }
});

describe('Router: allocation and result shapes', () => {
  it('parameter-free matches return the same frozen object; params objects are fresh', () => {
    const router = new Router<number>();
    router.add('GET', '/a', 1);
    router.add('GET', '/b/{id}', 2);
    const first = router.match('GET', '/a');
    expect(router.match('GET', '/a')).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    const p1 = router.match('GET', '/b/1');
    const p2 = router.match('GET', '/b/2');
    expect(p1).toEqual({ kind: 'found', value: 2, params: { id: '1' } });
    expect(p2).toEqual({ kind: 'found', value: 2, params: { id: '2' } });
  });

  it('routes() lists registrations in order', () => {
    const router = new Router<number>();
    router.add('GET', '/a', 1);
    router.add('*', '/b/{x}', 2);
    expect(router.routes()).toEqual([
      { method: 'GET', pattern: '/a', value: 1 },
      { method: '*', pattern: '/b/{x}', value: 2 },
    ]);
  });

  it('a route registered after an earlier match is visible (shared leaf)', () => {
    const router = new Router<string>();
    router.add('GET', '/late', 'get');
    expect(router.match('POST', '/late')).toEqual({ kind: 'method-not-allowed', allow: ['GET', 'HEAD'] });
    router.add('POST', '/late', 'post');
    expect(router.match('POST', '/late')).toEqual({ kind: 'found', value: 'post', params: {} });
  });
});

describe('Router: registration errors', () => {
  const INVALID: Array<[pattern: string, message: RegExp]> = [
    ['', /empty pattern/],
    ['users', /must start with "\/"/],
    ['/a{b}', /whole segment/],
    ['/{a}b', /whole segment/],
    ['/{a', /unbalanced "\{"/],
    ['/a}', /unbalanced "\}"/],
    ['/{id}/{id}', /duplicate parameter name "id"/],
    ['/{id}/{*id}', /duplicate parameter name "id"/],
    ['/{x:[}', /unbalanced|invalid regex/],
    ['/{x:(}', /invalid regex for parameter "x"/],
    ['/{x:a)|(b}', /invalid regex for parameter "x"/],
    ['/{x:}', /empty regex/],
    ['/{x:a/b}', /"\/" inside/],
    ['/{x:a\\/b}', /"\/" inside/],
    ['/{*rest}/more', /must be the last segment/],
    ['/{*rest:.+}', /cannot have a regex/],
    ['/{}', /empty parameter name/],
    ['/{1x}', /must be an identifier/],
    ['/{__proto__}', /must be an identifier/],
    ['/a b', /not allowed in a path segment/],
    ['/café', /not allowed in a path segment/],
    ['/a?b', /not allowed in a path segment/],
    ['/a%2', /bad percent-encoding/],
  ];
  for (const [pattern, message] of INVALID) {
    it(`rejects ${JSON.stringify(pattern)}`, () => {
      const router = new Router<number>();
      const err = catchError(() => router.add('GET', pattern, 1));
      expect(err.code).toBe('WL_INVALID_ROUTE');
      expect(err.message).toMatch(message);
      expect(err.message).toContain(JSON.stringify(pattern));
    });
  }

  it('rejects a method that is not a token', () => {
    const router = new Router<number>();
    expect(catchError(() => router.add('GE T', '/', 1)).code).toBe('WL_INVALID_ROUTE');
    expect(catchError(() => router.add('', '/', 1)).code).toBe('WL_INVALID_ROUTE');
  });

  const CONFLICTS: Array<[first: [string, string], second: [string, string]]> = [
    [['GET', '/a'], ['GET', '/a']],
    [['GET', '/u/{id}'], ['GET', '/u/{name}']],
    [['GET', '/u/{id:\\d+}/x'], ['GET', '/u/{n:\\d+}/x']],
    [['GET', '/f/{*a}'], ['GET', '/f/{*b}']],
    [['*', '/s'], ['*', '/s']],
  ];
  for (const [[m1, p1], [m2, p2]] of CONFLICTS) {
    it(`conflict: ${m2} ${p2} after ${m1} ${p1}`, () => {
      const router = new Router<number>();
      router.add(m1, p1, 1);
      const err = catchError(() => router.add(m2, p2, 2));
      expect(err.code).toBe('WL_ROUTE_CONFLICT');
      expect(err.message).toContain(JSON.stringify(p1));
      expect(err.message).toContain(JSON.stringify(p2));
    });
  }

  it('different regexes, different methods, and static vs param are not conflicts', () => {
    const router = new Router<number>();
    router.add('GET', '/u/{id:\\d+}', 1);
    router.add('GET', '/u/{id:[a-z]+}', 2);
    router.add('POST', '/u/{id:\\d+}', 3);
    router.add('GET', '/u/{id}', 4);
    router.add('GET', '/u/me', 5);
    router.add('*', '/u/me', 6);
    router.add('GET', '/u/{*rest}', 7);
    expect(router.routes()).toHaveLength(7);
  });
});

describe('joinPaths (route groups)', () => {
  const CASES: Array<[string, string, string]> = [
    ['/api', '/x', '/api/x'],
    ['/api/', '/x', '/api/x'],
    ['/api', 'x', '/api/x'],
    ['/api', '/x/', '/api/x/'],
    ['/api', '/', '/api/'],
    ['/api', '', '/api'],
    ['', '/x', '/x'],
    ['/', '/x', '/x'],
    ['', '', '/'],
    ['/v1/{tenant}', '/users/{id}', '/v1/{tenant}/users/{id}'],
  ];
  for (const [prefix, path, joined] of CASES) {
    it(`${JSON.stringify(prefix)} + ${JSON.stringify(path)} → ${joined}`, () => {
      expect(joinPaths(prefix, path)).toBe(joined);
    });
  }

  it('rejects a prefix without a leading slash', () => {
    expect(catchError(() => joinPaths('api', '/x')).code).toBe('WL_INVALID_ROUTE');
  });

  it('a group registers and matches like direct routes', () => {
    const router = new Router<string>();
    const group = (prefix: string, routes: Array<[string, string]>): void => {
      for (const [m, p] of routes) router.add(m, joinPaths(prefix, p), `${m} ${p}`);
    };
    group('/v1/{tenant}', [['GET', '/users/{id}'], ['POST', '/users'], ['GET', '']]);
    check(router.match('GET', '/v1/acme/users/7'), { found: 'GET /users/{id}', params: { tenant: 'acme', id: '7' } }, 'a');
    check(router.match('POST', '/v1/acme/users'), { found: 'POST /users', params: { tenant: 'acme' } }, 'b');
    check(router.match('GET', '/v1/acme'), { found: 'GET ', params: { tenant: 'acme' } }, 'c');
  });
});

describe('Router: many routes', () => {
  it('500 static + 500 param routes all match their own value', () => {
    const router = new Router<number>();
    for (let i = 0; i < 500; i++) {
      router.add('GET', `/s${i}/item`, i);
      router.add('GET', `/d${i}/{id}/x{n}`.replace('x{n}', `x${i}`), 1000 + i);
    }
    for (let i = 0; i < 500; i++) {
      check(router.match('GET', `/s${i}/item`) as RouteMatch<never>, { found: i as never }, `s${i}`);
      const m = router.match('GET', `/d${i}/v${i}/x${i}`);
      expect(m).toEqual({ kind: 'found', value: 1000 + i, params: { id: `v${i}` } });
    }
    expect(router.match('GET', '/d1/v/x2')).toEqual({ kind: 'not-found' });
  });
});

describe('RouteParams (type level)', () => {
  it('extracts names from {name}, {name:regex} and {*name}', () => {
    expectTypeOf<RouteParams<'/users/{id}/files/{name:[a-z]+}/{*rest}'>>().toEqualTypeOf<{
      id: string;
      name: string;
      rest: string;
    }>();
    expectTypeOf<RouteParams<'/year/{y:\\d{4}}/{m:a:b}'>>().toEqualTypeOf<{ y: string; m: string }>();
    expectTypeOf<RouteParams<'/'>>().toEqualTypeOf<{}>();
    expectTypeOf<RouteParams<'/static/path/'>>().toEqualTypeOf<{}>();
    expectTypeOf<RouteParams<string>>().toEqualTypeOf<Record<string, string>>();
  });
});

function catchError(fn: () => unknown): WasmlaneError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(WasmlaneError);
    return err as WasmlaneError;
  }
  throw new Error('expected a WasmlaneError');
}

// --- differential: the trie against a brute-force reference ----------------------------------------
// The reference tries every route on its own and ranks the matches per segment
// (static < {name} < {name:regex} in registration order of the regex at that place < wildcard),
// which is what the trie's depth-first walk with backtracking must produce.

type RefSeg =
  | { kind: 'static'; text: string }
  | { kind: 'param'; name: string }
  | { kind: 'wildcard'; name: string }
  | { kind: 'regex'; name: string; src: string };

const shapeKey = (s: RefSeg): string => (s.kind === 'static' ? `s:${s.text}` : s.kind === 'regex' ? `r:${s.src}` : s.kind);
const toPattern = (segs: RefSeg[]): string =>
  '/' + segs.map((s) => (s.kind === 'static' ? s.text : s.kind === 'param' ? `{${s.name}}` : s.kind === 'regex' ? `{${s.name}:${s.src}}` : `{*${s.name}}`)).join('/');

function referenceMatch(routes: Array<{ method: string; segs: RefSeg[]; value: string }>, method: string, path: string): RouteMatch<string> {
  // order of regex sources per place (prefix shape), by first registration
  const regexOrder = new Map<string, string[]>();
  for (const r of routes) {
    r.segs.forEach((s, i) => {
      if (s.kind !== 'regex') return;
      const key = r.segs.slice(0, i).map(shapeKey).join('/');
      const list = regexOrder.get(key) ?? [];
      if (!list.includes(s.src)) list.push(s.src);
      regexOrder.set(key, list);
    });
  }
  const parts = path.slice(1).split('/');
  type Hit = { route: (typeof routes)[number]; rank: number[]; params: Record<string, string>; leaf: string };
  const hits: Hit[] = [];
  for (const route of routes) {
    const rank: number[] = [];
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < route.segs.length && ok; i++) {
      const s = route.segs[i]!;
      if (s.kind === 'wildcard') {
        const rest = parts.slice(i).join('/');
        ok = i < parts.length && rest.length > 0;
        params[s.name] = rest;
        rank.push(3);
        break;
      }
      const part = parts[i];
      if (part === undefined) { ok = false; break; }
      if (i === route.segs.length - 1 && parts.length !== route.segs.length) { ok = false; break; }
      if (s.kind === 'static') { ok = part === s.text; rank.push(0); }
      else if (s.kind === 'param') { ok = part.length > 0; params[s.name] = part; rank.push(1); }
      else {
        ok = part.length > 0 && new RegExp(`^(?:${s.src})$`).test(part);
        params[s.name] = part;
        const key = route.segs.slice(0, i).map(shapeKey).join('/');
        rank.push(2 + regexOrder.get(key)!.indexOf(s.src) / 100);
      }
    }
    if (ok) hits.push({ route, rank, params, leaf: route.segs.map(shapeKey).join('/') });
  }
  const cmp = (a: number[], b: number[]): number => {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
    return a.length - b.length;
  };
  hits.sort((a, b) => cmp(a.rank, b.rank));
  const leaves = [...new Set(hits.map((h) => h.leaf))];
  for (const leaf of leaves) {
    const inLeaf = hits.filter((h) => h.leaf === leaf);
    const pick = inLeaf.find((h) => h.route.method === method)
      ?? (method === 'HEAD' ? inLeaf.find((h) => h.route.method === 'GET') : undefined)
      ?? inLeaf.find((h) => h.route.method === '*');
    if (pick) return { kind: 'found', value: pick.route.value, params: pick.params };
  }
  if (hits.length === 0) return { kind: 'not-found' };
  const allow = new Set(hits.map((h) => h.route.method));
  if (allow.has('GET')) allow.add('HEAD');
  return { kind: 'method-not-allowed', allow: [...allow].sort() };
}

describe('Router: differential against a brute-force reference', () => {
  const staticSeg = fc.constantFrom('a', 'b', 'ab', '').map((text): RefSeg => ({ kind: 'static', text }));
  const paramSeg = fc.constantFrom('p', 'q').map((name): RefSeg => ({ kind: 'param', name }));
  const regexSeg = fc.constantFrom('a+', '[ab]+', 'b|ab').map((src): RefSeg => ({ kind: 'regex', name: 'r', src }));
  const seg = fc.oneof({ arbitrary: staticSeg, weight: 3 }, { arbitrary: paramSeg, weight: 2 }, { arbitrary: regexSeg, weight: 1 });
  const routeArb = fc.record({
    method: fc.constantFrom('GET', 'POST', 'HEAD', '*'),
    segs: fc.tuple(fc.array(seg, { minLength: 1, maxLength: 3 }), fc.boolean()).map(([segs, wild]): RefSeg[] => {
      const out = wild ? [...segs.slice(0, -1), { kind: 'wildcard', name: 'w' } as RefSeg] : segs;
      // unique names by position
      return out.map((s, i) => (s.kind === 'static' ? s : { ...s, name: `${s.name}${i}` }));
    }),
  });
  const pathArb = fc.array(fc.constantFrom('a', 'b', 'ab', 'aa', 'x', ''), { minLength: 1, maxLength: 4 }).map((p) => '/' + p.join('/'));

  it('agrees on random route tables and paths', () => {
    fc.assert(
      fc.property(fc.array(routeArb, { maxLength: 12 }), fc.array(fc.tuple(fc.constantFrom('GET', 'POST', 'HEAD', 'PUT'), pathArb), { minLength: 1, maxLength: 20 }), (rawRoutes, requests) => {
        const router = new Router<string>();
        const routes: Array<{ method: string; segs: RefSeg[]; value: string }> = [];
        const seen = new Set<string>();
        for (const r of rawRoutes) {
          const key = `${r.method} ${r.segs.map(shapeKey).join('/')}`;
          const pattern = toPattern(r.segs);
          if (seen.has(key)) {
            expect(() => router.add(r.method, pattern, 'dup')).toThrow(/equivalent/);
            continue;
          }
          seen.add(key);
          const value = `${r.method} ${pattern}`;
          router.add(r.method, pattern, value);
          routes.push({ method: r.method, segs: r.segs, value });
        }
        for (const [method, path] of requests) {
          const got = router.match(method, path);
          const want = referenceMatch(routes, method, path);
          expect(got.kind === 'found' ? { ...got, params: { ...got.params } } : got, `${method} ${path}`).toEqual(want);
        }
      }),
      { numRuns: 400 },
    );
  });
});
