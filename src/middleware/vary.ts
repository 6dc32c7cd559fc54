// Field helpers shared by the batteries: Vary (RFC 9110 §12.5.5) is a list — a battery adds its
// token to what is there (one field line or several) instead of replacing other batteries' tokens.
import type { ResponseState } from '../http/response.js';

/** True when some Vary line of `res` lists `token` (case-insensitive) or is "*". */
export function varyHas(res: ResponseState, token: string): boolean {
  const fields = res.fields;
  if (fields === null) return false;
  const wanted = token.toLowerCase();
  for (let i = 0; i < fields.length; i += 2) {
    if (fields[i] !== 'vary') continue;
    for (const part of fields[i + 1]!.split(',')) {
      const name = part.trim().toLowerCase();
      if (name === wanted || name === '*') return true;
    }
  }
  return false;
}

/** Add `token` to Vary unless it is listed already (appended to the first Vary line, if any). */
export function addVary(res: ResponseState, token: string): void {
  if (varyHas(res, token)) return;
  const current = res.get('vary');
  res.setTrusted('vary', current === undefined || current.trim() === '' ? token : `${current}, ${token}`, false);
}
