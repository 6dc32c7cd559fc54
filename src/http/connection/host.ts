// What a Connection needs from the server that accepted it, and what the route table answers for a
// request. Only interfaces (no import of the Connection class or of server.ts), so the connection, the App and
// the Server all depend on this file and never on each other; inject() drives a connection over an
// in-memory socket with the same host.
import type { Socket } from 'node:net';
import type { ErrorAnswers } from '../../answers.js';
import type { RequestConfig } from '../../config.js';
import type { Context, Params } from '../../context.js';
import type { WasmlaneError } from '../../errors.js';
import type { Step } from '../../hooks.js';
import type { Lifecycle } from '../../lifecycle.js';
import type { Phase, RouteResponse } from '../../phases.js';
import type { ChunkedDecoder, ChunkedSink } from '../chunked/decoder.js';
import type { HeadParser } from '../head/parser.js';
import type { Request } from '../request.js';
import type { StreamServer } from '../stream-types.js';

/** One registered route: its own request middleware and handler frozen into `steps`, its own response
 *  middleware in `response` (run after the server's and groups', src/phases.ts). */
export interface RouteRecord {
  readonly method: string;
  readonly pattern: string;
  /** The route's maxBodySize, else the server's. */
  readonly maxBodySize: number;
  /** The route's handlerTimeoutMs, else the server's (0: off). */
  readonly handlerTimeoutMs: number;
  readonly steps: readonly Step<Context<any>>[];
  readonly response: RouteResponse;
}

/**
 * The answer of routeFor(request): the route and its params, or the error to answer with (404, 405 with
 * its Allow list, 501). One object per App, refilled by each call: read it before the next request.
 */
export interface Routed {
  readonly route: RouteRecord | null;
  readonly params: Params;
  readonly error: WasmlaneError | null;
  readonly allow: string | undefined;
}

/** A connection as its host sees it (lifecycle and shutdown only). */
export interface HostedConnection {
  readonly socket: Socket;
  /** Requests started so far (0: the first one may still be in flight). */
  readonly requestCount: number;
  enableTcpKeepAlive(delayMs: number): void;
  tick(now: number, keepAliveDelayMs?: number): void;
  closeIfIdle(): boolean;
  destroy(): void;
}

export interface ConnectionHost extends StreamServer {
  readonly requestConfig: RequestConfig;
  /** Socket write buffer size above which we stop reading (and streams report false). */
  readonly highWaterMark: number;
  /** Graceful shutdown in progress: every response gets Connection: close. */
  readonly closing: boolean;
  /** onRequestError / onPanic: how error answers are filled. */
  readonly answers: ErrorAnswers;
  createHeadParser(): HeadParser;
  createChunkedDecoder(sink: ChunkedSink): ChunkedDecoder;
  /** onResponse / onConnection / onClose hooks and the logger. */
  readonly lifecycle: Lifecycle;
  /** The largest body any route accepts (bounds a body read by pre-routing middleware). */
  readonly maxBodySizeAny: number;
  /** The pre-routing request middleware and the response middleware of the request's path. */
  phaseFor(request: Request): Phase;
  /** Match the request: the frozen chain with its limits, or an error answer. Never calls back. */
  routeFor(request: Request): Routed;
  connectionClosed(conn: HostedConnection): void;
  connectionUpgraded(conn: HostedConnection): void;
}
