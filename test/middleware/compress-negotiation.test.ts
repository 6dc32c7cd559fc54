// Accept-Encoding negotiation (RFC 9110 §12.5.3) and the default type filter, table-driven.
import { describe, expect, it } from 'vitest';
import { EncodingNegotiator, negotiateEncoding, parseAcceptEncoding } from '../../src/middleware/accept-encoding.js';
import type { Encoding } from '../../src/middleware/accept-encoding.js';
import { isCompressible } from '../../src/middleware/compress.js';

const SERVER: Encoding[] = ['br', 'gzip', 'deflate'];

const CASES: [string | undefined, Encoding | null, string][] = [
  [undefined, null, 'no field: identity'],
  ['', null, 'empty field: only identity is acceptable'],
  ['gzip', 'gzip', 'one coding'],
  ['gzip, deflate, br', 'br', 'equal weights: server preference'],
  ['gzip, deflate, br, zstd', 'br', 'unknown codings are skipped'],
  ['br;q=0.5, gzip', 'gzip', 'higher weight wins over preference'],
  ['br;q=0, gzip;q=0, deflate', 'deflate', 'q=0 is "not acceptable"'],
  ['*', 'br', '* accepts every coding'],
  ['*;q=0.5, gzip', 'gzip', 'an explicit coding outweighs *'],
  ['*;q=0.5, br;q=0', 'gzip', '* covers only the codings not listed'],
  ['identity', null, 'identity only'],
  ['identity;q=0', null, 'nothing acceptable: identity all the same'],
  ['*;q=0', null, '*;q=0 refuses every coding'],
  ['gzip;q=0.5', 'gzip', 'an identity the client did not weigh ranks below what it listed'],
  ['gzip;q=0.5, identity', null, 'identity weighs more'],
  ['gzip, identity', 'gzip', 'a tie with identity compresses'],
  ['*;q=0.2, identity;q=0.1', 'br', 'identity weighs less than *'],
  ['GZIP', 'gzip', 'codings are case-insensitive'],
  ['x-gzip', 'gzip', 'x-gzip is gzip (RFC 9110 §8.4.1.3)'],
  ['gzip;q=1.5', null, 'a weight above 1 is invalid: element ignored'],
  ['gzip;q=0.0001', null, 'four decimals are invalid: element ignored'],
  ['gzip;q=abc, br', 'br', 'an invalid weight drops only its element'],
  ['gzip;q=0.001', 'gzip', 'three decimals are fine'],
  ['gzip;q=1.000', 'gzip', '1.000 is fine'],
  ['gzip ; q=0.8 , br ; Q=0.9', 'br', 'whitespace around ; and =, Q in capitals'],
  ['br;q=0.8, gzip;q=0.8', 'br', 'equal non-1 weights: server preference'],
  ['compress, zstd', null, 'nothing we offer'],
  ['gzip;level=1', 'gzip', 'other parameters are ignored'],
  ['gzip;q=0, gzip', null, 'a repeated coding keeps its first weight'],
  [',, ,gzip,,', 'gzip', 'empty list elements are skipped (RFC 9110 §5.6.1)'],
];

describe('negotiateEncoding', () => {
  it.each(CASES)('%j → %j (%s)', (header, expected) => {
    expect(negotiateEncoding(header, SERVER)).toBe(expected);
    // The cached negotiator agrees, on the first call and on a cache hit.
    const cached = new EncodingNegotiator(SERVER);
    expect(cached.choose(header)).toBe(expected);
    expect(cached.choose(header)).toBe(expected);
  });

  it('breaks ties by the server order it is given', () => {
    expect(negotiateEncoding('br, gzip', ['gzip', 'br'])).toBe('gzip');
    expect(negotiateEncoding('br, gzip, deflate', ['deflate'])).toBe('deflate');
    expect(negotiateEncoding('br', ['gzip', 'deflate'])).toBeNull();
  });

  it('parses weights by name', () => {
    expect([...parseAcceptEncoding('gzip;q=0.5, BR, *;q=0')]).toEqual([['gzip', 0.5], ['br', 1], ['*', 0]]);
  });

  it('keeps its cache bounded whatever values clients send', () => {
    const negotiator = new EncodingNegotiator(SERVER);
    for (let i = 0; i < 2000; i++) expect(negotiator.choose(`gzip;q=0.${i % 1000}, x-${i}`)).toBe(i % 1000 === 0 ? null : 'gzip');
  });
});

describe('isCompressible (the default filter)', () => {
  it.each([
    ['text/html; charset=utf-8', true], ['text/plain', true], ['text/css', true], ['text/csv', true],
    ['application/json', true], ['application/json; charset=utf-8', true], ['application/problem+json', true],
    ['application/javascript', true], ['text/javascript', true], ['application/xml', true], ['application/atom+xml', true],
    ['image/svg+xml', true], ['application/wasm', true], ['application/x-ndjson', true], ['font/ttf', true],
    ['text/event-stream', false], ['image/png', false], ['image/jpeg', false], ['application/octet-stream', false],
    ['application/zip', false], ['application/gzip', false], ['video/mp4', false], ['font/woff2', false], ['', false],
    ['application/jsonx', false],
  ])('%j → %j', (type, expected) => {
    expect(isCompressible(type)).toBe(expected);
  });
});
