// Per (topic, origin) the last sequence number seen, to count gaps: messages a publisher sent that
// this process never received (its subscription was down, or Redis dropped them). Bounded: at most
// MAX_ORIGINS publishers remembered per topic (the oldest forgotten first; a forgotten publisher's
// next message starts a fresh count instead of reporting a gap).
const MAX_ORIGINS = 1024;

export class SequenceTracker {
  readonly #topics = new Map<string, Map<string, number>>();

  reset(topic: string): void {
    this.#topics.delete(topic);
  }

  /** Missed messages before `seq` (0 = in order), or -1 for a number seen already (a duplicate). */
  observe(topic: string, origin: Buffer, seq: number): number {
    let origins = this.#topics.get(topic);
    if (origins === undefined) this.#topics.set(topic, (origins = new Map()));
    const key = origin.toString('latin1');
    const last = origins.get(key);
    if (last !== undefined && seq <= last && last - seq < 0x80000000) return -1;
    origins.delete(key); // re-insert: Map order = least recently heard first
    origins.set(key, seq);
    if (origins.size > MAX_ORIGINS) origins.delete(origins.keys().next().value!);
    if (last === undefined) return 0;
    return (seq - last - 1) >>> 0;
  }
}
