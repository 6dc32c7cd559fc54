// Topics: group delivery by name. server.publish(topic, data) hands ONE PublishedMessage to every
// subscriber of the topic; each transport asks the message for its wire form by format name
// ('ws' frame bytes, 'ws-deflate', 'sse' event bytes …) and the first subscriber of that format builds it,
// so a publish to N WebSockets encodes one frame and writes that same Buffer N times.
//
// Slow consumers are handled here, identically for every transport: a subscriber whose bufferedAmount
// is above its maxBufferedAmount is skipped ('drop', the default) or closed ('close') — never waited on,
// so one stalled reader cannot hold back the others.
//
// A TopicBroker (src/broker.ts), when attached, carries publishes to other processes and back; the
// registry tells it when a topic gains its first / loses its last local subscriber.
import type { BrokerLink, TopicBroker } from './broker.js';

export interface PublishedMessage {
  readonly topic: string;
  readonly data: Buffer;
  readonly isBinary: boolean;
  /** The message in one wire format, built at most once per publish by `build` and shared. */
  encoded<T>(format: string, build: (message: PublishedMessage) => T): T;
}

export interface TopicSubscriber {
  /** Bytes queued towards this subscriber and not yet flushed (socket.writableLength + pending). */
  readonly bufferedAmount: number;
  /** Above this, the slow-consumer policy applies. Infinity = never. */
  readonly maxBufferedAmount: number;
  readonly slowConsumerPolicy: 'drop' | 'close';
  /** Write the message; false when it could not be delivered (e.g. not open). */
  deliver(message: PublishedMessage): boolean;
  /** Called under the 'close' policy: close the subscriber for being too slow (WS: 1008). */
  closeSlowConsumer(): void;
}

class Message implements PublishedMessage {
  private cache: Map<string, unknown> | undefined;
  constructor(
    readonly topic: string,
    readonly data: Buffer,
    readonly isBinary: boolean,
  ) {}

  encoded<T>(format: string, build: (message: PublishedMessage) => T): T {
    this.cache ??= new Map();
    if (this.cache.has(format)) return this.cache.get(format) as T;
    const value = build(this);
    this.cache.set(format, value);
    return value;
  }
}

/** Convert what users may publish to bytes once, before fan-out. */
export function toPayload(data: string | Buffer | ArrayBufferView | ArrayBuffer): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

export class TopicRegistry implements BrokerLink {
  private readonly topics = new Map<string, Set<TopicSubscriber>>();
  private readonly bySubscriber = new Map<TopicSubscriber, Set<string>>();
  #broker: TopicBroker | undefined;

  /** The broker carrying publishes to other processes; undefined = this process only. */
  get broker(): TopicBroker | undefined {
    return this.#broker;
  }

  /** Attach `broker` (once): topics subscribed already are announced to it. */
  useBroker(broker: TopicBroker): void {
    if (this.#broker !== undefined) throw new Error('wasmlane: a broker is attached already');
    this.#broker = broker;
    broker.attach(this);
    for (const topic of this.topics.keys()) broker.topicActive(topic);
  }

  activeTopics(): IterableIterator<string> {
    return this.topics.keys();
  }

  /** Add `subscriber` to `topic`; false when it already was subscribed. */
  subscribe(subscriber: TopicSubscriber, topic: string): boolean {
    if (typeof topic !== 'string') throw new TypeError('wasmlane: topic must be a string');
    let members = this.topics.get(topic);
    if (members === undefined) {
      this.topics.set(topic, (members = new Set()));
      this.#broker?.topicActive(topic);
    }
    if (members.has(subscriber)) return false;
    members.add(subscriber);
    let own = this.bySubscriber.get(subscriber);
    if (own === undefined) this.bySubscriber.set(subscriber, (own = new Set()));
    own.add(topic);
    return true;
  }

  /** Remove `subscriber` from `topic`; false when it was not subscribed. */
  unsubscribe(subscriber: TopicSubscriber, topic: string): boolean {
    const members = this.topics.get(topic);
    if (members === undefined || !members.delete(subscriber)) return false;
    if (members.size === 0) this.#idle(topic);
    const own = this.bySubscriber.get(subscriber);
    own?.delete(topic);
    if (own?.size === 0) this.bySubscriber.delete(subscriber);
    return true;
  }

  /** Remove `subscriber` from every topic (called when a connection closes). */
  unsubscribeAll(subscriber: TopicSubscriber): void {
    const own = this.bySubscriber.get(subscriber);
    if (own === undefined) return;
    for (const topic of own) {
      const members = this.topics.get(topic);
      members?.delete(subscriber);
      if (members?.size === 0) this.#idle(topic);
    }
    this.bySubscriber.delete(subscriber);
  }

  #idle(topic: string): void {
    this.topics.delete(topic);
    this.#broker?.topicIdle(topic);
  }

  isSubscribed(subscriber: TopicSubscriber, topic: string): boolean {
    return this.topics.get(topic)?.has(subscriber) ?? false;
  }

  /** Topics `subscriber` belongs to. */
  topicsOf(subscriber: TopicSubscriber): string[] {
    return [...(this.bySubscriber.get(subscriber) ?? [])];
  }

  subscriberCount(topic: string): number {
    return this.topics.get(topic)?.size ?? 0;
  }

  /**
   * Deliver to every subscriber of `topic`; returns how many got it. Strings are text, everything
   * else binary unless `isBinary` says otherwise (the same rule as ws.send).
   */
  publish(topic: string, data: string | Buffer | ArrayBufferView | ArrayBuffer, isBinary?: boolean): number {
    const broker = this.#broker;
    if (broker === undefined) return this.#fanOut(topic, data, isBinary);
    const payload = toPayload(data);
    const binary = isBinary ?? typeof data !== 'string';
    // Local subscribers first, directly; the broker carries it to every other process (never back here).
    const delivered = this.#fanOut(topic, payload, binary);
    broker.publish(topic, payload, binary);
    return delivered;
  }

  /** BrokerLink: a message from another process, for this process's subscribers only. */
  deliverLocal(topic: string, data: Buffer, isBinary: boolean): number {
    return this.#fanOut(topic, data, isBinary);
  }

  #fanOut(topic: string, data: string | Buffer | ArrayBufferView | ArrayBuffer, isBinary: boolean | undefined): number {
    const members = this.topics.get(topic);
    if (members === undefined || members.size === 0) return 0;
    const message = new Message(topic, toPayload(data), isBinary ?? typeof data !== 'string');
    let delivered = 0;
    // Copy first: a 'close' policy or a failing write may unsubscribe members while we iterate.
    for (const subscriber of [...members]) {
      if (subscriber.bufferedAmount > subscriber.maxBufferedAmount) {
        if (subscriber.slowConsumerPolicy === 'close') subscriber.closeSlowConsumer();
        continue;
      }
      if (subscriber.deliver(message)) delivered++;
    }
    return delivered;
  }
}
