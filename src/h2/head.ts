// The request head of an HTTP/2 stream, rewritten as an HTTP/1.1 head and parsed by the server's own
// head parser: every rule and limit on the request line and fields (target form and length, field
// count, name and value sizes, head size, Host, Content-Length, Expect) is then checked by the same
// code as on HTTP/1.1 and answered the same way (400, 414, 431 …), and the Request is the same view
// over the same kind of HeadResult. This is what an HTTP/2 → HTTP/1.1 intermediary does (RFC 9113
// §8.3.1): the request line from :method and :path (:authority for CONNECT, RFC 9113 §8.5), Host
// from :authority, the Cookie crumbs joined with "; " (RFC 9113 §8.2.3).
//
// nghttp2 has already refused what HTTP/2 forbids before the stream reaches us (RFC 9113 §8.2.1,
// §8.2.2, §8.3: upper-case or invalid names, CR/LF/NUL in values, connection-specific fields, a TE
// other than "trailers", pseudo-fields after regular ones or missing), so a field value can never add
// a line to the head it is written into.
import { errorFromAbi, WasmlaneError } from '../errors.js';
import type { HeadParser } from '../http/head/parser.js';
import type { HeadResult } from '../http/head/result.js';

/**
 * The head as HTTP/1.1 bytes. `raw` is the stream's header list as received, [name, value, …]
 * (names lower-case, pseudo-fields first), values decoded as latin1 by node:http2: written back as
 * latin1, the bytes are the ones the client sent.
 */
export function http1Head(raw: readonly string[]): Buffer {
  let method = '';
  let path: string | undefined;
  let authority: string | undefined;
  let cookie: string | undefined;
  let fields = '';
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    if (name.charCodeAt(0) === 0x3a) { // ':'
      // :scheme is "https" on this TLS listener; :protocol needs SETTINGS_ENABLE_CONNECT_PROTOCOL,
      // which we do not send (no RFC 8441 WebSockets), so nghttp2 refuses it.
      if (name === ':method') method = value;
      else if (name === ':path') path = value;
      else if (name === ':authority') authority = value;
      continue;
    }
    if (name === 'cookie') {
      // RFC 9113 §8.2.3: crumbs are joined with "; " before going to an HTTP/1.1 context.
      cookie = cookie === undefined ? value : `${cookie}; ${value}`;
      continue;
    }
    // RFC 9113 §8.3.1: Host repeating :authority adds nothing; one that differs is kept, and the
    // parser refuses two Host lines (400), as a server may treat that request as malformed.
    if (name === 'host' && value === authority) continue;
    fields += `${name}: ${value}\r\n`;
  }
  let head = `${method} ${path ?? authority ?? ''} HTTP/1.1\r\n`;
  if (authority !== undefined) head += `host: ${authority}\r\n`;
  head += fields;
  if (cookie !== undefined) head += `cookie: ${cookie}\r\n`;
  return Buffer.from(`${head}\r\n`, 'latin1');
}

/** Parse the rewritten head: the parser's HeadResult, or the error to answer with. */
export function parseStreamHead(parser: HeadParser, raw: readonly string[]): HeadResult | WasmlaneError {
  const buf = http1Head(raw);
  const rc = parser.parse(buf, 0, buf.length, 0);
  if (rc > 0) return parser.result;
  // 0 (incomplete) cannot happen for a head that ends with CRLFCRLF, unless it is over the limit.
  if (rc === 0) return new WasmlaneError('WL_HEAD_TOO_LARGE');
  return errorFromAbi(rc, parser.result.errorPosition);
}
