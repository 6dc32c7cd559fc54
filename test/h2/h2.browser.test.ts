// HTTP/2 in a real browser: headless Chromium (playwright-core, test/support/browser.ts) loads an
// https page from a server with `http2: true` and certificates made at test time (Chromium is told to
// accept the throwaway CA's leaf; the handshake, ALPN and protocol are real). The page, its fetch()
// POST and its EventSource all go over h2 (nextHopProtocol of the Resource Timing entries), and its
// WebSocket still works on the same port: Chromium opens it over HTTP/1.1, since the server does not
// offer RFC 8441's extended CONNECT.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { chromiumOrSkip, launchChromium } from '../support/browser.js';
import { opensslOrSkip } from '../support/certs.js';
import type { TlsRunning } from '../tls/helpers.js';
import { startH2 } from './helpers.js';

const available = chromiumOrSkip('h2.browser.test') && opensslOrSkip('h2.browser.test');

// Page callbacks run in the browser; tsconfig has no DOM lib, so just this much.
declare const performance: { getEntries(): { name: string; nextHopProtocol: string }[] };
declare const document: { title: string };

const PAGE = `<!doctype html><title>h2</title><script>
window.results = (async () => {
  const posted = await fetch('/api/echo', { method: 'POST', body: 'from the page' }).then((r) => r.json());
  const event = await new Promise((resolve, reject) => {
    const source = new EventSource('/events');
    source.onmessage = (e) => { source.close(); resolve(e.data); };
    source.onerror = () => reject(new Error('EventSource failed'));
  });
  const echoed = await new Promise((resolve, reject) => {
    const ws = new WebSocket('wss://' + location.host + '/ws');
    ws.onopen = () => ws.send('ping over wss');
    ws.onmessage = (e) => { ws.close(); resolve(e.data); };
    ws.onerror = () => reject(new Error('WebSocket failed'));
  });
  return { posted, event, echoed };
})();
</script>`;

describe.skipIf(!available)('HTTP/2 in Chromium', () => {
  let app: TlsRunning;
  let browser: Browser;
  const versions: string[] = [];

  beforeAll(async () => {
    app = await startH2((s) => {
      s.requestMiddleware((ctx) => {
        versions.push(`${ctx.request.method} ${ctx.request.path} ${ctx.request.httpVersion}`);
      });
      s.get('/', (ctx) => ctx.html(PAGE));
      s.post('/api/echo', async (ctx) => ctx.json({ body: await ctx.request.text(), version: ctx.request.httpVersion }));
      s.get('/events', (ctx) => {
        const sse = ctx.sse();
        sse.send({ data: `event over ${ctx.request.httpVersion}` });
      });
      s.ws('/ws', { message: (ws, data) => ws.send(`${String(data)} (echo)`) });
    });
    browser = await launchChromium();
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('the page, its fetch and its EventSource come over h2; its WebSocket over HTTP/1.1 on the same port', async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    try {
      const page = await context.newPage();
      await page.goto(`https://localhost:${app.port}/`);
      const results = await page.evaluate(() => (globalThis as unknown as { results: Promise<unknown> }).results);
      expect(results).toEqual({
        posted: { body: 'from the page', version: '2.0' },
        event: 'event over 2.0',
        echoed: 'ping over wss (echo)',
      });
      const protocols = await page.evaluate(() => performance.getEntries()
        .filter((e) => e.nextHopProtocol !== undefined)
        .map((e) => [new URL(e.name).pathname, e.nextHopProtocol]));
      expect(protocols[0]).toEqual(['/', 'h2']); // performance.getEntries()[0]: the navigation
      expect(protocols).toContainEqual(['/api/echo', 'h2']);
      expect(await page.evaluate(() => document.title)).toBe('h2');
      expect(versions).toContain('GET / 2.0');
      expect(versions).toContain('GET /ws 1.1'); // the upgrade request
    } finally {
      await context.close();
    }
  });
});
