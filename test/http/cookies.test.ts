// Cookie parsing and Set-Cookie serialisation (RFC 6265bis), signing (HMAC-SHA256 with rotation).
import { describe, expect, it } from 'vitest';
import { WasmlaneError } from '../../src/errors.js';
import { CookieKeys } from '../../src/http/cookie-sign.js';
import { parseCookies, serializeClearCookie, serializeCookie } from '../../src/http/cookies.js';
import type { CookieOptions } from '../../src/http/cookies.js';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return error instanceof WasmlaneError ? error.code : String(error);
  }
  return 'none';
}

describe('parseCookies', () => {
  it('splits on ";", trims SP/HT, splits at the first "=", keeps values as sent', () => {
    const jar = parseCookies([' a=1 ;b = two words ;\tc="q=v";d==x; e=%41; =nameless; flag; f=']);
    expect({ ...jar }).toEqual({ a: '1', b: 'two words', c: '"q=v"', d: '=x', e: '%41', f: '' });
  });

  it('takes every Cookie line and lets the first occurrence win', () => {
    expect({ ...parseCookies(['sid=new; x=1', 'sid=old; y=2']) }).toEqual({ sid: 'new', x: '1', y: '2' });
  });

  it('is a null-prototype object (no __proto__ or constructor surprises)', () => {
    const jar = parseCookies(['__proto__=p; constructor=c']);
    expect(Object.getPrototypeOf(jar)).toBeNull();
    expect(jar.__proto__).toBe('p');
    expect(jar['toString']).toBeUndefined();
  });
});

describe('serializeCookie', () => {
  it('writes attributes in a fixed order with canonical spellings', () => {
    const expires = new Date(Date.UTC(2030, 0, 2, 3, 4, 5));
    expect(serializeCookie('sid', 'abc', {
      maxAge: 3600, expires, domain: 'example.com', path: '/app', secure: true, httpOnly: true,
      sameSite: 'None', partitioned: true, priority: 'High',
    })).toBe('sid=abc; Max-Age=3600; Expires=Wed, 02 Jan 2030 03:04:05 GMT; Domain=example.com; Path=/app; Secure; HttpOnly; SameSite=None; Partitioned; Priority=High');
    expect(serializeCookie('a', '"quoted"')).toBe('a="quoted"');
    expect(serializeCookie('__Host-id', '1', { secure: true, path: '/' })).toBe('__Host-id=1; Path=/; Secure');
    expect(serializeCookie('__Secure-id', '1', { secure: true })).toBe('__Secure-id=1; Secure');
    expect(serializeCookie('s', 'v', { sameSite: 'lax' as CookieOptions['sameSite'] })).toBe('s=v; SameSite=Lax');
  });

  it('refuses what user agents would reject or misread, with WL_INVALID_COOKIE', () => {
    const bad: [string, string, CookieOptions?][] = [
      ['', 'v'], ['a b', 'v'], ['a;b', 'v'], ['a=b', 'v'], ['é', 'v'],
      ['a', 'x y'], ['a', 'x;y'], ['a', 'x,y'], ['a', 'x\\y'], ['a', '"x'], ['a', 'é'], ['a', 'x\r\ny'],
      ['a', 'v'.repeat(4096)],
      ['a', 'v', { sameSite: 'None' }],
      ['a', 'v', { partitioned: true }],
      ['a', 'v', { sameSite: 'Sometimes' as 'Lax' }],
      ['a', 'v', { priority: 'Urgent' as 'High' }],
      ['a', 'v', { maxAge: 1.5 }],
      ['a', 'v', { expires: new Date('nope') }],
      ['a', 'v', { domain: 'exa mple.com' }], ['a', 'v', { domain: 'a.com;b' }],
      ['a', 'v', { path: 'relative' }], ['a', 'v', { path: '/a;b' }], ['a', 'v', { path: '/a\nb' }],
      ['__Secure-a', 'v'], ['__secure-a', 'v'],
      ['__Host-a', 'v', { secure: true }], ['__Host-a', 'v', { secure: true, path: '/', domain: 'x.com' }],
      ['__HOST-a', 'v', { path: '/' }],
    ];
    for (const [name, value, options] of bad) {
      expect(codeOf(() => serializeCookie(name, value, options)), `${name}=${value} ${JSON.stringify(options)}`).toBe('WL_INVALID_COOKIE');
    }
  });

  it('clears with an empty value, Max-Age=0 and an Expires in 1970, keeping path/domain/secure', () => {
    expect(serializeClearCookie('__Host-s', { path: '/', secure: true, maxAge: 10, signed: true }))
      .toBe('__Host-s=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; Secure');
  });
});

describe('CookieKeys', () => {
  const OLD = 'o'.repeat(32);
  const NEW = 'n'.repeat(32);

  it('signs name=value, verifies with any key (rotation), refuses tampering and renaming', () => {
    const old = new CookieKeys([OLD]);
    const rotated = new CookieKeys([NEW, OLD]);
    const signed = old.sign('sid', 'user42');
    expect(signed).toMatch(/^user42\.[A-Za-z0-9_-]{43}$/);
    expect(rotated.unsign('sid', signed)).toBe('user42');
    expect(rotated.sign('sid', 'user42')).not.toBe(signed);
    expect(new CookieKeys([NEW]).unsign('sid', signed)).toBe(false);
    expect(old.unsign('other', signed)).toBe(false); // the name is signed too
    expect(old.unsign('sid', signed.replace('user42', 'user43'))).toBe(false);
    expect(old.unsign('sid', `${signed.slice(0, -1)}${signed.endsWith('A') ? 'B' : 'A'}`)).toBe(false);
    expect(old.unsign('sid', 'user42')).toBe(false);
    expect(old.unsign('sid', `${signed}x`)).toBe(false);
    expect(old.unsign('sid', old.sign('sid', 'a.b.c'))).toBe('a.b.c');
  });

  it('refuses short or missing secrets with WL_INVALID_CONFIG', () => {
    expect(codeOf(() => new CookieKeys([]))).toBe('WL_INVALID_CONFIG');
    expect(codeOf(() => new CookieKeys(['short']))).toBe('WL_INVALID_CONFIG');
    expect(codeOf(() => new CookieKeys([42 as unknown as string]))).toBe('WL_INVALID_CONFIG');
    expect(codeOf(() => new CookieKeys([Buffer.alloc(32, 1)]))).toBe('none');
  });
});
