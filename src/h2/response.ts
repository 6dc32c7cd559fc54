// The response head of an HTTP/2 stream, from the same ResponseState an HTTP/1.1 response is written
// from (src/http/response.ts), with the same decisions: text/plain for a string body without a
// Content-Type, Content-Length for a body of known length (never on 1xx/204/304, RFC 9110 §8.6), and
// Date added once per second (node:http2 adds it when the handler did not set one, RFC 9110 §6.6.1).
// What HTTP/2 has no room for is left out: connection-specific fields (RFC 9113 §8.2.2) — the
// response's Connection options, Keep-Alive, Upgrade (a 426 from a WebSocket route names the
// protocol to switch to, which needs HTTP/1.1). A repeated field goes as several fields, as on
// HTTP/1.1 (Set-Cookie must never be folded, RFC 9110 §5.3); node:http2 refuses to repeat the fields
// that take one value (Content-Type …): the exchange then answers 500 (src/h2/exchange.ts).
import type { OutgoingHttpHeaders } from 'node:http2';
import type { ResponseState } from '../http/response.js';
import { statusHasNoBody } from '../http/status-lines.js';

/** RFC 9113 §8.2.2: fields that are connection-specific in HTTP/1.1 ("connection" and
 *  "transfer-encoding" never reach ResponseState.fields: set() keeps them for the server). */
const CONNECTION_SPECIFIC: ReadonlySet<string> = new Set(['keep-alive', 'proxy-connection', 'upgrade', 'http2-settings', 'te']);

const DEFAULT_TEXT_TYPE = 'text/plain; charset=utf-8';

/**
 * The header block of a response: `length` is the body's length (-1: streamed without a known
 * length), `textBody` true for a string body (text/plain unless a Content-Type was set).
 */
export function responseHeaders(state: ResponseState, length: number, textBody: boolean): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = { ':status': state.status };
  if (textBody && !state.hasContentType) headers['content-type'] = DEFAULT_TEXT_TYPE;
  const fields = state.fields;
  if (fields !== null) {
    for (let i = 0; i < fields.length; i += 2) {
      const name = fields[i]!;
      const value = fields[i + 1]!;
      if (CONNECTION_SPECIFIC.has(name)) continue;
      const earlier = headers[name];
      if (earlier === undefined) headers[name] = value;
      else if (Array.isArray(earlier)) earlier.push(value);
      else headers[name] = [earlier as string, value];
    }
  }
  if (length >= 0 && !statusHasNoBody(state.status)) headers['content-length'] = length;
  return headers;
}
