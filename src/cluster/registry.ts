// The servers listening in this process. A cluster worker (src/cluster/worker.ts) needs them to drain
// on shutdown, to count their connections and to attach the cluster broker, even when the user's
// setup returns only `server.listen()`'s promise. Server.listen()/close() report here; outside a
// cluster nothing is registered to be told, so this is one Set add per listen().
import type { TopicRegistry } from '../pubsub.js';

/** What the cluster runtime uses of a Server (a structural type: no import of server.ts, no cycle). */
export interface ManagedServer {
  readonly topics: TopicRegistry;
  readonly connectionCount: number;
  /** Requests that reached routing since the server was made (App.routeFor counts them). */
  readonly requestsRouted: number;
  readonly webSockets: ReadonlySet<unknown>;
  close(options?: { timeoutMs?: number }): Promise<void>;
}

export const listeningServers = new Set<ManagedServer>();
let onListening: ((server: ManagedServer, port: number) => void) | null = null;

/** Called by Server.listen() once bound. */
export function serverListening(server: ManagedServer, port: number): void {
  listeningServers.add(server);
  onListening?.(server, port);
}

/** Called by Server.close(). */
export function serverClosed(server: ManagedServer): void {
  listeningServers.delete(server);
}

/** The cluster worker runtime's hook (one per process). */
export function setListeningHook(hook: ((server: ManagedServer, port: number) => void) | null): void {
  onListening = hook;
}
