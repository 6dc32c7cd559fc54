// The listening socket of a Server: node:net for HTTP, node:tls for HTTPS (config.tls). Either way the
// Server gets plain duplex sockets in one callback (for TLS once the handshake is done: a TLSSocket
// reads and writes cleartext), so the parser, router, response writer and WebSocket code never know
// whether the bytes were encrypted; ctx.request.secure tells a handler.
//
// TLS specifics:
//   ALPN (RFC 7301): the Server's list (http/1.1; HTTP/2 adds h2). A client that offers ALPN without
//     any protocol of ours gets the no_application_protocol alert (§3.2), as node:tls does.
//   Handshake timeout: request.headTimeoutMs. The handshake is the first part of "the client sends its
//     request", the thing headTimeoutMs bounds (slowloris); a silent TCP connection is dropped after the
//     same time on HTTP (src/http/connection: T_IDLE armed at accept). 0 disables it, as for the head.
//   Handshake failures ('tlsClientError': timeout, bad record, unknown CA alert, reset …) are one
//     client's problem: the socket is destroyed (node:tls leaves a timed-out one open) and the error
//     is logged at debug level; they never reach onConnection/onClose hooks (no connection was made).
//   maxConnections: checked by node:net before the handshake (net.Server#maxConnections counts every
//     open socket of the server, handshaking and upgraded ones too), so a refused client costs no
//     handshake; it sees the TCP connection closed.
import { createServer as createNetServer } from 'node:net';
import type { Server as NetServer, Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { TLSSocket, TlsOptions } from 'node:tls';
import type { ServerConfig } from './config.js';
import type { Lifecycle } from './lifecycle.js';

/** Create the listening server (not yet listening); `onSocket` gets each connection ready for HTTP. */
export function createListener(
  config: ServerConfig,
  lifecycle: Lifecycle,
  alpnProtocols: readonly string[],
  onSocket: (socket: Socket) => void,
): NetServer {
  const netOptions = {
    allowHalfOpen: true, // a client may half-close after its request and still read the response
    noDelay: config.nodelay,
    // SO_KEEPALIVE is set by the sweeper on connections that outlive one period (and on upgrade),
    // not at accept: its setsockopt calls cost ~3 µs per connection, which a one-request
    // connection never benefits from (probes start only after keepAliveInitialDelayMs idle).
    keepAlive: false,
  };
  if (config.tls === null) return createNetServer(netOptions, onSocket);
  const headTimeoutMs = config.request.headTimeoutMs;
  const options: TlsOptions = {
    ...config.tls,
    ...netOptions,
    ALPNProtocols: [...alpnProtocols],
    // node:tls reads 0 as "the default" (120 s); a negative value is "none".
    handshakeTimeout: headTimeoutMs > 0 ? headTimeoutMs : -1,
  };
  const server = createTlsServer(options, onSocket);
  server.on('tlsClientError', (error: Error, socket: TLSSocket) => {
    socket.destroy();
    lifecycle.tlsClientError(error, socket.remoteAddress);
  });
  if (config.maxConnections > 0) {
    server.maxConnections = config.maxConnections;
    server.on('drop', (data?: { remoteAddress?: string }) => {
      lifecycle.connectionRefused(config.maxConnections, data?.remoteAddress);
    });
  }
  return server;
}
