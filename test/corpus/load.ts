// The corpus folders' shared reader: one directory walker and one escape syntax for every corpus
// (test/corpus/head/, test/corpus/chunked/, test/corpus/ws/). Each corpus has its own case parser
// next to its files (head/load.ts, chunked/load.ts; the WebSocket one is test/ws/corpus.ts).
//
// Input escapes: the block's own newlines are NOT input; every byte is spelled out, with \r \n \t
// \\ and \xHH (so bare CR, bare LF, NUL and obs-fold are expressible). Literal spaces count.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/** Decode the corpus escape syntax into bytes (latin1 for literal characters). */
export function unescapeBytes(text: string, where: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff) throw new Error(`${where}: non-latin1 character; use \\xHH`);
    if (c !== 0x5c) { out.push(c); continue; }
    const e = text[++i];
    if (e === 'r') out.push(13);
    else if (e === 'n') out.push(10);
    else if (e === 't') out.push(9);
    else if (e === '\\') out.push(0x5c);
    else if (e === 'x' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      out.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else throw new Error(`${where}: bad escape \\${e ?? ''}`);
  }
  return out;
}

/** Read every `.md` file of a corpus folder (sorted) with `parse`, and check titles are unique per file. */
export function loadCorpusDir<T extends { file: string; title: string }>(
  dir: string, encoding: BufferEncoding, parse: (text: string, file: string) => T[],
): T[] {
  const all: T[] = [];
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.md')).sort()) {
    const cases = parse(readFileSync(join(dir, name), encoding), basename(name, '.md'));
    const titles = new Set<string>();
    for (const c of cases) {
      if (titles.has(c.title)) throw new Error(`${c.file}: duplicate title "${c.title}"`);
      titles.add(c.title);
    }
    all.push(...cases);
  }
  return all;
}

/**
 * Apply a `limits: a=1 b=true …` line over `limits` (a copy of the corpus's defaults): every key must
 * be one of the defaults' keys, numbers are decimal integers, booleans `true` / `false`.
 */
export function applyLimits(limits: Record<string, number | boolean>, value: string, where: string): void {
  for (const pair of value.split(/\s+/)) {
    const [k, v] = pair.split('=');
    const current = k === undefined || !Object.hasOwn(limits, k) ? undefined : limits[k];
    if (current === undefined) throw new Error(`${where}: bad limit "${pair}"`);
    if (typeof current === 'boolean') {
      if (v !== 'true' && v !== 'false') throw new Error(`${where}: bad limit "${pair}"`);
      limits[k!] = v === 'true';
    } else {
      if (!/^\d+$/.test(v ?? '')) throw new Error(`${where}: bad limit "${pair}"`);
      limits[k!] = Number(v);
    }
  }
}

/** Throw unless every key seen in an expect block is one `keys` allows. */
export function onlyKeys(seen: ReadonlyMap<string, string>, keys: readonly string[], where: string): void {
  for (const key of seen.keys()) if (!keys.includes(key)) throw new Error(`${where}: unexpected key "${key}"`);
}
