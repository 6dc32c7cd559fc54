// The WebSocket client (RFC 6455 §4.1): connect(url) opens TCP (or TLS for wss://), sends the opening
// request with a fresh 16-byte key, validates the 101, and resolves with the same WebSocket class the
// server uses, with a client Receiver (server frames must be unmasked) and masking on every frame we send.
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { buildClientRequest, generateKey, parseResponseHead, verifyServerAnswer, isToken } from './handshake.js';
import { resolveWebSocketOptions, rejectUnknownKeys, WS_OPTION_KEYS, type WebSocketOptions } from './options.js';
import { negotiateClientExtensions, offerClientExtensions } from './extensions.js';
import { WebSocket } from './websocket.js';
import { WasmlaneError } from '../errors.js';
import { resolveEngine } from '../wasm/instance.js';

export interface ConnectOptions extends Omit<WebSocketOptions, 'protocols' | 'handleProtocols'> {
  /** Subprotocols to offer, in order of preference (Sec-WebSocket-Protocol). */
  protocols?: string[];
  /** Extra request fields (Origin, Authorization …). */
  headers?: Record<string, string>;
  /** Give up if the 101 has not arrived within this many ms. Default 10 000. */
  handshakeTimeoutMs?: number;
  /** Largest response head accepted before the 101 is complete. Default 16 KiB. */
  maxResponseHeadSize?: number;
  /** TLS options for wss:// (ca, servername, rejectUnauthorized …). */
  tls?: ConnectionOptions;
}

const EMPTY = Buffer.alloc(0);

/** The keys connect() takes: its own, then the WebSocketOptions that apply to a client. */
const CONNECT_KEYS: readonly string[] = Object.freeze([
  'protocols', 'headers', 'handshakeTimeoutMs', 'maxResponseHeadSize', 'tls',
  ...WS_OPTION_KEYS.filter((key) => key !== 'protocols' && key !== 'handleProtocols'),
]);

function fail(detail: string): WasmlaneError {
  return new WasmlaneError('WL_WS_BAD_HANDSHAKE', detail);
}

/**
 * Open a WebSocket. The returned WebSocket is OPEN; its first messages are delivered from a
 * setImmediate, so listeners attached right after `await connect(…)` see every message.
 */
export function connect(url: string | URL, options: ConnectOptions = {}): Promise<WebSocket> {
  const target = typeof url === 'string' ? new URL(url) : url;
  if (target.protocol !== 'ws:' && target.protocol !== 'wss:') {
    return Promise.reject(new TypeError(`wasmlane: connect() needs a ws:// or wss:// URL, got ${target.protocol}`));
  }
  const secure = target.protocol === 'wss:';
  // A typo (`handshakeTimeout`, `maxPayLoad`) throws WL_INVALID_CONFIG listing the known keys.
  rejectUnknownKeys(options, CONNECT_KEYS, 'connect() ');
  const protocols = options.protocols ?? [];
  for (const p of protocols) if (!isToken(p)) return Promise.reject(new TypeError(`wasmlane: invalid subprotocol ${p}`));
  const { protocols: _p, headers, handshakeTimeoutMs = 10_000, maxResponseHeadSize = 16384, tls, ...rest } = options;
  const wsOptions = resolveWebSocketOptions({ heartbeatIntervalMs: 0, ...rest });
  // The engine is chosen once per connection, here: options.engine, else WASMLANE_ENGINE / the best.
  const engine = wsOptions.engine ?? resolveEngine();

  const port = Number(target.port || (secure ? 443 : 80));
  const hostname = target.hostname.replace(/^\[|\]$/g, ''); // IPv6 literal without brackets for connect()
  const key = generateKey();
  const offer = offerClientExtensions(wsOptions);
  const request = buildClientRequest(target.host, `${target.pathname || '/'}${target.search}`, key, protocols, offer, headers);

  return new Promise<WebSocket>((resolve, reject) => {
    const socket: Socket = secure
      ? // SNI carries host names only, never IP literals (RFC 6066 §3).
        tlsConnect({ host: hostname, port, ...(isIP(hostname) ? {} : { servername: hostname }), ALPNProtocols: ['http/1.1'], ...tls })
      : netConnect({ host: hostname, port });
    let received: Buffer = Buffer.alloc(0);
    let settled = false;

    const timer = setTimeout(() => abort(fail('timed out waiting for the 101')), handshakeTimeoutMs).unref();
    function abort(err: Error): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    }
    const onError = (err: Error): void => abort(err);
    const onClose = (): void => abort(fail('connection closed during the handshake'));

    const onData = (chunk: Buffer): void => {
      received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) {
        if (received.length > maxResponseHeadSize) abort(fail('response head too large'));
        return;
      }
      const head = parseResponseHead(received.toString('latin1', 0, end));
      if (head === null) return abort(fail('malformed response head'));
      const answer = verifyServerAnswer(head, key, protocols);
      if (typeof answer === 'string') return abort(fail(answer));
      // §4.1: the server may only accept extensions we offered; anything else fails the connection.
      const extensions = negotiateClientExtensions(answer.extensions, offer, wsOptions);
      if (typeof extensions === 'string') return abort(fail(extensions));

      settled = true;
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
      socket.on('error', () => {}); // errors before start() end in 'close' → 1006
      const ws = new WebSocket({
        socket,
        engine,
        isServer: false,
        options: wsOptions,
        protocol: answer.protocol,
        ...(extensions.header === undefined ? {} : { extensions: extensions.header }),
        ...(extensions.inflater === undefined ? {} : { inflater: extensions.inflater }),
        ...(extensions.deflater === undefined ? {} : { deflater: extensions.deflater }),
        ...(extensions.params === undefined ? {} : { deflateParams: extensions.params }),
      });
      const rest = received.subarray(end + 4);
      // OPEN now (send() works at once), but frames that came with the 101 and later socket data are
      // held until the caller's continuation after `await` has attached its listeners.
      socket.pause();
      ws.start(EMPTY);
      resolve(ws);
      setImmediate(() => {
        // resume() takes effect on a later tick, so `rest` is still processed first; resuming after
        // it would undo a read-backpressure pause that `rest` caused (src/ws/flow.ts).
        socket.resume();
        ws.receive(rest);
      });
    };

    socket.setNoDelay(true);
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
    socket.once(secure ? 'secureConnect' : 'connect', () => socket.write(request));
  });
}
