// The WASM parser copies a fresh head's first 4096 bytes into INPUT (src/http/head/wasm.ts), resumes
// over the rest only when the head is longer, and parses the next pipelined head in place when it
// starts inside those resident bytes and the caller says the chunk is unchanged. Checked against the
// TS twin, slot for slot: heads ending, and failing, at every offset around the window; limits around
// it; every split; and chunks of pipelined heads read through head after head — with a head straddling
// the end of the resident bytes, and another parser of the same engine taking the region in between.
import { describe, expect, it } from 'vitest';
import { createHeadParser } from '../../../src/http/head/index.js';
import type { HeadLimits, HeadParser } from '../../../src/http/head/parser.js';
import { availableEngines } from '../../../src/wasm/instance.js';
import { diffSnapshots, snapshot, type TableSnapshot } from './support/table.js';

const WINDOW = 4096;
const engines = availableEngines().filter((e) => e !== 'js');
const NEXT = 'GET /next HTTP/1.1\r\nHost: h\r\n\r\n'.repeat(150); // more than a window of pipelined bytes

/** A head of exactly `length` bytes: one padding field sized to land the final CRLFCRLF there. */
function headOf(length: number, path = '/x'): string {
  const start = `GET ${path} HTTP/1.1\r\nHost: h\r\nX-Pad: `;
  const end = '\r\n\r\n';
  return start + 'p'.repeat(length - start.length - end.length) + end;
}

function parsersFor(limits?: Partial<HeadLimits>): HeadParser[] {
  return ['js' as const, ...engines].map((e) => createHeadParser(e, limits));
}

function disagreements(parsers: HeadParser[], input: Uint8Array): string[] {
  const results = parsers.map((p) => {
    p.reset();
    return snapshot(p, p.parse(input, 0, input.length, 0));
  });
  const problems: string[] = [];
  for (let i = 1; i < parsers.length; i++) {
    for (const d of diffSnapshots(results[0]!, results[i]!)) problems.push(`${parsers[i]!.engine}: ${d}`);
  }
  return problems;
}

/** Read every head of `input` in turn (unchanged = true), as the connection does; a snapshot per head. */
function readThrough(p: HeadParser, input: Uint8Array, interloper?: HeadParser): TableSnapshot[] {
  const out: TableSnapshot[] = [];
  p.reset();
  for (let at = 0, i = 0; at < input.length; i++) {
    const rc = p.parse(input, at, input.length, 0, true);
    out.push(snapshot(p, rc));
    expect(p.result.headLength === rc || rc <= 0).toBe(true);
    if (rc <= 0) break;
    at += rc;
    // Another connection of the same engine parses in between: our resident bytes are gone.
    if (interloper !== undefined && i % 3 === 1) interloper.parse(Buffer.from(headOf(300)), 0, 300, 0);
  }
  return out;
}

describe('WASM head parse through the first window agrees with the TS twin', () => {
  it('runs at least one WASM engine', () => expect(engines.length).toBeGreaterThan(0));

  it('heads ending at every offset around the window, with pipelined bytes behind them', () => {
    const parsers = parsersFor();
    const problems: string[] = [];
    for (let length = WINDOW - 40; length <= WINDOW + 40; length++) {
      const input = Buffer.from(headOf(length) + NEXT, 'latin1');
      expect(parsers[0]!.parse(input, 0, input.length, 0)).toBe(length);
      for (const p of disagreements(parsers, input)) problems.push(`length ${length}: ${p}`);
    }
    expect(problems).toEqual([]);
  });

  it('a bad byte planted at every offset around the window gives the same error and position', () => {
    const parsers = parsersFor();
    const problems: string[] = [];
    const base = headOf(WINDOW + 200);
    for (const bad of [0x00, 0x0a, 0x7f]) {
      for (let at = WINDOW - 24; at <= WINDOW + 24; at++) {
        const bytes = Buffer.from(base + NEXT, 'latin1');
        bytes[at] = bad;
        expect(parsers[0]!.parse(bytes, 0, bytes.length, 0)).toBeLessThan(0);
        for (const p of disagreements(parsers, bytes)) problems.push(`0x${bad.toString(16)} at ${at}: ${p}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('maxHeadSize around the window: too large or complete, as the twin says', () => {
    const problems: string[] = [];
    for (const maxHeadSize of [WINDOW - 1, WINDOW, WINDOW + 1, WINDOW + 2]) {
      const parsers = parsersFor({ maxHeadSize });
      for (let length = WINDOW - 3; length <= WINDOW + 3; length++) {
        const input = Buffer.from(headOf(length) + NEXT, 'latin1');
        for (const p of disagreements(parsers, input)) problems.push(`max ${maxHeadSize} length ${length}: ${p}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('a head longer than the window, split at every byte (resumed with lastLen)', () => {
    const length = WINDOW + 30;
    const input = Buffer.from(headOf(length) + NEXT, 'latin1');
    const problems: string[] = [];
    for (const engine of engines) {
      const p = createHeadParser(engine);
      for (let split = 1; split < length; split += split < WINDOW - 64 ? 61 : 1) {
        p.reset();
        let rc = p.parse(input, 0, split, 0);
        if (rc === 0) rc = p.parse(input, 0, input.length, split);
        if (rc !== length) problems.push(`${engine} split ${split}: rc ${rc}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('pipelined heads read through one chunk, one straddling the resident bytes at each offset', () => {
    const problems: string[] = [];
    const js = createHeadParser('js');
    for (const engine of engines) {
      const p = createHeadParser(engine);
      const interloper = createHeadParser(engine);
      for (let lead = WINDOW - 700; lead <= WINDOW + 20; lead += 7) {
        // Heads of 200..260 bytes up to `lead`, then a 600-byte head, then more: one of them crosses 4096.
        let text = '';
        for (let i = 0; text.length < lead; i++) text += headOf(200 + (i * 13) % 61, `/p${i}`);
        text += headOf(600, '/long') + NEXT.slice(0, 33 * 40);
        const input = Buffer.from(text, 'latin1');
        const want = readThrough(js, input);
        for (const other of [undefined, interloper]) {
          const got = readThrough(p, input, other);
          if (got.length !== want.length) problems.push(`${engine} lead ${lead}: ${got.length} heads, want ${want.length}`);
          for (let i = 0; i < Math.min(got.length, want.length); i++) {
            for (const d of diffSnapshots(want[i]!, got[i]!)) problems.push(`${engine} lead ${lead} head ${i}: ${d}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('a chunk whose bytes changed is not read from the stale copy (unchanged = false)', () => {
    for (const engine of engines) {
      const p = createHeadParser(engine);
      const buf = Buffer.from(headOf(300, '/one') + headOf(300, '/two'), 'latin1');
      expect(p.parse(buf, 0, buf.length, 0)).toBe(300);
      buf.write(headOf(300, '/new'), 300, 'latin1');
      expect(p.parse(buf, 300, buf.length, 0)).toBe(300);
      expect(p.result.target).toBe('/new');
    }
  });
});
