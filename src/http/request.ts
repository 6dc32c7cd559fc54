// The request view over the parser's HeadResult (a sealed one per head, so it is ours to keep):
// method, flags and lengths read from it, strings decoded lazily by it from the bytes the head arrived in
// (latin1, RFC 9110 §5.5: field values are octets; non-ASCII is obs-text). One small object per
// request; nothing here is shared with the next request on the connection.
import * as abi from '../abi.js';
import type { RequestBody } from './body.js';
import { cookieKeysOf } from './cookie-sign.js';
import { parseCookies } from './cookies.js';
import { openParts, readForm } from './form.js';
import type { Form, FormOptions } from './form.js';
import type { MultipartReader } from './multipart-reader.js';
import { HeadResult } from './head/result.js';

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
  /** The parse result this request was read from: sealed (the parser makes a new one per head), so the
   *  request keeps it rather than copying its numbers a second time. */
  readonly #head: HeadResult;
  #method: string | undefined;
  #path: string | undefined;
  #query = '';
  readonly #peer: Peer;
  /** Built on first use (searchParams / cookies): nothing is parsed for requests that never ask. */
  #searchParams: URLSearchParams | undefined;
  #cookies: Readonly<Record<string, string>> | undefined;
  /** The body; bytes(), text(), json() or `for await` over it. */
  readonly body: RequestBody;

  constructor(head: HeadResult, peer: Peer, body: RequestBody) {
    this.#head = head;
    this.#peer = peer;
    this.body = body;
  }

  /** abi.METHOD_* id (METHOD_OTHER for extension methods). */
  get methodId(): number {
    return this.#head.methodId;
  }

  /** major * 10 + minor (10 or 11). */
  get versionNumber(): number {
    return this.#head.version;
  }

  /** abi.F_* bits from the parser. */
  get flags(): number {
    return this.#head.flags;
  }

  /** Content-Length when F_CONTENT_LENGTH is set, else 0. */
  get contentLength(): number {
    const length = this.#head.contentLength;
    return length < 0 ? 0 : length;
  }

  /** abi.FORM_* (RFC 9112 §3.2). */
  get targetForm(): number {
    return this.#head.targetForm;
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
    const head = this.#head;
    for (let i = 0, count = head.headerCount; i < count; i++) if (head.nameIs(i, name)) values.push(head.value(i));
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
    return (this.#method ??= this.#head.method);
  }

  /** The request-target exactly as sent (origin-form: path and query). */
  get target(): string {
    return this.#head.target;
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
    return this.#peer.http2 === true ? '2.0' : this.#head.version === 10 ? '1.0' : '1.1';
  }

  /** The same as httpVersion. */
  get version(): HttpVersion {
    return this.httpVersion;
  }

  /** Whether the client asked to keep the connection (RFC 9112 §9.3). */
  get keepAlive(): boolean {
    return this.#head.keepAlive;
  }

  /** The value of a field, by case-insensitive name; repeated lines are joined with ", " (RFC 9110 §5.3). */
  header(name: string): string | undefined {
    const head = this.#head;
    const count = head.headerCount;
    let found: string | undefined;
    for (let i = 0; i < count; i++) {
      if (!head.nameIs(i, name)) continue;
      const value = head.value(i);
      found = found === undefined ? value : `${found}, ${value}`;
    }
    return found;
  }

  /** Field lines in arrival order, names lower-cased, values as sent. */
  get headers(): Iterable<[string, string]> {
    return this.#head.lowerEntries();
  }

  /** Number of field lines. */
  get headerCount(): number {
    return this.#head.headerCount;
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

  #splitTarget(): void {
    let target = this.target;
    if (this.#head.targetForm === abi.FORM_ABSOLUTE) {
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
