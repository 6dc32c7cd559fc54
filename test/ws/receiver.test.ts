// The RFC 6455 frame corpus (test/corpus/ws/*.md) replayed through the Receiver on every engine,
// with text validated by Node (utf8 'native', the default) and by the engine itself ('engine'):
// whole, split in two at every byte, and (small inputs) one byte per write. The observed events
// must equal the case's events exactly, whatever the split.
import { describe, expect, it } from 'vitest';
import { availableEngines, type EngineKind } from '../../src/wasm/instance.js';
import { Receiver } from '../../src/ws/receiver.js';
import type { Utf8Mode } from '../../src/ws/protocol.js';
import { WasmlaneError } from '../../src/errors.js';
import { eventText, loadWsCorpus, type WsCase } from './corpus.js';

const engines = availableEngines();
const cases = loadWsCorpus();

export function runReceiver(c: WsCase, engine: EngineKind, pieces: Buffer[], utf8: Utf8Mode = 'native'): string[] {
  const events: string[] = [];
  const receiver = new Receiver(
    {
      engine,
      utf8,
      isServer: c.isServer,
      ...(c.maxPayload === undefined ? {} : { maxPayload: c.maxPayload }),
      ...(c.maxFragments === undefined ? {} : { maxFragments: c.maxFragments }),
    },
    {
      message: (data, isBinary) => events.push(eventText('message', data, isBinary ? 'binary' : 'text')),
      ping: (data) => events.push(eventText('ping', data)),
      pong: (data) => events.push(eventText('pong', data)),
      close: (code, reason) => events.push(eventText('close', reason, String(code))),
      error: (err) => {
        expect(err).toBeInstanceOf(WasmlaneError);
        events.push(`error ${err.closeCode} ${err.code}`);
      },
    },
  );
  // Fresh copies: the js engine unmasks in place.
  for (const p of pieces) receiver.write(Buffer.from(p));
  return events;
}

/** Split points: all of them for small inputs, the edges and a spread for large ones. */
function splitPoints(n: number): number[] {
  if (n <= 4096) return Array.from({ length: n - 1 }, (_, i) => i + 1);
  const points = new Set<number>();
  for (let i = 1; i < 64; i++) { points.add(i); points.add(n - i); }
  for (let i = 1; i < 64; i++) points.add(Math.floor((n * i) / 64));
  return [...points].filter((p) => p > 0 && p < n).sort((a, b) => a - b);
}

const modes = engines.flatMap((engine) => (['native', 'engine'] as const).map((utf8) => [engine, utf8] as const));

describe.each(modes)('ws corpus on %s, UTF-8 by %s', (engine, utf8) => {
  for (const c of cases) {
    it(`${c.file} › ${c.title}`, () => {
      expect(runReceiver(c, engine, [c.input], utf8)).toEqual(c.events);
      for (const at of splitPoints(c.input.length)) {
        const got = runReceiver(c, engine, [c.input.subarray(0, at), c.input.subarray(at)], utf8);
        if (JSON.stringify(got) !== JSON.stringify(c.events)) expect({ at, got }).toEqual({ at, got: c.events });
      }
      if (c.input.length <= 4096) {
        const bytes = Array.from(c.input, (_, i) => c.input.subarray(i, i + 1));
        expect(runReceiver(c, engine, bytes, utf8)).toEqual(c.events);
      }
    });
  }
});

describe('corpus sanity', () => {
  it('has the cases the brief lists', () => {
    expect(cases.length).toBeGreaterThan(60);
    const files = new Set(cases.map((c) => c.file));
    for (const f of ['rfc6455-examples', 'lengths', 'fragmentation', 'protocol-errors', 'utf8', 'close', 'limits']) {
      expect(files.has(f)).toBe(true);
    }
  });
});
