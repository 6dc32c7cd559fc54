// The sealed result of one head parse: numbers read once out of the parser's result table, the header
// spans in an array of its own, strings decoded only when asked for. Nothing outside src/http/head/
// knows a slot index: the server reads method, target, version, flags, Content-Length and fields
// through this class.
//
// A parse that completes or fails (parse() > 0 or < 0; an incomplete parse leaves it alone) gives the
// parser a new HeadResult: it is never written again, so a Request keeps the result itself (one copy of
// the numbers per request, not one into the parser and another into the request) after the parser moves on.
import * as abi from '../../abi.js';
import * as latin1Module from '../latin1.js';
import * as table from './table.js';

// Imported values bound to module-local constants: V8 (Node 20) folds a module's own `const`
// bindings into optimized code, but reads an imported binding through its cell, with a TDZ check,
// at every use (docs/parser.md, "Hot-path notes").
const { F_CHUNKED, F_CONN_CLOSE, F_CONN_KEEP_ALIVE, F_CONN_UPGRADE, F_CONTENT_LENGTH, F_EXPECT_CONTINUE,
  F_EXPECT_OTHER, F_HOST, F_KEEP_ALIVE, F_TRANSFER_ENCODING, F_UPGRADE, H_NAME_LEN, H_NAME_OFF, H_VALUE_LEN,
  H_VALUE_OFF, METHOD_OTHER, R_CL_HI, R_CL_LO, R_ERROR_POS, R_FIXED, R_FLAGS, R_HEADER_COUNT, R_HEADER_STRIDE,
  R_HEAD_LEN, R_METHOD, R_METHOD_LEN, R_METHOD_OFF, R_TARGET_FORM, R_TARGET_LEN, R_TARGET_OFF, R_VERSION } = abi;
const { latin1 } = latin1Module;
const { cachedLower, METHOD_NAMES, nameEquals, nameEqualsLower } = table;

const EMPTY = Buffer.alloc(0);
const NO_FIELDS: readonly number[] = [];
const NO_PAIRS: readonly [string, string][] = [];

// A span of the head (offset from its start, length) is kept as one number, offset * 2^16 + length:
// both are below 2^16, a head being at most INPUT_SIZE = 65,536 bytes (resolveHeadLimits), so it packs
// exactly (into a small integer for heads under 32 KiB). Copying the field spans out of the table is
// most of what reading a result costs, and this halves the numbers copied.
const SPAN = 65536;
const spanOffset = (span: number): number => span >>> 16;
const spanLength = (span: number): number => span & 0xffff;

// Recently decoded short request-targets in a small direct-mapped cache: a target seen again (the usual
// case: a few hot paths) costs a byte compare instead of a native latin1 decode and a new string. Only
// short ones: comparing costs ~25 instructions a byte in V8 (a typed-array load is not cheap), so from
// ~40 bytes on the compare costs more than the decode it saves; longer targets are cut out of the head's
// text (HeadResult.#text) instead.
const TARGET_CACHE_SLOTS = 64; // a power of two
const TARGET_CACHE_MAX_LENGTH = 32;
const targetCache: string[] = new Array<string>(TARGET_CACHE_SLOTS).fill('');

/** buf[at, at + len) as a latin1 string, from the cache when the same target was decoded recently;
 *  undefined when len is 0 or over TARGET_CACHE_MAX_LENGTH. */
function cachedTarget(buf: Uint8Array, at: number, len: number): string | undefined {
  if (len === 0 || len > TARGET_CACHE_MAX_LENGTH) return undefined;
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
  #methodSpan = 0;
  #targetSpan = 0;
  #targetForm = 0;
  #version = 0;
  #flags = 0;
  #contentLength = -1;
  /** Two spans per field line: name, then value. */
  #fields: readonly number[] = NO_FIELDS;
  #errorPosition = -1;
  /** The whole head as one latin1 string, decoded on the first field string asked for: each name or
   *  value is then a substring of it (a slice, not a copy, from 13 characters on) instead of one native
   *  decode per string. Undefined until then, so a request that reads no field pays nothing. */
  #text: string | undefined = undefined;
  /** #text lower-cased, made on the first lowerName(): one call, not one per name. */
  #lowerText: string | undefined = undefined;

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
    this.#methodSpan = table[base + R_METHOD_OFF]! * SPAN + table[base + R_METHOD_LEN]!;
    this.#targetSpan = table[base + R_TARGET_OFF]! * SPAN + table[base + R_TARGET_LEN]!;
    this.#targetForm = table[base + R_TARGET_FORM]!;
    this.#version = table[base + R_VERSION]!;
    const flags = table[base + R_FLAGS]!;
    this.#flags = flags;
    this.#contentLength = (flags & F_CONTENT_LENGTH) === 0 ? -1
      : (table[base + R_CL_LO]! >>> 0) + table[base + R_CL_HI]! * 4294967296;
    // A plain array of small integers: a new Int32Array costs an ArrayBuffer (off-heap above 64 bytes,
    // i.e. 5+ fields: ~0.6 µs for 10 fields against ~0.1 µs for the array).
    const n = 2 * table[base + R_HEADER_COUNT]!;
    const fields = new Array<number>(n);
    for (let i = 0, e = base + R_FIXED; i < n; i += 2, e += R_HEADER_STRIDE) {
      fields[i] = table[e + H_NAME_OFF]! * SPAN + table[e + H_NAME_LEN]!;
      fields[i + 1] = table[e + H_VALUE_OFF]! * SPAN + table[e + H_VALUE_LEN]!;
    }
    this.#fields = fields;
    this.#errorPosition = -1;
  }

  /** @internal The head's bytes were moved (a head gathered from several chunks is kept as a copy):
   *  called by the reader on the result it was just given, before anything else holds it. */
  moveTo(buf: Uint8Array, start: number): void {
    this.#buf = buf;
    this.#start = start;
    this.#text = undefined;
    this.#lowerText = undefined;
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
    return this.#string(this.#methodSpan);
  }
  get methodOffset(): number { return spanOffset(this.#methodSpan); }
  get methodLength(): number { return spanLength(this.#methodSpan); }

  /** The request-target exactly as sent. */
  get target(): string {
    const span = this.#targetSpan;
    if (this.#text === undefined) {
      const cached = cachedTarget(this.#buf, this.#start + spanOffset(span), spanLength(span));
      if (cached !== undefined) return cached;
    }
    return this.#string(span);
  }
  get targetOffset(): number { return spanOffset(this.#targetSpan); }
  get targetLength(): number { return spanLength(this.#targetSpan); }
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
  get headerCount(): number { return this.#fields.length >> 1; }
  /** @internal 4 slots per field line (name off/len, value off/len, relative to start), the layout of
   *  the readers in table.ts; made on each call. */
  get fields(): number[] {
    const fields = this.#fields;
    const slots = new Array<number>(2 * fields.length);
    for (let i = 0; i < fields.length; i++) {
      slots[2 * i] = spanOffset(fields[i]!);
      slots[2 * i + 1] = spanLength(fields[i]!);
    }
    return slots;
  }

  /** Field line i's name, as sent. */
  name(i: number): string {
    return this.#string(this.#fields[2 * i]!);
  }

  /** Field line i's value (OWS trimmed). */
  value(i: number): string {
    return this.#string(this.#fields[2 * i + 1]!);
  }

  /** @internal Field line i's name lower-cased (Request.headers). Cut from the head's text lower-cased
   *  once: names are tchar (RFC 9110 §5.6.2), so that folds exactly their A–Z, and lower-casing latin1
   *  text keeps its length (no character of U+0000–U+00FF lower-cases to more than one), so the spans
   *  still apply — one call for the head instead of one, and a new string, per Title-Case name. */
  lowerName(i: number): string {
    const span = this.#fields[2 * i]!;
    const off = spanOffset(span);
    return this.#lowerCaseText().slice(off, off + spanLength(span));
  }

  /** @internal Whether field line i's name is `name`, ignoring ASCII case (RFC 9110 §5.1); no string is made. */
  nameIs(i: number, name: string): boolean {
    const span = this.#fields[2 * i]!;
    return nameEquals(this.#buf, this.#start + spanOffset(span), spanLength(span), name);
  }

  /** A span of the head as a string: cut out of the head's text (decoded once, on first use). slice(),
   *  not substring(): the same string, ~15% cheaper in V8 (measured on the forty-headers fixture). */
  #string(span: number): string {
    const len = spanLength(span);
    if (len === 0) return '';
    const off = spanOffset(span);
    return (this.#text ?? this.#decodeText()).slice(off, off + len);
  }

  /** The head's text lower-cased (see lowerName), made once; decodes the text first if needed. */
  #lowerCaseText(): string {
    return (this.#lowerText ??= (this.#text ?? this.#decodeText()).toLowerCase());
  }

  /** The head's text (see #text), decoded now: one native call, however many strings are cut from it. */
  #decodeText(): string {
    const start = this.#start;
    return (this.#text = latin1(this.#buf, start, start + this.#headLength));
  }

  /** Index of the first field line named `name` (any case) at or after `from`, or -1. */
  indexOf(name: string | Uint8Array, from = 0): number {
    const lower = typeof name === 'string' ? cachedLower(name.toLowerCase()) : name;
    const fields = this.#fields;
    const buf = this.#buf;
    const start = this.#start;
    for (let i = 2 * from; i < fields.length; i += 2) {
      const span = fields[i]!;
      if (nameEqualsLower(buf, start + spanOffset(span), spanLength(span), lower)) return i >> 1;
    }
    return -1;
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
  entries(): IterableIterator<[string, string]> {
    // An array's iterator, not a generator: for-of over it is inlined by the optimizing compiler.
    if (this.#fields.length === 0) return NO_PAIRS.values();
    const text = this.#text ?? this.#decodeText();
    return this.#pairs(text, text).values();
  }

  /** @internal [name lower-cased, value] pairs (Request.headers): the names cut from the head's text
   *  lower-cased once (see lowerName). A new array each call. */
  lowerEntries(): [string, string][] {
    if (this.#fields.length === 0) return [];
    const lower = this.#lowerCaseText(); // decodes #text when it was not yet
    return this.#pairs(lower, this.#text!);
  }

  /** Every field line as a [name, value] pair, names cut from `names`, values from `text`. The spans
   *  are unpacked here, in one loop over the fields, rather than through name(i) and value(i) (a field
   *  load, a decoded-yet check and a length test per string): ~85 instructions less per pair on
   *  typical-browser-get (callgrind). slice(x, x) is '' for an empty value. */
  #pairs(names: string, text: string): [string, string][] {
    const fields = this.#fields;
    const pairs = new Array<[string, string]>(fields.length >> 1);
    for (let i = 0; i < fields.length; i += 2) {
      const name = fields[i]!;
      const value = fields[i + 1]!;
      const nameAt = spanOffset(name);
      const valueAt = spanOffset(value);
      pairs[i >> 1] = [names.slice(nameAt, nameAt + spanLength(name)), text.slice(valueAt, valueAt + spanLength(value))];
    }
    return pairs;
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
