// The shapes around the WebSocket object: route handlers (server.ws) and what the upgrade code and
// connect() hand to its constructor. Kept apart so websocket.ts holds behaviour only.
import type { Socket } from 'node:net';
import type { UpgradeRequest } from '../http/stream-types.js';
import type { MessageDeflater, MessageInflater } from './protocol.js';
import type { ResolvedWebSocketOptions } from './options.js';
import type { TopicRegistry } from '../pubsub.js';
import type { WebSocket } from './websocket.js';
import type { EngineKind } from '../wasm/instance.js';

/** Route handlers (server.ws(path, handlers, options)); all optional. */
export interface WebSocketHandlers {
  /** Accept or refuse the upgrade; see UpgradeVerdict in upgrade.ts. May return a promise. */
  upgrade?(request: UpgradeRequest): unknown;
  open?(ws: WebSocket): void;
  message?(ws: WebSocket, data: Buffer, isBinary: boolean): void;
  close?(ws: WebSocket, code: number, reason: Buffer): void;
  drain?(ws: WebSocket): void;
  ping?(ws: WebSocket, data: Buffer): void;
  pong?(ws: WebSocket, data: Buffer): void;
}

export interface WebSocketInit {
  readonly socket: Socket;
  /** The engine for this connection's codec and frame decoder, chosen once by the Server or connect(). */
  readonly engine: EngineKind;
  /** true on the server side: the peer's frames must be masked and ours are not (§5.1). */
  readonly isServer: boolean;
  readonly options: ResolvedWebSocketOptions;
  readonly protocol?: string;
  readonly extensions?: string;
  readonly handlers?: WebSocketHandlers;
  readonly registry?: TopicRegistry;
  readonly inflater?: MessageInflater;
  readonly deflater?: MessageDeflater;
  /** Negotiated permessage-deflate parameters (with inflater/deflater). */
  readonly deflateParams?: { readonly serverNoContextTakeover: boolean; readonly serverMaxWindowBits: number };
  /** Whatever the upgrade hook attached (`{ data }`), for the application. */
  readonly data?: unknown;
}
