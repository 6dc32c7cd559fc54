// Server-sent events (WHATWG HTML §9.2) over ctx.stream(): `ctx.sse()` answers 200
// text/event-stream and returns an SseStream that writes events, comments and heartbeats, and that is
// a TopicSubscriber (src/pubsub.ts) so `server.publish(topic, data)` reaches SSE clients as well as
// WebSockets. A published message is formatted once per publish for every SSE subscriber (the
// message's per-format cache) and the same Buffer is written to each of them.
import { WasmlaneError } from './errors.js';
import type { ResponseStream, ServerLink, StreamServer } from './http/stream-types.js';
import type { PublishedMessage, TopicRegistry, TopicSubscriber } from './pubsub.js';
import { dataLines, formatComment, formatEvent, retryLine } from './sse-format.js';
import type { SseEvent } from './sse-format.js';

export type { SseEvent } from './sse-format.js';

export interface SseOptions {
  /** Extra response fields (e.g. access-control-allow-origin). */
  headers?: Record<string, string | number>;
  /** A comment is sent when nothing else was written for this long (proxies drop idle streams). 0 = off. */
  heartbeatMs?: number;
  /** Sent once at the start: the client's reconnection delay in ms. */
  retry?: number;
  /** Published messages are dropped (or the stream closed) above this many queued bytes. Default 1 MiB. */
  maxBufferedAmount?: number;
  /** What a publish does to a subscriber above maxBufferedAmount: skip it (default) or close it. */
  slowConsumerPolicy?: 'drop' | 'close';
}

export interface SseSubscribeOptions {
  /** Event type the topic's messages carry; absent → plain 'message' events. No CR/LF. */
  event?: string;
}

const DEFAULT_HEARTBEAT_MS = 15_000;
const DEFAULT_MAX_BUFFERED = 1024 * 1024;
const HAS_BREAK = /[\r\n]/;

export class SseStream implements TopicSubscriber {
  /** The request's Last-Event-ID (the id of the last event a reconnecting client saw), if any. */
  readonly lastEventId: string | undefined;
  readonly maxBufferedAmount: number;
  readonly slowConsumerPolicy: 'drop' | 'close';
  readonly #stream: ResponseStream;
  readonly #registry: TopicRegistry | undefined;
  /** Topic → event type of its messages ('' = none). */
  readonly #topicEvents = new Map<string, string>();
  #heartbeat: NodeJS.Timeout | undefined;
  #wroteSinceBeat = false;

  constructor(stream: ResponseStream, lastEventId: string | undefined, options: SseOptions = {}, registry?: TopicRegistry) {
    this.#stream = stream;
    this.#registry = registry;
    this.lastEventId = lastEventId;
    this.maxBufferedAmount = options.maxBufferedAmount ?? DEFAULT_MAX_BUFFERED;
    this.slowConsumerPolicy = options.slowConsumerPolicy ?? 'drop';
    stream.onClose(() => this.#cleanup());
    if (options.retry !== undefined) this.#write(`${retryLine(options.retry)}\n`);
    const beat = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    if (beat > 0 && !stream.closed) {
      this.#heartbeat = setInterval(() => {
        if (!this.#wroteSinceBeat) this.#write(': heartbeat\n\n');
        this.#wroteSinceBeat = false;
      }, beat);
      this.#heartbeat.unref(); // an open stream must not keep the process alive on its own
    }
  }

  /** True once close() was called or the client went away. */
  get closed(): boolean {
    return this.#stream.closed;
  }

  /** Bytes queued on the socket and not yet flushed. */
  get bufferedAmount(): number {
    return this.#stream.bufferedAmount;
  }

  /**
   * Send one event. Throws WasmlaneError WL_SSE_INVALID_FIELD for a bad event/id/retry (nothing is
   * written). Returns false when the stream is closed or the socket buffer is full (wait for onDrain).
   */
  send(event: SseEvent): boolean {
    const text = formatEvent(event);
    if (this.closed) return false;
    return this.#write(text);
  }

  /** Send a comment (`: text`), ignored by clients; useful to keep intermediaries from timing out. */
  comment(text = ''): boolean {
    if (this.closed) return false;
    return this.#write(formatComment(text));
  }

  /** fn() once, when the client goes away or the stream is closed. */
  onClose(fn: () => void): void {
    this.#stream.onClose(fn);
  }

  /** fn() each time the socket drains after send() returned false. */
  onDrain(fn: () => void): void {
    this.#stream.onDrain(fn);
  }

  /** End the response (the client's EventSource will reconnect after its retry delay). */
  close(): void {
    this.#stream.end();
  }

  // --- topics (src/pubsub.ts) ----------------------------------------------------------------------

  /** Receive `server.publish(topic, …)` messages as events; false when already subscribed. */
  subscribe(topic: string, options: SseSubscribeOptions = {}): boolean {
    const registry = this.#requireRegistry();
    const event = options.event ?? '';
    if (typeof event !== 'string' || HAS_BREAK.test(event)) {
      throw new WasmlaneError('WL_SSE_INVALID_FIELD', 'event must be a string without CR or LF');
    }
    if (this.closed) return false;
    this.#topicEvents.set(topic, event);
    return registry.subscribe(this, topic);
  }

  unsubscribe(topic: string): boolean {
    this.#topicEvents.delete(topic);
    return this.#registry?.unsubscribe(this, topic) ?? false;
  }

  isSubscribed(topic: string): boolean {
    return this.#registry?.isSubscribed(this, topic) ?? false;
  }

  get topics(): string[] {
    return this.#registry?.topicsOf(this) ?? [];
  }

  /** TopicSubscriber: write the message's shared event bytes (formatted once per publish). */
  deliver(message: PublishedMessage): boolean {
    if (this.closed) return false;
    const event = this.#topicEvents.get(message.topic) ?? '';
    // Keyed by event type: subscribers wanting the same type share one Buffer.
    const bytes = message.encoded(`sse:${event}`, (m) => encodePublished(m, event));
    this.#write(bytes);
    return true;
  }

  /** TopicSubscriber: the 'close' slow-consumer policy ends the response. */
  closeSlowConsumer(): void {
    this.close();
  }

  #write(chunk: string | Buffer): boolean {
    this.#wroteSinceBeat = true;
    return this.#stream.write(chunk);
  }

  #requireRegistry(): TopicRegistry {
    if (this.#registry === undefined) throw new WasmlaneError('WL_SSE_NO_TOPICS');
    return this.#registry;
  }

  #cleanup(): void {
    if (this.#heartbeat !== undefined) clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
    this.#topicEvents.clear();
    this.#registry?.unsubscribeAll(this);
  }
}

/**
 * A published payload as one event. SSE is a text protocol: bytes are decoded as UTF-8 (invalid
 * sequences become U+FFFD), whether the publisher sent a string or a Buffer.
 */
function encodePublished(message: PublishedMessage, event: string): Buffer {
  const head = event === '' ? '' : `event: ${event}\n`;
  return Buffer.from(`${head}${dataLines(message.data.toString('utf8'))}\n`, 'utf8');
}

// --- ctx.sse() -------------------------------------------------------------------------------------

/** What openSse needs from the context (structural: sse.ts does not import context.ts). */
export interface SseSource {
  readonly request: { header(name: string): string | undefined };
  readonly owner: ServerLink;
  stream(status?: number, headers?: Record<string, string | number>): ResponseStream;
}

/** Open streams are closed by server.close(), so a graceful shutdown does not wait on them. */
function trackForShutdown(server: StreamServer, stream: SseStream): void {
  server.openStreams.add(stream);
  stream.onClose(() => server.openStreams.delete(stream));
}

/** ctx.sse(): start the event stream now (the head is written at once). */
export function openSse(ctx: SseSource, options: SseOptions = {}): SseStream {
  if (options.retry !== undefined) retryLine(options.retry); // validate before anything is sent
  const raw = ctx.request.header('last-event-id');
  // Field values arrive as latin1 strings; the browser sends the id as UTF-8 bytes.
  const lastEventId = raw === undefined ? undefined : Buffer.from(raw, 'latin1').toString('utf8');
  const stream = ctx.stream(200, {
    ...options.headers,
    'content-type': 'text/event-stream; charset=utf-8',
    // Every byte matters as it comes: no caching, and nginx must not buffer the response.
    'cache-control': 'no-cache',
    'x-accel-buffering': 'no',
  });
  const server = ctx.owner.host;
  const sse = new SseStream(stream, lastEventId, options, server.topics);
  trackForShutdown(server, sse);
  closeOnPeerEnd(ctx.owner, sse);
  return sse;
}

/**
 * An event-stream client sends nothing after its request, so its FIN means it went away (fetch
 * abort, tab closed). The HTTP core keeps half-open sockets for ordinary responses; without this
 * an idle stream would only notice on its next write (heartbeat).
 */
function closeOnPeerEnd(owner: ServerLink, sse: SseStream): void {
  const socket = owner.socket;
  if (sse.closed) return;
  if (socket.readableEnded) return sse.close();
  const onEnd = (): void => sse.close();
  socket.once('end', onEnd);
  sse.onClose(() => socket.off('end', onEnd));
}
