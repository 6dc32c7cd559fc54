// Server-sent events (WHATWG HTML §9.2): the wire format, then real streams read by undici fetch and
// parsed with the spec's rules (test/support/sse-client.ts), Last-Event-ID, client abort, heartbeats,
// shutdown, and topics shared with WebSocket subscribers (src/pubsub.ts).
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocketClient from 'ws';
import { WasmlaneError } from '../src/errors.js';
import type { ResponseStream } from '../src/http/stream-types.js';
import { TopicRegistry } from '../src/pubsub.js';
import { SseStream } from '../src/sse.js';
import { formatComment, formatEvent } from '../src/sse-format.js';
import { SseParser, openEvents } from './support/sse-client.js';
import { ENGINES, start } from './server/helpers.js';
import type { Running } from './server/helpers.js';

/** Parse a complete serialized stream the way a browser would. */
function parse(text: string): SseParser {
  const parser = new SseParser();
  parser.push(text);
  return parser;
}

describe('text/event-stream format', () => {
  it('splits data on CRLF, CR and LF into one data line each; the client rejoins with LF', () => {
    const data = 'one\r\ntwo\rthree\nfour\n\nsix';
    const wire = formatEvent({ data });
    expect(wire).not.toMatch(/\r/);
    expect(wire.split('\n').filter((l) => l.startsWith('data: '))).toHaveLength(6);
    expect(parse(wire).events).toEqual([{ event: 'message', data: data.replace(/\r\n|\r/g, '\n'), lastEventId: '' }]);
  });

  it('keeps leading spaces and colons in data (one space after the colon is the separator)', () => {
    const data = '  indented: yes\n:not a comment';
    expect(parse(formatEvent({ data })).events[0]!.data).toBe(data);
  });

  it('sends values as JSON, with event, id and retry fields', () => {
    const value = { user: 'ana', text: 'hi\nthere', n: [1, 2] };
    const parser = parse(formatEvent({ event: 'chat', id: 7, retry: 2500, data: value }));
    expect(parser.retry).toBe(2500);
    expect(parser.events).toHaveLength(1);
    expect(parser.events[0]!.event).toBe('chat');
    expect(parser.events[0]!.lastEventId).toBe('7');
    expect(JSON.parse(parser.events[0]!.data)).toEqual(value);
  });

  it('refuses field injection through event and id, NUL in id, bad retry and data without JSON form', () => {
    const bad = [
      { event: 'a\nb', data: 'x' },
      { event: 'a\rdata: forged', data: 'x' },
      { id: '1\r\n', data: 'x' },
      { id: 'a\0b', data: 'x' },
      { retry: -1, data: 'x' },
      { retry: 1.5, data: 'x' },
      { data: undefined },
      { data: () => 1 },
    ];
    for (const event of bad) {
      expect(() => formatEvent(event), JSON.stringify(event)).toThrow(WasmlaneError);
      try {
        formatEvent(event);
      } catch (error) {
        expect((error as WasmlaneError).code).toBe('WL_SSE_INVALID_FIELD');
      }
    }
  });

  it('parses to the same events however the stream is split across reads', () => {
    const wire = formatEvent({ event: 'a', id: 'x1', data: 'one\r\ntwo' }) + formatComment('c') +
      formatEvent({ data: { n: 'é✓' } }) + formatEvent({ retry: 10, data: '' }) + formatEvent({ data: ' last ' });
    const whole = parse(wire);
    // `data: ` with nothing after it still dispatches (an empty string), per §9.2.6.
    expect(whole.events.map((e) => e.data)).toEqual(['one\ntwo', '{"n":"é✓"}', '', ' last ']);
    for (let i = 0; i <= wire.length; i++) {
      const parser = new SseParser();
      parser.push(wire.slice(0, i));
      parser.push(wire.slice(i));
      expect(parser.events, `split at ${i}`).toEqual(whole.events);
      expect(parser.retry).toBe(10);
    }
  });

  it('writes comments per line, ignored by the client', () => {
    const parser = parse(formatComment('keep\nalive') + formatEvent({ data: 'after' }));
    expect(parser.comments).toEqual(['keep', 'alive']);
    expect(parser.events.map((e) => e.data)).toEqual(['after']);
  });
});

/** A ResponseStream over an array, for fan-out checks that need the written objects themselves. */
class RecordingStream implements ResponseStream {
  readonly writes: (string | Uint8Array)[] = [];
  bufferedAmount = 0;
  closed = false;
  ended = 0;
  #close: (() => void)[] = [];
  write(chunk: string | Uint8Array): boolean {
    this.writes.push(chunk);
    return true;
  }
  end(): void {
    this.ended++;
    this.closed = true;
    for (const fn of this.#close.splice(0)) fn();
  }
  onClose(fn: () => void): void {
    this.#close.push(fn);
  }
  onDrain(): void {}
}

describe('SseStream as a topic subscriber', () => {
  it('formats a publish once and writes the same Buffer to every SSE subscriber', () => {
    const registry = new TopicRegistry();
    const sinks = [new RecordingStream(), new RecordingStream(), new RecordingStream()];
    const streams = sinks.map((s) => new SseStream(s, undefined, { heartbeatMs: 0 }, registry));
    for (const s of streams) s.subscribe('news');
    expect(registry.publish('news', 'line 1\nline 2')).toBe(3);
    const written = sinks.map((s) => s.writes[0]);
    expect(Buffer.isBuffer(written[0])).toBe(true);
    expect(written[1]).toBe(written[0]);
    expect(written[2]).toBe(written[0]);
    expect(parse(written[0]!.toString()).events).toEqual([{ event: 'message', data: 'line 1\nline 2', lastEventId: '' }]);
  });

  it('names the event per subscription, sharing bytes between equal names only', () => {
    const registry = new TopicRegistry();
    const [a, b, c] = [new RecordingStream(), new RecordingStream(), new RecordingStream()];
    new SseStream(a, undefined, { heartbeatMs: 0 }, registry).subscribe('t', { event: 'tick' });
    new SseStream(b, undefined, { heartbeatMs: 0 }, registry).subscribe('t', { event: 'tick' });
    new SseStream(c, undefined, { heartbeatMs: 0 }, registry).subscribe('t');
    registry.publish('t', Buffer.from('{"n":1}'));
    expect(b.writes[0]).toBe(a.writes[0]);
    expect(parse(a.writes[0]!.toString()).events[0]!.event).toBe('tick');
    expect(parse(c.writes[0]!.toString()).events[0]!.event).toBe('message');
  });

  it('skips a subscriber above maxBufferedAmount (drop) and ends it under the close policy', () => {
    const registry = new TopicRegistry();
    const [fast, slowDrop, slowClose] = [new RecordingStream(), new RecordingStream(), new RecordingStream()];
    new SseStream(fast, undefined, { heartbeatMs: 0, maxBufferedAmount: 100 }, registry).subscribe('t');
    new SseStream(slowDrop, undefined, { heartbeatMs: 0, maxBufferedAmount: 100 }, registry).subscribe('t');
    const closing = new SseStream(slowClose, undefined, { heartbeatMs: 0, maxBufferedAmount: 100, slowConsumerPolicy: 'close' }, registry);
    closing.subscribe('t');
    slowDrop.bufferedAmount = slowClose.bufferedAmount = 101;
    expect(registry.publish('t', 'x')).toBe(1);
    expect(fast.writes).toHaveLength(1);
    expect(slowDrop.writes).toHaveLength(0);
    expect(slowDrop.closed).toBe(false);
    expect(slowClose.ended).toBe(1);
    expect(registry.isSubscribed(closing, 't')).toBe(false); // a closed stream leaves its topics
    expect(registry.subscriberCount('t')).toBe(2);
  });

  it('throws WL_SSE_NO_TOPICS when the stream has no registry', () => {
    const stream = new SseStream(new RecordingStream(), undefined, { heartbeatMs: 0 });
    expect(() => stream.subscribe('t')).toThrow(expect.objectContaining({ code: 'WL_SSE_NO_TOPICS' }));
  });
});

// The HTTP core parses the requests with each engine; the streams must not care.
for (const engine of ENGINES) {
  describe(`ctx.sse() over real connections (${engine})`, () => {
    let running: Running | undefined;
    afterEach(async () => {
      await running?.close();
      running = undefined;
    });

    it('answers 200 text/event-stream and streams events that undici reads as they come', async () => {
      running = await start((server) => {
        server.get('/events', (ctx) => {
          const sse = ctx.sse({ heartbeatMs: 0, retry: 1000 });
          sse.send({ data: 'first' });
          sse.send({ event: 'multi', id: 'a-1', data: 'x\r\ny\rz\n' });
          sse.send({ id: 2, data: { ok: true } });
          sse.comment('not an event');
          sse.send({ data: 'last' });
        });
      }, { engine });
      const events = await openEvents(`${running.url}/events`);
      expect(events.status).toBe(200);
      expect(events.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      expect(events.headers.get('cache-control')).toBe('no-cache');
      expect(events.headers.get('x-accel-buffering')).toBe('no');
      const got = await events.waitFor(4);
      events.abort();
      expect(events.parser.retry).toBe(1000);
      expect(events.parser.comments).toEqual(['not an event']);
      expect(got).toEqual([
        { event: 'message', data: 'first', lastEventId: '' },
        { event: 'multi', data: 'x\ny\nz\n', lastEventId: 'a-1' },
        { event: 'message', data: '{"ok":true}', lastEventId: '2' },
        { event: 'message', data: 'last', lastEventId: '2' },
      ]);
    });

    it('exposes Last-Event-ID (UTF-8) so a reconnecting client can resume', async () => {
      const log = ['e1', 'e2', 'e3', 'e4'];
      running = await start((server) => {
        server.get('/log', (ctx) => {
          const sse = ctx.sse({ heartbeatMs: 0 });
          const from = sse.lastEventId === undefined ? 0 : log.indexOf(sse.lastEventId) + 1;
          for (const entry of log.slice(from)) sse.send({ id: entry, data: `entry ${entry}` });
          sse.send({ event: 'seen', data: sse.lastEventId ?? '(none)' });
          sse.close();
        });
        server.get('/echo-id', (ctx) => {
          const sse = ctx.sse({ heartbeatMs: 0 });
          sse.send({ data: sse.lastEventId ?? '(none)' });
          sse.close();
        });
      }, { engine });
      const fresh = await openEvents(`${running.url}/log`);
      await fresh.ended;
      expect(fresh.parser.events.map((e) => e.data)).toEqual(['entry e1', 'entry e2', 'entry e3', 'entry e4', '(none)']);
      const resumed = await openEvents(`${running.url}/log`, { 'last-event-id': 'e2' });
      await resumed.ended;
      expect(resumed.parser.events.map((e) => e.data)).toEqual(['entry e3', 'entry e4', 'e2']);
      // Browsers send Last-Event-ID as UTF-8 bytes (WHATWG HTML §9.2.4).
      // fetch() takes header values as byte strings, so the UTF-8 bytes are passed as latin1 characters.
      const unicode = await openEvents(`${running.url}/echo-id`, { 'last-event-id': Buffer.from('évé-✓').toString('latin1') });
      await unicode.ended;
      expect(unicode.parser.events[0]!.data).toBe('évé-✓');
    });

    it('fires onClose when the client aborts, after which send() returns false', async () => {
      let resolveClosed!: (sse: { sendAfter: boolean; closed: boolean }) => void;
      const closed = new Promise<{ sendAfter: boolean; closed: boolean }>((r) => (resolveClosed = r));
      running = await start((server) => {
        server.get('/abort', (ctx) => {
          const sse = ctx.sse({ heartbeatMs: 0 });
          sse.onClose(() => resolveClosed({ sendAfter: sse.send({ data: 'too late' }), closed: sse.closed }));
          sse.send({ data: 'hello' });
        });
      }, { engine });
      const events = await openEvents(`${running.url}/abort`);
      await events.waitFor(1);
      events.abort();
      expect(await closed).toEqual({ sendAfter: false, closed: true });
    });

    it('sends heartbeat comments while idle', async () => {
      running = await start((server) => {
        server.get('/quiet', (ctx) => void ctx.sse({ heartbeatMs: 30 }));
      }, { engine });
      const events = await openEvents(`${running.url}/quiet`);
      await events.waitUntil((p) => p.comments.length >= 2);
      events.abort();
      expect(events.parser.comments.slice(0, 2)).toEqual(['heartbeat', 'heartbeat']);
      expect(events.parser.events).toEqual([]);
    });

    it('uses chunked framing on HTTP/1.1 and the close-delimited body on HTTP/1.0', async () => {
      running = await start((server) => {
        server.get('/one', (ctx) => {
          const sse = ctx.sse({ heartbeatMs: 0 });
          sse.send({ data: 'only' });
          sse.close();
        });
      }, { engine });
      const raw = (version: string): Promise<string> =>
        new Promise((resolve) => {
          let text = '';
          const socket = connect(running!.port, '127.0.0.1', () => socket.write(`GET /one HTTP/${version}\r\nhost: x\r\n\r\n`));
          const timer = setTimeout(() => socket.destroy(), 3000);
          socket.on('data', (c) => (text += c.toString('latin1')));
          if (version === '1.1') socket.on('data', () => text.endsWith('0\r\n\r\n') && socket.destroy());
          socket.on('close', () => {
            clearTimeout(timer);
            resolve(text);
          });
        });
      const v11 = await raw('1.1');
      expect(v11).toMatch(/^HTTP\/1\.1 200 /);
      expect(v11).toMatch(/\r\ntransfer-encoding: chunked\r\n/i);
      expect(v11.endsWith('\r\ndata: only\n\n\r\n0\r\n\r\n')).toBe(true);
      const v10 = await raw('1.0');
      expect(v10).not.toMatch(/transfer-encoding/i);
      expect(v10.endsWith('\r\n\r\ndata: only\n\n')).toBe(true);
    });

    it('delivers server.publish to SSE and WebSocket subscribers alike', async () => {
      let sseCount = 0;
      let wsCount = 0;
      running = await start((server) => {
        server.get('/topic', (ctx) => {
          const sse = ctx.sse({ heartbeatMs: 0 });
          sse.subscribe('news');
          sseCount++;
          sse.onClose(() => sseCount--);
          sse.comment('subscribed'); // tells the test the subscription is in place
        });
        server.ws('/ws', {
          open(ws: { subscribe(topic: string): boolean; send(data: string): void }) {
            ws.subscribe('news');
            wsCount++;
            ws.send('subscribed');
          },
        });
      }, { engine });
      const sse = await Promise.all([openEvents(`${running.url}/topic`), openEvents(`${running.url}/topic`)]);
      await Promise.all(sse.map((s) => s.waitUntil((p) => p.comments.includes('subscribed'))));
      const wsReceived: string[][] = [[], []];
      const sockets = await Promise.all(wsReceived.map((got) => new Promise<WebSocketClient>((resolve, reject) => {
        const ws = new WebSocketClient(`ws://127.0.0.1:${running!.port}/ws`);
        ws.on('message', (data) => {
          got.push(data.toString());
          if (got.length === 1) resolve(ws);
        });
        ws.on('error', reject);
      })));
      expect([sseCount, wsCount]).toEqual([2, 2]);
      const messages = ['plain', 'two\nlines', JSON.stringify({ from: 'server', text: 'é ✓' })];
      for (const m of messages) expect(running.server.publish('news', m)).toBe(4);
      for (const s of sse) {
        const got = await s.waitFor(3);
        expect(got.map((e) => e.data)).toEqual(messages);
      }
      await Promise.all(wsReceived.map(async (got) => {
        for (let i = 0; i < 50 && got.length < 4; i++) await new Promise((r) => setTimeout(r, 20));
        expect(got.slice(1)).toEqual(messages);
      }));
      // A client that leaves is unsubscribed: the next publish reaches the three others.
      sse[0]!.abort();
      for (let i = 0; i < 100 && sseCount !== 1; i++) await new Promise((r) => setTimeout(r, 10));
      expect(running.server.publish('news', 'after')).toBe(3);
      sse[1]!.abort();
      for (const ws of sockets) ws.terminate();
    });

    it("ends a stalled subscriber under slowConsumerPolicy 'close' and frees its connection", async () => {
      let closedStream: { bufferedAmount: number; closed: boolean } | undefined;
      let subscribed!: () => void;
      const ready = new Promise<void>((r) => (subscribed = r));
      running = await start((server) => {
        server.get('/slow', (ctx) => {
          const sse = ctx.sse({ heartbeatMs: 0, maxBufferedAmount: 64 * 1024, slowConsumerPolicy: 'close' });
          sse.onClose(() => (closedStream = { bufferedAmount: sse.bufferedAmount, closed: sse.closed }));
          sse.subscribe('feed');
          subscribed();
        });
      }, { engine, request: { idleTimeoutMs: 200 } });
      // A raw client that sends its request and then stops reading.
      const socket = connect(running.port, '127.0.0.1');
      socket.on('error', () => {});
      let text = '';
      const ended = new Promise<void>((r) => socket.on('close', () => r()));
      socket.write('GET /slow HTTP/1.1\r\nhost: x\r\n\r\n');
      socket.pause();
      await ready;
      const payload = 'x'.repeat(256 * 1024);
      const delivered: number[] = [];
      for (let i = 0; i < 40 && closedStream === undefined; i++) delivered.push(running.server.publish('feed', payload));
      // Closed by the policy, unsubscribed at once, its queue no longer counted.
      expect(closedStream).toEqual({ bufferedAmount: 0, closed: true });
      expect(running.server.publish('feed', 'after')).toBe(0);
      expect(delivered.filter((n) => n === 1).length).toBeLessThan(40);
      // The response was ended (last chunk after what was queued) and the idle connection closes,
      // releasing the socket's buffered bytes: a client that reads again gets the end, then FIN.
      socket.on('data', (c: Buffer) => (text += c.toString('latin1')));
      socket.resume();
      await ended;
      expect(text).toMatch(/^HTTP\/1\.1 200 /);
      expect(text.endsWith('\r\n0\r\n\r\n')).toBe(true);
    });

    it('ends open streams when the server closes, so shutdown does not wait for the deadline', async () => {
      running = await start((server) => {
        server.get('/forever', (ctx) => void ctx.sse({ heartbeatMs: 0 }).send({ data: 'open' }));
      }, { engine });
      const events = await openEvents(`${running.url}/forever`);
      await events.waitFor(1);
      const { server } = running;
      running = undefined;
      await server.close({ timeoutMs: 10_000 });
      await events.ended; // the body ended normally (last chunk), it was not cut off by a timeout
      expect(events.parser.events.map((e) => e.data)).toEqual(['open']);
    }, 8000);
  });
}
