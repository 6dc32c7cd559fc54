// HTTP/2 over TLS (RFC 9113 §3.2: ALPN "h2"): the Server hands every TLS socket that negotiated "h2"
// to its gateway, which starts a node:http2 server session on it (http2.performServerHandshake: no
// node:http2 Server object, no compatibility layer) and serves its streams through the server's own
// route table (session.ts, exchange.ts). HTTP/1.1 clients of the same port never come here: they keep
// the server's own parser and connection.
//
// The session's SETTINGS (RFC 9113 §6.5.2) come from the server's configuration, resolved once:
//   MAX_CONCURRENT_STREAMS   http2.maxConcurrentStreams (default 100, RFC 9113's recommended minimum)
//   INITIAL_WINDOW_SIZE      http2.initialWindowSize (the per-stream receive window)
//   ENABLE_PUSH 0            we never push (RFC 9113 §8.4)
//   MAX_HEADER_LIST_SIZE     above what the head parser accepts (see headerListSize): the request
//                            limits (431/414) are the parser's, answered as on HTTP/1.1; only a header
//                            list far beyond them is refused by node:http2 (RST_STREAM).
import type { Socket } from 'node:net';
import type { ServerOptions } from 'node:http2';
import type { Http2Config, RequestConfig } from '../config.js';
import type { ConnectionHost } from '../http/connection/host.js';
import { H2Session } from './session.js';

/** The ALPN protocol id of HTTP/2 over TLS (RFC 9113 §3.2). */
export const H2 = 'h2';

/** HPACK's per-field overhead in SETTINGS_MAX_HEADER_LIST_SIZE accounting (RFC 9113 §6.5.2). */
const FIELD_OVERHEAD = 32;
/** Pseudo-fields a request carries (:method, :scheme, :authority, :path) plus one spare. */
const PSEUDO_FIELDS = 5;

/**
 * SETTINGS_MAX_HEADER_LIST_SIZE for a request config: a header list counts name + value + 32 per
 * field, the HTTP/1.1 head the parser sees name + value + 4, so every head within bufferSize and
 * maxHeaderCount fits below this and reaches the parser (which answers 431 past its own limits).
 */
export function headerListSize(request: RequestConfig): number {
  return request.bufferSize + FIELD_OVERHEAD * (request.maxHeaderCount + PSEUDO_FIELDS);
}

/** The node:http2 session options for a server's configuration. */
export function sessionOptions(config: Http2Config, request: RequestConfig): ServerOptions {
  return {
    settings: {
      maxConcurrentStreams: config.maxConcurrentStreams,
      initialWindowSize: config.initialWindowSize,
      enablePush: false,
      maxHeaderListSize: headerListSize(request),
    },
    // node:http2 also caps the number of fields (default 128). The list size already bounds it (each
    // field counts at least 32 bytes), so the cap is set to that bound and never refuses a list the
    // size allows: cookie crumbs (RFC 9113 §8.2.3: browsers send one per cookie) are joined into one
    // line for the parser, which enforces maxHeaderCount on what remains (431).
    maxHeaderListPairs: Math.floor(headerListSize(request) / FIELD_OVERHEAD),
    maxSessionMemory: config.maxSessionMemory,
  };
}

export class H2Gateway {
  /** The ALPN protocol id it serves. */
  readonly protocol = H2;
  readonly #host: ConnectionHost;
  readonly #options: ServerOptions;

  constructor(host: ConnectionHost, config: Http2Config) {
    this.#host = host;
    this.#options = sessionOptions(config, host.requestConfig);
  }

  /** Serve a TLS socket that negotiated "h2" (its handshake done, nothing read from it yet); null
   *  when node:http2 could not start a session on it (the socket is destroyed). */
  accept(socket: Socket): H2Session | null {
    try {
      return new H2Session(socket, this.#host, this.#options);
    } catch (error) {
      this.#host.lifecycle.failed('HTTP/2 session failed to start', error); // one connection, never the process
      socket.destroy();
      return null;
    }
  }
}
