// Validators and conditional requests for serveStatic() (RFC 9110 §8.8, §13).
//
// ETag: by default a STRONG entity-tag built from the file's size and its modification time in
// nanoseconds. §8.8.1 lets a validator be strong when it changes whenever the representation data
// changes "in a way that would be observable in a 200 response"; a write that keeps both the size and
// the nanosecond mtime is the one case it misses, the same assumption nginx and Apache make. Strong
// matters for ranges: If-Range only matches with the strong comparison (§13.1.5), so a weak tag
// would turn every resumed download into a full 200. `etag: 'weak'` gives W/"…" for those who prefer
// the stricter reading (then If-Range by entity-tag never matches; by date still may).
// Each precompressed variant is a different representation and gets its own tag (§8.8.3: tags of
// different representations of one resource must differ) — built from its own file's stat.

/** What the validators are built from. */
export interface FileStamp {
  readonly size: number;
  /** Modification time, ms since the epoch (Last-Modified, If-Modified-Since). */
  readonly mtimeMs: number;
  /** Modification time, ns since the epoch (the ETag). */
  readonly mtimeNs: bigint;
}

export function makeEtag(stamp: FileStamp, weak: boolean, suffix: string): string {
  const tag = `"${stamp.size.toString(16)}-${stamp.mtimeNs.toString(16)}${suffix}"`;
  return weak ? `W/${tag}` : tag;
}

/** IMF-fixdate (RFC 9110 §5.6.7), whole seconds. */
export function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

/** An HTTP-date in ms, or NaN when invalid (an invalid date makes the condition ignored, §13.1.3). */
function parseDate(value: string): number {
  // Date.parse accepts IMF-fixdate and the obsolete RFC 850 / asctime forms (§5.6.7).
  return /^[\x20-\x7e]{1,64}$/.test(value) ? Date.parse(value) : NaN;
}

interface Tag {
  readonly weak: boolean;
  readonly opaque: string;
}

/** entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE (§8.8.3); a list as in If-None-Match / If-Match. */
function parseTags(value: string): Tag[] | '*' {
  if (value.trim() === '*') return '*';
  const tags: Tag[] = [];
  const re = /\s*(W\/)?("[^"]*")\s*(?:,|$)/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(value)) !== null && m[0] !== '') tags.push({ weak: m[1] !== undefined, opaque: m[2]! });
  return tags;
}

function parseTag(value: string): Tag {
  const weak = value.startsWith('W/');
  return { weak, opaque: weak ? value.slice(2) : value };
}

/** §8.8.3.2: strong comparison (neither weak, same opaque-tag); weak comparison ignores W/. */
function matches(list: Tag[] | '*', current: Tag, strong: boolean): boolean {
  if (list === '*') return true; // the representation exists
  for (const tag of list) {
    if (tag.opaque !== current.opaque) continue;
    if (!strong || (!tag.weak && !current.weak)) return true;
  }
  return false;
}

export const PRECONDITION_OK = 0;
export const NOT_MODIFIED = 304;
export const PRECONDITION_FAILED = 412;

type Lookup = (name: string) => string | undefined;

/**
 * Evaluate the preconditions in the order of RFC 9110 §13.2.2 for a GET/HEAD of an existing file:
 * 1. If-Match (strong comparison) false → 412; 2. else If-Unmodified-Since older than the file →
 * 412; 3. If-None-Match (weak comparison) true → 304; 4. only when there is NO If-None-Match,
 * If-Modified-Since not older than the file → 304 (§13.1.3: If-None-Match takes precedence).
 * `etag` is null when ETags are off (then tag conditions compare against nothing).
 */
export function evaluatePreconditions(header: Lookup, etag: string | null, mtimeMs: number): number {
  const current = etag === null ? null : parseTag(etag);
  const seconds = Math.floor(mtimeMs / 1000) * 1000; // HTTP-dates have one-second resolution
  const ifMatch = header('if-match');
  if (ifMatch !== undefined) {
    const list = parseTags(ifMatch);
    if (current === null ? list !== '*' : !matches(list, current, true)) return PRECONDITION_FAILED;
  } else {
    const since = header('if-unmodified-since');
    if (since !== undefined) {
      const date = parseDate(since);
      if (!Number.isNaN(date) && seconds > date) return PRECONDITION_FAILED;
    }
  }
  const ifNoneMatch = header('if-none-match');
  if (ifNoneMatch !== undefined) {
    const list = parseTags(ifNoneMatch);
    if (list === '*' || (current !== null && matches(list, current, false))) return NOT_MODIFIED;
    return PRECONDITION_OK;
  }
  const since = header('if-modified-since');
  if (since !== undefined) {
    const date = parseDate(since);
    if (!Number.isNaN(date) && seconds <= date) return NOT_MODIFIED;
  }
  return PRECONDITION_OK;
}

/**
 * If-Range (§13.1.5): the Range applies only when the validator still matches — an entity-tag by
 * strong comparison, or an HTTP-date equal to Last-Modified. Otherwise the whole file is sent (200).
 */
export function ifRangeAllows(value: string | undefined, etag: string | null, lastModified: string | null): boolean {
  if (value === undefined) return true;
  const trimmed = value.trim();
  if (trimmed.startsWith('"') || trimmed.startsWith('W/')) {
    if (etag === null) return false;
    const tag = parseTag(trimmed);
    const current = parseTag(etag);
    return !tag.weak && !current.weak && tag.opaque === current.opaque;
  }
  if (lastModified === null) return false;
  const date = parseDate(trimmed);
  return !Number.isNaN(date) && date === Date.parse(lastModified);
}
