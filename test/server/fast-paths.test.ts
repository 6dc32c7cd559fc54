// The performance shortcuts of the hot path give byte-for-byte the same answers as the general path:
// the request-target cache (colliding and repeated targets), the cached head of plain 200 text
// responses (keep-alive, close, HEAD, HTTP/1.0), and the per-request header slots.
import { afterEach, describe, expect, it } from 'vitest';
import { ENGINES, exchange, start } from './helpers.js';
import type { Running } from './helpers.js';

let running: Running | null = null;
afterEach(async () => {
  await running?.close();
  running = null;
});

/** Everything between the status line and the blank line, without the Date field (it moves). */
function fieldsWithoutDate(head: string): string[] {
  return head.split('\r\n').slice(1).filter((line) => line !== '' && !line.startsWith('date: '));
}

describe.each(ENGINES)('hot-path shortcuts (%s)', (engine) => {
  it('decodes every target right, however targets collide in the cache', async () => {
    // Same lengths, same last and middle bytes (same cache slot), different other bytes; repeats.
    const targets = ['/a1c?x', '/b1c?x', '/a1c?x', '/zzzzzz', '/zzzyzz', '/', '/a1c?x', `/${'p'.repeat(80)}?q`, '/b1c?x'];
    const paths = new Set(targets.map((t) => t.split('?')[0]!));
    running = await start((s) => {
      for (const path of paths) s.get(path, (ctx) => ctx.send(`${ctx.request.path}|${ctx.request.query}`));
    }, { engine });
    const parts = targets.map((t) => `GET ${t} HTTP/1.1\r\nHost: x\r\n\r\n`);
    const { text } = await exchange(running.port, parts, { until: (t) => t.split('HTTP/1.1 200').length > targets.length, timeoutMs: 5000 });
    const bodies = text.split(/HTTP\/1\.1 200 OK\r\n/).slice(1).map((r) => r.slice(r.indexOf('\r\n\r\n') + 4));
    expect(bodies).toEqual(targets.map((t) => {
      const q = t.indexOf('?');
      return q < 0 ? `${t}|` : `${t.slice(0, q)}|${t.slice(q + 1)}`;
    }));
  });

  it('writes the cached plain head exactly like the general head (keep-alive, close, HEAD, 1.0)', async () => {
    running = await start((s) => {
      s.get('/plain', (ctx) => ctx.send('hello'));
      // A field set and removed again takes the general path with the same outcome.
      s.get('/general', (ctx) => {
        ctx.header('x-drop', '1');
        ctx.response.remove('x-drop');
        ctx.send('hello');
      });
    }, { engine });
    for (const request of [
      'GET {} HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET {} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      'HEAD {} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      'GET {} HTTP/1.0\r\n\r\n',
      'GET {} HTTP/1.0\r\nConnection: keep-alive\r\n\r\n',
    ]) {
      const answers: string[] = [];
      for (const path of ['/plain', '/general']) {
        const { text } = await exchange(running.port, [request.replace('{}', path)], { until: (t) => /\r\n\r\n/.test(t) && (t.includes('HEAD') || t.endsWith('hello')), timeoutMs: 2000 });
        answers.push(text);
      }
      const [plain, general] = answers as [string, string];
      expect(plain.startsWith('HTTP/1.1 200 OK\r\n')).toBe(true);
      expect(fieldsWithoutDate(plain.slice(0, plain.indexOf('\r\n\r\n')))).toEqual(fieldsWithoutDate(general.slice(0, general.indexOf('\r\n\r\n'))));
      expect(plain.slice(plain.indexOf('\r\n\r\n'))).toBe(general.slice(general.indexOf('\r\n\r\n')));
      expect(plain).toMatch(/\r\ndate: [A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT\r\n/);
    }
  });

  it('keeps each request its own header fields across pipelined requests', async () => {
    running = await start((s) => s.get('/h', (ctx) => ctx.send(`${ctx.request.header('x-n')}:${ctx.request.headerCount}`)), { engine });
    const parts = [1, 2, 3, 4, 5, 6].map((n) => `GET /h HTTP/1.1\r\nHost: x\r\n${'a: b\r\n'.repeat(n)}x-n: ${n}\r\n\r\n`);
    const { text } = await exchange(running.port, [parts.join('')], { until: (t) => t.includes('6:8'), timeoutMs: 5000 });
    const bodies = text.split(/HTTP\/1\.1 200 OK\r\n/).slice(1).map((r) => r.slice(r.indexOf('\r\n\r\n') + 4));
    expect(bodies).toEqual(['1:3', '2:4', '3:5', '4:6', '5:7', '6:8']);
  });
});
