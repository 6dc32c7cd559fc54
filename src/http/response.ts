// Response state and serialization. The head is built as one string (status line from the
// precomputed table, cached Date, fields, framing) and handed to the output together with a string
// body (one write); a bytes body follows the head in the same corked writev (src/http/connection/output.ts).
// Framing is ours alone (RFC 9112 §6): Content-Length for whole bodies, chunked for streams on 1.1,
// close-delimited for streams on 1.0; user-set Content-Length / Transfer-Encoding are ignored.
import { WasmlaneError } from '../errors.js';
import { dateLine } from './date.js';
import { isValidStatus, statusHasNoBody, statusLine } from './status-lines.js';
import type { StreamFilter } from './stream-types.js';

// RFC 9110 §5.1: field-name = token; §5.5: field-value excludes CR, LF and NUL (header injection).
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAD_VALUE = /[\r\n\0]/;
const NON_ASCII = /[^\x00-\x7f]/;
const NOT_LATIN1 = /[^\x00-\xff]/;
// A value of HTAB, SP and visible ASCII only needs none of the three checks above (one test, not three).
const PLAIN_VALUE = /^[\t\x20-\x7e]*$/;

/** Field names already checked, with their lower-case form: handlers set the same few names over and
 *  over (Content-Type, Cache-Control …), so each is checked and lower-cased once. Bounded. */
const checkedNames = new Map<string, string>();
const CHECKED_NAMES_MAX = 256;

export type ResponseBody = string | Uint8Array | null;

const DEFAULT_TEXT_TYPE = 'content-type: text/plain; charset=utf-8\r\n';

// Heads of plain 200 responses with a short string body and no fields set (the hello-world shape),
// by body length, for keep-alive ('') and close: built once per Date second instead of per response
// (the head is ~8 joined strings; writing it flattens them again).
const PLAIN_MAX_LENGTH = 256;
const CLOSE_LINE = 'connection: close\r\n';
const plainKeepAlive: string[] = new Array<string>(PLAIN_MAX_LENGTH).fill('');
const plainClose: string[] = new Array<string>(PLAIN_MAX_LENGTH).fill('');
let plainDate = '';

/** The last plain response joined with its body: a handler that sends the same string each time
 *  (a constant) reuses the joined string instead of building it again. */
let lastHead = '';
let lastBody = '';
let lastJoined = '';

function joinPlain(head: string, body: string): string {
  if (head !== lastHead || body !== lastBody) {
    lastHead = head;
    lastBody = body;
    lastJoined = head + body;
  }
  return lastJoined;
}

// The same for 200 keep-alive responses whose one field is Content-Type (ctx.json(), ctx.html(), a
// fetch handler's c.text() / c.json()), by type and body length, for a few types.
const TYPED_MAX_TYPES = 16;
const typedHeads = new Map<string, string[]>();

/** Drop the cached heads when the Date second changed. */
function refreshHeads(): void {
  const date = dateLine();
  if (date !== plainDate) {
    plainDate = date;
    plainKeepAlive.fill('');
    plainClose.fill('');
    typedHeads.clear();
  }
}

function plainHead(state: ResponseState, length: number, connection: string): string {
  refreshHeads();
  const heads = connection === '' ? plainKeepAlive : plainClose;
  let head = heads[length]!;
  if (head === '') head = heads[length] = serializeHead(state, FRAME_LENGTH, length, connection, DEFAULT_TEXT_TYPE);
  return head;
}

/** The cached head of `state` (200, only `content-type: type`, keep-alive), or '' past TYPED_MAX_TYPES. */
function typedHead(state: ResponseState, type: string, length: number): string {
  refreshHeads();
  let heads = typedHeads.get(type);
  if (heads === undefined) {
    if (typedHeads.size >= TYPED_MAX_TYPES) return '';
    heads = new Array<string>(PLAIN_MAX_LENGTH).fill('');
    typedHeads.set(type, heads);
  }
  let head = heads[length]!;
  if (head === '') head = heads[length] = serializeHead(state, FRAME_LENGTH, length, '');
  return head;
}

/** Framing of a response head. */
export const FRAME_LENGTH = 0;
export const FRAME_CHUNKED = 1;
export const FRAME_CLOSE = 2;

export function checkHeaderName(name: string): void {
  if (typeof name !== 'string' || !TOKEN.test(name)) {
    throw new WasmlaneError('WL_INVALID_RESPONSE_HEADER', `name ${JSON.stringify(name)} is not a token`);
  }
}

export function checkHeaderValue(name: string, value: string): void {
  if (BAD_VALUE.test(value) || NOT_LATIN1.test(value)) {
    throw new WasmlaneError('WL_INVALID_RESPONSE_HEADER', `value of ${name} contains CR, LF, NUL or a non-latin1 character`);
  }
}

export function checkStatus(code: number): void {
  if (!isValidStatus(code)) throw new WasmlaneError('WL_INVALID_RESPONSE_HEADER', `status ${code} is not 100..599`);
}

/** What the handler has set so far; one per request. */
export class ResponseState {
  status = 200;
  /** Flat [lowerName, value, lowerName, value, …]; null until a field is set. */
  fields: string[] | null = null;
  body: ResponseBody = null;
  /** A field value has a byte ≥ 0x80: the head must be written as latin1, separately from a UTF-8 body. */
  nonAscii = false;
  hasDate = false;
  hasContentType = false;
  /** The handler asked for Connection: close. */
  closeRequested = false;
  /** Other Connection options the handler set (e.g. "upgrade" with a 426, RFC 9110 §7.8). */
  connection: string | null = null;
  /** Takes part in ctx.stream() (compress() sets it); absent: the stream is started as is. Declared,
   *  not initialized: a server without such a middleware does not pay a store per response. */
  declare streamFilter?: StreamFilter;

  /** Set (replace) or append a field; framing fields are reserved to the server. */
  set(name: string, value: string | number, append: boolean): void {
    let lower = checkedNames.get(name);
    if (lower === undefined) {
      checkHeaderName(name);
      lower = name.toLowerCase();
      if (checkedNames.size < CHECKED_NAMES_MAX) checkedNames.set(name, lower);
    }
    const text = typeof value === 'number' ? String(value) : value;
    if (typeof text !== 'string') throw new WasmlaneError('WL_INVALID_RESPONSE_HEADER', `value of ${name} is not a string`);
    const plain = PLAIN_VALUE.test(text);
    if (!plain) checkHeaderValue(name, text);
    switch (lower) {
      case 'content-length':
      case 'transfer-encoding':
        return; // framing is computed from the body (RFC 9112 §6.1–§6.3)
      case 'connection':
        // Persistence is ours to decide (RFC 9112 §9.3); "close" is honoured, other options kept.
        if (/(^|[\s,])close($|[\s,])/i.test(text)) this.closeRequested = true;
        else if (!/^\s*keep-alive\s*$/i.test(text)) this.connection = text;
        return;
      case 'date':
        this.hasDate = true;
        break;
      case 'content-type':
        this.hasContentType = true;
        break;
    }
    if (!plain && NON_ASCII.test(text)) this.nonAscii = true;
    this.setTrusted(lower, text, append);
  }

  /** @internal Set a field the server itself builds (already valid, lower-case): no checks. */
  setTrusted(lower: string, value: string, append: boolean): void {
    const fields = (this.fields ??= []);
    if (!append) {
      for (let i = 0; i < fields.length; i += 2) {
        if (fields[i] === lower) {
          fields[i + 1] = value;
          return;
        }
      }
    }
    fields.push(lower, value);
  }

  get(name: string): string | undefined {
    const fields = this.fields;
    if (fields === null) return undefined;
    const lower = name.toLowerCase();
    for (let i = 0; i < fields.length; i += 2) if (fields[i] === lower) return fields[i + 1];
    return undefined;
  }

  remove(name: string): void {
    const fields = this.fields;
    if (fields === null) return;
    const lower = name.toLowerCase();
    for (let i = fields.length - 2; i >= 0; i -= 2) if (fields[i] === lower) fields.splice(i, 2);
  }
}

/** Connection handling of this response (RFC 9112 §9.3, §9.6). */
export function connectionLine(keepAlive: boolean, http10: boolean, extra: string | null): string {
  if (extra !== null) return `connection: ${extra}${keepAlive ? (http10 ? ', keep-alive' : '') : ', close'}\r\n`;
  if (!keepAlive) return 'connection: close\r\n';
  return http10 ? 'connection: keep-alive\r\n' : '';
}

/** The head: status line, Date, fields, framing, connection, blank line. */
export function serializeHead(state: ResponseState, framing: number, bodyLength: number, connection: string,
  defaultType = ''): string {
  let head = statusLine(state.status);
  if (!state.hasDate) head += dateLine();
  head += defaultType;
  const fields = state.fields;
  if (fields !== null) {
    for (let i = 0; i < fields.length; i += 2) head += `${fields[i]}: ${fields[i + 1]}\r\n`;
  }
  if (!statusHasNoBody(state.status)) {
    if (framing === FRAME_LENGTH) head += `content-length: ${bodyLength}\r\n`;
    else if (framing === FRAME_CHUNKED) head += 'transfer-encoding: chunked\r\n';
  }
  return head + connection + '\r\n';
}

/** Where a response goes: the connection batches text of pipelined responses into one write. */
export interface ResponseOutput {
  /** A string written as UTF-8 (an ASCII head, or head + body); `ascii` when every char is < 0x80. */
  text(chunk: string, ascii: boolean): void;
  /** A head with non-ASCII (obs-text) field values, written byte for byte. */
  latin1(chunk: string): void;
  bytes(chunk: Uint8Array): void;
}

/**
 * Write a complete response. `omitBody`: HEAD request (RFC 9110 §9.3.2: same fields as GET, no
 * content). In the common case (ASCII head, string body) this is one text() call. Returns the bytes
 * written (the head counted in characters: fields are latin1 on the wire).
 */
export function writeResponse(out: ResponseOutput, state: ResponseState, omitBody: boolean, connection: string): number {
  let body = state.body;
  if (statusHasNoBody(state.status)) body = null;
  if (typeof body === 'string') {
    const length = body.length === 0 ? 0 : Buffer.byteLength(body);
    // UTF-8 length equals the string length only when every char is ASCII: then latin1 can write it.
    const ascii = length === body.length;
    if (state.status === 200 && !state.hasDate && length < PLAIN_MAX_LENGTH) {
      // The hello-world shape (no fields) and the one-Content-Type shape: a cached head.
      const fields = state.fields;
      let head = '';
      if (fields === null) {
        if (connection === '' || connection === CLOSE_LINE) head = plainHead(state, length, connection);
      } else if (fields.length === 2 && fields[0] === 'content-type' && state.hasContentType && !state.nonAscii
        && connection === '') {
        head = typedHead(state, fields[1]!, length);
      }
      if (head !== '') {
        if (omitBody || length === 0) out.text(head, true);
        else out.text(joinPlain(head, body), ascii);
        return head.length + (omitBody ? 0 : length);
      }
    }
    const head = serializeHead(state, FRAME_LENGTH, length, connection, state.hasContentType ? '' : DEFAULT_TEXT_TYPE);
    if (!state.nonAscii) {
      if (omitBody || length === 0) out.text(head, true);
      else out.text(head + body, ascii);
    } else {
      out.latin1(head);
      if (!omitBody && length > 0) out.text(body, ascii);
    }
    return head.length + (omitBody ? 0 : length);
  }
  const length = body === null ? 0 : body.byteLength;
  const head = serializeHead(state, FRAME_LENGTH, length, connection);
  if (state.nonAscii) out.latin1(head);
  else out.text(head, true);
  if (!omitBody && body !== null && length > 0) out.bytes(body);
  return head.length + (omitBody ? 0 : length);
}
