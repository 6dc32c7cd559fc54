// Lifecycle hooks around requests and connections, and the optional logger:
//   onResponse(ctx, { status, bytes, durationMs, requestId, error }) after a response is written;
//   onConnection(info) when a socket is accepted, onClose(info) when it closes (upgraded ones too);
//   logger (pino-compatible): one line per response, accept and socket errors, panics.
// The connection asks `timed` once per request: only then does it read a clock (performance.now())
// and count bytes, so a server without onResponse hooks and logger pays a property read.
import type { Socket } from 'node:net';
import type { Logger } from './logger.js';

export type { Logger } from './logger.js';

export interface ResponseInfo {
  /** The status code sent. */
  readonly status: number;
  /** Bytes written for this response, head included (for a stream: until its end). */
  readonly bytes: number;
  /** From the first parsed byte of the request head to the response written (ms, fractional). */
  readonly durationMs: number;
  /** The request's `x-request-id` if it sent a sane one, else `<connection>-<n>` (base 36 - decimal). */
  readonly requestId: string;
  /** ctx.error: why the server answered in the handler's stead, or null. */
  readonly error: unknown;
}

export interface ConnectionInfo {
  /** Per server, from 1, in accept order. */
  readonly id: number;
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  readonly socket: Socket;
}

/** What a report reads of the request context (src/context.ts's Context; named here so that this
 *  low-level module does not depend on it). */
export interface ReportedContext {
  readonly request: { readonly method: string; readonly path: string; header(name: string): string | undefined };
  readonly error: unknown;
}

/** onResponse: the App types `ctx` as the Context (src/app.ts). */
export type ResponseHook<C extends ReportedContext = ReportedContext> = (ctx: C, info: ResponseInfo) => void;
export type ConnectionHook = (info: ConnectionInfo) => void;

/** Longest x-request-id honoured (a longer or odd one is replaced by a generated id). */
const MAX_REQUEST_ID = 128;
const REQUEST_ID = /^[\x21-\x7e]+$/;
/** Socket errors that only mean the peer went away: logged at debug level. */
const ROUTINE = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED']);

function errorFields(error: unknown): object {
  if (!(error instanceof Error)) return { err: String(error) };
  const code = (error as NodeJS.ErrnoException).code;
  return { err: { type: error.name, message: error.message, code, stack: error.stack } };
}

export class Lifecycle {
  readonly responseHooks: ResponseHook<any>[] = [];
  readonly connectionHooks: ConnectionHook[] = [];
  readonly closeHooks: ConnectionHook[] = [];
  readonly logger: Logger | null;
  /** True when responses are reported (a logger or an onResponse hook): take a start time and count
   *  bytes. A field, not a getter: the connection reads it twice per request. */
  timed: boolean;
  #connections = 0;

  constructor(logger: Logger | null) {
    this.logger = logger;
    this.timed = logger !== null;
  }

  addResponseHook(hook: ResponseHook<any>): void {
    this.responseHooks.push(hook);
    this.timed = true;
  }

  /** True when accepted sockets are reported (onConnection / onClose hooks). */
  get watchesConnections(): boolean {
    return this.connectionHooks.length !== 0 || this.closeHooks.length !== 0;
  }

  nextConnectionId(): number {
    return ++this.#connections;
  }

  /** A response is on the wire. `connection`/`seq` make the generated request id. */
  responded(ctx: ReportedContext, status: number, bytes: number, startedAt: number, connection: number, seq: number): void {
    const durationMs = performance.now() - startedAt;
    const sent = ctx.request.header('x-request-id');
    const requestId = sent !== undefined && sent.length <= MAX_REQUEST_ID && REQUEST_ID.test(sent)
      ? sent : `${connection.toString(36)}-${seq}`;
    const info: ResponseInfo = { status, bytes, durationMs, requestId, error: ctx.error };
    const logger = this.logger;
    if (logger !== null) {
      const line = { reqId: requestId, method: ctx.request.method, path: ctx.request.path, status, bytes, durationMs };
      if (status >= 500) logger.error(line, 'request completed');
      else logger.info(line, 'request completed');
    }
    for (const hook of this.responseHooks) {
      try {
        hook(ctx, info);
      } catch (error) {
        this.failed('onResponse hook failed', error); // the response is out: nothing to change
      }
    }
  }

  /** A hook or a connection failed where nothing can answer any more. */
  failed(message: string, error: unknown): void {
    if (this.logger !== null) this.logger.error(errorFields(error), `wasmlane: ${message}`);
    else console.error(`wasmlane: ${message}:`, error);
  }

  /** A socket error (the socket is destroyed): logged when a logger is set, else dropped. */
  socketError(error: Error): void {
    const logger = this.logger;
    if (logger === null) return;
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== undefined && ROUTINE.has(code)) logger.debug?.(errorFields(error), 'wasmlane: socket error');
    else logger.warn(errorFields(error), 'wasmlane: socket error');
  }

  /** A TLS handshake failed (timeout, protocol error, the client's alert …): that client's problem,
   *  logged at debug level when a logger is set (src/listener.ts). */
  tlsClientError(error: Error, remoteAddress: string | undefined): void {
    this.logger?.debug?.({ ...errorFields(error), remoteAddress }, 'wasmlane: TLS handshake failed');
  }

  /** A connection was closed at once because maxConnections were open. */
  connectionRefused(maxConnections: number, remoteAddress: string | undefined): void {
    this.logger?.warn({ maxConnections, remoteAddress }, 'wasmlane: connection refused (maxConnections)');
  }

  /** An error of the listening socket (EMFILE …): never fatal, logged when a logger is set. */
  acceptError(error: Error): void {
    this.logger?.error(errorFields(error), 'wasmlane: accept error');
  }

  connectionOpened(info: ConnectionInfo): void {
    for (const hook of this.connectionHooks) {
      try {
        hook(info);
      } catch (error) {
        this.failed('onConnection hook failed', error);
      }
    }
  }

  connectionClosed(info: ConnectionInfo): void {
    for (const hook of this.closeHooks) {
      try {
        hook(info);
      } catch (error) {
        this.failed('onClose hook failed', error);
      }
    }
  }
}
