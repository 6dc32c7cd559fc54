// HTTPS and wss in headless Chromium (playwright-core). Chromium trusts exactly the test leaf's key
// (--ignore-certificate-errors-spki-list with its SPKI SHA-256, a pin, not "ignore all errors"): the
// page is loaded over https, is a secure context, fetches a POST back and talks to a wss echo. A server
// with another key (same throwaway CA, not pinned) is refused by the browser: the certificate is checked.
import { createHash, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { chromiumOrSkip, launchChromium } from '../support/browser.js';
import { opensslOrSkip } from '../support/certs.js';
import { startTls, testCerts } from './helpers.js';
import type { TlsRunning } from './helpers.js';

const ready = chromiumOrSkip('tls.browser.test') && opensslOrSkip('tls.browser.test');

const PAGE = '<!doctype html><meta charset="utf-8"><title>tls</title><p>secure page</p>';

/** Runs in the page: a POST and a wss round trip, as plain data. */
const PAGE_SCRIPT = `(async () => {
  const out = { protocol: location.protocol, secureContext: window.isSecureContext };
  const posted = await fetch('/echo', { method: 'POST', body: 'from the page' });
  out.posted = await posted.text();
  out.ws = await new Promise((resolve) => {
    const ws = new WebSocket('wss://' + location.host + '/ws');
    const seen = [];
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => { ws.send('ping over wss'); ws.send(new Uint8Array([1, 2, 3])); };
    ws.onmessage = (e) => {
      seen.push(typeof e.data === 'string' ? e.data : Array.from(new Uint8Array(e.data)));
      if (seen.length === 2) ws.close(4000, 'done');
    };
    ws.onclose = (e) => resolve({ seen, code: e.code });
    ws.onerror = () => resolve({ seen, error: true });
  });
  return out;
})()`;

function spkiHash(certPem: string): string {
  const der = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64');
}

describe.skipIf(!ready)('HTTPS and wss in headless Chromium', () => {
  let app: TlsRunning;
  let unpinned: TlsRunning;
  let browser: Browser | undefined;

  beforeAll(async () => {
    const { ca, leaf } = testCerts();
    const setup = (s: TlsRunning['server']): void => {
      s.get('/', (ctx) => ctx.html(PAGE));
      s.post('/echo', async (ctx) => ctx.send(`${ctx.request.protocol}: ${await ctx.request.body.text()}`));
      s.ws('/ws', { message: (ws, data, isBinary) => ws.send(data, isBinary) });
    };
    app = await startTls(setup);
    const other = ca.leaf();
    unpinned = await startTls(setup, { tls: { key: other.key, cert: other.cert } });
    browser = await launchChromium([`--ignore-certificate-errors-spki-list=${spkiHash(leaf.cert)}`]);
  }, 40_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all([app?.close(), unpinned?.close()]);
  }, 15_000);

  it('loads an https page that POSTs and opens a wss WebSocket', async () => {
    const context = await browser!.newContext();
    const page = await context.newPage();
    await page.goto(`https://localhost:${app.port}/`, { timeout: 10_000 });
    const out = await page.evaluate(PAGE_SCRIPT) as Record<string, unknown>;
    expect(out).toEqual({
      protocol: 'https:',
      secureContext: true,
      posted: 'https: from the page',
      ws: { seen: ['ping over wss', [1, 2, 3]], code: 4000 },
    });
    await context.close();
  });

  it('refuses a server whose key is not the pinned one', async () => {
    const context = await browser!.newContext();
    const page = await context.newPage();
    await expect(page.goto(`https://localhost:${unpinned.port}/`, { timeout: 10_000 })).rejects.toThrow(/ERR_CERT/);
    await context.close();
  });
});
