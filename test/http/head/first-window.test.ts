// The WASM parser first parses a fresh head from a window of the input (1024 bytes, src/http/head/wasm.ts)
// and resumes over the rest only when the head is longer. Heads whose end, or whose first bad byte, falls
// on every offset around that boundary — followed by pipelined bytes so that more than a window is
// available — must give the TS twin's result slot for slot, including error positions and the
// head-size limit set around the window.
import { describe, expect, it } from 'vitest';
import { createHeadParser } from '../../../src/http/head/index.js';
import type { HeadLimits, HeadParser } from '../../../src/http/head/parser.js';
import { availableEngines } from '../../../src/wasm/instance.js';
import { diffSnapshots, snapshot } from './support/table.js';

const WINDOW = 1024;
const engines = availableEngines().filter((e) => e !== 'js');
const NEXT = 'GET /next HTTP/1.1\r\nHost: h\r\n\r\n'.repeat(40); // > a window of pipelined bytes

/** A head of exactly `length` bytes: one padding field sized to land the final CRLFCRLF there. */
function headOf(length: number): string {
  const start = 'GET /x HTTP/1.1\r\nHost: h\r\nX-Pad: ';
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

describe('WASM head parse through the first window agrees with the TS twin', () => {
  it('runs at least one WASM engine', () => expect(engines.length).toBeGreaterThan(0));

  it('heads ending at every offset around the window, with pipelined bytes behind them', () => {
    const parsers = parsersFor();
    const problems: string[] = [];
    for (let length = WINDOW - 40; length <= WINDOW + 40; length++) {
      const input = Buffer.from(headOf(length) + NEXT, 'latin1');
      const rc = parsers[0]!.parse(input, 0, input.length, 0);
      expect(rc).toBe(length);
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
        const rc = parsers[0]!.parse(bytes, 0, bytes.length, 0);
        expect(rc).toBeLessThan(0);
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

  it('a head longer than the window split at every byte (the reader resumes with lastLen)', () => {
    const input = Buffer.from(headOf(WINDOW + 30) + NEXT, 'latin1');
    const problems: string[] = [];
    for (const engine of engines) {
      const p = createHeadParser(engine);
      for (let split = 1; split < WINDOW + 30; split++) {
        p.reset();
        let rc = p.parse(input, 0, split, 0);
        if (rc === 0) rc = p.parse(input, 0, input.length, split);
        if (rc !== WINDOW + 30) problems.push(`${engine} split ${split}: rc ${rc}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
