// The public shape of a WebSocket's life: its ready states (the WHATWG WebSocket numbers) and the
// events it emits with their arguments. No imports: websocket.ts, the client and the types use it.

export const CONNECTING = 0;
export const OPEN = 1;
export const CLOSING = 2;
export const CLOSED = 3;

/** The events a WebSocket emits, with their arguments (after the route handler of the same name). */
export interface WebSocketEvents {
  /** OPEN: the handshake is done (server side: after the route's open handler). */
  open: [];
  /** One whole message: text as UTF-8 bytes (validated) unless isBinary. */
  message: [data: Buffer, isBinary: boolean];
  /** The connection is closed: the peer's code (1005 when none, 1006 without a close frame). */
  close: [code: number, reason: Buffer];
  /** send() returned false earlier and the socket's buffer has drained. */
  drain: [];
  ping: [data: Buffer];
  pong: [data: Buffer];
  /** Protocol and policy errors (WasmlaneError, `code` WL_…), socket errors (`code` ECONNRESET …) and
   *  whatever a handler threw (only emitted when there are 'error' listeners). */
  error: [error: Error & { code?: string }];
}

/** A listener of event `K`. */
export type WebSocketListener<K extends keyof WebSocketEvents> = (...args: WebSocketEvents[K]) => void;
