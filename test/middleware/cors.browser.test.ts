// cors() in a real headless Chromium (playwright-core): a page from origin A (one server) calls
// origin B (another server, another port) with fetch(), a custom header and credentials — the browser
// sends a preflight, then the request with the cookie B set earlier, and lets the page read the JSON
// and an exposed header. A page from origin C, which B does not allow, sees both a preflighted and a
// simple fetch fail; the preflighted one never reaches B's handler.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { chromiumOrSkip, launchChromium } from '../support/browser.js';
import { cors } from '../../src/middleware/cors.js';
import { start } from '../server/helpers.js';
import type { Running } from '../server/helpers.js';

const hasChromium = chromiumOrSkip('cors.browser.test');

const PAGE = '<!doctype html><meta charset="utf-8"><title>cors</title><p>page</p>';

/** Runs in the page: the outcome of each fetch as plain data. */
const PAGE_SCRIPT = (api: string): string => `(async () => {
  const out = {};
  try {
    const login = await fetch(${JSON.stringify(api)} + '/login', { method: 'POST', credentials: 'include' });
    out.login = login.status;
  } catch (error) {
    out.loginError = String(error);
  }
  try {
    const res = await fetch(${JSON.stringify(api)} + '/data', {
      method: 'PUT',
      credentials: 'include',
      headers: { 'x-token': 'page-token', 'content-type': 'application/json' },
      body: JSON.stringify({ n: 42 }),
    });
    out.status = res.status;
    out.json = await res.json();
    out.exposed = res.headers.get('x-answer');
    out.hidden = res.headers.get('x-hidden');
  } catch (error) {
    out.error = String(error);
  }
  try {
    const simple = await fetch(${JSON.stringify(api)} + '/simple');
    out.simple = await simple.text();
  } catch (error) {
    out.simpleError = String(error);
  }
  return out;
})()`;

describe.skipIf(!hasChromium)('cors() across two origins in headless Chromium', () => {
  let a: Running;
  let b: Running;
  let c: Running;
  let browser: Browser | undefined;
  const log: string[] = [];

  beforeAll(async () => {
    a = await start((s) => s.get('/', (ctx) => ctx.html(PAGE)));
    c = await start((s) => s.get('/', (ctx) => ctx.html(PAGE)));
    b = await start((s) => {
      // Registered first: sees every request, the preflights that cors() answers included.
      s.requestMiddleware((ctx) => void log.push(`${ctx.request.method} ${ctx.request.path}`));
      s.use(cors({ origin: a.url, credentials: true, exposedHeaders: ['x-answer'], maxAge: 5 }));
      s.route('/login', (ctx) => ctx.header('set-cookie', 'sid=s3cret; Path=/; HttpOnly; SameSite=Lax').send('ok'));
      s.route('/data', async (ctx) => {
        const body = ctx.request.method === 'PUT' ? await ctx.request.json() : null;
        ctx.header('x-answer', 'yes').header('x-hidden', 'no').json({
          token: ctx.request.header('x-token') ?? null,
          cookie: ctx.request.header('cookie') ?? null,
          body,
        });
      });
      s.route('/simple', (ctx) => ctx.send('simple'));
    });
    browser = await launchChromium();
  }, 40_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all([a?.close(), b?.close(), c?.close()]);
  }, 15_000);

  it('an allowed origin: preflight, then the credentialed request; the page reads JSON and the exposed header only', async () => {
    const context = await browser!.newContext();
    const page = await context.newPage();
    await page.goto(`${a.url}/`, { timeout: 10_000 });
    log.length = 0;
    const out = await page.evaluate(PAGE_SCRIPT(b.url)) as Record<string, unknown>;
    expect(out.loginError).toBeUndefined();
    expect(out.error).toBeUndefined();
    expect(out.login).toBe(200);
    expect(out.status).toBe(200);
    expect(out.json).toEqual({ token: 'page-token', cookie: 'sid=s3cret', body: { n: 42 } });
    expect(out.exposed).toBe('yes');
    expect(out.hidden).toBeNull(); // not in Access-Control-Expose-Headers: invisible to the page
    expect(out.simple).toBe('simple');
    // The browser asked first (custom header, PUT): one preflight, answered by cors(), then the PUT.
    expect(log).toEqual(['POST /login', 'OPTIONS /data', 'PUT /data', 'GET /simple']);
    await context.close();
  });

  it('a denied origin: the preflighted fetch fails before the request is sent, the simple one fails on reading', async () => {
    const context = await browser!.newContext();
    const page = await context.newPage();
    await page.goto(`${c.url}/`, { timeout: 10_000 });
    log.length = 0;
    const out = await page.evaluate(PAGE_SCRIPT(b.url)) as Record<string, unknown>;
    expect(String(out.loginError)).toMatch(/TypeError: Failed to fetch/);
    expect(String(out.error)).toMatch(/TypeError: Failed to fetch/);
    expect(out.status).toBeUndefined();
    expect(String(out.simpleError)).toMatch(/TypeError: Failed to fetch/);
    // POST /login with no custom header is a simple request: sent, answer withheld from the page.
    // The PUT never went out (its preflight failed); the simple GET did.
    expect(log).toEqual(['POST /login', 'OPTIONS /data', 'GET /simple']);
    await context.close();
  });
});
