// The request view: numbers copied out of the parser's result table, strings decoded lazily from the
// bytes the head arrived in (latin1, RFC 9110 §5.5: field values are octets; non-ASCII is obs-text).
// One small object per request; nothing here is shared with the next request on the connection.
import * as abi from '../abi.js';
import type { RequestBody } from './body.js';
import { cookieKeysOf } from './cookie-sign.js';
import { parseCookies } from './cookies.js';
import { openParts, readForm } from './form.js';
import type { Form, FormOptions } from './form.js';
import type { MultipartReader } from './multipart-reader.js';
import { latin1, METHOD_NAMES } from './head-result.js';

const EMPTY = Buffer.alloc(0);
const EMPTY_SLOTS: readonly number[] = [];

export type HttpVersion = '1.0' | '1.1';

/** What the request knows of the connection it came on. */
export interface Peer {
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
}

// Recently decoded request-targets in a small direct-mapped cache: a target seen again (the usual
// case: a few hot paths) costs a byte compare instead of a native latin1 decode and a new string.
const TARGET_CACHE_SLOTS = 64; // a power of two
const TARGET_CACHE_MAX_LENGTH = 64;
const targetCache: string[] = new Array<string>(TARGET_CACHE_SLOTS).fill('');

function decodeTarget(buf: Buffer, at: number, len: number): string {
  if (len === 0 || len > TARGET_CACHE_MAX_LENGTH) return latin1(buf, at, at + len);
  const slot = (len * 31 + buf[at + len - 1]! * 7 + buf[at + (len >> 1)]!) & (TARGET_CACHE_SLOTS - 1);
  const cached = targetCache[slot]!;
  if (cached.length === len) {
    let i = 0;
    while (i < len && cached.charCodeAt(i) === buf[at + i]) i++;
    if (i === len) return cached;
  }
  const target = latin1(buf, at, at + len);
  targetCache[slot] = target;
  return target;
}

export class Request {
  /** The bytes the head was parsed from (a socket chunk, or a copy when it arrived in pieces). */
  readonly #buf: Buffer;
  readonly #start: number;
  /** Header slots (4 per field line: name off/len, value off/len, relative to #start). */
  readonly #slots: ArrayLike<number>;
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

  constructor(buf: Buffer, start: number, table: Int32Array, base: number, slots: ArrayLike<number>,
    peer: Peer, body: RequestBody) {
    this.#buf = buf;
    this.#start = start;
    this.#slots = slots;
    this.#headerCount = table[base + abi.R_HEADER_COUNT]!;
    this.methodId = table[base + abi.R_METHOD]!;
    this.#methodOff = table[base + abi.R_METHOD_OFF]!;
    this.#methodLen = table[base + abi.R_METHOD_LEN]!;
    this.#targetOff = table[base + abi.R_TARGET_OFF]!;
    this.#targetLen = table[base + abi.R_TARGET_LEN]!;
    this.targetForm = table[base + abi.R_TARGET_FORM]!;
    this.versionNumber = table[base + abi.R_VERSION]!;
    this.flags = table[base + abi.R_FLAGS]!;
    this.contentLength = (this.flags & abi.F_CONTENT_LENGTH) !== 0
      ? (table[base + abi.R_CL_LO]! >>> 0) + table[base + abi.R_CL_HI]! * 4294967296 : 0;
    this.#peer = peer;
    this.body = body;
  }

  /** A view with no head, for errors raised before a head could be parsed. */
  static empty(peer: Peer, body: RequestBody): Request {
    const table = new Int32Array(abi.R_FIXED);
    table[abi.R_VERSION] = 11;
    return new Request(EMPTY, 0, table, 0, EMPTY_SLOTS, peer, body);
  }

  /** The client's IP address (undefined when unknown, e.g. inject()). */
  get remoteAddress(): string | undefined {
    return this.#peer.remoteAddress;
  }

  /** The client's TCP port (undefined when unknown, e.g. inject()). */
  get remotePort(): number | undefined {
    return this.#peer.remotePort;
  }

  /** The query parsed with URLSearchParams (WHATWG URL §5: `+` is a space, percent-escapes are
   *  UTF-8, repeated keys kept in order): built once, on first use. */
  get searchParams(): URLSearchParams {
    return (this.#searchParams ??= new URLSearchParams(this.query));
  }

  /** The values of every line of a field, in arrival order (not joined). */
  headerValues(name: string): string[] {
    const values: string[] = [];
    const slots = this.#slots;
    for (let i = 0; i < this.#headerCount; i++) {
      const at = i * abi.R_HEADER_STRIDE;
      if (slots[at + abi.H_NAME_LEN] !== name.length || !this.#nameEquals(slots[at + abi.H_NAME_OFF]!, name)) continue;
      values.push(this.#latin1(slots[at + abi.H_VALUE_OFF]!, slots[at + abi.H_VALUE_LEN]!));
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

  get version(): HttpVersion {
    return this.versionNumber === 10 ? '1.0' : '1.1';
  }

  /** Whether the client asked to keep the connection (RFC 9112 §9.3). */
  get keepAlive(): boolean {
    return (this.flags & abi.F_KEEP_ALIVE) !== 0;
  }

  /** The value of a field, by case-insensitive name; repeated lines are joined with ", " (RFC 9110 §5.3). */
  header(name: string): string | undefined {
    const slots = this.#slots;
    const count = this.#headerCount;
    const length = name.length;
    let found: string | undefined;
    for (let i = 0; i < count; i++) {
      const at = i * abi.R_HEADER_STRIDE;
      if (slots[at + abi.H_NAME_LEN] !== length || !this.#nameEquals(slots[at + abi.H_NAME_OFF]!, name)) continue;
      const value = this.#latin1(slots[at + abi.H_VALUE_OFF]!, slots[at + abi.H_VALUE_LEN]!);
      found = found === undefined ? value : `${found}, ${value}`;
    }
    return found;
  }

  /** Field lines in arrival order, names lower-cased, values as sent. */
  get headers(): Iterable<[string, string]> {
    const list: [string, string][] = [];
    for (let i = 0; i < this.#headerCount; i++) {
      const at = i * abi.R_HEADER_STRIDE;
      list.push([
        this.#latin1(this.#slots[at + abi.H_NAME_OFF]!, this.#slots[at + abi.H_NAME_LEN]!).toLowerCase(),
        this.#latin1(this.#slots[at + abi.H_VALUE_OFF]!, this.#slots[at + abi.H_VALUE_LEN]!),
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

  /** ASCII case-insensitive compare of the field name at `off` with `name` (same length checked). */
  #nameEquals(off: number, name: string): boolean {
    const buf = this.#buf;
    const at = this.#start + off;
    for (let i = 0; i < name.length; i++) {
      let a = buf[at + i]!;
      let b = name.charCodeAt(i);
      if (a >= 0x41 && a <= 0x5a) a |= 0x20;
      if (b >= 0x41 && b <= 0x5a) b |= 0x20;
      if (a !== b) return false;
    }
    return true;
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
