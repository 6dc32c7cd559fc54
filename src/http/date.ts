// The Date header (RFC 9110 §6.6.1), cached per second: formatting a date costs ~1 µs, a response
// should not. Checked lazily against Date.now() — no timer to keep alive or clean up.

let cachedSecond = -1;
let cachedLine = '';

/** "date: Sat, 21 Nov 2026 13:38:20 GMT\r\n" for the current second. */
export function dateLine(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedLine = `date: ${new Date(second * 1000).toUTCString()}\r\n`;
  }
  return cachedLine;
}
