// The TypeScript head parser's fast paths (src/http/head/js/fast.ts, js/scan.ts) against the
// references: the WASM scalar engine when it runs here, and the TypeScript state machine itself (a head
// fed in two pieces never takes the whole-head path). Word-at-a-time scans depend on where the bytes
// sit in their ArrayBuffer, so every head is placed at byte offsets 0..7, between foreign bytes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as abi from '../../../src/abi.js';
import { createHeadParser } from '../../../src/http/head/index.js';
import type { HeadLimits, HeadParser } from '../../../src/http/head/parser.js';
import { availableEngines } from '../../../src/wasm/instance.js';
import { parseResult } from './support/table.js';

const FIXTURES = ['minimal-get', 'typical-browser-get', 'forty-headers-get', 'post-json', 'post-chunked'];
const load = (name: string): Uint8Array =>
  readFileSync(new URL(`../../../bench/fixtures/${name}.http`, import.meta.url));
const bytes = (s: string): Uint8Array => Buffer.from(s, 'latin1');
const hasWasm = availableEngines().includes('wasm');

const snapshot = (p: HeadParser, rc: number): number[] => parseResult(p, rc, [abi.R_TE_STATE]);

/** `head` copied to byte offset `offset` of a fresh ArrayBuffer, surrounded by 0xAA (never read). */
function placed(head: Uint8Array, offset: number): Uint8Array {
  const ab = new ArrayBuffer(offset + head.length + 13);
  new Uint8Array(ab).fill(0xaa);
  const view = new Uint8Array(ab, offset, head.length);
  view.set(head);
  return view;
}

interface Parsers { js: HeadParser; split: HeadParser; wasm: HeadParser | null }

function parsers(limits?: Partial<HeadLimits>): Parsers {
  return {
    js: createHeadParser('js', limits),
    split: createHeadParser('js', limits),
    wasm: hasWasm ? createHeadParser('wasm', limits) : null,
  };
}

/** The whole-head JS parse of `head` at several offsets equals both references. */
function agree(ps: Parsers, head: Uint8Array, offsets: readonly number[] = [0, 1, 2, 3, 5, 7]): number {
  // Reference 1: the state machine, the head split in two (the first piece is incomplete or decisive).
  const cut = head.length >> 1;
  let rcSplit = ps.split.parse(head, 0, cut, 0);
  if (rcSplit === 0) rcSplit = ps.split.parse(head, 0, head.length, cut);
  const want = snapshot(ps.split, rcSplit);
  if (ps.wasm !== null) expect(snapshot(ps.wasm, ps.wasm.parse(head, 0, head.length, 0))).toEqual(want);
  let rc = 0;
  for (const offset of offsets) {
    const buf = placed(head, offset);
    rc = ps.js.parse(buf, 0, buf.length, 0);
    expect(snapshot(ps.js, rc)).toEqual(want);
  }
  return rc;
}

const SPECIAL = [
  'GET /a HTTP/1.1\r\nHost: example.com\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\n',
  'POST /upload?x=1 HTTP/1.1\r\nHost: [::1]:8080\r\nContent-Length: 42\r\nExpect: 100-continue\r\n\r\n',
  'POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nX-Pad:  \t spaced value \t \r\n\r\n',
  'OPTIONS * HTTP/1.0\r\nConnection: close\r\nX-Empty:\r\nX-Tab:\tv\ta\tl\r\n\r\n',
  'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\nProxy-Authorization: Basic QWxhZGRpbjpvcGVu\r\n\r\n',
  'GET http://example.com/path HTTP/1.1\r\nHost: example.com\r\nX-Obs: caf\xe9 \xff\x80 end of a longer value\r\n\r\n',
];

describe('TypeScript head parser fast paths', () => {
  it.each(FIXTURES)('fixture %s parses identically at every byte offset', (name) => {
    const head = load(name);
    const rc = agree(parsers(), head, [0, 1, 2, 3, 4, 5, 6, 7]);
    expect(rc).toBeGreaterThan(0);
  });

  it('special fields, OWS, empty values, obs-text and other forms agree', () => {
    const ps = parsers();
    for (const text of SPECIAL) expect(agree(ps, bytes(text))).toBeGreaterThan(0);
  });

  it('Host and Connection values, plain and unusual, agree', () => {
    const ps = parsers();
    const hosts = ['www.example-1.com', 'www.example-1.com:8080', 'exa%41mple.com', 'exam%4', 'ex%zzample.org',
      'a_b~c!d$e.f', 'two words.com', 'host.example.com:', 'host.example.com:8o', '[::1]', '[v1.x]:1', 'h:1:2', ''];
    const conns = ['keep-alive', 'Keep-Alive', 'close', 'CLOSE', 'keep-alivf', 'upgrade', 'keep-alive, Upgrade',
      ' close ,, keep-alive', 'closed', 'x'];
    const outcomes = new Set<number>();
    for (const host of hosts) {
      for (const conn of conns) {
        const text = `GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: ${conn}\r\nX-After: 1\r\n\r\n`;
        outcomes.add(Math.sign(agree(ps, bytes(text), [0, 1, 2, 3])));
      }
    }
    expect([...outcomes].sort()).toEqual([-1, 1]);
  });

  it('every byte replaced by a delimiter, control, DEL or obs-text agrees', () => {
    const ps = parsers();
    const swaps = [0x00, 0x09, 0x0a, 0x0d, 0x1f, 0x20, 0x25, 0x2c, 0x3a, 0x5b, 0x7f, 0x80, 0xff, 0x41];
    let checked = 0;
    for (const base of [load('typical-browser-get'), bytes(SPECIAL[1]!), bytes(SPECIAL[2]!)]) {
      for (let i = 0; i < base.length; i++) {
        for (const s of swaps) {
          if (base[i] === s) continue;
          const head = Uint8Array.from(base);
          head[i] = s;
          agree(ps, head, [i & 3, 7]);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(10000);
  });

  it('limits at, just under and just over each size agree', () => {
    const text = 'POST /some/target/path HTTP/1.1\r\nHost: example.com\r\nX-Name-Of-Sixteen: v\r\n' +
      'Content-Length: 5\r\nX-Long: 0123456789abcdefghijklmnopqrstuvwxyz\r\n\r\n';
    const head = bytes(text);
    const sizes: [keyof HeadLimits, number][] = [
      ['maxTargetLength', '/some/target/path'.length],
      ['maxHeaderNameLength', 'X-Name-Of-Sixteen'.length],
      ['maxHeaderValueLength', ' 0123456789abcdefghijklmnopqrstuvwxyz'.length],
      ['maxHeadSize', head.length],
      ['maxHeaderCount', 4],
    ];
    const outcomes = new Set<number>();
    for (const [key, size] of sizes) {
      for (let d = -2; d <= 2; d++) {
        if (size + d < 1) continue;
        outcomes.add(Math.sign(agree(parsers({ [key]: size + d }), head)));
      }
    }
    expect([...outcomes].sort()).toEqual([-1, 1]); // some limits reject, some accept
  });

  it('incomplete heads (every prefix) agree and ask for more', () => {
    const ps = parsers();
    const head = bytes(SPECIAL[0]!);
    for (let n = 1; n < head.length; n++) expect(agree(ps, head.subarray(0, n), [n & 3])).toBe(0);
  });
});
