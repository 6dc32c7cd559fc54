// Drive Node's own HTTP/1 parser (llhttp, through the internal http_parser binding) the way node:http
// does, to compare accept/reject decisions with ours. Only the head matters: the verdict is "accept"
// once on_headers_complete fires, "reject" when execute() fails before that, else "incomplete".
import { createRequire } from 'node:module';

export type Verdict = 'accept' | 'reject' | 'incomplete';

interface HTTPParserLike {
  initialize(type: number, resource: object, maxHeaderSize?: number, lenient?: number): void;
  execute(data: Buffer): number | Error;
  finish(): number | Error | undefined;
  close(): void;
  [slot: number]: (...args: unknown[]) => unknown;
}
interface HTTPParserCtor {
  new (): HTTPParserLike;
  REQUEST: number;
  kOnHeaders: number;
  kOnHeadersComplete: number;
  kOnBody: number;
  kOnMessageComplete: number;
  kOnExecute: number;
}

// process.binding is deprecated (DEP0111); silence only that warning, only while loading the binding.
function loadBinding(): HTTPParserCtor {
  const emit = process.emitWarning;
  process.emitWarning = () => {};
  try {
    return (process as unknown as { binding(name: string): { HTTPParser: HTTPParserCtor } }).binding('http_parser').HTTPParser;
  } finally {
    process.emitWarning = emit;
  }
}

const HTTPParser = loadBinding();
/** Methods llhttp knows (it rejects any other token): node:http's METHODS list. */
export const LLHTTP_METHODS: readonly string[] = (createRequire(import.meta.url)('node:http') as typeof import('node:http')).METHODS;

export interface LlhttpResult {
  readonly verdict: Verdict;
  /** llhttp's error code and reason when it rejected. */
  readonly reason?: string;
}

/** End of the first head (after the first CRLFCRLF past any leading empty lines), so bytes of a
 *  body or a next request are not fed. */
function headEnd(input: Uint8Array): number {
  let start = 0;
  while (start + 1 < input.length && input[start] === 13 && input[start + 1] === 10) start += 2;
  for (let i = start + 3; i < input.length; i++) {
    if (input[i] === 10 && input[i - 1] === 13 && input[i - 2] === 10 && input[i - 3] === 13) return i + 1;
  }
  return input.length;
}

/**
 * Parse the first head of `input` as a request with node:http's defaults (strict, 16 KiB head limit).
 * Only the bytes up to the first CRLFCRLF are fed: llhttp checks some framing rules (Transfer-Encoding
 * of a request, Content-Length with Transfer-Encoding) just after on_headers_complete, so an error in
 * that call is still a verdict on the head, while errors in later bytes are not.
 */
export function llhttpParse(input: Uint8Array): LlhttpResult {
  const parser = new HTTPParser();
  parser.initialize(HTTPParser.REQUEST, {}, 16384, 0);
  let complete = false;
  parser[HTTPParser.kOnHeaders] = () => 0;
  parser[HTTPParser.kOnHeadersComplete] = () => {
    complete = true;
    return 0;
  };
  parser[HTTPParser.kOnBody] = () => 0;
  parser[HTTPParser.kOnMessageComplete] = () => 0;
  parser[HTTPParser.kOnExecute] = () => 0;
  try {
    const rc = parser.execute(Buffer.from(input.buffer, input.byteOffset, headEnd(input)));
    if (rc instanceof Error) {
      const e = rc as Error & { code?: string; reason?: string };
      return { verdict: 'reject', reason: `${e.code}: ${e.reason ?? e.message}` };
    }
    return { verdict: complete ? 'accept' : 'incomplete' };
  } finally {
    parser.close();
  }
}
