// The broker behind server.publish()/subscribe(): where a topic's messages go beyond this process.
// The TopicRegistry (src/pubsub.ts) always delivers to its own subscribers directly; a broker, when
// one is attached, carries each publish to the other processes (cluster workers through the primary,
// machines through Redis …) and hands what they publish back to the registry for local delivery only.
// So a message reaches every subscriber on every process exactly once: the origin delivers it
// itself and a broker never echoes a process's own message back to it.
//
// No broker = today's in-process behaviour at zero cost (the registry checks one field per publish).

/** What a broker may call on the registry it is attached to. */
export interface BrokerLink {
  /** Deliver a message that came from another process to this process's subscribers only. */
  deliverLocal(topic: string, data: Buffer, isBinary: boolean): number;
  /** Topics with at least one local subscriber now (to resubscribe after a reconnect). */
  activeTopics(): IterableIterator<string>;
}

export interface TopicBroker {
  /** Called once by TopicRegistry.useBroker(). */
  attach(link: BrokerLink): void;
  /** The first local subscriber of `topic` arrived: start receiving the topic from elsewhere. */
  topicActive(topic: string): void;
  /** The last local subscriber of `topic` left: stop receiving it. */
  topicIdle(topic: string): void;
  /**
   * Carry a publish to the other processes (the registry delivered it locally already). Must not
   * throw and must not keep `data` past the call without copying it (the caller may reuse it).
   */
  publish(topic: string, data: Buffer, isBinary: boolean): void;
}
