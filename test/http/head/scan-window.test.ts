// The SIMD head parser's fast paths — the 32-byte field-line window (name end and value CR from one
// pair of loads), the ×2-unrolled value scan, the backward trim of trailing OWS, the SWAR value scan
// of the scalar build and the word-wide special-name compares — checked against the TS twin on field
// lines built to hit their edges: every length of name and value around 16/32/64 bytes, a CTL, DEL,
// HTAB, SP or obs-text planted at every position of the line, value limits around the window size,
// and special names in mixed case with one letter changed. Results and error positions must agree
// slot for slot, whole and resumed from a split.
import { describe, expect, it } from 'vitest';
import { createHeadParser } from '../../../src/http/head/index.js';
import type { HeadLimits, HeadParser } from '../../../src/http/head/parser.js';
import { availableEngines } from '../../../src/wasm/instance.js';
import { diffSnapshots, hexDump, snapshot, type TableSnapshot } from './support/table.js';

const engines = availableEngines();
const enc = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'));

function run(p: HeadParser, input: Uint8Array, split: number): TableSnapshot {
  p.reset();
  if (split > 0 && split < input.length) {
    const rc = p.parse(input, 0, split, 0);
    if (rc !== 0) return snapshot(p, rc);
    return snapshot(p, p.parse(input, 0, input.length, split));
  }
  return snapshot(p, p.parse(input, 0, input.length, 0));
}

/** Every engine agrees with js on `input` (whole, and split at `split`); returns the mismatches. */
function check(parsers: HeadParser[], input: Uint8Array, split: number): string[] {
  const problems: string[] = [];
  for (const s of [0, split]) {
    const want = run(parsers[0]!, input, s);
    for (let i = 1; i < parsers.length; i++) {
      const got = run(parsers[i]!, input, s);
      for (const d of diffSnapshots(want, got)) problems.push(`${parsers[i]!.engine} (split ${s}): ${d}`);
    }
  }
  return problems;
}

function makeParsers(limits?: Partial<HeadLimits>): HeadParser[] {
  const order = ['js', ...engines.filter((e) => e !== 'js')] as const;
  return order.map((e) => createHeadParser(e, limits));
}

const PLANTS = [0x00, 0x09, 0x0d, 0x20, 0x7f, 0x80, 0x3a];
const HEAD = 'GET /x HTTP/1.1\r\nHost: h\r\n';
const TAIL = 'Accept: */*\r\nX-Next: 1\r\n\r\n';

describe('head parser SIMD/SWAR fast paths agree with the TS twin', () => {
  it('sees more than one engine', () => expect(engines.length).toBeGreaterThan(1));

  it('field lines of every length around the window, with one byte planted at each position', () => {
    const problems: string[] = [];
    const limitSets: (Partial<HeadLimits> | undefined)[] = [undefined, { maxHeaderValueLength: 31 },
      { maxHeaderNameLength: 20, maxHeaderValueLength: 32 }];
    let cases = 0;
    for (const limits of limitSets) {
      const parsers = makeParsers(limits);
      for (const nameLen of [1, 15, 16, 29, 30, 31, 33]) {
        for (const valueLen of [1, 15, 16, 17, 28, 29, 30, 31, 33, 64]) {
          const name = 'N'.repeat(nameLen);
          const line = `${name}: ${'v'.repeat(valueLen)}\r\n`;
          const base = enc(HEAD + line + TAIL);
          const at0 = HEAD.length;
          // Unchanged, then each planted byte at each position of the line (name, colon, SP, value, CR).
          const variants: Uint8Array[] = [base];
          for (let i = 0; i < line.length - 1; i++) {
            for (const b of PLANTS) {
              const v = base.slice();
              v[at0 + i] = b;
              variants.push(v);
            }
          }
          for (const v of variants) {
            cases++;
            const ps = check(parsers, v, (cases * 7919) % v.length);
            if (ps.length > 0 && problems.length < 4) {
              problems.push(`${JSON.stringify(limits)} name ${nameLen} value ${valueLen}\n${ps.join('\n')}\n${hexDump(v)}`);
            }
          }
        }
      }
    }
    expect(cases).toBeGreaterThan(10000);
    expect(problems).toEqual([]);
  }, 120_000);

  it('trailing and inner OWS of every length, around the value scan blocks', () => {
    const parsers = makeParsers();
    const problems: string[] = [];
    for (let pre = 0; pre < 40; pre += 3) {
      for (let ws = 0; ws < 20; ws++) {
        for (const pad of ['\t', ' ', ' \t']) {
          const value = 'a'.repeat(pre) + pad.repeat(ws) + (ws % 2 ? 'z' : '');
          const input = enc(`${HEAD}X-V: ${value}${pad.repeat(ws % 5)}\r\n${TAIL}`);
          problems.push(...check(parsers, input, pre + 20));
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('special names in any case, and with one letter changed, at every length', () => {
    const parsers = makeParsers();
    const names = ['Host', 'Expect', 'Upgrade', 'Connection', 'Content-Length', 'Transfer-Encoding'];
    const values: Record<string, string> = {
      Host: 'example.com', Expect: '100-continue', Upgrade: 'websocket', Connection: 'close',
      'Content-Length': '12', 'Transfer-Encoding': 'chunked',
    };
    const problems: string[] = [];
    let i = 0;
    for (const n of names) {
      const variants = [n, n.toLowerCase(), n.toUpperCase()];
      for (let k = 0; k < n.length; k++) {
        variants.push(n.slice(0, k) + (n[k] === 'x' ? 'y' : 'x') + n.slice(k + 1));
        variants.push(n.slice(0, k) + n[k]!.toUpperCase() + n.slice(k + 1).toLowerCase());
      }
      for (const v of variants) {
        // Host is given once, by this line, so a changed "Host" name leaves a head without one.
        const head = `POST / HTTP/1.1\r\n${n === 'Host' ? '' : 'Host: h\r\n'}${v}: ${values[n]}\r\nX: y\r\n\r\n`;
        problems.push(...check(parsers, enc(head), ++i % head.length));
      }
    }
    expect(problems).toEqual([]);
  });

  it('Host values of every length up to and past 32 bytes, plain and not (the vector Host check)', () => {
    const parsers = makeParsers();
    const problems: string[] = [];
    const stems = ['a', 'A-9.z', '127.0.0.1', 'x_y', 'a%41b', 'a%4', '[::1]', 'h~!$', 'h@x', 'h/x', '-', '.'];
    const tails = ['', ':', ':80', ':8a', '::80', ':65535', ' ', '\t', ':8 '];
    for (const stem of stems) {
      for (let len = 0; len <= 40; len++) {
        for (const tail of tails) {
          const host = (stem.repeat(Math.ceil(len / stem.length))).slice(0, len) + tail;
          const head = `GET / HTTP/1.1\r\nHost: ${host}\r\nAccept: */*\r\nX-Pad: ${'p'.repeat(40)}\r\n\r\n`;
          problems.push(...check(parsers, enc(head), len + 17));
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('Connection values near the word-compared "keep-alive" and "close"', () => {
    const parsers = makeParsers();
    const problems: string[] = [];
    const values = ['keep-alive', 'Keep-Alive', 'KEEP-ALIVE', 'keep-alivf', 'jeep-alive', 'keep_alive', 'keep-aliv',
      'keep-alive2', 'close', 'Close', 'CLOSE', 'clos', 'closf', 'blose', 'closed', 'upgrade', 'close, keep-alive',
      'keep-alive, Upgrade', 'cl\x80se', 'keep-al\tve', 'keep-\xc1live', ''];
    for (const v of values) {
      for (const version of ['1.0', '1.1']) {
        const head = `GET / HTTP/${version}\r\nHost: h\r\nConnection: ${v}\r\nAccept: */*\r\n\r\n`;
        problems.push(...check(parsers, enc(head), v.length + 20));
      }
    }
    expect(problems).toEqual([]);
  });
});

