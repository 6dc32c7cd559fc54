// A cross-origin file upload in a real headless Chromium (playwright-core): a page from origin A lets
// the user pick a file (setInputFiles on an <input type=file>, a generated 3 MiB buffer) and posts
// the form — a text field and the file — with fetch(…, { body: formData, credentials: 'include' }) to
// origin B (another server, another port). B allows A with cors({ credentials: true }) and reads the
// body with `for await (const part of ctx.request.parts())`, hashing the file as it streams in
// (docs/forms.md), and answers { field, filename, size, sha256 }; the page shows that JSON.
//
// A multipart/form-data POST without custom headers is a CORS "simple" request (Fetch standard
// §3.2.3, CORS-safelisted Content-Type): no preflight, the browser sends it and then decides whether
// the page may read the answer. So from origin C, which B does not allow, the upload still reaches
// B's handler, but fetch() rejects and the page never sees the answer — CORS protects the reader,
// not the server; a handler that must refuse other origins checks Origin itself.
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumOrSkip, launchChromium } from '../support/browser.js';
import { cors } from '../../src/middleware/cors.js';
import { start } from '../server/helpers.js';
import type { Running } from '../server/helpers.js';

const hasChromium = chromiumOrSkip('upload.browser.test');

const MiB = 1024 * 1024;
const FILE_SIZE = 3 * MiB;

// Served by A and C. The API origin comes in the query string (?api=…), so one page serves both.
const PAGE = `<!doctype html><meta charset="utf-8"><title>upload</title>
<form id="form">
  <input id="note" name="note" type="text">
  <input id="file" name="file" type="file">
  <button id="send" type="submit">Upload</button>
</form>
<pre id="result"></pre>
<script>
  const api = new URLSearchParams(location.search).get('api');
  document.getElementById('form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const result = document.getElementById('result');
    try {
      const res = await fetch(api + '/upload', { method: 'POST', body: new FormData(event.target), credentials: 'include' });
      result.dataset.status = String(res.status);
      result.textContent = await res.text();
      result.dataset.state = 'done';
    } catch (error) {
      result.textContent = String(error);
      result.dataset.state = 'error';
    }
  });
</script>`;

/** What B's upload handler saw, kept on the server side for the test to compare with the page. */
interface Seen {
  origin: string | null;
  cookie: string | null;
  field: string | null;
  filename: string | null;
  contentType: string | null;
  size: number;
  sha256: string;
  chunks: number;
  largestChunk: number;
}

describe.skipIf(!hasChromium)('cross-origin multipart upload in headless Chromium', () => {
  let a: Running;
  let b: Running;
  let c: Running;
  let browser: Browser | undefined;
  const log: string[] = [];
  const seen: Seen[] = [];
  const file = randomBytes(FILE_SIZE);
  const fileHash = createHash('sha256').update(file).digest('hex');

  beforeAll(async () => {
    a = await start((s) => s.get('/', (ctx) => ctx.html(PAGE)));
    c = await start((s) => s.get('/', (ctx) => ctx.html(PAGE)));
    b = await start((s) => {
      // Registered first: sees every request, preflights included (there must be none here).
      s.requestMiddleware((ctx) => void log.push(`${ctx.request.method} ${ctx.request.path}`));
      s.use(cors({ origin: a.url, credentials: true }));
      s.route('/login', (ctx) => ctx.header('set-cookie', 'sid=up1oad; Path=/; HttpOnly; SameSite=Lax').send('ok'));
      s.post('/upload', async (ctx) => {
        const out: Seen = {
          origin: ctx.request.header('origin') ?? null,
          cookie: ctx.request.header('cookie') ?? null,
          field: null, filename: null, contentType: null, size: 0, sha256: '', chunks: 0, largestChunk: 0,
        };
        for await (const part of ctx.request.parts({ maxFiles: 1, maxFileSize: 4 * MiB })) {
          if (!part.isFile) {
            if (part.name === 'note') out.field = part.value;
            continue;
          }
          out.filename = part.filename ?? null;
          out.contentType = part.contentType;
          // Hash piece by piece as the body arrives: the file is never held whole.
          const hash = createHash('sha256');
          for await (const chunk of part) {
            hash.update(chunk);
            out.size += chunk.length;
            out.chunks++;
            out.largestChunk = Math.max(out.largestChunk, chunk.length);
          }
          out.sha256 = hash.digest('hex');
        }
        seen.push(out);
        ctx.json({ field: out.field, filename: out.filename, size: out.size, sha256: out.sha256 });
      }, { maxBodySize: 8 * MiB }); // the default 1 MiB body limit would refuse a 3 MiB upload (413)
    });
    browser = await launchChromium();
  }, 40_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all([a?.close(), b?.close(), c?.close()]);
  }, 15_000);

  /** Open the page from `origin`, pick the file and a note like a user would, submit, wait for the outcome. */
  async function upload(context: BrowserContext, origin: string, note: string): Promise<{ page: Page; state: string | null; text: string }> {
    const page = await context.newPage();
    await page.goto(`${origin}/?api=${encodeURIComponent(b.url)}`, { timeout: 10_000 });
    await page.fill('#note', note);
    await page.setInputFiles('#file', { name: 'sample 3MiB.bin', mimeType: 'application/octet-stream', buffer: file });
    await page.click('#send');
    await page.waitForSelector('#result[data-state]', { timeout: 20_000 });
    return { page, state: await page.getAttribute('#result', 'data-state'), text: (await page.textContent('#result')) ?? '' };
  }

  it('an allowed origin uploads 3 MiB with its cookie; B streams and hashes it; the page reads the JSON', async () => {
    const context = await browser!.newContext();
    const first = await context.newPage();
    await first.goto(`${a.url}/`, { timeout: 10_000 });
    // B sets a cookie first, so the upload shows credentials: 'include' carrying it cross-origin.
    expect(await first.evaluate(`fetch(${JSON.stringify(b.url)} + '/login', { method: 'POST', credentials: 'include' }).then((r) => r.status)`)).toBe(200);
    log.length = 0;
    seen.length = 0;

    const { page, state, text } = await upload(context, a.url, 'héllo from A');
    expect(state).toBe('done');
    expect(await page.getAttribute('#result', 'data-status')).toBe('200');
    const answer = JSON.parse(text) as unknown;
    expect(answer).toEqual({ field: 'héllo from A', filename: 'sample 3MiB.bin', size: FILE_SIZE, sha256: fileHash });

    expect(seen).toHaveLength(1);
    const got = seen[0]!;
    expect(got.origin).toBe(a.url);
    expect(got.cookie).toBe('sid=up1oad');
    expect(got.contentType).toBe('application/octet-stream');
    expect(got.size).toBe(FILE_SIZE);
    expect(got.sha256).toBe(fileHash);
    // Streamed: many pieces, each at most a socket read, none near the file's size.
    expect(got.chunks).toBeGreaterThan(1);
    expect(got.largestChunk).toBeLessThanOrEqual(MiB);
    // A simple request (multipart body, no custom header): no preflight.
    expect(log).toEqual(['POST /upload']);
    await context.close();
  }, 60_000);

  it('a denied origin: the upload is sent (simple request) but fetch rejects and the page never reads the answer', async () => {
    const context = await browser!.newContext();
    log.length = 0;
    seen.length = 0;
    const { state, text } = await upload(context, c.url, 'from C');
    expect(state).toBe('error');
    expect(text).toMatch(/TypeError: Failed to fetch/);
    expect(text).not.toContain(fileHash);
    // No preflight for a simple request: B received and handled the whole upload; the browser
    // withheld the answer because it carried no Access-Control-Allow-Origin for C.
    expect(log).toEqual(['POST /upload']);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.origin).toBe(c.url);
    expect(seen[0]!.sha256).toBe(fileHash);
    await context.close();
  }, 60_000);
});
