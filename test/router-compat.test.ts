// Router compatibility with what clients send and what users of other frameworks write:
// - paths with the bytes browsers leave unencoded (| ^ { } \ `), in static routes and parameters;
// - one spelling per path for static segments (canonical.ts): %3A = ':' = %3a, %7C = '|';
// - Express / fastify patterns (/users/:id, /files/*) refused at registration with the wasmlane form.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Router } from '../src/router.js';
import { canonicalPath } from '../src/router/canonical.js';
import { WasmlaneError } from '../src/errors.js';

function catchError(fn: () => void): WasmlaneError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(WasmlaneError);
    return err as WasmlaneError;
  }
  throw new Error('expected an error');
}

const found = (router: Router<string>, method: string, path: string) => {
  const r = router.match(method, path);
  return r.kind === 'found' ? { value: r.value, params: { ...r.params } } : r.kind;
};

describe('canonicalPath', () => {
  it('decodes printable ASCII escapes except "/" and "%", upper-cases the rest; leaves paths with invalid escapes', () => {
    expect(canonicalPath('/plain/path')).toBe('/plain/path');
    expect(canonicalPath('/a%3Ab/%3a/%2A')).toBe('/a:b/:/*');
    expect(canonicalPath('/p%7Ca/%7b%7D/%5C%5E%60')).toBe('/p|a/{}/\\^`');
    expect(canonicalPath('/a%2fb/%25/%2F')).toBe('/a%2Fb/%25/%2F'); // never a new separator or escape
    expect(canonicalPath('/caf%c3%a9/%20/%7f')).toBe('/caf%C3%A9/%20/%7F');
    expect(canonicalPath('/100%/%zz/%4/%')).toBe('/100%/%zz/%4/%');
    expect(canonicalPath('/%%341/%3A')).toBe('/%%341/%3A'); // an invalid escape: unchanged, never "%41"
    expect(canonicalPath('/%3A/%')).toBe('/%3A/%');
    expect(canonicalPath('/%2541')).toBe('/%2541');
  });

  it('is idempotent and keeps the percent-decoded value (property)', () => {
    const piece = fc.oneof(
      fc.constantFrom('a', 'Z', '0', '/', '%', ':', '|', '{', '~', '%2F', '%2f', '%25', '%3A', '%3a', '%7C', '%C3%A9', '%c3%a9', '%zz', '%4'),
      fc.integer({ min: 0, max: 255 }).map((b) => `%${b.toString(16).padStart(2, '0')}`),
    );
    const dec = (s: string): string | null => {
      try {
        return decodeURIComponent(s);
      } catch {
        return null;
      }
    };
    fc.assert(fc.property(fc.array(piece, { maxLength: 20 }), (parts) => {
      const raw = '/' + parts.join('');
      const c = canonicalPath(raw);
      expect(canonicalPath(c)).toBe(c);
      expect(dec(c)).toBe(dec(raw));
      expect(c.split('/').length).toBe(raw.split('/').length);
    }), { numRuns: 2000 });
  });
});

describe('Router: bytes browsers send unencoded', () => {
  it('static routes with | ^ \\ ` match the raw and the encoded request spelling', () => {
    const router = new Router<string>();
    router.add('GET', '/p|a', 'bar');
    router.add('GET', '/x/^/\\/`', 'mixed');
    router.add('GET', '/q/%7Bid%7D', 'braces'); // a literal brace is written encoded in a pattern
    expect(found(router, 'GET', '/p|a')).toEqual({ value: 'bar', params: {} });
    expect(found(router, 'GET', '/p%7Ca')).toEqual({ value: 'bar', params: {} });
    expect(found(router, 'GET', '/p%7ca')).toEqual({ value: 'bar', params: {} });
    expect(found(router, 'GET', '/x/^/\\/`')).toEqual({ value: 'mixed', params: {} });
    expect(found(router, 'GET', '/x/%5E/%5C/%60')).toEqual({ value: 'mixed', params: {} });
    expect(found(router, 'GET', '/q/{id}')).toEqual({ value: 'braces', params: {} });
    expect(found(router, 'GET', '/q/%7bid%7d')).toEqual({ value: 'braces', params: {} });
    expect(found(router, 'GET', '/p')).toBe('not-found');
    expect(found(router, 'POST', '/p%7Ca')).toBe('method-not-allowed');
  });

  it('parameters capture them (decoded), in segments and tails', () => {
    const router = new Router<string>();
    router.add('GET', '/s/{v}', 'seg');
    router.add('GET', '/r/{v:[a-z|]+}', 'regex');
    router.add('GET', '/t/{*rest}', 'tail');
    expect(found(router, 'GET', '/s/a|b')).toEqual({ value: 'seg', params: { v: 'a|b' } });
    expect(found(router, 'GET', '/s/{1}^`\\')).toEqual({ value: 'seg', params: { v: '{1}^`\\' } });
    expect(found(router, 'GET', '/s/a%7Cb')).toEqual({ value: 'seg', params: { v: 'a|b' } });
    expect(found(router, 'GET', '/r/a|b')).toEqual({ value: 'regex', params: { v: 'a|b' } });
    expect(found(router, 'GET', '/t/x|y/{z}')).toEqual({ value: 'tail', params: { rest: 'x|y/{z}' } });
    expect(found(router, 'GET', '/s/a%2Fb')).toEqual({ value: 'seg', params: { v: 'a/b' } }); // %2F stays one segment
  });
});

describe('Router: one spelling per static path', () => {
  it('an encoded ":" or "*" in a pattern matches the literal byte and both hex cases', () => {
    const router = new Router<string>();
    router.add('GET', '/a%3Ab', 'colon');
    router.add('GET', '/files/%2A', 'star');
    router.add('GET', '/v1/models/m:predict', 'mid-colon'); // ':' inside a segment is plain pchar
    for (const p of ['/a:b', '/a%3Ab', '/a%3ab']) expect(found(router, 'GET', p), p).toEqual({ value: 'colon', params: {} });
    for (const p of ['/files/*', '/files/%2A', '/files/%2a']) expect(found(router, 'GET', p), p).toEqual({ value: 'star', params: {} });
    expect(found(router, 'GET', '/v1/models/m%3Apredict')).toEqual({ value: 'mid-colon', params: {} });
    expect(found(router, 'GET', '/files/x')).toBe('not-found');
  });

  it('static segments under parameters compare canonically too', () => {
    const router = new Router<string>();
    router.add('GET', '/u/{id}/a%3Ab', 'deep');
    router.add('GET', '/caf%c3%a9', 'lower-hex');
    expect(found(router, 'GET', '/u/7/a:b')).toEqual({ value: 'deep', params: { id: '7' } });
    expect(found(router, 'GET', '/u/%37/a%3ab')).toEqual({ value: 'deep', params: { id: '7' } });
    expect(found(router, 'GET', '/caf%C3%A9')).toEqual({ value: 'lower-hex', params: {} });
  });

  it('"/" and "%" keep their escapes: no new segment, no double decoding', () => {
    const router = new Router<string>();
    router.add('GET', '/a%2Fb', 'encoded-slash');
    router.add('GET', '/a/b', 'two-segments');
    router.add('GET', '/p%2541', 'percent');
    expect(found(router, 'GET', '/a%2fb')).toEqual({ value: 'encoded-slash', params: {} });
    expect(found(router, 'GET', '/a/b')).toEqual({ value: 'two-segments', params: {} });
    expect(found(router, 'GET', '/p%2541')).toEqual({ value: 'percent', params: {} });
    expect(found(router, 'GET', '/pA')).toBe('not-found');
    expect(found(router, 'GET', '/p%41')).toBe('not-found');
  });

  it('two spellings of one path are the same route (conflict)', () => {
    const router = new Router<number>();
    router.add('GET', '/a%3Ab', 1);
    const err = catchError(() => router.add('GET', '/a:b', 2));
    expect(err.code).toBe('WL_ROUTE_CONFLICT');
    router.add('GET', '/p|a', 3);
    expect(catchError(() => router.add('GET', '/p%7ca', 4)).code).toBe('WL_ROUTE_CONFLICT');
  });
});

describe('Router: Express / fastify patterns are refused with the wasmlane form', () => {
  const REFUSED: Array<[pattern: string, rewrite: string]> = [
    ['/users/:id', '/users/{id}'],
    ['/users/:id/posts/:postId', '/users/{id}/posts/{postId}'],
    ['/:a/:a', '/{a}/{a2}'],
    ['/files/*', '/files/{*path}'],
    ['/*', '/{*path}'],
    ['/files/*rest', '/files/{*rest}'],
    ['/a/*/b', '/a/{path}/b'],
    ['/n/:id(\\d+)', '/n/{id:\\d+}'],
    ['/opt/:id?', '/opt/{id}'],
    ['/img/*.png', '/img/%2A.png'],
    ['/:', '/%3A'],
    ['/x/:1', '/x/%3A1'],
    ['/u/{id}/:tab', '/u/{id}/{tab}'],
  ];
  for (const [pattern, rewrite] of REFUSED) {
    it(`${pattern} → ${rewrite}`, () => {
      const router = new Router<number>();
      const err = catchError(() => router.add('GET', pattern, 1));
      expect(err.code).toBe('WL_INVALID_ROUTE');
      expect(err.message).toContain(JSON.stringify(pattern));
      expect(err.message).toContain(`write ${JSON.stringify(rewrite)}`);
      // Where the rewrite is a valid pattern, it registers.
      if (!/[:*]/.test(rewrite.replace(/\{[^}]*\}/g, ''))) expect(() => new Router<number>().add('GET', rewrite, 1)).not.toThrow();
    });
  }

  it('mentions registering both routes for an optional parameter', () => {
    expect(catchError(() => new Router<number>().add('GET', '/opt/:id?', 1)).message).toMatch(/optional parameter register both/);
  });

  it('keeps ":" inside a segment and "*" inside {…} (regex, tail wildcard)', () => {
    const router = new Router<string>();
    expect(() => router.add('GET', '/a:b', 'x')).not.toThrow();
    expect(() => router.add('GET', '/r/{v:a*}', 'x')).not.toThrow();
    expect(() => router.add('GET', '/w/{*rest}', 'x')).not.toThrow();
    expect(found(router, 'GET', '/r/aaa')).toEqual({ value: 'x', params: { v: 'aaa' } });
  });
});
