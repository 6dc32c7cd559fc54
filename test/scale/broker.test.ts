// The broker seam of TopicRegistry (src/broker.ts, src/pubsub.ts) with a recording broker, the
// receivers' sequence tracker of the Redis adapter, its envelope, and Server.close()'s grace for a
// connection whose first request is still in flight (what a cluster handoff or rolling restart needs).
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { BrokerLink, TopicBroker } from '../../src/broker.js';
import { TopicRegistry } from '../../src/pubsub.js';
import type { PublishedMessage, TopicSubscriber } from '../../src/pubsub.js';
import { decodeEnvelope, encodeEnvelope } from '../../src/redis/envelope.js';
import { SequenceTracker } from '../../src/redis/sequence.js';
import { Server } from '../../src/server.js';

class Sub implements TopicSubscriber {
  readonly bufferedAmount = 0;
  readonly maxBufferedAmount = Infinity;
  readonly slowConsumerPolicy = 'drop' as const;
  got: string[] = [];
  deliver(message: PublishedMessage): boolean {
    this.got.push(message.data.toString());
    return true;
  }
  closeSlowConsumer(): void {}
}

class Recorder implements TopicBroker {
  link: BrokerLink | undefined;
  events: string[] = [];
  attach(link: BrokerLink): void {
    this.link = link;
  }
  topicActive(topic: string): void {
    this.events.push(`+${topic}`);
  }
  topicIdle(topic: string): void {
    this.events.push(`-${topic}`);
  }
  publish(topic: string, data: Buffer, isBinary: boolean): void {
    this.events.push(`pub ${topic} ${data.toString()} ${isBinary}`);
  }
}

describe('TopicRegistry with a broker', () => {
  it('announces first/last local subscribers, delivers locally once and hands every publish to the broker', () => {
    const registry = new TopicRegistry();
    const a = new Sub();
    const b = new Sub();
    registry.subscribe(a, 'early'); // before the broker: announced on attach
    const broker = new Recorder();
    registry.useBroker(broker);
    expect(() => registry.useBroker(new Recorder())).toThrow(/attached already/);
    registry.subscribe(a, 't');
    registry.subscribe(b, 't');
    expect(registry.publish('t', 'hello')).toBe(2);
    expect(registry.publish('nobody-here', Buffer.from('x'))).toBe(0); // still carried to other processes
    // A message from another process: local subscribers only, never back to the broker.
    expect(broker.link!.deliverLocal('t', Buffer.from('remote'), false)).toBe(2);
    registry.unsubscribe(a, 't');
    registry.unsubscribeAll(b);
    registry.unsubscribeAll(a);
    expect(a.got).toEqual(['hello', 'remote']);
    expect(b.got).toEqual(['hello', 'remote']);
    expect([...broker.link!.activeTopics()]).toEqual([]);
    expect(broker.events).toEqual([
      '+early', '+t', 'pub t hello false', 'pub nobody-here x true', '-t', '-early',
    ]);
  });

  it('a Server takes the broker as an option', () => {
    const broker = new Recorder();
    const server = new Server({ broker });
    expect(server.topics.broker).toBe(broker);
    server.publish('t', 'x');
    expect(broker.events).toEqual(['pub t x false']);
  });
});

describe('Redis envelope and sequence tracking', () => {
  it('round-trips origin, sequence, binary flag and payload; rejects foreign bytes', () => {
    const origin = Buffer.from('0123456789abcdef', 'hex');
    const bytes = encodeEnvelope(origin, 0xfffffffe, true, Buffer.from('payload'));
    const back = decodeEnvelope(bytes)!;
    expect(back.origin.equals(origin)).toBe(true);
    expect(back.seq).toBe(0xfffffffe);
    expect(back.isBinary).toBe(true);
    expect(back.data.toString()).toBe('payload');
    expect(decodeEnvelope(Buffer.from('plain text from someone else'))).toBeNull();
    expect(decodeEnvelope(Buffer.alloc(3))).toBeNull();
  });

  it('counts gaps per publisher and topic, drops duplicates, survives wrap-around, bounds what it remembers', () => {
    const t = new SequenceTracker();
    const p = Buffer.alloc(8, 1);
    const q = Buffer.alloc(8, 2);
    expect(t.observe('x', p, 1)).toBe(0);
    expect(t.observe('x', p, 2)).toBe(0);
    expect(t.observe('x', p, 6)).toBe(3); // 3, 4, 5 missed
    expect(t.observe('x', p, 6)).toBe(-1); // duplicate
    expect(t.observe('x', q, 40)).toBe(0); // first message of another publisher
    expect(t.observe('y', p, 100)).toBe(0); // topics are separate
    expect(t.observe('x', p, 0xffffffff)).toBe(0xffffffff - 7);
    expect(t.observe('x', p, 0)).toBe(0); // wrapped
    t.reset('x');
    expect(t.observe('x', p, 50)).toBe(0); // a fresh subscription starts a fresh count
    for (let i = 0; i < 2000; i++) t.observe('z', Buffer.alloc(8, i % 256).fill(i >> 8, 0, 1), 1);
    expect(t.observe('z', Buffer.alloc(8, 0), 5)).toBe(0); // the oldest publisher was forgotten, no false gap
  });
});

describe('Server.close() and a connection whose first request is in flight', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await server?.close({ timeoutMs: 100 });
  });

  it('answers a request sent just after close() began (Connection: close), and closes a silent one after the grace', async () => {
    server = new Server({ host: '127.0.0.1', port: 0 });
    server.get('/', (ctx) => ctx.send('ok'));
    const { port } = await server.listen();
    const open = (): Promise<{ socket: ReturnType<typeof connect>; text: () => string; closed: Promise<void> }> =>
      new Promise((resolve) => {
        const socket = connect({ host: '127.0.0.1', port }, () => resolve({ socket, text: () => text, closed }));
        let text = '';
        socket.on('data', (chunk) => (text += chunk.toString('latin1')));
        const closed = new Promise<void>((r) => socket.on('close', () => r()));
      });
    const late = await open();
    const silent = await open();
    for (let i = 0; server.connectionCount < 2 && i < 200; i++) await new Promise((r) => setTimeout(r, 5));
    expect(server.connectionCount).toBe(2);
    const closing = server.close({ timeoutMs: 5000 });
    late.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await late.closed;
    expect(late.text()).toMatch(/^HTTP\/1\.1 200 /);
    expect(late.text()).toMatch(/\r\nconnection: close\r\n/i);
    await silent.closed; // within the 1 s grace, well before timeoutMs
    expect(silent.text()).toBe('');
    await closing;
  });
});
