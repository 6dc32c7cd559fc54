// The sealed result of one head parse: numbers read once out of the parser's result table, the header
// slots in an array of its own, strings decoded only when asked for. Nothing outside src/http/head/
// knows a slot index: the server reads method, target, version, flags, Content-Length and fields
// through this class.
//
// A parse that completes or fails (parse() > 0 or < 0; an incomplete parse leaves it alone) gives the
// parser a new HeadResult: it is never written again, so a Request keeps the result itself (one copy of
// the numbers per request, not one into the parser and another into the request) after the parser moves on.
import {
  F_CHUNKED, F_CONN_CLOSE, F_CONN_KEEP_ALIVE, F_CONN_UPGRADE, F_CONTENT_LENGTH, F_EXPECT_CONTINUE,
  F_EXPECT_OTHER, F_HOST, F_KEEP_ALIVE, F_TRANSFER_ENCODING, F_UPGRADE, METHOD_OTHER, R_CL_HI, R_CL_LO,
  R_ERROR_POS, R_FIXED, R_FLAGS, R_HEADER_COUNT, R_HEADER_STRIDE, R_HEAD_LEN, R_METHOD, R_METHOD_LEN,
  R_METHOD_OFF, R_TARGET_FORM, R_TARGET_LEN, R_TARGET_OFF, R_VERSION,
} from '../../abi.js';
import { latin1 } from '../latin1.js';
import { cachedLower, findHeader, headerName, headerValue, METHOD_NAMES } from './table.js';

const EMPTY = Buffer.alloc(0);
const NO_FIELDS: readonly number[] = [];

// Recently decoded request-targets in a small direct-mapped cache: a target seen again (the usual
// case: a few hot paths) costs a byte compare instead of a native latin1 decode and a new string.
const TARGET_CACHE_SLOTS = 64; // a power of two
const TARGET_CACHE_MAX_LENGTH = 64;
const targetCache: string[] = new Array<string>(TARGET_CACHE_SLOTS).fill('');

/** buf[at, at + len) as a latin1 string, from the cache when the same target was decoded recently. */
export function decodeTarget(buf: Uint8Array, at: number, len: number): string {
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

export class HeadResult {
  #buf: Uint8Array = EMPTY;
  #start = 0;
  #headLength = 0;
  #methodId = METHOD_OTHER;
  #methodOffset = 0;
  #methodLength = 0;
  #targetOffset = 0;
  #targetLength = 0;
  #targetForm = 0;
  #version = 0;
  #flags = 0;
  #contentLength = -1;
  #headerCount = 0;
  #fields: readonly number[] = NO_FIELDS;
  #errorPosition = -1;

  /** @internal The parsers' reader: a completed head out of the result table (see fill()). */
  static read(table: Int32Array, base: number, buf: Uint8Array, start: number): HeadResult {
    const head = new HeadResult();
    head.fill(table, base, buf, start);
    return head;
  }

  /** @internal The parsers' reader for a failed parse: only the error position is meaningful. */
  static failed(table: Int32Array, base: number): HeadResult {
    const head = new HeadResult();
    head.#errorPosition = table[base + R_ERROR_POS]!;
    return head;
  }

  /**
   * Read a completed head out of the result table (slot S at table[base + S]) whose offsets are
   * relative to buf[start]. Content-Length is decoded here, once.
   */
  protected fill(table: Int32Array, base: number, buf: Uint8Array, start: number): void {
    this.#buf = buf;
    this.#start = start;
    this.#headLength = table[base + R_HEAD_LEN]!;
    this.#methodId = table[base + R_METHOD]!;
    this.#methodOffset = table[base + R_METHOD_OFF]!;
    this.#methodLength = table[base + R_METHOD_LEN]!;
    this.#targetOffset = table[base + R_TARGET_OFF]!;
    this.#targetLength = table[base + R_TARGET_LEN]!;
    this.#targetForm = table[base + R_TARGET_FORM]!;
    this.#version = table[base + R_VERSION]!;
    const flags = table[base + R_FLAGS]!;
    this.#flags = flags;
    this.#contentLength = (flags & F_CONTENT_LENGTH) === 0 ? -1
      : (table[base + R_CL_LO]! >>> 0) + table[base + R_CL_HI]! * 4294967296;
    const count = table[base + R_HEADER_COUNT]!;
    this.#headerCount = count;
    // A plain array of small integers: a new Int32Array costs an ArrayBuffer (off-heap above 64 bytes,
    // i.e. 5+ fields: ~0.6 µs for 10 fields against ~0.1 µs for the array).
    const n = count * R_HEADER_STRIDE;
    const fields = new Array<number>(n);
    const from = base + R_FIXED;
    for (let i = 0; i < n; i++) fields[i] = table[from + i]!;
    this.#fields = fields;
    this.#errorPosition = -1;
  }

  /** @internal The head's bytes were moved (a head gathered from several chunks is kept as a copy):
   *  called by the reader on the result it was just given, before anything else holds it. */
  moveTo(buf: Uint8Array, start: number): void {
    this.#buf = buf;
    this.#start = start;
  }

  /** @internal A result with no head (errors raised before a head could be parsed): HTTP/1.1, no fields. */
  static empty(): HeadResult {
    const head = new HeadResult();
    head.#version = 11;
    return head;
  }

  /** The bytes the head was parsed from, and where in them it starts. */
  get buf(): Uint8Array { return this.#buf; }
  get start(): number { return this.#start; }
  /** Bytes of the head, the final CRLF included. */
  get headLength(): number { return this.#headLength; }
  /** After a failed parse: the offset (from start) of the byte that broke the grammar or a limit. */
  get errorPosition(): number { return this.#errorPosition; }

  /** abi.METHOD_* id (METHOD_OTHER for extension methods). */
  get methodId(): number { return this.#methodId; }
  /** The method token, case-sensitive (RFC 9110 §9.1); the nine known methods are interned strings. */
  get method(): string {
    const id = this.#methodId;
    if (id !== METHOD_OTHER) return METHOD_NAMES[id]!;
    const at = this.#start + this.#methodOffset;
    return latin1(this.#buf, at, at + this.#methodLength);
  }
  get methodOffset(): number { return this.#methodOffset; }
  get methodLength(): number { return this.#methodLength; }

  /** The request-target exactly as sent. */
  get target(): string {
    return decodeTarget(this.#buf, this.#start + this.#targetOffset, this.#targetLength);
  }
  get targetOffset(): number { return this.#targetOffset; }
  get targetLength(): number { return this.#targetLength; }
  /** abi.FORM_* (RFC 9112 §3.2). */
  get targetForm(): number { return this.#targetForm; }
  /** major * 10 + minor (10, 11; 12–19 as written). */
  get version(): number { return this.#version; }

  /** abi.F_* bits; the getters below name them. */
  get flags(): number { return this.#flags; }
  /** The connection persists after this request (RFC 9112 §9.3). */
  get keepAlive(): boolean { return (this.#flags & F_KEEP_ALIVE) !== 0; }
  /** Connection: close was sent. */
  get close(): boolean { return (this.#flags & F_CONN_CLOSE) !== 0; }
  /** Connection: keep-alive was sent. */
  get connectionKeepAlive(): boolean { return (this.#flags & F_CONN_KEEP_ALIVE) !== 0; }
  /** Connection: upgrade was sent. */
  get connectionUpgrade(): boolean { return (this.#flags & F_CONN_UPGRADE) !== 0; }
  /** An Upgrade field was sent. */
  get upgrade(): boolean { return (this.#flags & F_UPGRADE) !== 0; }
  /** The body is chunked (Transfer-Encoding ends in chunked). */
  get chunked(): boolean { return (this.#flags & F_CHUNKED) !== 0; }
  get hasTransferEncoding(): boolean { return (this.#flags & F_TRANSFER_ENCODING) !== 0; }
  get hasContentLength(): boolean { return (this.#flags & F_CONTENT_LENGTH) !== 0; }
  get hasHost(): boolean { return (this.#flags & F_HOST) !== 0; }
  /** Expect: 100-continue (RFC 9110 §10.1.1). */
  get expectContinue(): boolean { return (this.#flags & F_EXPECT_CONTINUE) !== 0; }
  /** An Expect value other than 100-continue (answered 417). */
  get expectOther(): boolean { return (this.#flags & F_EXPECT_OTHER) !== 0; }
  /** Content-Length (≤ 2^53 - 1), or -1 when the head has none. */
  get contentLength(): number { return this.#contentLength; }

  /** Number of field lines. */
  get headerCount(): number { return this.#headerCount; }
  /** @internal 4 slots per field line (name off/len, value off/len, relative to start), for the readers in table.ts. */
  get fields(): readonly number[] { return this.#fields; }

  /** Field line i's name, as sent. */
  name(i: number): string {
    return headerName(this.#fields, 0, i, this.#buf, this.#start);
  }

  /** Field line i's value (OWS trimmed). */
  value(i: number): string {
    return headerValue(this.#fields, 0, i, this.#buf, this.#start);
  }

  /** Index of the first field line named `name` (any case) at or after `from`, or -1. */
  indexOf(name: string | Uint8Array, from = 0): number {
    const lower = typeof name === 'string' ? cachedLower(name.toLowerCase()) : name;
    return findHeader(this.#fields, 0, this.#headerCount, this.#buf, this.#start, lower, from);
  }

  /** First value of the field `name`, or undefined. */
  get(name: string | Uint8Array): string | undefined {
    const i = this.indexOf(name);
    return i < 0 ? undefined : this.value(i);
  }

  /** Every value of the field `name`, in order (RFC 9110 §5.3). */
  getAll(name: string | Uint8Array): string[] {
    const out: string[] = [];
    const lower = typeof name === 'string' ? cachedLower(name.toLowerCase()) : name;
    for (let i = this.indexOf(lower); i >= 0; i = this.indexOf(lower, i + 1)) out.push(this.value(i));
    return out;
  }

  /** [name, value] pairs as sent. */
  *entries(): IterableIterator<[string, string]> {
    for (let i = 0; i < this.#headerCount; i++) yield [this.name(i), this.value(i)];
  }
}

/**
 * The low-level public name: a HeadResult read from a parser's raw table right after a parse
 * (`new ParsedHead(buf, start, parser.table, parser.base)`), with the header slots also as an
 * Int32Array. `parser.result` is the same reading, made by the parser itself.
 */
export class ParsedHead extends HeadResult {
  /** 4 slots per header (name off/len, value off/len), relative to start. */
  readonly slots: Int32Array;

  constructor(buf: Uint8Array, start: number, table: Int32Array, base: number) {
    super();
    this.fill(table, base, buf, start);
    this.slots = Int32Array.from(this.fields);
  }
}
