// The cluster broker: topics across the workers of one cluster, through the primary. A worker's
// publish is delivered to its own subscribers by its TopicRegistry, then sent once to the primary,
// which forwards it to every OTHER worker that has a local subscriber of the topic (workers announce
// their first / last subscriber of a topic). The IPC channel is ordered, so messages of one publisher
// arrive in order everywhere. A send that cannot happen (channel closed while the worker exits) is
// counted in `lost`, never dropped silently.
import type { BrokerLink, TopicBroker } from '../broker.js';
import type { BrokerCounters, ToPrimary } from './protocol.js';

/** Worker side; attached automatically to each server listening in a cluster worker. */
export class ClusterBroker implements TopicBroker {
  /** Servers of different ports in one worker keep separate topics: the namespace is the port. */
  readonly namespace: string;
  readonly counters: BrokerCounters = { published: 0, received: 0, lost: 0 };
  #link: BrokerLink | undefined;

  constructor(namespace: string) {
    this.namespace = namespace;
  }

  attach(link: BrokerLink): void {
    this.#link = link;
  }

  topicActive(topic: string): void {
    this.#send({ wl: 'sub', ns: this.namespace, topic });
  }

  topicIdle(topic: string): void {
    this.#send({ wl: 'unsub', ns: this.namespace, topic });
  }

  publish(topic: string, data: Buffer, isBinary: boolean): void {
    // process.send serializes synchronously: the caller may reuse `data` afterwards.
    if (this.#send({ wl: 'pub', ns: this.namespace, topic, data, bin: isBinary })) this.counters.published++;
    else this.counters.lost++;
  }

  /** A message another worker published (forwarded by the primary). */
  receive(topic: string, data: Buffer, isBinary: boolean): void {
    this.counters.received++;
    this.#link?.deliverLocal(topic, data, isBinary);
  }

  #send(message: ToPrimary): boolean {
    if (process.send === undefined || !process.connected) return false;
    try {
      process.send(message);
      return true;
    } catch {
      return false; // channel closed under us (the worker is exiting)
    }
  }
}

/** Primary side: who subscribes to what, and forwarding. */
export class ClusterRelay<W> {
  readonly #members = new Map<string, Set<W>>();

  #key(ns: string, topic: string): string {
    return `${ns}\0${topic}`;
  }

  subscribe(worker: W, ns: string, topic: string): void {
    const key = this.#key(ns, topic);
    let set = this.#members.get(key);
    if (set === undefined) this.#members.set(key, (set = new Set()));
    set.add(worker);
  }

  unsubscribe(worker: W, ns: string, topic: string): void {
    const key = this.#key(ns, topic);
    const set = this.#members.get(key);
    if (set === undefined) return;
    set.delete(worker);
    if (set.size === 0) this.#members.delete(key);
  }

  /** A worker went away: forget all its topics. */
  remove(worker: W): void {
    for (const [key, set] of this.#members) {
      set.delete(worker);
      if (set.size === 0) this.#members.delete(key);
    }
  }

  /** The workers to forward a publish from `origin` to (every subscriber but the origin). */
  targets(origin: W, ns: string, topic: string): W[] {
    const set = this.#members.get(this.#key(ns, topic));
    if (set === undefined) return [];
    const out: W[] = [];
    for (const w of set) if (w !== origin) out.push(w);
    return out;
  }
}
