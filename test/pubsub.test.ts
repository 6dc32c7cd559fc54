// Topic registry: membership, encode-once fan-out, and the slow-consumer policies (drop / close).
// The subscribers here are plain TopicSubscriber implementations (the interface SSE will implement
// too); delivery over real sockets is covered in test/ws/websocket.test.ts.
import { describe, expect, it } from 'vitest';
import { TopicRegistry, type PublishedMessage, type TopicSubscriber } from '../src/pubsub.js';
import { Server } from '../src/server.js';

class Recorder implements TopicSubscriber {
  bufferedAmount = 0;
  received: PublishedMessage[] = [];
  closedSlow = 0;
  open = true;
  constructor(
    readonly maxBufferedAmount = 1000,
    readonly slowConsumerPolicy: 'drop' | 'close' = 'drop',
    readonly format = 'ws',
  ) {}
  builds = 0;
  deliver(message: PublishedMessage): boolean {
    if (!this.open) return false;
    message.encoded(this.format, (m) => Buffer.concat([Buffer.from(`${this.format}:`), m.data]));
    this.received.push(message);
    return true;
  }
  closeSlowConsumer(): void {
    this.closedSlow++;
  }
}

describe('TopicRegistry', () => {
  it('tracks membership per topic and per subscriber', () => {
    const reg = new TopicRegistry();
    const a = new Recorder();
    expect(reg.subscribe(a, 'news')).toBe(true);
    expect(reg.subscribe(a, 'news')).toBe(false);
    expect(reg.subscribe(a, 'sport')).toBe(true);
    expect(reg.isSubscribed(a, 'news')).toBe(true);
    expect(reg.topicsOf(a).sort()).toEqual(['news', 'sport']);
    expect(reg.unsubscribe(a, 'news')).toBe(true);
    expect(reg.unsubscribe(a, 'news')).toBe(false);
    expect(reg.subscriberCount('news')).toBe(0);
    reg.unsubscribeAll(a);
    expect(reg.topicsOf(a)).toEqual([]);
    expect(reg.subscriberCount('sport')).toBe(0);
  });

  it('delivers one shared message object and builds each wire format once', () => {
    const reg = new TopicRegistry();
    const subs = [new Recorder(), new Recorder(), new Recorder(1000, 'drop', 'sse'), new Recorder()];
    for (const s of subs) reg.subscribe(s, 't');
    let wsBuilds = 0;
    let sseBuilds = 0;
    // Wrap encoded() of the first message to count builds through the public interface.
    const counting: TopicSubscriber = {
      bufferedAmount: 0,
      maxBufferedAmount: Infinity,
      slowConsumerPolicy: 'drop',
      deliver(m) {
        m.encoded('ws', () => ++wsBuilds);
        m.encoded('sse', () => ++sseBuilds);
        return true;
      },
      closeSlowConsumer() {},
    };
    reg.subscribe(counting, 't');
    expect(reg.publish('t', 'hello')).toBe(5);
    const first = subs[0]!.received[0]!;
    for (const s of subs) expect(s.received[0]).toBe(first);
    expect(first.data.toString()).toBe('hello');
    expect(first.isBinary).toBe(false);
    // The Recorders built 'ws' and 'sse' already, so the counting subscriber's builders never ran.
    expect(wsBuilds).toBe(0);
    expect(sseBuilds).toBe(0);
    expect(first.encoded('ws', () => Buffer.from('other')).toString()).toBe('ws:hello');
    expect(first.encoded('sse', () => Buffer.from('other')).toString()).toBe('sse:hello');
  });

  it('defaults isBinary by type and honours an explicit flag', () => {
    const reg = new TopicRegistry();
    const a = new Recorder();
    reg.subscribe(a, 't');
    reg.publish('t', Buffer.from([1, 2]));
    reg.publish('t', new Uint8Array([3]));
    reg.publish('t', 'x', true);
    expect(a.received.map((m) => m.isBinary)).toEqual([true, true, true]);
    expect([...a.received[1]!.data]).toEqual([3]);
  });

  it('returns 0 for a topic nobody subscribed to', () => {
    expect(new TopicRegistry().publish('nobody', 'x')).toBe(0);
  });

  it("drops for a slow subscriber under 'drop' without affecting the others", () => {
    const reg = new TopicRegistry();
    const fast = new Recorder(100);
    const slow = new Recorder(100);
    reg.subscribe(fast, 't');
    reg.subscribe(slow, 't');
    slow.bufferedAmount = 101;
    expect(reg.publish('t', 'a')).toBe(1);
    expect(fast.received).toHaveLength(1);
    expect(slow.received).toHaveLength(0);
    expect(slow.closedSlow).toBe(0);
    slow.bufferedAmount = 100; // at the limit is still fine: the rule is "above"
    expect(reg.publish('t', 'b')).toBe(2);
  });

  it("closes a slow subscriber under 'close'", () => {
    const reg = new TopicRegistry();
    const fast = new Recorder(100, 'close');
    const slow = new Recorder(100, 'close');
    reg.subscribe(fast, 't');
    reg.subscribe(slow, 't');
    slow.bufferedAmount = 1e6;
    expect(reg.publish('t', 'a')).toBe(1);
    expect(slow.closedSlow).toBe(1);
    expect(fast.received).toHaveLength(1);
  });

  it('does not count subscribers that refuse delivery, and survives unsubscribe during publish', () => {
    const reg = new TopicRegistry();
    const closed = new Recorder();
    closed.open = false;
    const leaver: TopicSubscriber = {
      bufferedAmount: 0,
      maxBufferedAmount: Infinity,
      slowConsumerPolicy: 'drop',
      deliver() {
        reg.unsubscribeAll(this);
        return true;
      },
      closeSlowConsumer() {},
    };
    const after = new Recorder();
    reg.subscribe(closed, 't');
    reg.subscribe(leaver, 't');
    reg.subscribe(after, 't');
    expect(reg.publish('t', 'a')).toBe(2);
    expect(after.received).toHaveLength(1);
    expect(reg.subscriberCount('t')).toBe(2);
  });

  it('gives each owner (server) its own registry', () => {
    const s1 = new Server();
    const s2 = new Server();
    expect(s1.topics).toBe(s1.topics);
    expect(s1.topics).not.toBe(s2.topics);
  });
});
