// The demo (examples/demo.js) in a real headless Chromium driven by playwright-core: two pages chat
// over the WebSocket route (each message published to topic "chat" reaches both), the stats panel
// is fed by the SSE route, and nothing on the page runs as HTML that came from the network.
// Needs `npm run build` first (the demo imports 'wasmlane' → dist/); `npm test` builds before vitest.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { chromiumOrSkip, launchChromium } from './support/browser.js';

// Callbacks given to waitForFunction run inside the page; tsconfig has no DOM lib, so just this much.
interface PageNode {
  readonly textContent: string | null;
  readonly dataset: Record<string, string | undefined>;
}
declare const document: {
  querySelectorAll(selector: string): Iterable<PageNode>;
  getElementById(id: string): PageNode | null;
};

const hasChromium = chromiumOrSkip('demo.browser.test');

const LISTENING = /^wasmlane demo listening on (http:\/\/127\.0\.0\.1:\d+)$/m;
const SCREENSHOT = '/tmp/wasmlane-demo.png';

/** Start the demo on an ephemeral port; resolve with its URL from the line it prints. */
function startDemo(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['examples/demo.js'], {
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => fail(new Error(`demo did not print its URL in 10 s:\n${out}${err}`)), 10_000);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = LISTENING.exec(out);
      if (match !== null) {
        clearTimeout(timer);
        resolve({ child, url: match[1]! });
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('exit', (code) => fail(new Error(`demo exited (${code}) before listening:\n${out}${err}`)));
  });
}

/** SIGTERM (the demo closes gracefully), SIGKILL if it has not exited within 5 s. */
function stopDemo(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function messageTexts(page: Page): Promise<string[]> {
  return page.$$eval('#messages .text', (nodes) => nodes.map((n) => n.textContent ?? ''));
}

describe.skipIf(!hasChromium)('demo page in headless Chromium', () => {
  let demo: ChildProcess | undefined;
  let browser: Browser | undefined;
  let url = '';

  beforeAll(async () => {
    const started = await startDemo();
    demo = started.child;
    url = started.url;
    browser = await launchChromium();
  }, 40_000);

  afterAll(async () => {
    await browser?.close();
    if (demo !== undefined) await stopDemo(demo);
  }, 15_000);

  it('delivers a chat message to both pages and streams stats over SSE', async () => {
    const context = await browser!.newContext({ viewport: { width: 1000, height: 700 } });
    const problems: string[] = [];
    const pages = [await context.newPage(), await context.newPage()];
    for (const page of pages) {
      page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`console: ${message.text()}`);
      });
    }
    const [alice, bob] = pages as [Page, Page];
    await Promise.all(pages.map((page) => page.goto(url, { timeout: 10_000 })));
    await Promise.all(pages.map((page) => page.waitForSelector('#ws-status[data-state="open"]', { timeout: 10_000 })));

    // Markup in a message must arrive as text (textContent), never as elements.
    const text = `hello <b>bold?</b> <img src=x onerror=alert(1)> from alice #${process.pid}`;
    await alice.fill('#name-input', 'alice');
    await alice.fill('#message-input', text);
    await alice.click('#send');
    for (const page of pages) {
      await page.waitForFunction(
        (t) => [...document.querySelectorAll('#messages .text')].some((n) => n.textContent === t),
        text,
        { timeout: 10_000 },
      );
      expect(await messageTexts(page)).toContain(text);
      expect(await page.$$eval('#messages .name', (nodes) => nodes.map((n) => n.textContent))).toContain('alice');
      expect(await page.locator('#messages b, #messages img').count()).toBe(0);
    }
    expect(await alice.inputValue('#message-input')).toBe('');

    // And the other way round.
    await bob.fill('#name-input', 'bob');
    await bob.fill('#message-input', 'hi alice');
    await bob.press('#message-input', 'Enter');
    await alice.waitForFunction(() => [...document.querySelectorAll('#messages .text')].some((n) => n.textContent === 'hi alice'), null, { timeout: 10_000 });

    // The SSE panel: at least two events, and one taken after both WebSockets were open.
    await alice.waitForFunction(() => Number(document.getElementById('stats')!.dataset.events) >= 2, null, { timeout: 10_000 });
    await alice.waitForFunction(() => document.getElementById('stat-ws')!.textContent === '2', null, { timeout: 10_000 });
    expect(await alice.getAttribute('#sse-status', 'data-state')).toBe('open');
    expect(['wasm-simd', 'wasm', 'js']).toContain(await alice.textContent('#stat-engine'));
    expect(Number(await alice.textContent('#stat-requests'))).toBeGreaterThanOrEqual(6); // 2 × (page, js, css)
    expect(Number(await alice.textContent('#stat-connections'))).toBeGreaterThanOrEqual(4); // 2 × (ws, sse)
    expect(await alice.textContent('#stat-rss')).toMatch(/^\d+\.\d MiB$/);

    await alice.screenshot({ path: SCREENSHOT });
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);
});
