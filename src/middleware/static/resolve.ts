// URL path → file inside root, for serveStatic(). Two stages, both required:
//
// 1. Lexical (parseUrlPath): the raw, still percent-encoded path is checked BEFORE decoding for the
//    encodings that would change the path's structure once decoded — %2F and %5C (an encoded "/" or
//    "\" would turn one segment into several, RFC 3986 §2.2 reserved delimiters), %00 (NUL) and a raw
//    backslash (a separator on Windows). It is then percent-decoded exactly ONCE as UTF-8
//    (decodeURIComponent rejects malformed escapes and overlong/invalid UTF-8 such as %C0%AE, the
//    classic encoded dot). Decoded segments "." and ".." (RFC 3986 §3.3 dot-segments, however they
//    were encoded: %2e%2e, .%2e, %2E.), empty segments ("//", which could also make a redirect
//    target protocol-relative), NUL and drive letters ("C:") are refused. What is left is a list of
//    plain names joined under root: no absolute path can come out of it.
// 2. On disk (locate): the joined path goes through realpath(), and the result must be root's own
//    realpath or lie under it. That catches symlinks pointing out of root (refused always) and, with
//    followSymlinks false, any symlink at all (the real path must equal the lexical one).
import { constants, promises as fsp } from 'node:fs';
import type { BigIntStats } from 'node:fs';
import { join, sep } from 'node:path';

export interface UrlPath {
  /** Decoded path segments (no empty, ".", ".." ones). */
  readonly segments: readonly string[];
  /** The path ended with "/" (a directory was asked for). */
  readonly trailingSlash: boolean;
  /** Some segment starts with "." (a dotfile or dot-directory). */
  readonly dotfile: boolean;
}

/** Malformed percent-encoding / UTF-8 (a client error: 400 when the static handler owns the path). */
export const PATH_MALFORMED = 'malformed';
/** Structurally refused (traversal attempt or unrepresentable name): treated as not found. */
export const PATH_REFUSED = 'refused';

const ENCODED_SEPARATOR_OR_NUL = /%(2f|5c|00)/i;
const DRIVE = /^[A-Za-z]:/;
const WINDOWS = process.platform === 'win32';

/** Check and decode a raw URL path (starting with "/"). */
export function parseUrlPath(raw: string): UrlPath | typeof PATH_MALFORMED | typeof PATH_REFUSED {
  if (raw === '') raw = '/';
  if (raw.charCodeAt(0) !== 0x2f || raw.includes('\\') || ENCODED_SEPARATOR_OR_NUL.test(raw)) return PATH_REFUSED;
  let decoded: string;
  try {
    decoded = raw.includes('%') ? decodeURIComponent(raw) : raw;
  } catch {
    return PATH_MALFORMED;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return PATH_REFUSED;
  const parts = decoded.split('/');
  const trailingSlash = parts.length > 1 && parts[parts.length - 1] === '';
  const segments: string[] = [];
  let dotfile = false;
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i]!;
    if (part === '') {
      if (i === parts.length - 1) break; // the trailing slash
      return PATH_REFUSED; // "//": not a name
    }
    if (part === '.' || part === '..') return PATH_REFUSED;
    if (DRIVE.test(part) || (WINDOWS && part.includes(':'))) return PATH_REFUSED;
    if (part.charCodeAt(0) === 0x2e) dotfile = true;
    segments.push(part);
  }
  return { segments, trailingSlash, dotfile };
}

/** A file or directory found inside root. */
export interface Located {
  /** Real path (symlinks resolved). */
  readonly path: string;
  readonly stat: BigIntStats;
}

/** Errors that mean "there is nothing servable here" (not a server failure). */
const MISSING = new Set(['ENOENT', 'ENOTDIR', 'ELOOP', 'EACCES', 'EPERM', 'ENAMETOOLONG', 'EINVAL']);

export function isMissing(error: unknown): boolean {
  return MISSING.has((error as NodeJS.ErrnoException | null)?.code ?? '');
}

/** True when `real` is `realRoot` or below it. */
export function isInside(realRoot: string, real: string): boolean {
  if (real === realRoot) return true;
  const base = realRoot.endsWith(sep) ? realRoot : realRoot + sep;
  return real.startsWith(base);
}

/**
 * Find `lexical` (a path already built under realRoot from checked segments) on disk: realpath,
 * containment in realRoot, optional no-symlink rule, then stat. null when missing or refused.
 */
export async function locate(realRoot: string, lexical: string, followSymlinks: boolean): Promise<Located | null> {
  let real: string;
  try {
    real = await fsp.realpath(lexical);
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
  if (!isInside(realRoot, real)) return null; // a symlink out of root
  if (!followSymlinks && real !== lexical) return null;
  try {
    return { path: real, stat: await fsp.stat(real, { bigint: true }) };
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
}

/** Join checked segments under root. */
export function joinUnder(realRoot: string, segments: readonly string[]): string {
  return segments.length === 0 ? realRoot : join(realRoot, ...segments);
}

/** open() flags for reading a located file: O_NOFOLLOW so that a final component swapped for a
 *  symlink between locate() and the read fails instead of being followed (where the OS has it). */
export const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);
