// wasmlane/redis: topics across processes and machines through Redis pub/sub (a TopicBroker,
// src/broker.ts). One Redis channel per topic (prefix + topic), subscribed only while this process
// has a local subscriber. A publish is delivered locally by the TopicRegistry, then published to
// Redis in an envelope (src/redis/envelope.ts) carrying this process's origin id, which receivers
// use to skip their own messages (so nobody gets a message twice) and a per-topic sequence number,
// which receivers use to count what they missed.
//
// Redis restarts: the client library reconnects and resubscribes. A publish attempted while the
// publishing connection is down is not queued (it would arrive late and out of order) but counted
// in stats().lostPublishes and reported by a 'lost' event; a gap in a publisher's sequence seen by a
// receiver is counted in stats().missed and reported the same way. Nothing is dropped silently.
//
// The client library is ioredis, an optional peer dependency loaded only by RedisBroker.connect().
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Redis, RedisOptions } from 'ioredis';
import type { BrokerLink, TopicBroker } from '../broker.js';
import { decodeEnvelope, encodeEnvelope } from './envelope.js';
import { SequenceTracker } from './sequence.js';

export interface RedisBrokerOptions {
  /** redis://[user:password@]host:port[/db]. Default redis://127.0.0.1:6379. */
  url?: string;
  /** Extra ioredis options for both connections (tls, password, …). */
  redis?: RedisOptions;
  /** Channel name = prefix + topic. Default 'wasmlane:'. */
  prefix?: string;
  /** Upper bound of the reconnect delay (it grows 50 ms per attempt up to this). Default 1000 ms. */
  maxReconnectDelayMs?: number;
  /** How long connect() waits for both connections. Default 10 000 ms. */
  connectTimeoutMs?: number;
}

export interface RedisBrokerStats {
  /** Both connections (publish and subscribe) are up. */
  connected: boolean;
  /** Publishes handed to Redis and confirmed. */
  published: number;
  /** Publishes that did not reach Redis: attempted while disconnected, or failed in flight. */
  lostPublishes: number;
  /** Messages from other processes delivered to local subscribers. */
  received: number;
  /** Messages of other processes this process missed (gaps in their sequence numbers). */
  missed: number;
  /** Times the connections came back after a loss. */
  reconnects: number;
  /** Topics with local subscribers (channels this process wants). */
  topics: number;
  /** Channels Redis confirmed subscribing (on the current connection). */
  subscribed: number;
}

export interface LostEvent {
  /** 'publish': this process could not publish; 'receive': it missed messages of another process. */
  direction: 'publish' | 'receive';
  topic: string;
  count: number;
}

type RedisClass = new (url: string, options: RedisOptions) => Redis;

async function loadClient(): Promise<RedisClass> {
  try {
    const mod = (await import('ioredis')) as unknown as { Redis?: RedisClass; default?: RedisClass };
    const ctor = mod.Redis ?? mod.default;
    if (ctor === undefined) throw new Error('no Redis export');
    return ctor;
  } catch (error) {
    throw new Error(`wasmlane/redis needs the optional peer dependency ioredis (npm install ioredis): ${String(error)}`);
  }
}

export class RedisBroker extends EventEmitter implements TopicBroker {
  /** 8 random bytes naming this broker in every envelope it publishes. */
  readonly origin = randomBytes(8);
  readonly prefix: string;
  readonly #pub: Redis;
  readonly #sub: Redis;
  #link: BrokerLink | undefined;
  readonly #channels = new Set<string>(); // topics with local subscribers
  readonly #seqOut = new Map<string, number>();
  readonly #seqIn = new SequenceTracker();
  readonly #stats = { published: 0, lostPublishes: 0, received: 0, missed: 0, reconnects: 0 };
  #subscribed = 0;
  #wasUp = false;
  #everUp = false;
  #closed = false;

  /** Connect both connections (publish, subscribe) and resolve once they are ready. */
  static async connect(options: RedisBrokerOptions = {}): Promise<RedisBroker> {
    const Client = await loadClient();
    const broker = new RedisBroker(Client, options);
    await broker.#whenUp(options.connectTimeoutMs ?? 10_000);
    return broker;
  }

  private constructor(Client: RedisClass, options: RedisBrokerOptions) {
    super();
    this.prefix = options.prefix ?? 'wasmlane:';
    const url = options.url ?? 'redis://127.0.0.1:6379';
    const maxDelay = options.maxReconnectDelayMs ?? 1000;
    const common: RedisOptions = {
      ...options.redis,
      retryStrategy: (attempt: number) => Math.min(attempt * 50, maxDelay),
      maxRetriesPerRequest: null,
    };
    // Publishing connection: no offline queue and no resend, so a publish while down fails at once
    // and is counted, instead of being delivered late, out of order or twice.
    this.#pub = new Client(url, { ...common, enableOfflineQueue: false, autoResendUnfulfilledCommands: false });
    // Subscribing connection: we (re)subscribe the active topics ourselves on every 'ready', so the
    // channels are exactly the topics with local subscribers now, not those of before the outage.
    this.#sub = new Client(url, { ...common, enableOfflineQueue: false, autoResubscribe: false });
    this.#sub.on('messageBuffer', (channel: Buffer, message: Buffer) => this.#onMessage(channel, message));
    this.#sub.on('ready', () => this.#resubscribe());
    for (const client of [this.#pub, this.#sub]) {
      client.on('error', (error: Error) => this.emit('redisError', error)); // reconnect follows
      client.on('ready', () => this.#checkState());
      client.on('close', () => {
        if (client === this.#sub) this.#subscribed = 0;
        this.#checkState();
      });
    }
  }

  get connected(): boolean {
    return this.#pub.status === 'ready' && this.#sub.status === 'ready';
  }

  stats(): RedisBrokerStats {
    return { connected: this.connected, ...this.#stats, topics: this.#channels.size, subscribed: this.#subscribed };
  }

  // --- TopicBroker ---------------------------------------------------------------------------------

  attach(link: BrokerLink): void {
    if (this.#link !== undefined) throw new Error('wasmlane/redis: one RedisBroker per server');
    this.#link = link;
  }

  topicActive(topic: string): void {
    this.#channels.add(topic);
    this.#seqIn.reset(topic); // sequence gaps count only while subscribed
    if (this.#sub.status === 'ready') this.#subscribe([topic]); // else: on 'ready'
  }

  topicIdle(topic: string): void {
    this.#channels.delete(topic);
    this.#seqIn.reset(topic);
    if (this.#closed || this.#sub.status !== 'ready') return; // a new connection has no channels
    this.#sub.unsubscribe(this.prefix + topic).then(
      (count) => void (this.#subscribed = Number(count)),
      (error: Error) => this.emit('redisError', error),
    );
  }

  publish(topic: string, data: Buffer, isBinary: boolean): void {
    const seq = ((this.#seqOut.get(topic) ?? 0) + 1) >>> 0;
    this.#seqOut.set(topic, seq); // a lost publish still uses its number: receivers see the gap
    if (this.#pub.status !== 'ready') return this.#lost(topic);
    const envelope = encodeEnvelope(this.origin, seq, isBinary, data);
    this.#pub.publish(this.prefix + topic, envelope).then(
      () => void this.#stats.published++,
      () => this.#lost(topic), // the connection dropped with the command in flight
    );
  }

  /** Unsubscribe and disconnect both connections. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([this.#pub, this.#sub].map((c) => c.quit().catch(() => c.disconnect())));
  }

  // --- internals -----------------------------------------------------------------------------------

  #onMessage(channel: Buffer, message: Buffer): void {
    const envelope = decodeEnvelope(message);
    if (envelope === null || envelope.origin.equals(this.origin)) return; // foreign, or our own
    const topic = channel.toString('utf8', Buffer.byteLength(this.prefix));
    if (!this.#channels.has(topic)) return; // unsubscribed meanwhile
    const gap = this.#seqIn.observe(topic, envelope.origin, envelope.seq);
    if (gap < 0) return; // a duplicate: delivered already
    if (gap > 0) {
      this.#stats.missed += gap;
      this.emit('lost', { direction: 'receive', topic, count: gap } satisfies LostEvent);
    }
    this.#stats.received++;
    this.#link?.deliverLocal(topic, envelope.data, envelope.isBinary);
  }

  #subscribe(topics: string[]): void {
    if (topics.length === 0) return;
    this.#sub.subscribe(...topics.map((t) => this.prefix + t)).then(
      (count) => void (this.#subscribed = Number(count)),
      (error: Error) => this.emit('redisError', error), // the connection dropped: 'ready' retries
    );
  }

  #resubscribe(): void {
    this.#subscribed = 0;
    this.#subscribe([...this.#channels]);
  }

  #lost(topic: string): void {
    this.#stats.lostPublishes++;
    this.emit('lost', { direction: 'publish', topic, count: 1 } satisfies LostEvent);
  }

  #checkState(): void {
    const up = this.connected;
    if (up === this.#wasUp) return;
    this.#wasUp = up;
    if (up) {
      if (this.#everUp) this.#stats.reconnects++;
      this.#everUp = true;
      this.emit('up');
    } else if (!this.#closed) {
      this.emit('down');
    }
  }

  #whenUp(timeoutMs: number): Promise<void> {
    if (this.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.removeListener('up', onUp);
        void this.close();
        reject(new Error(`wasmlane/redis: no connection within ${timeoutMs} ms`));
      }, timeoutMs);
      const onUp = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.once('up', onUp);
    });
  }
}
