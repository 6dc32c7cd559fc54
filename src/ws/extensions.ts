// Extension negotiation for the WebSocket layer (RFC 6455 §9, RFC 7692 permessage-deflate): turns a
// route's options and the Sec-WebSocket-Extensions offer/answer into the header value plus the
// per-connection inflater/deflater. The RFC 7692 parameter rules live in ./permessage-deflate.ts.
import type { MessageDeflater, MessageInflater } from './protocol.js';
import type { ResolvedWebSocketOptions } from './options.js';
import {
  acceptServerResponse,
  clientOffer,
  createDeflatePair,
  negotiateServer,
  parseExtensions,
  type DeflateConfig,
  type DeflateParams,
} from './permessage-deflate.js';

export interface NegotiatedExtensions {
  /** Value for the 101's Sec-WebSocket-Extensions, undefined when nothing was accepted. */
  readonly header: string | undefined;
  readonly inflater: MessageInflater | undefined;
  readonly deflater: MessageDeflater | undefined;
  readonly params: DeflateParams | undefined;
}

const NONE: NegotiatedExtensions = Object.freeze({
  header: undefined,
  inflater: undefined,
  deflater: undefined,
  params: undefined,
});

function configOf(options: ResolvedWebSocketOptions): DeflateConfig | undefined {
  const d = options.perMessageDeflate;
  if (d === false) return undefined;
  return {
    serverNoContextTakeover: d.serverNoContextTakeover,
    clientNoContextTakeover: d.clientNoContextTakeover,
    serverMaxWindowBits: d.serverMaxWindowBits,
    clientMaxWindowBits: d.clientMaxWindowBits,
  };
}

/** Server side. Returns null when the offer is malformed (answer 400, RFC 6455 §4.2.1 item 9). */
export function negotiateServerExtensions(
  offer: string | undefined,
  options: ResolvedWebSocketOptions,
): NegotiatedExtensions | null {
  const config = configOf(options);
  if (offer === undefined || config === undefined) return NONE;
  const offers = parseExtensions(offer);
  if (offers === null) return null;
  // Unknown extensions are simply not accepted (§9.1); permessage-deflate is the only one we speak.
  const agreed = negotiateServer(offers, config);
  if (agreed === null) return NONE;
  const pair = createDeflatePair(agreed.params, true, options.maxPayload);
  return { header: agreed.header, inflater: pair.inflater, deflater: pair.deflater, params: agreed.params };
}

/** Client side: the Sec-WebSocket-Extensions value to offer, undefined for none. */
export function offerClientExtensions(options: ResolvedWebSocketOptions): string | undefined {
  const config = configOf(options);
  return config === undefined ? undefined : clientOffer(config);
}

/**
 * Client side: check the server's answer against our offer (§9.1: only offered extensions may be
 * accepted, with parameters we allowed). Returns the negotiated state or why the handshake fails.
 */
export function negotiateClientExtensions(
  answer: string | undefined,
  offer: string | undefined,
  options: ResolvedWebSocketOptions,
): NegotiatedExtensions | string {
  if (answer === undefined || answer.trim() === '') return NONE;
  const config = configOf(options);
  if (offer === undefined || config === undefined) return 'server accepted an extension that was not offered';
  const parsed = parseExtensions(answer);
  if (parsed === null) return 'malformed Sec-WebSocket-Extensions in the response';
  const params = acceptServerResponse(parsed, config);
  if (typeof params === 'string') return `permessage-deflate: ${params}`;
  const pair = createDeflatePair(params, false, options.maxPayload);
  return { header: answer.trim(), inflater: pair.inflater, deflater: pair.deflater, params };
}
