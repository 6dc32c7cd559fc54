// A tiny text/event-stream reader for the SSE tests: the parsing rules of WHATWG HTML §9.2.6
// ("Interpreting an event stream": CRLF / CR / LF line ends, one space stripped after the colon,
// data lines joined with LF, dispatch on a blank line, ids with NUL ignored, comments skipped),
// fed by a real undici fetch() that streams the response body.
import { fetch } from 'undici';

export interface ParsedEvent {
  event: string;
  data: string;
  /** The last event ID after this event (carried over from earlier events, as in the browser). */
  lastEventId: string;
}

export class SseParser {
  readonly events: ParsedEvent[] = [];
  readonly comments: string[] = [];
  retry: number | undefined;
  #buffer = '';
  #data = '';
  #event = '';
  #lastId = '';

  push(text: string): void {
    this.#buffer += text;
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.#buffer);
      if (match === null) return;
      // A CR at the very end may be the first half of a CRLF split across reads: wait for more.
      if (match[0] === '\r' && match.index === this.#buffer.length - 1) return;
      const line = this.#buffer.slice(0, match.index);
      this.#buffer = this.#buffer.slice(match.index + match[0].length);
      this.#line(line);
    }
  }

  #line(line: string): void {
    if (line === '') return this.#dispatch();
    if (line.startsWith(':')) {
      this.comments.push(line.slice(1).replace(/^ /, ''));
      return;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') this.#data += `${value}\n`;
    else if (field === 'event') this.#event = value;
    else if (field === 'id' && !value.includes('\0')) this.#lastId = value;
    else if (field === 'retry' && /^[0-9]+$/.test(value)) this.retry = Number(value);
  }

  #dispatch(): void {
    if (this.#data === '') {
      this.#event = '';
      return;
    }
    this.events.push({ event: this.#event || 'message', data: this.#data.slice(0, -1), lastEventId: this.#lastId });
    this.#data = '';
    this.#event = '';
  }
}

export interface EventSourceLike {
  readonly status: number;
  readonly headers: Headers;
  readonly parser: SseParser;
  /** Resolves once `count` events (in total) arrived; rejects after timeoutMs or when the stream ends first. */
  waitFor(count: number, timeoutMs?: number): Promise<ParsedEvent[]>;
  /** Resolves once the predicate holds over what was parsed (same bounds). */
  waitUntil(check: (parser: SseParser) => boolean, timeoutMs?: number): Promise<void>;
  /** Resolves when the server ends the body. */
  readonly ended: Promise<void>;
  abort(): void;
}

type Headers = { get(name: string): string | null };

/** GET `url` with undici's fetch and parse the body as it streams in. */
export async function openEvents(url: string, headers: Record<string, string> = {}): Promise<EventSourceLike> {
  const controller = new AbortController();
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
  const parser = new SseParser();
  const waiters = new Set<() => void>();
  let done = false;
  const ended = (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body!) {
        parser.push(decoder.decode(chunk as Uint8Array, { stream: true }));
        for (const wake of [...waiters]) wake();
      }
    } catch {
      // aborted by the test
    } finally {
      done = true;
      for (const wake of [...waiters]) wake();
    }
  })();
  const waitUntil = (check: (p: SseParser) => boolean, timeoutMs = 3000): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(wake);
        reject(new Error(`SSE wait timed out; got ${parser.events.length} events`));
      }, timeoutMs);
      const wake = (): void => {
        if (check(parser)) {
          clearTimeout(timer);
          waiters.delete(wake);
          resolve();
        } else if (done) {
          clearTimeout(timer);
          waiters.delete(wake);
          reject(new Error(`SSE stream ended; got ${parser.events.length} events`));
        }
      };
      waiters.add(wake);
      wake();
    });
  return {
    status: response.status,
    headers: response.headers,
    parser,
    ended,
    waitUntil,
    async waitFor(count, timeoutMs) {
      await waitUntil((p) => p.events.length >= count, timeoutMs);
      return parser.events.slice(0, count);
    },
    abort: () => controller.abort(),
  };
}
