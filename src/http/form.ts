// ctx.request.form() and ctx.request.parts(): HTML form bodies.
//   - application/x-www-form-urlencoded (WHATWG URL §5.1): the body (bounded by maxBodySize) is read
//     and parsed with URLSearchParams: `+` is a space, percent-escapes are UTF-8, repeated names kept.
//   - multipart/form-data (RFC 7578): our streaming parser (multipart.ts, multipart-reader.ts); form()
//     collects fields, and files in memory or, with `uploadDir`, in files written as they arrive.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { WasmlaneError } from '../errors.js';
import type { RequestBody } from './body.js';
import { parseMediaType } from './form-headers.js';
import { MultipartReader, resolveFormLimits } from './multipart-reader.js';
import type { FormLimits, MultipartPart } from './multipart-reader.js';

export interface FormOptions extends Partial<FormLimits> {
  /** form() only: write file parts to a new directory (mkdtemp) under this one instead of keeping
   *  them in memory; call form.cleanup() (or move the files) when done. */
  uploadDir?: string;
}

/** A file part collected by form(): in memory (`data`) or on disk (`path`). */
export class FormFile {
  readonly name: string;
  /** As sent by the client: never use it as a path as is. */
  readonly filename: string;
  readonly contentType: string;
  readonly size: number;
  /** The file's bytes (memory mode). */
  readonly data: Buffer | undefined;
  /** Where the file was written (uploadDir mode). */
  readonly path: string | undefined;

  constructor(part: MultipartPart, data: Buffer | undefined, path: string | undefined) {
    this.name = part.name;
    this.filename = part.filename ?? '';
    this.contentType = part.contentType;
    this.size = part.size;
    this.data = data;
    this.path = path;
  }

  bytes(): Promise<Buffer> {
    return this.data !== undefined ? Promise.resolve(this.data) : readFile(this.path!);
  }

  async text(): Promise<string> {
    return (await this.bytes()).toString('utf8');
  }

  stream(): Readable {
    return this.path !== undefined ? createReadStream(this.path) : Readable.from([this.data!], { objectMode: false });
  }
}

/** A parsed form: text fields (URLSearchParams: repeated names, order kept) and files. */
export class Form {
  readonly fields: URLSearchParams;
  readonly files: readonly FormFile[];
  /** The mkdtemp directory holding the files (uploadDir mode), if any file was written. */
  readonly directory: string | undefined;

  constructor(fields: URLSearchParams, files: readonly FormFile[], directory?: string) {
    this.fields = fields;
    this.files = files;
    this.directory = directory;
  }

  /** The first value of a field, or null. */
  get(name: string): string | null {
    return this.fields.get(name);
  }

  getAll(name: string): string[] {
    return this.fields.getAll(name);
  }

  has(name: string): boolean {
    return this.fields.has(name) || this.files.some((f) => f.name === name);
  }

  /** The first file sent under `name`. */
  file(name: string): FormFile | undefined {
    return this.files.find((f) => f.name === name);
  }

  fileAll(name: string): FormFile[] {
    return this.files.filter((f) => f.name === name);
  }

  /** Remove the upload directory (uploadDir mode); a no-op otherwise. */
  async cleanup(): Promise<void> {
    if (this.directory !== undefined) await rm(this.directory, { recursive: true, force: true });
  }
}

const FORM_TYPES = 'application/x-www-form-urlencoded or multipart/form-data';

/** The multipart reader for a request (throws 415 / 400 when the body is not multipart/form-data). */
export function openParts(contentType: string | undefined, body: RequestBody, options?: FormOptions): MultipartReader {
  const limits = resolveFormLimits(options, ['uploadDir']);
  const media = contentType === undefined ? null : parseMediaType(contentType);
  if (media?.type !== 'multipart/form-data') {
    throw new WasmlaneError('WL_FORM_UNSUPPORTED_TYPE', `Content-Type ${JSON.stringify(contentType ?? '')} is not multipart/form-data`);
  }
  return multipartOf(media.params, body, limits);
}

function multipartOf(params: ReadonlyMap<string, string>, body: RequestBody, limits: FormLimits): MultipartReader {
  const boundary = params.get('boundary');
  if (boundary === undefined) throw new WasmlaneError('WL_FORM_INVALID', 'multipart/form-data without a boundary parameter');
  // A limit crossed or a malformed body fails the request body: the connection then closes after
  // the error response instead of draining the rest of an upload we refused (RFC 9112 §9.6).
  return new MultipartReader(body, boundary, limits, (error) => body.fail(error));
}

/** ctx.request.form(). */
export async function readForm(contentType: string | undefined, body: RequestBody, options?: FormOptions): Promise<Form> {
  const limits = resolveFormLimits(options, ['uploadDir']);
  const media = contentType === undefined ? null : parseMediaType(contentType);
  if (media?.type === 'application/x-www-form-urlencoded') {
    const charset = media.params.get('charset')?.toLowerCase();
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'us-ascii') {
      // URLSearchParams decodes percent-escapes as UTF-8 only (WHATWG URL §5.1).
      throw new WasmlaneError('WL_FORM_UNSUPPORTED_TYPE', `urlencoded charset ${charset} (only UTF-8)`);
    }
    return new Form(parseUrlencoded((await body.bytes()).toString('utf8'), limits), []);
  }
  if (media?.type !== 'multipart/form-data') {
    throw new WasmlaneError('WL_FORM_UNSUPPORTED_TYPE', `Content-Type ${JSON.stringify(contentType ?? '')} is not ${FORM_TYPES}`);
  }
  const reader = multipartOf(media.params, body, limits);
  const fields = new URLSearchParams();
  const files: FormFile[] = [];
  const uploadDir = options?.uploadDir;
  let directory: string | undefined;
  try {
    for await (const part of reader) {
      if (!part.isFile) {
        fields.append(part.name, part.value);
      } else if (uploadDir !== undefined) {
        directory ??= await mkdtemp(join(uploadDir, 'wasmlane-upload-'));
        const path = join(directory, String(files.length));
        // pipeline() waits for the file's 'drain': the upload is read at the disk's pace.
        await pipeline(part.stream(), createWriteStream(path, { flags: 'wx' }));
        files.push(new FormFile(part, undefined, path));
      } else {
        files.push(new FormFile(part, await part.bytes(), undefined));
      }
    }
  } catch (error) {
    if (directory !== undefined) await rm(directory, { recursive: true, force: true });
    throw error;
  }
  return new Form(fields, files, directory);
}

/** Parse urlencoded text with the field limits (count first, so a flood of pairs is not parsed). */
export function parseUrlencoded(text: string, limits: FormLimits): URLSearchParams {
  let pairs = 0;
  for (let at = 0; at <= text.length;) {
    let amp = text.indexOf('&', at);
    if (amp < 0) amp = text.length;
    if (amp > at && ++pairs > limits.maxFields) throw new WasmlaneError('WL_FORM_TOO_MANY_FIELDS', `more than ${limits.maxFields}`);
    at = amp + 1;
  }
  const params = new URLSearchParams(text);
  for (const [name, value] of params) {
    if (Buffer.byteLength(value) > limits.maxFieldSize) {
      throw new WasmlaneError('WL_FORM_FIELD_TOO_LARGE', `${name}: more than ${limits.maxFieldSize} bytes`);
    }
  }
  return params;
}
