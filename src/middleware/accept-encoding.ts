// Accept-Encoding negotiation (RFC 9110 §12.5.3) for compress(): which content coding, if any, a
// response gets. Pure functions plus a small per-instance cache: clients send a handful of distinct
// values ("gzip, deflate, br, zstd"), so the parse runs once per value, not once per request.

export type Encoding = 'br' | 'gzip' | 'deflate';
export const ENCODINGS: readonly Encoding[] = ['br', 'gzip', 'deflate'];

/** qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ) (RFC 9110 §12.4.2). */
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

/**
 * Weights by lower-case coding name ("*" included) from an Accept-Encoding value. An element whose
 * weight is not a valid qvalue is ignored (a malformed preference must not turn a coding on); a
 * coding listed twice keeps its first weight. "x-gzip" counts as "gzip" (RFC 9110 §8.4.1.3).
 */
export function parseAcceptEncoding(value: string): Map<string, number> {
  const weights = new Map<string, number>();
  for (const element of value.split(',')) {
    const parts = element.split(';');
    let name = parts[0]!.trim().toLowerCase();
    if (name === '') continue;
    if (name === 'x-gzip') name = 'gzip';
    let q = 1;
    let valid = true;
    for (let i = 1; i < parts.length; i++) {
      const param = parts[i]!.trim();
      const eq = param.indexOf('=');
      if (eq < 0 || param.slice(0, eq).trim().toLowerCase() !== 'q') continue; // other parameters: ignored
      const text = param.slice(eq + 1).trim();
      if (!QVALUE.test(text)) {
        valid = false;
        break;
      }
      q = Number(text);
    }
    if (valid && !weights.has(name)) weights.set(name, q);
  }
  return weights;
}

/**
 * The coding to use, or null for identity (no Content-Encoding). `preference` is the server's order,
 * used to break ties between equal weights. Rules (RFC 9110 §12.5.3):
 * - no Accept-Encoding field: identity (the RFC allows any coding, but a client that sent none may not
 *   decode one; every common server answers identity here);
 * - a coding not listed takes the weight of "*", or 0 when "*" is absent; q=0 means "not acceptable";
 * - identity is acceptable unless "identity;q=0", or "*;q=0" without an "identity" entry. An
 *   "identity" (or "*") weight greater than the best coding's makes identity win; an identity the
 *   client did not weigh ranks below every coding it listed (a client that lists "gzip;q=0.5" wants
 *   gzip). When nothing is acceptable, identity is sent all the same (the RFC's alternative is a 406
 *   page nobody can read either).
 */
export function negotiateEncoding(header: string | undefined, preference: readonly Encoding[]): Encoding | null {
  if (header === undefined) return null;
  const weights = parseAcceptEncoding(header);
  const star = weights.get('*');
  let best: Encoding | null = null;
  let bestQ = 0;
  for (const coding of preference) {
    const q = weights.get(coding) ?? star ?? 0;
    if (q > bestQ) {
      best = coding;
      bestQ = q;
    }
  }
  if (best === null) return null;
  const identity = weights.get('identity') ?? star ?? 0;
  return identity > bestQ ? null : best;
}

const CACHE_LIMIT = 256;

/** negotiateEncoding with a bounded cache of recent header values (cleared when full). */
export class EncodingNegotiator {
  readonly #preference: readonly Encoding[];
  readonly #cache = new Map<string, Encoding | null>();

  constructor(preference: readonly Encoding[]) {
    this.#preference = preference;
  }

  choose(header: string | undefined): Encoding | null {
    if (header === undefined) return null;
    const cache = this.#cache;
    const hit = cache.get(header);
    if (hit !== undefined) return hit;
    const chosen = negotiateEncoding(header, this.#preference);
    if (cache.size >= CACHE_LIMIT) cache.clear(); // bounded: a client cycling values cannot grow it
    if (header.length <= 256) cache.set(header, chosen);
    return chosen;
  }
}
