// Accept-Encoding negotiation for precompressed siblings (RFC 9110 §12.5.3): a coding is acceptable
// when listed with q > 0, or when "*" is listed with q > 0 and the coding is not listed itself.
// "x-gzip" is gzip (§8.4.1.3). Among acceptable ones the highest q wins; on a tie br before gzip.

export type Precompressed = 'br' | 'gzip';

/** File suffix of each precompressed variant. */
export const SUFFIX: Readonly<Record<Precompressed, string>> = { br: '.br', gzip: '.gz' };

/** q-value per coding (lower-case). Malformed members are skipped. */
export function parseAcceptEncoding(value: string): Map<string, number> {
  const q = new Map<string, number>();
  for (const member of value.split(',')) {
    const parts = member.split(';');
    let coding = parts[0]!.trim().toLowerCase();
    if (coding === '') continue;
    if (coding === 'x-gzip') coding = 'gzip';
    let weight = 1;
    for (let i = 1; i < parts.length; i++) {
      const param = parts[i]!.trim();
      const eq = param.indexOf('=');
      if (eq < 0 || param.slice(0, eq).trim().toLowerCase() !== 'q') continue;
      // qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ) (§12.4.2)
      const text = param.slice(eq + 1).trim();
      weight = /^(0(\.[0-9]{0,3})?|1(\.0{0,3})?)$/.test(text) ? Number(text) : -1;
    }
    if (weight < 0) continue;
    if (!q.has(coding) || weight > q.get(coding)!) q.set(coding, weight);
  }
  return q;
}

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
