// Case parser for the request-head conformance corpus (test/corpus/head/*.md), in the style of llhttp's
// test/request/*.md (the directory walker and the escapes are shared: ../load.ts): one case per `### heading`, an ```http input block and an ```expect block.
//
// Input block: the block's own newlines are NOT input; every byte is spelled out, with the escapes
// \r \n \t \\ and \xHH (so bare CR, bare LF, NUL and obs-fold are expressible). Literal spaces count.
// Expect block: `key: value` lines. Unknown keys, duplicate titles and malformed values throw, so a
// typo cannot silently weaken a case.
//   error: E_NAME                       the parse fails with this code (from src/abi.ts)
//   result: incomplete                  the parse needs more bytes (returns 0 for the whole input)
//   method: GET                         success keys (all required except host-index/content-length):
//   method-id: METHOD_GET
//   target: /path                       (escapes allowed)
//   form: FORM_ORIGIN
//   version: 11
//   header: Name: value                 one per field line, in order; the count must match exactly
//   flags: F_KEEP_ALIVE F_HOST          the exact flag set, or `none`
//   content-length: 5                   required exactly when F_CONTENT_LENGTH is expected
//   host-index: 0                       optional
//   consumed: all | N                   bytes of the head (N < input length means pipelined bytes follow)
//   error-pos: N                        with error: the offset R_ERROR_POS must report (optional)
//   limits: maxHeaderCount=2 ...        optional overrides of DEFAULT_HEAD_LIMITS, any outcome; numbers
//                                       for the sizes, true/false for strictTarget (strictTarget=true)
import { fileURLToPath } from 'node:url';
import * as abi from '../../../src/abi.js';
import { DEFAULT_HEAD_LIMITS, type HeadLimits } from '../../../src/http/head/parser.js';
import { applyLimits, loadCorpusDir, onlyKeys, unescapeBytes } from '../load.js';

export interface HeadExpectOk {
  readonly kind: 'ok';
  readonly method: string;
  readonly methodId: number;
  readonly target: string;
  readonly form: number;
  readonly version: number;
  readonly headers: readonly (readonly [string, string])[];
  readonly flags: number;
  readonly contentLength: number | undefined;
  readonly hostIndex: number | undefined;
  readonly consumed: number;
}
export type HeadExpect = HeadExpectOk
  | { readonly kind: 'error'; readonly error: number; readonly errorName: string; readonly errorPos: number | undefined }
  | { readonly kind: 'incomplete' };

export interface HeadCase {
  readonly file: string;
  readonly title: string;
  readonly input: Uint8Array;
  readonly limits: HeadLimits;
  readonly expect: HeadExpect;
}

const CORPUS_DIR = fileURLToPath(new URL('./', import.meta.url));
const ABI = abi as unknown as Record<string, number>;

function latin1(bytes: number[]): string {
  return String.fromCharCode(...bytes);
}

function abiConstant(name: string, prefix: string, where: string): number {
  if (!name.startsWith(prefix) || !(name in ABI)) throw new Error(`${where}: unknown ${prefix}* constant "${name}"`);
  return ABI[name]!;
}

function parseExpect(lines: string[], inputLength: number, where: string): { expect: HeadExpect; limits: HeadLimits } {
  const seen = new Map<string, string>();
  const headers: [string, string][] = [];
  const limits: Record<string, number | boolean> = { ...DEFAULT_HEAD_LIMITS };
  for (const line of lines) {
    const m = /^([a-z-]+):(?: (.*))?$/.exec(line);
    if (!m) throw new Error(`${where}: malformed expect line "${line}"`);
    const key = m[1]!;
    const value = m[2] ?? '';
    if (key === 'header') {
      const colon = value.indexOf(':');
      if (colon <= 0) throw new Error(`${where}: header needs "Name: value"`);
      headers.push([value.slice(0, colon), latin1(unescapeBytes(value.slice(colon + 1).trim(), where))]);
      continue;
    }
    if (seen.has(key)) throw new Error(`${where}: duplicate key ${key}`);
    seen.set(key, value);
    if (key === 'limits') applyLimits(limits, value, where);
  }
  const allowed = (keys: string[]): void => onlyKeys(seen, keys, where);
  const frozenLimits = Object.freeze(limits) as unknown as HeadLimits;
  if (seen.has('error')) {
    allowed(['error', 'error-pos', 'limits']);
    if (headers.length) throw new Error(`${where}: header lines in an error case`);
    const errorName = seen.get('error')!;
    const posText = seen.get('error-pos');
    if (posText !== undefined && !/^\d+$/.test(posText)) throw new Error(`${where}: bad error-pos`);
    const errorPos = posText === undefined ? undefined : Number(posText);
    return { expect: { kind: 'error', error: abiConstant(errorName, 'E_', where), errorName, errorPos }, limits: frozenLimits };
  }
  if (seen.has('result')) {
    allowed(['result', 'limits']);
    if (seen.get('result') !== 'incomplete' || headers.length) throw new Error(`${where}: only "result: incomplete"`);
    return { expect: { kind: 'incomplete' }, limits: frozenLimits };
  }
  const required = ['method', 'method-id', 'target', 'form', 'version', 'flags', 'consumed'];
  allowed([...required, 'content-length', 'host-index', 'limits']);
  for (const key of required) if (!seen.has(key)) throw new Error(`${where}: missing key "${key}"`);
  const flagsText = seen.get('flags')!;
  const flags = flagsText === 'none' ? 0
    : flagsText.split(/\s+/).reduce((acc, name) => acc | abiConstant(name, 'F_', where), 0);
  const clText = seen.get('content-length');
  if ((clText !== undefined) !== ((flags & abi.F_CONTENT_LENGTH) !== 0)) {
    throw new Error(`${where}: content-length must be given exactly when F_CONTENT_LENGTH is expected`);
  }
  const consumedText = seen.get('consumed')!;
  const consumed = consumedText === 'all' ? inputLength : Number(consumedText);
  if (!Number.isInteger(consumed) || consumed <= 0 || consumed > inputLength) throw new Error(`${where}: bad consumed`);
  const version = Number(seen.get('version'));
  if (!Number.isInteger(version)) throw new Error(`${where}: bad version`);
  const hostIndex = seen.has('host-index') ? Number(seen.get('host-index')) : undefined;
  return {
    expect: {
      kind: 'ok',
      method: seen.get('method')!,
      methodId: abiConstant(seen.get('method-id')!, 'METHOD_', where),
      target: latin1(unescapeBytes(seen.get('target')!, where)),
      form: abiConstant(seen.get('form')!, 'FORM_', where),
      version,
      headers,
      flags,
      contentLength: clText === undefined ? undefined : Number(clText),
      hostIndex,
      consumed,
    },
    limits: frozenLimits,
  };
}

/** Parse one corpus document. */
export function parseCorpusFile(text: string, file: string): HeadCase[] {
  const cases: HeadCase[] = [];
  const sections = text.split(/^### /m).slice(1);
  for (const section of sections) {
    const title = section.slice(0, section.indexOf('\n')).trim();
    const where = `${file} › ${title}`;
    const blocks = [...section.matchAll(/^```(\w+)\n([\s\S]*?)^```$/gm)];
    if (blocks.length !== 2 || blocks[0]![1] !== 'http' || blocks[1]![1] !== 'expect') {
      throw new Error(`${where}: needs exactly one \`\`\`http block then one \`\`\`expect block`);
    }
    const inputLines = blocks[0]![2]!.split('\n').slice(0, -1);
    const input = Uint8Array.from(inputLines.flatMap((line) => unescapeBytes(line, where)));
    if (input.length === 0) throw new Error(`${where}: empty input`);
    const expectLines = blocks[1]![2]!.split('\n').slice(0, -1).filter((l) => l.trim() !== '');
    const { expect, limits } = parseExpect(expectLines, input.length, where);
    cases.push({ file, title, input, limits, expect });
  }
  return cases;
}

/** Every case of every corpus file, titles unique per file. */
export function loadHeadCorpus(dir: string = CORPUS_DIR): HeadCase[] {
  return loadCorpusDir(dir, 'utf8', parseCorpusFile);
}
