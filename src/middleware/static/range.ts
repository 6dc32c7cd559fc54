// Range requests for serveStatic() (RFC 9110 §14). Only the bytes unit and only ONE range: a request
// for several ranges is answered with the whole representation (200), which §14.2 allows ("a server
// MAY ignore the Range header field") — it avoids multipart/byteranges and the amplification of
// many small or overlapping ranges (§14.2 security note, §17.15).

/** An inclusive byte range [start, end] of a representation. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/** Ignore the Range field (answer 200 with everything). */
export const RANGE_IGNORE = null;
/** 416 Range Not Satisfiable with Content-Range: bytes *\/size (§15.5.17). */
export const RANGE_UNSATISFIABLE = 'unsatisfiable';

export type RangeResult = ByteRange | typeof RANGE_IGNORE | typeof RANGE_UNSATISFIABLE;

const DIGITS = /^[0-9]+$/;

/**
 * Parse a Range field value against a representation of `size` bytes.
 * ranges-specifier = range-unit "=" range-set; range-set = 1#range-spec (§14.1.1);
 * int-range = first-pos "-" [ last-pos ]; suffix-range = "-" suffix-length.
 */
export function parseRange(value: string, size: number): RangeResult {
  const eq = value.indexOf('=');
  if (eq < 0) return RANGE_IGNORE;
  // range units are case-insensitive (§14.1)
  if (value.slice(0, eq).trim().toLowerCase() !== 'bytes') return RANGE_IGNORE;
  // 1#element: empty list elements are allowed and ignored (RFC 9110 §5.6.1.2)
  const specs = value.slice(eq + 1).split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (specs.length !== 1) return RANGE_IGNORE; // none (invalid) or several (served whole, see above)
  const spec = specs[0]!;
  const dash = spec.indexOf('-');
  if (dash < 0) return RANGE_IGNORE;
  const first = spec.slice(0, dash);
  const last = spec.slice(dash + 1);
  if (first === '') {
    // suffix-range: the last N bytes; satisfiable when N > 0 and the representation is not empty
    if (!DIGITS.test(last)) return RANGE_IGNORE;
    const n = Number(last);
    if (n === 0 || size === 0) return RANGE_UNSATISFIABLE;
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  if (!DIGITS.test(first) || (last !== '' && !DIGITS.test(last))) return RANGE_IGNORE;
  const start = Number(first);
  const end = last === '' ? Infinity : Number(last);
  if (end < start) return RANGE_IGNORE; // invalid int-range (§14.1.1): the field is ignored
  // satisfiable when first-pos < size (§14.1.1); last-pos past the end is clamped (§14.1.2)
  if (start >= size) return RANGE_UNSATISFIABLE;
  return { start, end: Math.min(end, size - 1) };
}
