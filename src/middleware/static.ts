// serveStatic(root, options): files from a directory, as a route handler or as request middleware.
//
//   server.get('/assets/{*path}', serveStatic('./public', { prefix: '/assets' }))   // handler
//   server.requestMiddleware(serveStatic('./public', { fallthrough: true }))        // middleware
//
// The file is chosen from the RAW request path (never from decoded route params, which would have
// turned %2F into "/" already): `prefix` is stripped, the rest is checked and decoded once, then
// resolved under realpath(root) (src/middleware/static/resolve.ts). Validators and conditional
// requests: static/conditional.ts; ranges: static/range.ts; precompressed siblings:
// static/encoding.ts; bytes on the wire: static/send.ts. Documentation: docs/static.md.
import { realpathSync } from 'node:fs';
import type { Context } from '../context.js';
import { WasmlaneError } from '../errors.js';
import { Status } from '../hooks.js';
import {
  evaluatePreconditions, httpDate, ifRangeAllows, makeEtag, NOT_MODIFIED, PRECONDITION_FAILED,
} from './static/conditional.js';
import type { FileStamp } from './static/conditional.js';
import { acceptableCodings, SUFFIX } from './static/encoding.js';
import type { Precompressed } from './static/encoding.js';
import { mimeType } from './static/mime.js';
import { parseRange, RANGE_IGNORE, RANGE_UNSATISFIABLE } from './static/range.js';
import { joinUnder, locate, parseUrlPath } from './static/resolve.js';
import type { Located } from './static/resolve.js';
import { checkStaticOptions } from './static/options.js';
import { fileProducer, readSlice } from './static/send.js';

export interface StaticOptions {
  /** URL prefix the files are mounted under, stripped before the lookup ('' = the whole path). */
  prefix?: string;
  /** Not found / not GET or HEAD → Status.Continue (next middleware or the route) instead of 404/405.
   *  Use true for request middleware. A served file then returns Status.Reject (answer now). */
  fallthrough?: boolean;
  /** Files tried for a directory, in order; false: directories are never served. */
  index?: readonly string[] | false;
  /** A directory asked for without a trailing slash: true → 301 to the path with "/" (relative
   *  links in its index then resolve inside it); false (default, as hono and sirv) → its index. */
  redirect?: boolean;
  /** Paths with a segment starting with ".": 'ignore' (default: as if missing, 404), 'deny' (403),
   *  'allow' (served). */
  dotfiles?: 'ignore' | 'deny' | 'allow';
  /** Follow symlinks whose target is inside root (default true). Targets outside root are refused
   *  always; false refuses every symlink. */
  followSymlinks?: boolean;
  /** ETag: 'strong' (default), 'weak' or false (see static/conditional.ts for why strong). */
  etag?: 'strong' | 'weak' | false;
  /** Send Last-Modified and honour If-Modified-Since / If-Unmodified-Since (default true). */
  lastModified?: boolean;
  /** Cache-Control max-age in seconds; with it: "public, max-age=N". Unset: no Cache-Control. */
  maxAge?: number;
  /** Add ", immutable" to Cache-Control (RFC 8246), for fingerprinted file names. */
  immutable?: boolean;
  /** A literal Cache-Control value (wins over maxAge/immutable). */
  cacheControl?: string;
  /** Serve `file.br` / `file.gz` siblings when Accept-Encoding allows: true = ['br', 'gzip']. */
  precompressed?: boolean | readonly Precompressed[];
  /** Extra or overriding Content-Types by lower-case extension, e.g. { md: 'text/markdown' }. */
  mimeTypes?: Readonly<Record<string, string>>;
  /** Bodies up to this many bytes are read whole and sent with ctx.send() (default 64 KiB); larger
   *  ones are streamed from disk. 0 streams everything. */
  inlineMax?: number;
  /** Read size for streamed files (default 64 KiB). */
  chunkSize?: number;
  /** Called before the head is set, e.g. to add fields for some files. */
  setHeaders?: (ctx: Context<any>, file: { path: string; size: number; mtimeMs: number }) => void;
}

const KiB = 1024;

/** The handler / middleware: (ctx) → Status (sync when the request is not for it). */
export type StaticHandler = (ctx: Context<any>) => Status | undefined | Promise<Status | undefined>;

export function serveStatic(root: string, options: StaticOptions = {}): StaticHandler {
  checkStaticOptions(options);
  // Resolved once, now: a missing root is a configuration error, reported at startup.
  const realRoot = realpathSync(root);
  const prefix = (options.prefix ?? '').replace(/\/+$/, '');
  const fallthrough = options.fallthrough ?? false;
  const index = options.index === false ? [] : [...(options.index ?? ['index.html'])];
  const offered: readonly Precompressed[] = options.precompressed === true ? ['br', 'gzip']
    : options.precompressed === false || options.precompressed === undefined ? [] : [...options.precompressed];
  const cacheControl = options.cacheControl ?? (options.maxAge === undefined && !options.immutable ? undefined
    : `public, max-age=${Math.max(0, Math.floor(options.maxAge ?? 0))}${options.immutable ? ', immutable' : ''}`);
  const config: Config = {
    realRoot, fallthrough, index, offered, cacheControl,
    redirect: options.redirect ?? false,
    dotfiles: options.dotfiles ?? 'ignore',
    followSymlinks: options.followSymlinks ?? true,
    etag: options.etag ?? 'strong',
    lastModified: options.lastModified ?? true,
    mimeTypes: options.mimeTypes,
    inlineMax: options.inlineMax ?? 64 * KiB,
    chunkSize: options.chunkSize ?? 64 * KiB,
    setHeaders: options.setHeaders,
  };

  return (ctx) => {
    const method = ctx.request.method;
    const raw = ctx.request.path;
    let rest: string;
    if (prefix === '') rest = raw;
    else if (raw === prefix) rest = '/';
    else if (raw.startsWith(prefix) && raw.charCodeAt(prefix.length) === 0x2f) rest = raw.slice(prefix.length);
    else return fallthrough ? Status.Continue : notFound();
    if (method !== 'GET' && method !== 'HEAD') {
      if (fallthrough) return Status.Continue;
      ctx.status(405).header('allow', 'GET, HEAD').send();
      return undefined;
    }
    return serve(ctx, rest, config);
  };
}

interface Config {
  readonly realRoot: string;
  readonly fallthrough: boolean;
  readonly index: readonly string[];
  readonly offered: readonly Precompressed[];
  readonly cacheControl: string | undefined;
  readonly redirect: boolean;
  readonly dotfiles: 'ignore' | 'deny' | 'allow';
  readonly followSymlinks: boolean;
  readonly etag: 'strong' | 'weak' | false;
  readonly lastModified: boolean;
  readonly mimeTypes: Readonly<Record<string, string>> | undefined;
  readonly inlineMax: number;
  readonly chunkSize: number;
  readonly setHeaders: StaticOptions['setHeaders'];
}

/** Not ours: the router's own 404 (same body, same onRequestError hooks). */
function notFound(): never {
  throw new WasmlaneError('WL_NOT_FOUND');
}

/** What serve() returns: answered (Reject in middleware mode, so the route does not run) or not. */
function answered(config: Config): Status | undefined {
  return config.fallthrough ? Status.Reject : undefined;
}

async function serve(ctx: Context<any>, rest: string, config: Config): Promise<Status | undefined> {
  const miss = (): Status | undefined => (config.fallthrough ? Status.Continue : notFound());
  const parsed = parseUrlPath(rest);
  // Malformed encoding or a refused shape (traversal, encoded separator, NUL, drive letter): as if
  // missing — the same 404 as the router gives to a param it cannot decode, nothing more revealed.
  if (typeof parsed === 'string') return miss();
  if (parsed.dotfile && config.dotfiles !== 'allow') {
    if (config.dotfiles === 'ignore') return miss();
    ctx.status(403).send('Forbidden');
    return answered(config);
  }
  let found = await locate(config.realRoot, joinUnder(config.realRoot, parsed.segments), config.followSymlinks);
  if (found === null) return miss();
  if (found.stat.isDirectory()) {
    if (!parsed.trailingSlash && config.redirect) {
      // RFC 9110 §15.4.2; the raw path keeps its encoding, so the Location is as safe as the target.
      const query = ctx.request.query;
      ctx.status(301).header('location', `${ctx.request.path}/${query === '' ? '' : '?' + query}`).send();
      return answered(config);
    }
    found = await findIndex(found.path, config);
    if (found === null) return miss();
  } else if (parsed.trailingSlash || !found.stat.isFile()) {
    return miss(); // "file.txt/" or a device, socket, fifo
  }
  await respond(ctx, found, config);
  return answered(config);
}

async function findIndex(dir: string, config: Config): Promise<Located | null> {
  for (const name of config.index) {
    const found = await locate(config.realRoot, joinUnder(dir, [name]), config.followSymlinks);
    if (found !== null && found.stat.isFile()) return found;
  }
  return null;
}

function stampOf(found: Located): FileStamp {
  return { size: Number(found.stat.size), mtimeMs: Number(found.stat.mtimeMs), mtimeNs: found.stat.mtimeNs };
}

async function respond(ctx: Context<any>, found: Located, config: Config): Promise<void> {
  const request = ctx.request;
  // The type is the original file's, whatever variant is sent (RFC 9110 §8.4: the coding is a
  // property of the representation, not its media type).
  const type = mimeType(found.path, config.mimeTypes);
  let file = found;
  let coding: Precompressed | null = null;
  if (config.offered.length > 0) {
    for (const candidate of acceptableCodings(request.header('accept-encoding'), config.offered)) {
      const variant = await locate(config.realRoot, found.path + SUFFIX[candidate], config.followSymlinks);
      if (variant !== null && variant.stat.isFile()) {
        file = variant;
        coding = candidate;
        break;
      }
    }
  }
  const stamp = stampOf(file);
  const etag = config.etag === false ? null : makeEtag(stamp, config.etag === 'weak', coding === null ? '' : `-${coding}`);
  const lastModified = config.lastModified ? httpDate(stamp.mtimeMs) : null;
  config.setHeaders?.(ctx, { path: found.path, size: stamp.size, mtimeMs: stamp.mtimeMs });

  // Fields every answer about this file carries — also 304, which must repeat ETag, Cache-Control
  // and Vary (RFC 9110 §15.4.5).
  if (etag !== null) ctx.header('etag', etag);
  if (lastModified !== null) ctx.header('last-modified', lastModified);
  if (config.cacheControl !== undefined) ctx.header('cache-control', config.cacheControl);
  if (config.offered.length > 0) ctx.appendHeader('vary', 'accept-encoding'); // §12.5.5

  const verdict = evaluatePreconditions((name) => request.header(name), etag,
    config.lastModified ? stamp.mtimeMs : Number.NaN);
  if (verdict === NOT_MODIFIED) {
    ctx.status(304).send();
    return;
  }
  if (verdict === PRECONDITION_FAILED) {
    ctx.status(412).send();
    return;
  }

  ctx.header('content-type', type);
  ctx.header('accept-ranges', 'bytes'); // RFC 9110 §14.3
  if (coding !== null) ctx.header('content-encoding', coding);

  // Range applies to GET only (§14.2) and to the selected representation — with a precompressed
  // variant that is the encoded bytes (the ETag names that variant, so If-Range stays consistent).
  let start = 0;
  let length = stamp.size;
  const rangeField = request.method === 'GET' ? request.header('range') : undefined;
  if (rangeField !== undefined && ifRangeAllows(request.header('if-range'), etag, lastModified)) {
    const range = parseRange(rangeField, stamp.size);
    if (range === RANGE_UNSATISFIABLE) {
      ctx.status(416).header('content-range', `bytes */${stamp.size}`).send();
      return;
    }
    if (range !== RANGE_IGNORE) {
      start = range.start;
      length = range.end - range.start + 1;
      ctx.status(206).header('content-range', `bytes ${range.start}-${range.end}/${stamp.size}`);
    }
  }
  if (request.method === 'GET' && length <= config.inlineMax) {
    ctx.send(length === 0 ? null : await readSlice(file.path, start, length));
    return;
  }
  ctx.sendStream(length, fileProducer(ctx, file.path, start, length, config.chunkSize));
}
