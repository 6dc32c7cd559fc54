// The request view: numbers copied out of the parser's HeadResult (which the parser refills for the
// next head) and its field array (a new one per head, so it is ours to keep); strings decoded lazily
// from the bytes the head arrived in (latin1, RFC 9110 §5.5: field values are octets; non-ASCII is
// obs-text). One small object per request; nothing here is shared with the next request on the connection.
import * as abi from '../abi.js';
import type { RequestBody } from './body.js';
import { cookieKeysOf } from './cookie-sign.js';
import { parseCookies } from './cookies.js';
import { openParts, readForm } from './form.js';
import type { Form, FormOptions } from './form.js';
import type { MultipartReader } from './multipart-reader.js';
import { decodeTarget, HeadResult } from './head/result.js';
import { headerName, headerNameIs, headerValue, METHOD_NAMES } from './head/table.js';
import { latin1 } from './latin1.js';

const EMPTY_HEAD = HeadResult.empty();

export type HttpVersion = '1.0' | '1.1' | '2.0';

/** What the request knows of the connection it came on. */
export interface Peer {
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  /** The connection is TLS (HTTPS, wss). */
  readonly secure: boolean;
  /** True on an HTTP/2 stream (src/h2/: its head was rewritten as HTTP/1.1 for the parser). */
  readonly http2?: boolean;
}

export class Request {
  /** The bytes the head was parsed from (a socket chunk, or a copy when it arrived in pieces). */
  readonly #buf: Buffer;
  readonly #start: number;
  /** The head's field lines (HeadResult.fields: read with the head/table.ts readers). */
  readonly #fields: readonly number[];
  readonly #headerCount: number;
  readonly #targetOff: number;
  readonly #targetLen: number;
  #method: string | undefined;
  readonly #methodOff: number;
  readonly #methodLen: number;
  #path: string | undefined;
  #query = '';
  /** abi.METHOD_* id (METHOD_OTHER for extension methods). */
  readonly methodId: number;
  /** major * 10 + minor (10 or 11). */
  readonly versionNumber: number;
  /** abi.F_* bits from the parser. */
  readonly flags: number;
  /** Content-Length when F_CONTENT_LENGTH is set, else 0. */
  readonly contentLength: number;
  readonly targetForm: number;
  readonly #peer: Peer;
  /** Built on first use (searchParams / cookies): nothing is parsed for requests that never ask. */
  #searchParams: URLSearchParams | undefined;
  #cookies: Readonly<Record<string, string>> | undefined;
  /** The body; bytes(), text(), json() or `for await` over it. */
  readonly body: RequestBody;

  constructor(head: HeadResult, peer: Peer, body: RequestBody) {
    this.#buf = head.buf as Buffer;
    this.#start = head.start;
    this.#fields = head.fields;
    this.#headerCount = head.headerCount;
    this.methodId = head.methodId;
    this.#methodOff = head.methodOffset;
    this.#methodLen = head.methodLength;
    this.#targetOff = head.targetOffset;
    this.#targetLen = head.targetLength;
    this.targetForm = head.targetForm;
    this.versionNumber = head.version;
    this.flags = head.flags;
    const length = head.contentLength;
    this.contentLength = length < 0 ? 0 : length;
    this.#peer = peer;
    this.body = body;
  }

  /** A view with no head, for errors raised before a head could be parsed. */
  static empty(peer: Peer, body: RequestBody): Request {
    return new Request(EMPTY_HEAD, peer, body);
  }

  /** The client's IP address (undefined when unknown, e.g. inject()). */
  get remoteAddress(): string | undefined {
    return this.#peer.remoteAddress;
  }

  /** The client's TCP port (undefined when unknown, e.g. inject()). */
  get remotePort(): number | undefined {
    return this.#peer.remotePort;
  }

  /** True when the request came over TLS (the Server's `tls` option). No proxy header is consulted. */
  get secure(): boolean {
    return this.#peer.secure;
  }

  /** The scheme the client reached this server with: 'https' over TLS, else 'http'. */
  get protocol(): 'https' | 'http' {
    return this.#peer.secure ? 'https' : 'http';
  }

  /** The query parsed with URLSearchParams (WHATWG URL §5: `+` is a space, percent-escapes are
   *  UTF-8, repeated keys kept in order): built once, on first use. */
  get searchParams(): URLSearchParams {
    return (this.#searchParams ??= new URLSearchParams(this.query));
  }

  /** The values of every line of a field, in arrival order (not joined). */
  headerValues(name: string): string[] {
    const values: string[] = [];
    const fields = this.#fields;
    for (let i = 0; i < this.#headerCount; i++) {
      if (headerNameIs(fields, 0, i, this.#buf, this.#start, name)) values.push(headerValue(fields, 0, i, this.#buf, this.#start));
    }
    return values;
  }

  /** Cookies from every Cookie line (src/http/cookies.ts: first occurrence wins, values as sent),
   *  parsed once on first use. A null-prototype object. */
  get cookies(): Readonly<Record<string, string>> {
    return (this.#cookies ??= parseCookies(this.headerValues('cookie')));
  }

  /** One cookie's value as sent, or undefined. */
  cookie(name: string): string | undefined {
    return this.cookies[name];
  }

  /** A signed cookie's value when its HMAC verifies under one of the cookies({ secrets }) keys;
   *  false when present but tampered (or signed with a retired key); undefined when absent. */
  signedCookie(name: string): string | false | undefined {
    const keys = cookieKeysOf(this);
    const raw = this.cookies[name];
    return raw === undefined ? undefined : keys.unsign(name, raw);
  }

  /** The body as a form: urlencoded or multipart/form-data (src/http/form.ts; docs/forms.md). */
  form(options?: FormOptions): Promise<Form> {
    return readForm(this.header('content-type'), this.body, options);
  }

  /** A multipart/form-data body as a stream of parts (`for await`); file parts stream their content. */
  parts(options?: FormOptions): MultipartReader {
    return openParts(this.header('content-type'), this.body, options);
  }

  /** The method token, case-sensitive (RFC 9110 §9.1); known methods are interned strings. */
  get method(): string {
    if (this.#method === undefined) {
      this.#method = this.methodId !== abi.METHOD_OTHER ? METHOD_NAMES[this.methodId]!
        : this.#latin1(this.#methodOff, this.#methodLen);
    }
    return this.#method;
  }

  /** The request-target exactly as sent (origin-form: path and query). */
  get target(): string {
    return decodeTarget(this.#buf, this.#start + this.#targetOff, this.#targetLen);
  }

  /** The raw (percent-encoded) path, without the query. For absolute-form targets (RFC 9112 §3.2.2) the path part. */
  get path(): string {
    if (this.#path === undefined) this.#splitTarget();
    return this.#path!;
  }

  /** The raw query string after '?', '' when there is none. */
  get query(): string {
    if (this.#path === undefined) this.#splitTarget();
    return this.#query;
  }

  /** '1.0', '1.1', or '2.0' for a request that came on an HTTP/2 stream (node:http2's name). */
  get httpVersion(): HttpVersion {
    return this.#peer.http2 === true ? '2.0' : this.versionNumber === 10 ? '1.0' : '1.1';
  }

  /** The same as httpVersion. */
  get version(): HttpVersion {
    return this.httpVersion;
  }

  /** Whether the client asked to keep the connection (RFC 9112 §9.3). */
  get keepAlive(): boolean {
    return (this.flags & abi.F_KEEP_ALIVE) !== 0;
  }

  /** The value of a field, by case-insensitive name; repeated lines are joined with ", " (RFC 9110 §5.3). */
  header(name: string): string | undefined {
    const fields = this.#fields;
    const buf = this.#buf;
    const start = this.#start;
    const count = this.#headerCount;
    let found: string | undefined;
    for (let i = 0; i < count; i++) {
      if (!headerNameIs(fields, 0, i, buf, start, name)) continue;
      const value = headerValue(fields, 0, i, buf, start);
      found = found === undefined ? value : `${found}, ${value}`;
    }
    return found;
  }

  /** Field lines in arrival order, names lower-cased, values as sent. */
  get headers(): Iterable<[string, string]> {
    const list: [string, string][] = [];
    const fields = this.#fields;
    for (let i = 0; i < this.#headerCount; i++) {
      list.push([
        headerName(fields, 0, i, this.#buf, this.#start).toLowerCase(),
        headerValue(fields, 0, i, this.#buf, this.#start),
      ]);
    }
    return list;
  }

  /** Number of field lines. */
  get headerCount(): number {
    return this.#headerCount;
  }

  bytes(): Promise<Buffer> {
    return this.body.bytes();
  }

  text(): Promise<string> {
    return this.body.text();
  }

  json<T = unknown>(): Promise<T> {
    return this.body.json<T>();
  }

  #latin1(off: number, len: number): string {
    const at = this.#start + off;
    return latin1(this.#buf, at, at + len);
  }

  #splitTarget(): void {
    let target = this.target;
    if (this.targetForm === abi.FORM_ABSOLUTE) {
      // absolute-form: scheme "://" authority path-abempty [ "?" query ] (RFC 9112 §3.2.2)
      const scheme = target.indexOf('://');
      const slash = scheme < 0 ? -1 : target.indexOf('/', scheme + 3);
      const mark = target.indexOf('?', scheme + 3);
      if (slash < 0 || (mark >= 0 && mark < slash)) target = '/' + (mark >= 0 ? target.slice(mark) : '');
      else target = target.slice(slash);
    }
    const q = target.indexOf('?');
    if (q < 0) {
      this.#path = target;
    } else {
      this.#path = target.slice(0, q);
      this.#query = target.slice(q + 1);
    }
  }
}
