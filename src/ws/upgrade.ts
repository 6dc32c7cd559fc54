// Server side of the opening handshake (RFC 6455 §4.2): the HTTP core hands over a GET that asked to
// upgrade on a route registered with server.ws(path, handlers, options). We validate it, let the
// application's upgrade hook accept or refuse it, negotiate the subprotocol and extensions, answer
// 101 in one write and start a WebSocket on the socket — or answer 4xx and close.
import type { Socket } from 'node:net';
import type { UpgradeRequest } from '../http/stream-types.js';
import { buildAcceptResponse, buildRejectResponse, checkUpgradeRequest, selectProtocol } from './handshake.js';
import { resolveWebSocketOptions, type ResolvedWebSocketOptions } from './options.js';
import { negotiateServerExtensions } from './extensions.js';
import { WebSocket, type WebSocketHandlers } from './websocket.js';
import type { EngineKind } from '../wasm/instance.js';
import type { TopicRegistry } from '../pubsub.js';

export type { UpgradeVerdict } from './websocket-types.js';
import type { UpgradeVerdict } from './websocket-types.js';

const resolvedOptions = new WeakMap<object, ResolvedWebSocketOptions>();
let defaultOptions: ResolvedWebSocketOptions | undefined;

/** Resolve once per route options object (the route registration's record), not per connection. */
function optionsFor(options: unknown): ResolvedWebSocketOptions {
  if (options === undefined || options === null) return (defaultOptions ??= resolveWebSocketOptions());
  if (typeof options !== 'object') return resolveWebSocketOptions(options); // throws WL_INVALID_CONFIG
  let resolved = resolvedOptions.get(options);
  if (resolved === undefined) {
    resolved = resolveWebSocketOptions(options);
    resolvedOptions.set(options, resolved);
    resolvedOptions.set(resolved, resolved); // the Server passes records it resolved at registration
  }
  return resolved;
}

/** Where an accepted WebSocket is registered (the Server): publish()'s topics, and the open
 *  sockets that server.close() sends 1001 Going Away. */
export interface UpgradeHost {
  readonly topics: TopicRegistry;
  readonly webSockets: Set<WebSocket>;
}

function refuse(socket: Socket, status: number, headers?: Record<string, string>): void {
  if (socket.destroyed) return;
  socket.end(buildRejectResponse(status, headers));
  // A peer that never reads must not hold the socket: end() alone waits for the write to flush.
  setTimeout(() => socket.destroy(), 2_000).unref();
}

/** What the route and its server fixed before this request: handlers, options, the engine. */
interface Route {
  readonly handlers: WebSocketHandlers;
  readonly opts: ResolvedWebSocketOptions;
  readonly server: UpgradeHost;
  /** The route's own engine option, else the server's (both resolved before any connection). */
  readonly engine: EngineKind;
}

/**
 * Take over an upgrade request. `engine` is the server's engine, already resolved (never 'auto'):
 * the route's `engine` option, resolved at registration, wins over it.
 */
export function handleWebSocketUpgrade(
  request: UpgradeRequest,
  socket: Socket,
  head: Buffer,
  handlers: unknown,
  options: unknown,
  server: UpgradeHost,
  engine: EngineKind,
): void {
  const opts = optionsFor(options);
  const route: Route = { handlers: (handlers ?? {}) as WebSocketHandlers, opts, server, engine: opts.engine ?? engine };
  socket.on('error', ignoreError); // until the WebSocket installs its own handling
  const offer = checkUpgradeRequest(request);
  if (!offer.ok) return refuse(socket, offer.status, offer.headers);

  let verdict: unknown;
  try {
    verdict = route.handlers.upgrade?.(request);
  } catch {
    return refuse(socket, 500);
  }
  if (!isPromiseLike(verdict)) {
    return accept(request, socket, head, route, offer.key, offer.protocols, offer.extensions, verdict);
  }
  // An async hook (auth lookup …): keep bytes that arrive meanwhile, they may be the first frames.
  const early: Buffer[] = [head];
  const collect = (chunk: Buffer): void => void early.push(chunk);
  socket.on('data', collect);
  verdict.then(
    (value) => {
      socket.off('data', collect);
      if (socket.destroyed) return;
      const bytes = Buffer.concat(early);
      accept(request, socket, bytes, route, offer.key, offer.protocols, offer.extensions, value);
    },
    () => {
      socket.off('data', collect);
      refuse(socket, 500);
    },
  );
}

function ignoreError(): void {}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}

function accept(
  request: UpgradeRequest,
  socket: Socket,
  head: Buffer,
  route: Route,
  key: string,
  offeredProtocols: string[],
  offeredExtensions: string | undefined,
  verdict: unknown,
): void {
  const { handlers, opts, server } = route;
  // The hook's answer: false → 403, a number or { status } other than 101 → that status.
  if (verdict === false) return refuse(socket, 403);
  if (typeof verdict === 'number' && verdict !== 101) return refuse(socket, verdict);
  const detail = typeof verdict === 'object' && verdict !== null ? (verdict as Exclude<UpgradeVerdict, number | boolean | void | undefined>) : {};
  if (detail.status !== undefined && detail.status !== 101) return refuse(socket, detail.status, detail.headers);

  const protocol =
    detail.protocol !== undefined && offeredProtocols.includes(detail.protocol)
      ? detail.protocol
      : selectProtocol(
          offeredProtocols,
          opts.protocols,
          opts.handleProtocols === undefined ? undefined : (offered) => opts.handleProtocols!(offered, request),
        );
  const extensions = negotiateServerExtensions(offeredExtensions, opts);
  if (extensions === null) return refuse(socket, 400); // malformed extension offer

  let response: string;
  try {
    response = buildAcceptResponse(key, protocol, extensions.header, detail.headers);
  } catch {
    return refuse(socket, 500); // invalid header from the hook
  }
  if (socket.destroyed) return;
  socket.write(response);
  const ws = new WebSocket({
    socket,
    engine: route.engine,
    isServer: true,
    options: opts,
    ...(protocol === undefined ? {} : { protocol }),
    ...(extensions.header === undefined ? {} : { extensions: extensions.header }),
    registry: server.topics,
    ...(extensions.inflater === undefined ? {} : { inflater: extensions.inflater }),
    ...(extensions.deflater === undefined ? {} : { deflater: extensions.deflater }),
    ...(extensions.params === undefined ? {} : { deflateParams: extensions.params }),
    data: detail.data,
  }, handlers);
  socket.off('error', ignoreError);
  // Open WebSockets are tracked so server.close() starts their closing handshakes (1001 Going Away)
  // instead of waiting for its timeout to destroy them.
  server.webSockets.add(ws);
  ws.once('close', () => server.webSockets.delete(ws));
  ws.start(head);
}
