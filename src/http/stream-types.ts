// Contracts between the HTTP core and the layers that take a connection over after the head:
// streaming responses (SSE in src/sse.ts uses ctx.stream()) and protocol upgrades (src/ws/upgrade.ts).
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TopicRegistry } from '../pubsub.js';

/** A response whose body is written over time (chunked on HTTP/1.1, close-delimited on 1.0). */
export interface ResponseStream {
  /** Queue a body chunk; false when the socket's write buffer is over its high-water mark. */
  write(chunk: string | Uint8Array): boolean;
  /** Finish the body (the last chunk) and let the connection go on to the next request. */
  end(): void;
  /** True once ended or once the client went away. */
  readonly closed: boolean;
  /** Bytes queued on the socket and not yet flushed. */
  readonly bufferedAmount: number;
  /** Called once when the client goes away or the stream ends. */
  onClose(listener: () => void): void;
  /** Called each time the socket drains after write() returned false. */
  onDrain(listener: () => void): void;
}

/**
 * Set on ctx.response.streamFilter by a middleware (compress()) to take part in ctx.stream(): open()
 * may adjust the response fields, must call start() once to write the head, and returns the stream
 * the handler writes to (the started one, or a wrapper around it). `length` is the body length the
 * caller announced, if any: a filter that changes the bytes starts without it (chunked framing).
 */
export interface StreamFilter<C = any> {
  open(ctx: C, start: (ctx: C, length?: number) => ResponseStream, length?: number): ResponseStream;
}

/** The request of a WebSocket upgrade, as the route's upgrade hook sees it; `P`: the route's params. */
export interface UpgradeRequest<P extends Readonly<Record<string, string>> = Readonly<Record<string, string>>> {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly version: number;
  header(name: string): string | undefined;
  readonly headers: Iterable<[string, string]>;
  readonly params: Readonly<P>;
  readonly remoteAddress: string | undefined;
  /** The connection is TLS (wss). */
  readonly secure: boolean;
}

/**
 * Takes the socket over. `head` holds bytes that arrived after the request head (the first frames,
 * possibly). The HTTP core has removed its listeners and timers; from here the handler owns the socket.
 */
export type UpgradeHandler = (request: UpgradeRequest, socket: Socket, head: Buffer) => void;

/** Something that can be closed at shutdown (an open SSE stream). */
export interface Closable {
  close(): void;
}

/**
 * What a long-lived response reaches on the server that accepted its connection: the topics of
 * server.publish() and the set of open streams that server.close() ends.
 */
export interface StreamServer {
  readonly topics: TopicRegistry;
  readonly openStreams: Set<Closable>;
}

/** What ctx.owner (the connection, or the HTTP/2 stream) gives the layers above the HTTP core: its
 *  socket and its server, how to notice the client left, and how to cut a response short. */
export interface ServerLink {
  /** The connection's socket (on HTTP/2 the session's, shared by all its streams). */
  readonly socket: Socket;
  readonly host: StreamServer;
  /** Emits 'close' once this exchange's client is gone: the socket (HTTP/1.1), the stream (HTTP/2). */
  readonly channel: Duplex;
  /** Cut the response short: the client sees an incomplete message, never a complete wrong one
   *  (HTTP/1.1: the socket is destroyed, RFC 9112 §8; HTTP/2: RST_STREAM, RFC 9113 §8.1). */
  abort(): void;
}
