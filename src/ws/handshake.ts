// The WebSocket opening handshake (RFC 6455 §4), both sides, as pure functions over header values:
// the server checks a request (§4.2.1) and builds the 101 (§4.2.2); the client builds a request
// (§4.1) and verifies the server's answer. No sockets here, so every rule is unit-tested directly.
import { createHash, randomBytes } from 'node:crypto';
import type { UpgradeRequest } from '../http/stream-types.js';
import type { ErrorCode } from '../errors.js';

/** The GUID every accept key is derived with (RFC 6455 §1.3). */
export const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** Sec-WebSocket-Accept = base64(SHA-1(key + GUID)) (RFC 6455 §4.2.2 step 5.4). */
export function acceptKey(key: string): string {
  return createHash('sha1').update(key + WS_GUID, 'latin1').digest('base64');
}

/** A fresh client nonce: base64 of 16 random bytes (RFC 6455 §4.1, request rule 7). */
export function generateKey(): string {
  return randomBytes(16).toString('base64');
}

// base64 of exactly 16 bytes is 22 significant characters and "==" (RFC 4648 §4); the last significant
// character carries only 2 data bits, so it must be one of A, Q, g, w (the unused bits are zero).
const KEY_RE = /^[A-Za-z0-9+/]{21}[AQgw]==$/;

/** True when `key` is base64 that decodes to exactly 16 bytes (RFC 6455 §4.2.1 item 5). */
export function isValidKey(key: string | undefined): key is string {
  return key !== undefined && KEY_RE.test(key);
}

/** Split a comma-separated field value into trimmed, non-empty elements (RFC 9110 §5.6.1). */
export function splitList(value: string | undefined): string[] {
  if (value === undefined) return [];
  const out: string[] = [];
  for (const part of value.split(',')) {
    const item = part.trim();
    if (item !== '') out.push(item);
  }
  return out;
}

/** True when the list-valued field contains `token` (case-insensitive, RFC 9110 §7.8 / §7.6.1). */
export function hasToken(value: string | undefined, token: string): boolean {
  if (value === undefined) return false;
  const want = token.toLowerCase();
  for (const item of splitList(value)) if (item.toLowerCase() === want) return true;
  return false;
}

// RFC 9110 §5.6.2 tchar: subprotocol names are tokens (RFC 6455 §4.1 item 10).
const TOKEN_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function isToken(value: string): boolean {
  return TOKEN_RE.test(value);
}

/** A request that passed §4.2.1, with what the rest of the handshake needs. */
export interface AcceptedOffer {
  readonly ok: true;
  readonly key: string;
  /** Subprotocols the client offered, in its order of preference. */
  readonly protocols: string[];
  /** The raw Sec-WebSocket-Extensions value(s), for extension negotiation. */
  readonly extensions: string | undefined;
}

/** A request that failed §4.2.1: answer with `status` (and `headers`) and close. */
export interface RejectedOffer {
  readonly ok: false;
  readonly status: number;
  readonly code: ErrorCode;
  readonly reason: string;
  readonly headers: Record<string, string>;
}

function reject(status: number, code: ErrorCode, reason: string, headers: Record<string, string> = {}): RejectedOffer {
  return { ok: false, status, code, reason, headers };
}

/** Every value of a header joined as one list (a field may be repeated, RFC 9110 §5.3). */
function allValues(request: UpgradeRequest, name: string): string | undefined {
  let joined: string | undefined;
  for (const [key, value] of request.headers) {
    if (key.toLowerCase() !== name) continue;
    joined = joined === undefined ? value : `${joined}, ${value}`;
  }
  return joined;
}

/**
 * Check a server-side opening handshake request (RFC 6455 §4.2.1). Version problems answer 426 with
 * the versions we speak (§4.2.2 item 4); every other malformation answers 400 (§4.2.1 last paragraph).
 */
export function checkUpgradeRequest(request: UpgradeRequest): AcceptedOffer | RejectedOffer {
  // §4.1 item 2: "The method of the request MUST be GET, and the HTTP version MUST be at least 1.1."
  if (request.method !== 'GET') return reject(400, 'WL_WS_BAD_HANDSHAKE', 'method is not GET');
  if (request.version < 11) return reject(400, 'WL_WS_BAD_HANDSHAKE', 'HTTP version below 1.1');
  // §4.2.1 items 3–4: Upgrade contains "websocket", Connection contains "Upgrade" (both case-insensitive).
  if (!hasToken(allValues(request, 'upgrade'), 'websocket')) {
    return reject(400, 'WL_WS_BAD_HANDSHAKE', 'Upgrade does not name websocket');
  }
  if (!hasToken(allValues(request, 'connection'), 'upgrade')) {
    return reject(400, 'WL_WS_BAD_HANDSHAKE', 'Connection does not contain upgrade');
  }
  // §4.2.1 item 6 / §4.4: only version 13 is spoken; say so in the 426 so the client can retry.
  const version = request.header('sec-websocket-version');
  if (version === undefined || version.trim() !== '13') {
    return reject(426, 'WL_WS_BAD_VERSION', `version ${version ?? '(missing)'}`, { 'Sec-WebSocket-Version': '13' });
  }
  // §4.2.1 item 5: a single key that decodes to 16 bytes. A repeated key is ambiguous → 400.
  const keys = allValues(request, 'sec-websocket-key');
  const key = keys?.trim();
  if (!isValidKey(key)) return reject(400, 'WL_WS_BAD_HANDSHAKE', 'Sec-WebSocket-Key is not 16 bytes of base64');
  const protocols = splitList(allValues(request, 'sec-websocket-protocol'));
  for (const p of protocols) {
    if (!isToken(p)) return reject(400, 'WL_WS_BAD_HANDSHAKE', 'Sec-WebSocket-Protocol element is not a token');
  }
  // Duplicates make "the first match" ambiguous; §4.1 item 10 says elements MUST be unique.
  if (new Set(protocols).size !== protocols.length) {
    return reject(400, 'WL_WS_BAD_HANDSHAKE', 'duplicate Sec-WebSocket-Protocol element');
  }
  return { ok: true, key, protocols, extensions: allValues(request, 'sec-websocket-extensions') };
}

/**
 * The server's subprotocol choice (§4.2.2 item 5.4): `handle` decides when given, else the first
 * protocol the client offered that the server supports. Undefined = no Sec-WebSocket-Protocol header.
 */
export function selectProtocol(
  offered: readonly string[],
  supported: readonly string[] | undefined,
  handle?: (offered: readonly string[]) => string | false | undefined | null,
): string | undefined {
  if (offered.length === 0) return undefined;
  if (handle !== undefined) {
    const chosen = handle(offered);
    // The server may only echo one of the offered values (§4.1 item 6 of the client's checks).
    return typeof chosen === 'string' && offered.includes(chosen) ? chosen : undefined;
  }
  if (supported === undefined) return undefined;
  for (const p of offered) if (supported.includes(p)) return p;
  return undefined;
}

const CRLF = '\r\n';

function headerLines(headers: Record<string, string> | undefined): string {
  let out = '';
  if (headers === undefined) return out;
  for (const [name, value] of Object.entries(headers)) {
    // A CR or LF would let a handler inject fields or a body (RFC 9110 §5.5: field values exclude them).
    if (!isToken(name) || /[\r\n\0]/.test(value)) throw new TypeError(`wasmlane: invalid handshake header ${name}`);
    out += `${name}: ${value}${CRLF}`;
  }
  return out;
}

/** The complete 101 response (RFC 6455 §4.2.2 item 5), written to the socket in one write. */
export function buildAcceptResponse(
  key: string,
  protocol?: string,
  extensions?: string,
  extraHeaders?: Record<string, string>,
): string {
  let head = `HTTP/1.1 101 Switching Protocols${CRLF}Upgrade: websocket${CRLF}Connection: Upgrade${CRLF}`;
  head += `Sec-WebSocket-Accept: ${acceptKey(key)}${CRLF}`;
  if (protocol !== undefined) head += `Sec-WebSocket-Protocol: ${protocol}${CRLF}`;
  if (extensions !== undefined && extensions !== '') head += `Sec-WebSocket-Extensions: ${extensions}${CRLF}`;
  return head + headerLines(extraHeaders) + CRLF;
}

const REASONS: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict',
  426: 'Upgrade Required', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable',
};

/** A small, complete rejection response; the connection is closed after it (Connection: close). */
export function buildRejectResponse(status: number, headers?: Record<string, string>, body?: string): string {
  const text = body ?? REASONS[status] ?? 'Rejected';
  const length = Buffer.byteLength(text);
  return (
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Rejected'}${CRLF}Connection: close${CRLF}` +
    `Content-Type: text/plain; charset=utf-8${CRLF}Content-Length: ${length}${CRLF}` +
    headerLines(headers) + CRLF + text
  );
}

// ---------------------------------------------------------------------------------------------------
// Client side (RFC 6455 §4.1)

/** The client's opening request (§4.1 items 1–11). `path` is the request-target (path + query). */
export function buildClientRequest(
  host: string,
  path: string,
  key: string,
  protocols: readonly string[],
  extensions: string | undefined,
  extraHeaders?: Record<string, string>,
): string {
  let head = `GET ${path} HTTP/1.1${CRLF}Host: ${host}${CRLF}Upgrade: websocket${CRLF}Connection: Upgrade${CRLF}`;
  head += `Sec-WebSocket-Key: ${key}${CRLF}Sec-WebSocket-Version: 13${CRLF}`;
  if (protocols.length > 0) head += `Sec-WebSocket-Protocol: ${protocols.join(', ')}${CRLF}`;
  if (extensions !== undefined && extensions !== '') head += `Sec-WebSocket-Extensions: ${extensions}${CRLF}`;
  return head + headerLines(extraHeaders) + CRLF;
}

/** A parsed HTTP response head: status and lower-cased fields (repeated fields joined with ", "). */
export interface ResponseHead {
  readonly status: number;
  readonly headers: Map<string, string>;
}

/** Parse a response head (RFC 9112 §4: status-line then field lines), `text` without the final CRLFCRLF. */
export function parseResponseHead(text: string): ResponseHead | null {
  const lines = text.split(CRLF);
  const m = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(lines[0] ?? '');
  if (m === null) return null;
  const headers = new Map<string, string>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon <= 0 || !isToken(line.slice(0, colon))) return null;
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    const prev = headers.get(name);
    headers.set(name, prev === undefined ? value : `${prev}, ${value}`);
  }
  return { status: Number(m[1]), headers };
}

/** What the client learned from a valid 101. */
export interface ServerAnswer {
  readonly protocol: string;
  readonly extensions: string | undefined;
}

/**
 * Verify the server's answer (§4.1, "the client MUST validate the server's response"): status 101,
 * Upgrade websocket, Connection upgrade, the right accept, a protocol only if one was offered and
 * among those offered. Extension acceptance is checked by the caller that offered them.
 * Returns the answer or a string saying what is wrong (the client then fails the connection).
 */
export function verifyServerAnswer(head: ResponseHead, key: string, offered: readonly string[]): ServerAnswer | string {
  if (head.status !== 101) return `unexpected status ${head.status}`;
  if (!hasToken(head.headers.get('upgrade'), 'websocket')) return 'Upgrade header is not websocket';
  if (!hasToken(head.headers.get('connection'), 'upgrade')) return 'Connection header lacks upgrade';
  if (head.headers.get('sec-websocket-accept') !== acceptKey(key)) return 'Sec-WebSocket-Accept mismatch';
  const protocol = head.headers.get('sec-websocket-protocol');
  // A server may decline every offered protocol by omitting the field (§4.2.2 item 5.4); if it names
  // one, it must be one we offered (§4.1, client check 6).
  if (protocol !== undefined && !offered.includes(protocol)) {
    return `server selected a protocol that was not offered: ${protocol}`;
  }
  return { protocol: protocol ?? '', extensions: head.headers.get('sec-websocket-extensions') };
}
