// What a Connection needs from the server that accepted it (kept as an interface so connection.ts
// does not import server.ts, and inject() can drive a connection over an in-memory socket).
import type { RequestConfig } from '../config.js';
import type { Context, ContextOwner } from '../context.js';
import type { WasmlaneError } from '../errors.js';
import type { ChunkedDecoder, ChunkedSink } from './chunked/decoder.js';
import type { Connection } from './connection.js';
import type { HeadParser } from './head/parser.js';
import type { Request } from './request.js';

export interface ConnectionHost {
  readonly requestConfig: RequestConfig;
  /** Socket write buffer size above which we stop reading (and streams report false). */
  readonly highWaterMark: number;
  /** Graceful shutdown in progress: every response gets Connection: close. */
  readonly closing: boolean;
  createHeadParser(): HeadParser;
  createChunkedDecoder(sink: ChunkedSink): ChunkedDecoder;
  createContext(request: Request, owner: ContextOwner): Context;
  /** Route the request and run its chain (or answer 404/405/501). */
  dispatch(conn: Connection, ctx: Context): void;
  /** Fill ctx's response for an error (onRequestError hooks, else a default text body). */
  fillError(ctx: Context, error: WasmlaneError, allow?: string): void;
  /** Fill ctx's response after a step threw (onPanic hooks, else 500). */
  fillPanic(ctx: Context, error: unknown): void;
  /** Tell the onPanic hooks (or the log) about a failure that can no longer change the response. */
  reportPanic(ctx: Context, error: unknown): void;
  connectionClosed(conn: Connection): void;
  connectionUpgraded(conn: Connection): void;
}
