// Accept-Encoding negotiation for precompressed siblings (RFC 9110 §12.5.3): a coding is acceptable
// when listed with q > 0, or when "*" is listed with q > 0 and the coding is not listed itself.
// "x-gzip" is gzip (§8.4.1.3). Among acceptable ones the highest q wins; on a tie br before gzip.
// The header is parsed by the same function compress() uses (../accept-encoding.ts).
import { parseAcceptEncoding } from '../accept-encoding.js';

export type Precompressed = 'br' | 'gzip';

/** File suffix of each precompressed variant. */
export const SUFFIX: Readonly<Record<Precompressed, string>> = { br: '.br', gzip: '.gz' };

/** The acceptable codings among `offered`, best first. */
export function acceptableCodings(header: string | undefined, offered: readonly Precompressed[]): Precompressed[] {
  if (header === undefined || offered.length === 0) return [];
  const q = parseAcceptEncoding(header);
  const star = q.get('*');
  const ranked: [Precompressed, number][] = [];
  for (const coding of offered) {
    const weight = q.get(coding) ?? star ?? 0;
    if (weight > 0) ranked.push([coding, weight]);
  }
  // stable sort keeps the offered order (br first by default) on equal q
  return ranked.sort((a, b) => b[1] - a[1]).map(([coding]) => coding);
}
