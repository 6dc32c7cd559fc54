// compress(options): HTTP response compression (RFC 9110 §8.4 content codings br, gzip, deflate),
// negotiated from Accept-Encoding (./accept-encoding.ts). Two parts, registered together with
// `server.use(compress())`:
// - response middleware for buffered bodies (ctx.send/json/html): replaces ctx.response.body by its
//   compressed bytes (synchronously up to syncMaxBytes — measured faster than a zlib thread-pool
//   round trip there — asynchronously above, so a large body never blocks the event loop);
// - request middleware that sets ctx.response.streamFilter, so ctx.stream() sets the fields before
//   the head goes out and hands the handler a compressing stream (./compress-stream.ts).
// Nothing of this runs unless compress() is registered: the core's only addition is one null check
// in ctx.stream() (src/context.ts).
import zlib from 'node:zlib';
import type { Transform } from 'node:stream';
import type { Context } from '../context.js';
import { WasmlaneError } from '../errors.js';
import type { StepResult } from '../hooks.js';
import type { ResponseState } from '../http/response.js';
import { statusHasNoBody } from '../http/status-lines.js';
import type { ResponseStream, StreamFilter } from '../http/stream-types.js';
import type { MiddlewarePlugin } from '../route-registrar.js';
import { ENCODINGS, EncodingNegotiator } from './accept-encoding.js';
import type { Encoding } from './accept-encoding.js';
import { CompressedStream } from './compress-stream.js';
import { addVary } from './vary.js';

export type { Encoding } from './accept-encoding.js';

export interface CompressOptions {
  /** Codings offered, in the server's order of preference (breaks ties between equal q-values).
   *  Default ['br', 'gzip', 'deflate']. */
  encodings?: Encoding[];
  /** Buffered bodies smaller than this many bytes are sent as they are. Default 1024. */
  threshold?: number;
  /** Which responses may be compressed, by Content-Type (lower-case, parameters included; '' when
   *  none). Default: isCompressible. */
  filter?: (contentType: string, ctx: Context<any>) => boolean;
  /** gzip and deflate level 1–9 (zlib). Default 6, zlib's own default. */
  level?: number;
  /** Brotli quality 0–11. Default 4 (Node's default, 11, is made for static assets: ~10× slower). */
  brotliQuality?: number;
  /** Buffered bodies up to this many bytes are compressed synchronously. Default 16384. */
  syncMaxBytes?: number;
}

const DEFAULT_THRESHOLD = 1024;
const DEFAULT_SYNC_MAX = 16 * 1024;

// text/* (SSE excluded by the caller), JSON, JavaScript, XML and their +json/+xml structured types
// (RFC 6839), SVG (+xml), WebAssembly, and uncompressed font formats.
const COMPRESSIBLE = /^(?:text\/|application\/(?:json|javascript|x-javascript|ecmascript|xml|wasm|x-ndjson|ld\+json|manifest\+json|graphql|x-www-form-urlencoded|vnd\.ms-fontobject|x-font-ttf)\b|[a-z]+\/[^;\s]*\+(?:json|xml)\b|font\/(?:ttf|otf|eot)\b|image\/(?:svg\+xml|x-icon|vnd\.microsoft\.icon|bmp)\b)/;

/** The default filter: text-like types compress well; images, audio, video and archives do not. */
export function isCompressible(contentType: string): boolean {
  return COMPRESSIBLE.test(contentType) && !contentType.startsWith('text/event-stream');
}

const NO_TRANSFORM = /(?:^|[\s,])no-transform(?:$|[\s,;])/i;

function checkRange(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new WasmlaneError('WL_INVALID_CONFIG', `compress(): ${name} must be an integer in ${min}..${max}`);
  }
  return value;
}

class Compressor implements StreamFilter<Context<any>> {
  readonly negotiator: EncodingNegotiator;
  readonly threshold: number;
  readonly syncMax: number;
  readonly filter: (contentType: string, ctx: Context<any>) => boolean;
  readonly zlibOptions: zlib.ZlibOptions;
  readonly quality: number;

  constructor(options: CompressOptions) {
    const encodings = options.encodings ?? [...ENCODINGS];
    if (!Array.isArray(encodings) || encodings.some((e) => !ENCODINGS.includes(e))) {
      throw new WasmlaneError('WL_INVALID_CONFIG', `compress(): encodings must be a list of ${ENCODINGS.join(', ')}`);
    }
    this.negotiator = new EncodingNegotiator([...new Set(encodings)]);
    this.threshold = checkRange('threshold', options.threshold ?? DEFAULT_THRESHOLD, 0, Number.MAX_SAFE_INTEGER);
    this.syncMax = checkRange('syncMaxBytes', options.syncMaxBytes ?? DEFAULT_SYNC_MAX, 0, Number.MAX_SAFE_INTEGER);
    this.zlibOptions = { level: checkRange('level', options.level ?? 6, 1, 9) };
    this.quality = checkRange('brotliQuality', options.brotliQuality ?? 4, 0, 11);
    this.filter = options.filter ?? isCompressible;
  }

  /**
   * Whether this response may be compressed at all (then it varies by Accept-Encoding): it has a
   * body (not HEAD handled elsewhere, not 1xx/204/304), is not already encoded, not a range (206 /
   * Content-Range would describe the uncompressed bytes), not marked no-transform (RFC 9111 §5.2.2.6),
   * and its type passes the filter (text/event-stream never: events must not wait in zlib).
   */
  eligible(ctx: Context<any>, res: ResponseState, contentType: string): boolean {
    if (statusHasNoBody(res.status) || res.status === 206) return false;
    if (res.get('content-encoding') !== undefined || res.get('content-range') !== undefined) return false;
    const cacheControl = res.get('cache-control');
    if (cacheControl !== undefined && NO_TRANSFORM.test(cacheControl)) return false;
    if (contentType.startsWith('text/event-stream')) return false;
    return this.filter(contentType, ctx);
  }

  /** The coding for this request, or null; sets Content-Encoding and weakens a strong ETag. */
  choose(ctx: Context<any>, res: ResponseState): Encoding | null {
    addVary(res, 'Accept-Encoding'); // the answer depends on it, whichever way it goes (RFC 9110 §12.5.5)
    // HEAD: the fields would promise a coding whose length nobody computes; send it as identity.
    if (ctx.request.method === 'HEAD') return null;
    const encoding = this.negotiator.choose(ctx.request.header('accept-encoding'));
    if (encoding === null) return null;
    res.setTrusted('content-encoding', encoding, false);
    // The encoded bytes differ from the identity ones: a strong validator no longer matches them
    // byte for byte (RFC 9110 §8.8.1), a weak one still says "same content".
    const etag = res.get('etag');
    if (etag !== undefined && etag.startsWith('"')) res.setTrusted('etag', `W/${etag}`, false);
    return encoding;
  }

  createStream(encoding: Encoding, sizeHint?: number): Transform {
    if (encoding === 'br') return zlib.createBrotliCompress(this.brotliOptions(sizeHint));
    return encoding === 'gzip' ? zlib.createGzip(this.zlibOptions) : zlib.createDeflate(this.zlibOptions);
  }

  brotliOptions(sizeHint?: number): zlib.BrotliOptions {
    const params: Record<number, number> = { [zlib.constants.BROTLI_PARAM_QUALITY]: this.quality };
    if (sizeHint !== undefined) params[zlib.constants.BROTLI_PARAM_SIZE_HINT] = sizeHint;
    return { params };
  }

  /** StreamFilter: ctx.stream() was called; the head is not written yet. */
  open(ctx: Context<any>, start: (ctx: Context<any>, length?: number) => ResponseStream, length?: number): ResponseStream {
    const res = ctx.response;
    if (!this.eligible(ctx, res, res.get('content-type')?.toLowerCase() ?? '')) return start(ctx, length);
    const encoding = this.choose(ctx, res);
    if (encoding === null) return start(ctx, length);
    // An announced length is the identity length: the compressed body goes out chunked instead.
    const inner = start(ctx);
    return new CompressedStream(inner, this.createStream(encoding));
  }

  /** Response middleware: compress a buffered body. */
  compressBody(ctx: Context<any>): StepResult {
    if (ctx.headersSent) return; // streamed: handled by open()
    const res = ctx.response;
    const body = res.body;
    if (body === null) return;
    const size = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
    if (size < this.threshold) return; // never compressed: the answer does not vary
    // A string body without a type goes out as text/plain (src/http/response.ts); bytes have none.
    let contentType = res.get('content-type');
    const defaulted = contentType === undefined && typeof body === 'string';
    if (defaulted) contentType = 'text/plain; charset=utf-8';
    if (!this.eligible(ctx, res, contentType?.toLowerCase() ?? '')) return;
    const encoding = this.choose(ctx, res);
    if (encoding === null) return;
    // The body becomes bytes, which get no default type: state the one the string would have had.
    if (defaulted) res.setTrusted('content-type', contentType!, false);
    const input = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    if (size <= this.syncMax) {
      res.body = this.#sync(encoding, input);
      return;
    }
    return new Promise<void>((resolve, reject) => {
      const done = (error: Error | null, output: Buffer): void => {
        if (error !== null) return reject(error);
        res.body = output;
        resolve();
      };
      if (encoding === 'br') zlib.brotliCompress(input, this.brotliOptions(size), done);
      else if (encoding === 'gzip') zlib.gzip(input, this.zlibOptions, done);
      else zlib.deflate(input, this.zlibOptions, done);
    });
  }

  #sync(encoding: Encoding, input: Uint8Array): Buffer {
    if (encoding === 'br') return zlib.brotliCompressSync(input, this.brotliOptions(input.byteLength));
    return encoding === 'gzip' ? zlib.gzipSync(input, this.zlibOptions) : zlib.deflateSync(input, this.zlibOptions);
  }
}

/**
 * Response compression as a middleware pair: `server.use(compress())` (or a group's / a route's
 * `{ ...compress() }`). Register it after response middleware that rewrites bodies: a body set
 * after compress() ran goes out under its Content-Encoding.
 */
export function compress(options: CompressOptions = {}): Required<MiddlewarePlugin> {
  const compressor = new Compressor(options);
  return {
    requestMiddleware: [(ctx) => {
      ctx.response.streamFilter = compressor;
    }],
    responseMiddleware: [(ctx) => compressor.compressBody(ctx)],
  };
}
