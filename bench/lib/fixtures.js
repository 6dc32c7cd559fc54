// The benchmark fixtures (bench/fixtures/*.http, copied byte-exact from the project's shared set):
// loaded as they are, never tuned, and split into head and body at the first CRLFCRLF.
import { readFileSync } from 'node:fs';

export const FIXTURE_DIR = new URL('../fixtures/', import.meta.url);

/** The fixture names, in the order the parser suite prints them. */
export const FIXTURES = ['minimal-get', 'typical-browser-get', 'forty-headers-get', 'post-json', 'post-chunked'];

/**
 * @param {string} name fixture name without ".http"
 * @returns {{name: string, bytes: Buffer, head: Buffer, body: Buffer, headLength: number}}
 */
export function loadFixture(name) {
  const bytes = readFileSync(new URL(`${name}.http`, FIXTURE_DIR));
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`fixture ${name}: no end of head (CRLFCRLF)`);
  const headLength = end + 4;
  return {
    name,
    bytes,
    head: bytes.subarray(0, headLength),
    body: bytes.subarray(headLength),
    headLength,
  };
}
