// multipart/form-data (RFC 7578) as a pull stream of parts. The reader asks the body for its next
// piece only when the consumer wants more and everything parsed so far was taken, so an upload is
// never buffered: a file part's bytes flow at the pace of the code reading them, and the body reader
// below pauses the socket when its own 64 KiB queue fills (RequestBody flow control). What is held at
// any time is one body piece (parsed into views, not copied), the parser's header buffer and the
// current field's value (maxFieldSize).
//
// Limits are checked as bytes arrive and fail the whole body: the error is thrown to the reader's
// consumer and given to `onError` (the server fails the request body, so the connection is closed
// after the 413/400 answer instead of draining what the client still sends).
import { Readable } from 'node:stream';
import { WasmlaneError } from '../errors.js';
import { parseDisposition, parsePartHeaders, textDecoderFor } from './form-headers.js';
import { MultipartParser } from './multipart.js';

export interface FormLimits {
  /** Parts (fields and files) in one body → 413 WL_FORM_TOO_MANY_PARTS. */
  maxParts: number;
  /** Text fields (urlencoded pairs or multipart parts without a filename) → 413 WL_FORM_TOO_MANY_FIELDS. */
  maxFields: number;
  /** Bytes of one field's value → 413 WL_FORM_FIELD_TOO_LARGE. */
  maxFieldSize: number;
  /** File parts (with a filename parameter) → 413 WL_FORM_TOO_MANY_FILES. */
  maxFiles: number;
  /** Bytes of one file → 413 WL_FORM_FILE_TOO_LARGE (the route's maxBodySize bounds the whole body). */
  maxFileSize: number;
  /** Bytes of one part's header section → 413 WL_FORM_PART_HEADER_TOO_LARGE. */
  maxHeaderSize: number;
}

export const DEFAULT_FORM_LIMITS: Readonly<FormLimits> = Object.freeze({
  maxParts: 1000,
  maxFields: 1000, // qs's parameterLimit
  maxFieldSize: 1024 * 1024, // busboy's fieldSize
  maxFiles: 100,
  maxFileSize: Infinity, // the body limit (request.maxBodySize or the route's) applies
  maxHeaderSize: 16 * 1024,
});

/** Merge user limits over the defaults, refusing unknown keys and bad values (a typo must not
 *  silently leave a limit at its default). */
export function resolveFormLimits(options: Partial<FormLimits> | undefined, extra: readonly string[] = []): FormLimits {
  const out = { ...DEFAULT_FORM_LIMITS };
  if (options === undefined) return out;
  for (const key of Object.keys(options)) {
    if (extra.includes(key)) continue;
    if (!(key in DEFAULT_FORM_LIMITS)) {
      throw new WasmlaneError('WL_INVALID_CONFIG', `form option ${key} is not known (known: ${[...Object.keys(DEFAULT_FORM_LIMITS), ...extra].join(', ')})`);
    }
    const value = (options as Record<string, unknown>)[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !(value === Infinity || (Number.isInteger(value) && value >= 0))) {
      throw new WasmlaneError('WL_INVALID_CONFIG', `form option ${key} must be a non-negative integer or Infinity`);
    }
    (out as Record<string, number>)[key] = value;
  }
  if (out.maxHeaderSize === Infinity || out.maxHeaderSize > 1024 * 1024) {
    throw new WasmlaneError('WL_INVALID_CONFIG', 'form option maxHeaderSize must be at most 1 MiB (it is allocated per parser)');
  }
  return out;
}

const BEGIN = 0;
const DATA = 1;
const END = 2;
type Event = { readonly kind: 0; readonly head: Buffer } | { readonly kind: 1; readonly data: Buffer } | { readonly kind: 2 };
const END_EVENT: Event = Object.freeze({ kind: END });
const DONE: IteratorResult<never> = Object.freeze({ done: true, value: undefined });

/** One part of a multipart form: a field (value read) or a file (content streamed on demand). */
export class MultipartPart implements AsyncIterable<Buffer> {
  /** The name parameter of Content-Disposition. */
  readonly name: string;
  /** filename* (RFC 8187, decoded) or filename as sent; undefined for a field. Never use it as a
   *  path as is: it is whatever the client chose ("../../x", "C:\\x", ""). */
  readonly filename: string | undefined;
  /** Content-Type of the part (RFC 7578 §4.4: text/plain when absent). */
  readonly contentType: string;
  /** The part's header fields, names lower-cased. */
  readonly headers: Readonly<Record<string, string>>;
  /** A field's value, decoded with its charset (UTF-8 by default); '' for a file. */
  value = '';
  /** Content bytes delivered so far (a field's whole size; a file's bytes read so far). */
  size = 0;
  readonly #reader: MultipartReader;

  constructor(reader: MultipartReader, name: string, filename: string | undefined, headers: Record<string, string>) {
    this.#reader = reader;
    this.name = name;
    this.filename = filename;
    this.headers = headers;
    this.contentType = headers['content-type'] ?? 'text/plain';
  }

  /** True for a part with a filename parameter (RFC 7578 §4.2). */
  get isFile(): boolean {
    return this.filename !== undefined;
  }

  /** The content, piece by piece, as it arrives (files; a field yields nothing, use `value`). */
  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    return { next: () => this.#reader.data(this) };
  }

  /** The content as a Node Readable (pulls from the connection as it is read: backpressure). */
  stream(): Readable {
    return Readable.from(this, { objectMode: false });
  }

  /** The whole (remaining) content in memory: only for parts known to be small. */
  async bytes(): Promise<Buffer> {
    const pieces: Buffer[] = [];
    for await (const piece of this) pieces.push(piece);
    return Buffer.concat(pieces);
  }
}

export interface ByteSource {
  next(): Promise<IteratorResult<Buffer>>;
}

export class MultipartReader implements AsyncIterableIterator<MultipartPart> {
  readonly #source: ByteSource;
  readonly #limits: FormLimits;
  readonly #parser: MultipartParser;
  readonly #onError: ((error: WasmlaneError) => void) | undefined;
  #events: Event[] = [];
  #at = 0;
  #current: MultipartPart | null = null;
  #eof = false;
  #error: WasmlaneError | null = null;
  #parts = 0;
  #fields = 0;
  #files = 0;

  constructor(source: ByteSource, boundary: string, limits: FormLimits, onError?: (error: WasmlaneError) => void) {
    this.#source = source;
    this.#limits = limits;
    this.#onError = onError;
    this.#parser = new MultipartParser(boundary, limits.maxHeaderSize, {
      partBegin: (head) => void this.#events.push({ kind: BEGIN, head }),
      partData: (buf, start, end) => void this.#events.push({ kind: DATA, data: buf.subarray(start, end) }),
      partEnd: () => void this.#events.push(END_EVENT),
    });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<MultipartPart>> {
    const part = await this.nextPart();
    return part === null ? DONE : { done: false, value: part };
  }

  /** Leaving a `for await` early is fine: what is left of the body is drained or the connection closed. */
  async return(): Promise<IteratorResult<MultipartPart>> {
    return DONE;
  }

  /** The next part (skipping what is left of the current one), or null after the close delimiter. */
  async nextPart(): Promise<MultipartPart | null> {
    for (;;) {
      const event = this.#shift();
      if (event === undefined) {
        if (this.#eof) return null;
        await this.#pull();
        continue;
      }
      if (event.kind === DATA) {
        if (this.#current !== null) this.#count(this.#current, event.data.length);
        continue;
      }
      if (event.kind === END) {
        this.#current = null;
        continue;
      }
      const part = this.#begin(event.head);
      if (!part.isFile) await this.#readField(part);
      return part;
    }
  }

  /** The next content piece of `part` (its iterator's next()). */
  async data(part: MultipartPart): Promise<IteratorResult<Buffer>> {
    if (part !== this.#current || !part.isFile) return DONE;
    for (;;) {
      const event = this.#shift();
      if (event === undefined) {
        await this.#pull();
        continue;
      }
      if (event.kind === DATA) {
        this.#count(part, event.data.length);
        return { done: false, value: event.data };
      }
      this.#current = null; // END (a BEGIN cannot come before the current part's END)
      return DONE;
    }
  }

  #shift(): Event | undefined {
    const events = this.#events;
    if (this.#at < events.length) return events[this.#at++];
    if (this.#at > 0) {
      events.length = 0;
      this.#at = 0;
    }
    return undefined;
  }

  /** Parse the next body piece into events. */
  async #pull(): Promise<void> {
    if (this.#error !== null) throw this.#error;
    if (this.#eof) throw this.#fail(new WasmlaneError('WL_FORM_INVALID', 'the body ended before the close delimiter'));
    let result: IteratorResult<Buffer>;
    try {
      result = await this.#source.next();
    } catch (error) {
      throw this.#fail(error);
    }
    try {
      if (result.done) {
        this.#eof = true;
        this.#parser.end();
      } else {
        this.#parser.write(result.value);
      }
    } catch (error) {
      throw this.#fail(error);
    }
  }

  #begin(head: Buffer): MultipartPart {
    const limits = this.#limits;
    let part: MultipartPart;
    try {
      if (++this.#parts > limits.maxParts) throw new WasmlaneError('WL_FORM_TOO_MANY_PARTS', `more than ${limits.maxParts}`);
      const headers = parsePartHeaders(head);
      const { name, filename } = parseDisposition(headers['content-disposition']);
      part = new MultipartPart(this, name, filename, headers);
      if (part.isFile) {
        if (++this.#files > limits.maxFiles) throw new WasmlaneError('WL_FORM_TOO_MANY_FILES', `more than ${limits.maxFiles}`);
      } else if (++this.#fields > limits.maxFields) {
        throw new WasmlaneError('WL_FORM_TOO_MANY_FIELDS', `more than ${limits.maxFields}`);
      }
    } catch (error) {
      throw this.#fail(error);
    }
    this.#current = part;
    return part;
  }

  /** Gather a field's value (at most maxFieldSize bytes) and decode it. */
  async #readField(part: MultipartPart): Promise<void> {
    const pieces: Buffer[] = [];
    for (;;) {
      const event = this.#shift();
      if (event === undefined) {
        await this.#pull();
        continue;
      }
      if (event.kind !== DATA) break; // END
      this.#count(part, event.data.length);
      pieces.push(event.data);
    }
    this.#current = null;
    part.value = textDecoderFor(part.headers['content-type']).decode(pieces.length === 1 ? pieces[0] : Buffer.concat(pieces));
  }

  #count(part: MultipartPart, length: number): void {
    part.size += length;
    const limits = this.#limits;
    if (part.isFile) {
      if (part.size > limits.maxFileSize) throw this.#fail(new WasmlaneError('WL_FORM_FILE_TOO_LARGE', `${part.name}: more than ${limits.maxFileSize} bytes`));
    } else if (part.size > limits.maxFieldSize) {
      throw this.#fail(new WasmlaneError('WL_FORM_FIELD_TOO_LARGE', `${part.name}: more than ${limits.maxFieldSize} bytes`));
    }
  }

  #fail(error: unknown): WasmlaneError {
    if (this.#error !== null) return this.#error;
    const coded = error instanceof WasmlaneError ? error : new WasmlaneError('WL_FORM_INVALID', String(error));
    this.#error = coded;
    this.#events.length = 0;
    this.#at = 0;
    this.#onError?.(coded);
    return coded;
  }
}
