// Reader for the chunked-body corpus (test/corpus/chunked/*.md), same shape as the head corpus: one
// case per `### heading`, a ```chunked input block and an ```expect block. Input escapes and the directory walker
// are shared with the other corpora (test/corpus/load.ts) (\r \n \t \\ \xHH; the block's own newlines are not input).
// Expect block, `key: value` lines (unknown keys, duplicates and malformed values throw):
//   data: text            data the sink receives, concatenated; several data lines are joined;
//                         absent = no data (checked for complete and incomplete bodies)
//   trailer: Name: value  one per trailer field, in order (value after the first ": ", escapes allowed)
//   consumed: all | N     the body completes; N < input length means pipelined bytes follow
//   result: incomplete    the body needs more bytes (everything given is consumed)
//   error: E_NAME         the body is invalid with this src/abi.ts code
//   at: N                 with error: body offset of the offending byte
//   limits: key=N ...     overrides of DEFAULT_CHUNKED_LIMITS
import { fileURLToPath } from 'node:url';
import * as abi from '../../../src/abi.js';
import { DEFAULT_CHUNKED_LIMITS, type ChunkedLimits } from '../../../src/http/chunked/decoder.js';
import { applyLimits, loadCorpusDir, onlyKeys, unescapeBytes } from '../load.js';

export type ChunkedExpect =
  | { readonly kind: 'done'; readonly data: string; readonly trailers: [string, string][]; readonly consumed: number }
  | { readonly kind: 'incomplete'; readonly data: string; readonly trailers: [string, string][] }
  | { readonly kind: 'error'; readonly error: number; readonly errorName: string; readonly at: number | undefined };

export interface ChunkedCase {
  readonly file: string;
  readonly title: string;
  readonly input: Uint8Array;
  readonly limits: ChunkedLimits;
  readonly expect: ChunkedExpect;
}

const CORPUS_DIR = fileURLToPath(new URL('./', import.meta.url));
const ABI = abi as unknown as Record<string, number>;
const latin1 = (bytes: number[]): string => String.fromCharCode(...bytes);

function parseExpect(lines: string[], inputLength: number, where: string): { expect: ChunkedExpect; limits: ChunkedLimits } {
  const seen = new Map<string, string>();
  const trailers: [string, string][] = [];
  let data = '';
  let hasData = false;
  const limits: Record<string, number | boolean> = { ...DEFAULT_CHUNKED_LIMITS };
  for (const line of lines) {
    const m = /^([a-z-]+):(?: (.*))?$/.exec(line);
    if (!m) throw new Error(`${where}: malformed expect line "${line}"`);
    const key = m[1]!;
    const value = m[2] ?? '';
    if (key === 'data') { data += latin1(unescapeBytes(value, where)); hasData = true; continue; }
    if (key === 'trailer') {
      const colon = value.indexOf(':');
      if (colon <= 0) throw new Error(`${where}: trailer needs "Name: value"`);
      const rest = value.slice(colon + 1);
      trailers.push([value.slice(0, colon), latin1(unescapeBytes(rest.startsWith(' ') ? rest.slice(1) : rest, where))]);
      continue;
    }
    if (seen.has(key)) throw new Error(`${where}: duplicate key ${key}`);
    seen.set(key, value);
    if (key === 'limits') applyLimits(limits, value, where);
  }
  const allowed = (keys: string[]): void => onlyKeys(seen, keys, where);
  const frozen = Object.freeze(limits) as unknown as ChunkedLimits;
  if (seen.has('error')) {
    allowed(['error', 'at', 'limits']);
    if (hasData || trailers.length) throw new Error(`${where}: data/trailer lines in an error case`);
    const errorName = seen.get('error')!;
    if (!errorName.startsWith('E_') || !(errorName in ABI)) throw new Error(`${where}: unknown code ${errorName}`);
    const atText = seen.get('at');
    const at = atText === undefined ? undefined : Number(atText);
    if (at !== undefined && (!Number.isInteger(at) || at < 0 || at >= inputLength)) throw new Error(`${where}: bad at`);
    return { expect: { kind: 'error', error: ABI[errorName]!, errorName, at }, limits: frozen };
  }
  if (seen.has('result')) {
    allowed(['result', 'limits']);
    if (seen.get('result') !== 'incomplete') throw new Error(`${where}: only "result: incomplete"`);
    return { expect: { kind: 'incomplete', data, trailers }, limits: frozen };
  }
  allowed(['consumed', 'limits']);
  const consumedText = seen.get('consumed');
  if (consumedText === undefined) throw new Error(`${where}: needs consumed, result or error`);
  const consumed = consumedText === 'all' ? inputLength : Number(consumedText);
  if (!Number.isInteger(consumed) || consumed <= 0 || consumed > inputLength) throw new Error(`${where}: bad consumed`);
  return { expect: { kind: 'done', data, trailers, consumed }, limits: frozen };
}

export function parseChunkedCorpus(text: string, file: string): ChunkedCase[] {
  const cases: ChunkedCase[] = [];
  for (const section of text.split(/^### /m).slice(1)) {
    const title = section.slice(0, section.indexOf('\n')).trim();
    const where = `${file} › ${title}`;
    const blocks = [...section.matchAll(/^```(\w+)\n([\s\S]*?)^```$/gm)];
    if (blocks.length !== 2 || blocks[0]![1] !== 'chunked' || blocks[1]![1] !== 'expect') {
      throw new Error(`${where}: needs exactly one \`\`\`chunked block then one \`\`\`expect block`);
    }
    const input = Uint8Array.from(blocks[0]![2]!.split('\n').slice(0, -1).flatMap((l) => unescapeBytes(l, where)));
    if (input.length === 0) throw new Error(`${where}: empty input`);
    const expectLines = blocks[1]![2]!.split('\n').slice(0, -1).filter((l) => l.trim() !== '');
    cases.push({ file, title, input, ...parseExpect(expectLines, input.length, where) });
  }
  return cases;
}

export function loadChunkedCorpus(dir: string = CORPUS_DIR): ChunkedCase[] {
  return loadCorpusDir(dir, 'latin1', parseChunkedCorpus);
}
