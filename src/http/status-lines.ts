// Precomputed status lines (RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ]).
// We always answer with HTTP/1.1 — also to HTTP/1.0 clients (RFC 9110 §2.5: a server sends the highest
// minor version it conforms to). Reason phrases from the RFC 9110 §15 registry.

export const STATUS_TEXT: Readonly<Record<number, string>> = Object.freeze({
  100: 'Continue', 101: 'Switching Protocols', 102: 'Processing', 103: 'Early Hints',
  200: 'OK', 201: 'Created', 202: 'Accepted', 203: 'Non-Authoritative Information', 204: 'No Content',
  205: 'Reset Content', 206: 'Partial Content', 207: 'Multi-Status', 208: 'Already Reported', 226: 'IM Used',
  300: 'Multiple Choices', 301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 304: 'Not Modified',
  305: 'Use Proxy', 307: 'Temporary Redirect', 308: 'Permanent Redirect',
  400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required', 403: 'Forbidden', 404: 'Not Found',
  405: 'Method Not Allowed', 406: 'Not Acceptable', 407: 'Proxy Authentication Required',
  408: 'Request Timeout', 409: 'Conflict', 410: 'Gone', 411: 'Length Required', 412: 'Precondition Failed',
  413: 'Content Too Large', 414: 'URI Too Long', 415: 'Unsupported Media Type', 416: 'Range Not Satisfiable',
  417: 'Expectation Failed', 418: "I'm a teapot", 421: 'Misdirected Request', 422: 'Unprocessable Content',
  423: 'Locked', 424: 'Failed Dependency', 425: 'Too Early', 426: 'Upgrade Required',
  428: 'Precondition Required', 429: 'Too Many Requests', 431: 'Request Header Fields Too Large',
  451: 'Unavailable For Legal Reasons',
  500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable',
  504: 'Gateway Timeout', 505: 'HTTP Version Not Supported', 506: 'Variant Also Negotiates',
  507: 'Insufficient Storage', 508: 'Loop Detected', 510: 'Not Extended', 511: 'Network Authentication Required',
});

// Index = status code; filled for every code 100..599 at load so the hot path is one array read.
const LINES: string[] = [];
for (let code = 100; code < 600; code++) {
  const text = STATUS_TEXT[code];
  // An unregistered code gets an empty reason phrase, which RFC 9112 §4 allows.
  LINES[code] = `HTTP/1.1 ${code} ${text ?? ''}\r\n`;
}

/** True for an integer status code we can send (RFC 9110 §15: three digits, 1xx–5xx). */
export function isValidStatus(code: number): boolean {
  return Number.isInteger(code) && code >= 100 && code <= 599;
}

/** "HTTP/1.1 200 OK\r\n"; a code outside 100..599 (set directly on ctx.response) becomes a 500. */
export function statusLine(code: number): string {
  return LINES[code] ?? LINES[500]!;
}

/** RFC 9110 §6.4.1: 1xx, 204 and 304 responses never carry content. */
export function statusHasNoBody(code: number): boolean {
  return code < 200 || code === 204 || code === 304;
}
