// Headless Chromium for the browser tests (playwright-core drives the system Chromium; no browser
// download). A test file calls `chromiumOrSkip('<file>')` at load time and wraps its suite in
// `describe.skipIf(!available)`: without /usr/bin/chromium the suite is skipped with a message
// saying how to get it, instead of failing.
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** True when Chromium is installed; otherwise warns once for `testName` and returns false. */
export function chromiumOrSkip(testName: string): boolean {
  const available = existsSync(CHROMIUM);
  if (!available) console.warn(`${testName}: skipped, ${CHROMIUM} not found (apt-get install -y chromium)`);
  return available;
}

/** Launch headless Chromium with nothing running in the background (no updates, sync, QUIC, GPU),
 *  so a test sees only the requests its page makes; `extraArgs` are added (e.g. a pinned test
 *  certificate). Bounded: fails after 20 s. */
export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run',
      '--disable-component-update', '--disable-sync', ...extraArgs],
    timeout: 20_000,
  });
}
