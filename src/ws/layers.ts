// The layers under one WebSocket connection, built from the handshake's facts (WebSocketInit): the
// Receiver (bytes in → messages), the FrameWriter (messages → frames on the socket) and the Flow
// (read backpressure and automatic pongs between the two). The WebSocket object (websocket.ts) only
// passes its callbacks; what each layer is configured with is decided here, once per connection.
import { Receiver } from './receiver.js';
import { Flow } from './flow.js';
import { FrameWriter } from './wire.js';
import type { ReceiverEvents } from './protocol.js';
import type { WebSocketInit } from './websocket-types.js';

/** What the connection hears from its layers (the receiver's events, minus `inflated`, which Flow takes). */
export interface LayerEvents extends Omit<ReceiverEvents, 'inflated'> {
  /** A backpressure signal we gave (not the socket's own) is over. */
  drain(): void;
  /** A ping needs a pong while maxPendingPongs are unflushed (close 1008). */
  tooManyPongs(): void;
}

export interface Layers {
  readonly receiver: Receiver;
  readonly writer: FrameWriter;
  readonly flow: Flow;
}

export function buildLayers(init: WebSocketInit, events: LayerEvents): Layers {
  const { socket, options } = init;
  const p = init.deflateParams;
  const writer = new FrameWriter(socket, {
    mask: !init.isServer,
    deflater: init.deflater,
    deflateOptions: options.perMessageDeflate,
    sharedDeflateBits: init.isServer && p?.serverNoContextTakeover === true ? p.serverMaxWindowBits : undefined,
    engine: init.engine,
  }, () => events.drain());
  // The Flow reads the receiver's queue, built just below (the closure runs only once data flows).
  const flow: Flow = new Flow(socket, writer, options.maxBufferedAmount, options.maxPendingPongs,
    () => events.tooManyPongs(), () => receiver.queuedBytes);
  const receiver = new Receiver(
    {
      engine: init.engine,
      isServer: init.isServer,
      maxPayload: options.maxPayload,
      maxFragments: options.maxFragments,
      utf8: options.utf8,
      ...(init.inflater === undefined ? {} : { inflate: init.inflater }),
    },
    {
      message: events.message,
      ping: events.ping,
      pong: events.pong,
      close: events.close,
      error: events.error,
      inflated: () => flow.inflated(),
    },
  );
  return { receiver, writer, flow };
}
