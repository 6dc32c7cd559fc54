// The performance shortcuts of the hot path give byte-for-byte the same answers as the general path:
// the request-target cache (colliding and repeated targets), the cached head of plain 200 text
// responses (keep-alive, close, HEAD, HTTP/1.0), the cached head of 200 responses whose one field is
// Content-Type (more types than the cache holds, lengths, non-ASCII types, other statuses and fields),
// the cache of checked field names (checks still apply to every value), and the per-request header slots.
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

  it('writes the cached one-Content-Type head exactly like the general head, past the cache\'s size', async () => {
    // 24 types (the cache keeps 16), two lengths each, every response pipelined on one connection;
    // the last cases leave the cached shape (another status, a second field, a latin1 type, a big body).
    const cases: { path: string; status: number; fields: string[]; body: string }[] = [];
    for (let t = 0; t < 24; t++) {
      for (const body of ['{}', `{"n":"${'x'.repeat(t * 7)}"}`]) {
        cases.push({ path: `/t${t}/${body.length}`, status: 200, fields: [`content-type: application/x-t${t}`], body });
      }
    }
    cases.push({ path: '/created', status: 201, fields: ['content-type: application/json'], body: '{"a":1}' });
    cases.push({ path: '/two', status: 200, fields: ['content-type: application/json', 'x-more: 1'], body: '{"a":2}' });
    cases.push({ path: '/latin1', status: 200, fields: ['content-type: text/caf\xe9'], body: 'é' });
    cases.push({ path: '/big', status: 200, fields: ['content-type: application/json'], body: `"${'y'.repeat(300)}"` });
    running = await start((s) => {
      for (const c of cases) {
        s.get(c.path, (ctx) => {
          if (c.status !== 200) ctx.status(c.status);
          for (const line of c.fields) {
            const [name, value] = line.split(': ') as [string, string];
            ctx.header(name === 'content-type' ? 'Content-Type' : name, value);
          }
          ctx.send(c.body);
        });
      }
    }, { engine });
    const requests = cases.map((c) => `GET ${c.path} HTTP/1.1\r\nHost: x\r\n\r\n`);
    const { text } = await exchange(running.port, [requests.join('')], { until: (t) => t.includes(`"${'y'.repeat(300)}"`), timeoutMs: 5000 });
    const responses = text.split(/(?=HTTP\/1\.1 \d{3} )/);
    expect(responses).toHaveLength(cases.length);
    cases.forEach((c, i) => {
      const r = responses[i]!;
      const end = r.indexOf('\r\n\r\n');
      const bodyBytes = Buffer.from(c.body, 'utf8');
      expect(r.slice(0, r.indexOf('\r\n'))).toBe(`HTTP/1.1 ${c.status} ${c.status === 200 ? 'OK' : 'Created'}`);
      expect(fieldsWithoutDate(r.slice(0, end))).toEqual([...c.fields, `content-length: ${bodyBytes.length}`]);
      expect(Buffer.from(r.slice(end + 4), 'latin1')).toEqual(bodyBytes); // the body's UTF-8 bytes
      expect(r).toMatch(/\r\ndate: [A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT\r\n/);
    });
  });

  it('checks every field value, also under a name it has checked before', async () => {
    running = await start((s) => {
      s.get('/ok', (ctx) => ctx.header('X-Seen', 'a\tb').header('X-Ctl', 'a\x01b').send('ok'));
      s.get('/crlf', (ctx) => ctx.header('X-Seen', 'a\r\nx-injected: 1').send('no'));
      s.get('/name', (ctx) => ctx.header('X-Seen', 'a').header('X Seen', 'b').send('no'));
    }, { engine });
    const ok = await exchange(running.port, ['GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'], { timeoutMs: 2000 });
    expect(ok.text).toContain('\r\nx-seen: a\tb\r\nx-ctl: a\x01b\r\n');
    for (const path of ['/crlf', '/name']) {
      const bad = await exchange(running.port, [`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`], { timeoutMs: 2000 });
      expect(bad.text.startsWith('HTTP/1.1 500 ')).toBe(true);
      expect(bad.text).not.toContain('x-injected');
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
