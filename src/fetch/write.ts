// A fetch handler's Response → wasmlane's response API, with the cheapest path the object allows:
//  1. an unmaterialized FetchResponse (src/fetch/response.ts) with a string / bytes / null body:
//     status and the HeadersLike as given, then one ctx.send() — no native object, no stream;
//  2. a native Response whose body came from a string or bytes: the same, the source read from
//     undici's internal state when this Node version exposes it (Node 20: a symbol-keyed slot);
//  3. any other body (ReadableStream, Blob, FormData, … and path 2 where the slot is unknown):
//     ctx.stream() — Content-Length framing when the length is known, chunked otherwise — fed from
//     the body's reader one chunk at a time: the next read waits while write() reports a full
//     socket buffer (onDrain), and a client that goes away cancels the reader, which is how a
//     ReadableStream producer (hono's stream()/streamSSE() onAbort) learns of it.
// Set-Cookie lines stay separate (Headers iteration yields each one, Fetch §2.2.2 "sort and combine");
// framing fields (Content-Length, Transfer-Encoding, Connection) are the server's (src/http/response.ts).
import * as abi from '../abi.js';
import type { Context } from '../context.js';
import type { ResponseStream } from '../http/stream-types.js';
import { nativeResponse } from './native.js';
import { fastParts, nativeOf } from './response.js';
import type { HeadersLike } from './response.js';

const DEFAULT_TEXT_TYPE = 'text/plain; charset=UTF-8';

/** Write `response` to ctx; resolves once the body is on its way (or the client went away). */
export function writeFetchResponse(ctx: Context<any>, response: Response): void | Promise<void> {
  if (ctx.finished) {
    // The client went away (or a timeout answered) while the handler ran: release the body.
    response.body?.cancel().catch(() => {});
    return;
  }
  const fast = fastParts(response);
  if (fast !== undefined) {
    if (ctx.response.status !== fast.status) ctx.status(fast.status); // validated by FetchResponse
    const body = fast.body;
    const text = typeof body === 'string';
    const length = fast.headers === undefined ? undefined : applyHeaders(ctx, fast.headers);
    if (text && !ctx.response.hasContentType) {
      // What the native Response adds to a string body (Fetch §5.5 "extract a body"); a constant, so
      // set as ctx.json() sets its type, without the per-call field checks.
      ctx.response.setTrusted('content-type', DEFAULT_TEXT_TYPE, false);
      ctx.response.hasContentType = true;
    }
    if (body === null && fast.headLength !== undefined && ctx.request.methodId === abi.METHOD_HEAD) {
      // RFC 9110 §9.3.2 / §8.6: a HEAD response may carry the Content-Length the GET would have.
      ctx.stream(undefined, undefined, { length: fast.headLength }).end();
      return;
    }
    if (body === null || text || body instanceof Uint8Array) {
      ctx.send(body);
      return;
    }
    if (body instanceof ArrayBuffer) {
      ctx.send(new Uint8Array(body));
      return;
    }
    return pipe(ctx, body, length);
  }
  response = nativeOf(response);
  ctx.status(response.status);
  const length = applyHeaders(ctx, response.headers);
  const source = bodySource(response);
  if (source === null || typeof source === 'string' || source instanceof Uint8Array) {
    ctx.send(source);
    return;
  }
  const stream = response.body;
  if (stream === null) {
    ctx.send(null);
    return;
  }
  return pipe(ctx, stream, length ?? source);
}

/** Copy the fields; returns the Content-Length the handler set, which ctx.header() keeps out of
 *  the head (framing is the server's) but which frames a streamed body (RFC 9112 §6.2). */
function applyHeaders(ctx: Context<any>, init: HeadersLike): number | undefined {
  let length: string | undefined;
  if (init instanceof Headers) {
    for (const [name, value] of init) {
      if (name === 'content-length') length = value;
      else ctx.appendHeader(name, value);
    }
  } else if (Array.isArray(init)) {
    // Pairs may repeat a name: combine them as Headers would (one line, ", "), Set-Cookie apart.
    return applyHeaders(ctx, new Headers(init));
  } else {
    // A record of one string field (hono's c.json(), c.html(): hono builds Headers itself for more)
    // is set as it is. Anything else goes through Headers, as in the platform Response, which orders
    // fields by name, combines names that differ in case and trims values (Fetch §2.2.2, §5.2), so
    // both put the same bytes on the wire.
    let name: string | undefined;
    for (const key in init) {
      if (name !== undefined) return applyHeaders(ctx, new Headers(init));
      name = key;
    }
    if (name === undefined) return undefined;
    const value = (init as Record<string, unknown>)[name];
    if (typeof value !== 'string' || !isNormalized(value)) return applyHeaders(ctx, new Headers(init));
    if (name.length === 14 && name.toLowerCase() === 'content-length') length = value;
    else ctx.appendHeader(name, value);
  }
  if (length === undefined || !/^\d{1,15}$/.test(length)) return undefined;
  return Number(length);
}

/** No leading or trailing HTTP whitespace (HTAB, LF, CR, SP): what Headers would store unchanged. */
function isNormalized(value: string): boolean {
  if (value === '') return true;
  const first = value.charCodeAt(0);
  const last = value.charCodeAt(value.length - 1);
  return first !== 0x20 && first !== 0x09 && first !== 0x0a && first !== 0x0d
    && last !== 0x20 && last !== 0x09 && last !== 0x0a && last !== 0x0d;
}

// --- native Response internals (read-only, feature-detected) -------------------------------------

let stateKey: symbol | null | undefined;

/**
 * The body a native Response was constructed from: null (no body), a string or bytes (written
 * whole), a number (the stream's known length), or undefined (unknown: stream it chunked).
 */
function bodySource(response: Response): string | Uint8Array | number | null | undefined {
  if (stateKey === undefined) {
    const probe = new (nativeResponse())('x');
    stateKey = Object.getOwnPropertySymbols(probe).find((key) => {
      const state = (probe as unknown as Record<symbol, { body?: { source?: unknown } }>)[key];
      return state?.body?.source === 'x';
    }) ?? null;
  }
  if (stateKey === null || !(response instanceof nativeResponse()) || response.bodyUsed) return undefined;
  const body = (response as unknown as Record<symbol, { body?: { source?: unknown; length?: unknown } | null }>)[stateKey]?.body;
  if (body === undefined) return undefined;
  if (body === null) return null;
  const source = body.source;
  if (typeof source === 'string' || source instanceof Uint8Array) return source;
  return typeof body.length === 'number' ? body.length : undefined;
}

// --- streaming ---------------------------------------------------------------------------------

type ReadResult = Awaited<ReturnType<ReadableStreamDefaultReader<Uint8Array>['read']>>;

/** Resolves with `undefined` after the current turn's I/O callbacks (setImmediate). */
function nextTurn(): Promise<undefined> {
  return new Promise((resolve) => setImmediate(() => resolve(undefined)));
}

async function pipe(ctx: Context<any>, body: ReadableStream<Uint8Array>, length: number | undefined): Promise<void> {
  const reader = body.getReader();
  let first: ReadResult;
  let second: Promise<ReadResult> | undefined;
  try {
    first = await reader.read();
    if (length === undefined && !first.done) {
      // A stream that is already complete (a re-wrapped string body: hono's `new Response(c.res.body,
      // c.res)`) is sent whole with Content-Length; one that is still producing is not held back
      // beyond this turn (SSE's first event goes out at once).
      second = reader.read();
      const settled = await Promise.race([second, nextTurn()]);
      if (settled !== undefined && settled.done && !ctx.finished) {
        ctx.send(toBytes(first.value));
        return;
      }
    }
    if (first.done && !ctx.finished) {
      ctx.send(null);
      return;
    }
  } catch (error) {
    reader.cancel().catch(() => {});
    throw error; // nothing is on the wire yet: the server answers 500
  }
  if (ctx.finished) {
    reader.cancel().catch(() => {});
    return;
  }
  let out: ResponseStream;
  try {
    out = ctx.stream(undefined, undefined, length === undefined ? undefined : { length });
  } catch (error) {
    reader.cancel().catch(() => {});
    throw error;
  }
  let done = false;
  let wake: (() => void) | null = null;
  const resume = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };
  out.onDrain(resume);
  out.onClose(() => {
    resume();
    // The client went away (or the server is closing it): tell the producer.
    if (!done) reader.cancel().catch(() => {});
  });
  try {
    let next: ReadResult = first;
    for (;;) {
      if (next.done) break;
      if (out.closed) return;
      if (!out.write(toBytes(next.value)) && !out.closed) await new Promise<void>((resolve) => (wake = resolve));
      if (second !== undefined) {
        next = await second;
        second = undefined;
      } else {
        next = await reader.read();
      }
    }
    done = true;
    out.end();
  } catch {
    // The body stream errored after the head went out: the message can only be cut short
    // (RFC 9112 §8: the client sees an incomplete message, not a complete wrong one).
    done = true;
    if (!out.closed) ctx.owner.abort();
  }
}

/** A stream chunk as wasmlane writes it (strings tolerated; other views wrapped without copying). */
function toBytes(chunk: unknown): string | Uint8Array {
  if (typeof chunk === 'string' || chunk instanceof Uint8Array) return chunk;
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return new Uint8Array(chunk as ArrayBuffer);
}
