// What the upgrade code and connect() hand to the WebSocket constructor: the connection's facts,
// fixed by the handshake (socket, engine, options, negotiated subprotocol and extensions). The
// application's handlers are passed beside it (WebSocketHandlers, in websocket.ts, since they take a
// WebSocket), so this module imports nothing back from websocket.ts.
import type { Socket } from 'node:net';
import type { MessageDeflater, MessageInflater } from './protocol.js';
import type { ResolvedWebSocketOptions } from './options.js';
import type { TopicRegistry } from '../pubsub.js';
import type { EngineKind } from '../wasm/instance.js';

export interface WebSocketInit {
  readonly socket: Socket;
  /** The engine for this connection's codec and frame decoder, chosen once by the Server or connect(). */
  readonly engine: EngineKind;
  /** true on the server side: the peer's frames must be masked and ours are not (§5.1). */
  readonly isServer: boolean;
  readonly options: ResolvedWebSocketOptions;
  readonly protocol?: string;
  readonly extensions?: string;
  readonly registry?: TopicRegistry;
  readonly inflater?: MessageInflater;
  readonly deflater?: MessageDeflater;
  /** Negotiated permessage-deflate parameters (with inflater/deflater). */
  readonly deflateParams?: { readonly serverNoContextTakeover: boolean; readonly serverMaxWindowBits: number };
  /** Whatever the upgrade hook attached (`{ data }`), for the application. */
  readonly data?: unknown;
}

/**
 * What an upgrade hook may return (or resolve to): true/undefined/101 accept, false refuses with 403,
 * another number refuses with that status; an object may refuse (`status`), pick the subprotocol,
 * add response fields and attach `data` — typed `D`, it becomes `ws.data`.
 */
export type UpgradeVerdict<D = unknown> =
  | boolean
  | undefined
  | void
  | number
  | {
      /** A status other than 101 refuses the upgrade with that status (e.g. 401, 403, 429). */
      status?: number;
      /** Subprotocol to select (must be one the client offered); overrides options.protocols. */
      protocol?: string;
      /** Extra response fields (on the 101, or on the refusal). */
      headers?: Record<string, string>;
      /** Application data, available as ws.data. */
      data?: D;
    };
