// permessage-deflate (RFC 7692): offer parsing and negotiation (§5, §7.1), and the per-connection
// Inflater / Deflater over node:zlib raw DEFLATE (§7.2). Off by default; src/ws/extensions.ts
// decides when to use it.
import * as zlib from 'node:zlib';
import { WasmlaneError } from '../errors.js';
import type { MessageDeflater, MessageInflater } from './protocol.js';

export const EXTENSION_NAME = 'permessage-deflate';
/** §7.2.1: a sync flush ends with an empty stored block, 00 00 ff ff, which is removed on send and
 *  appended again before inflating (§7.2.2). */
const TRAILER = Buffer.from([0x00, 0x00, 0xff, 0xff]);

// --- Sec-WebSocket-Extensions parsing (RFC 6455 §9.1, RFC 9110 §5.6.2 token, §5.6.4 quoted-string) --

export interface ExtensionOffer {
  readonly name: string;
  /** Parameter → value (true when it has no value). Repeated names are kept as `duplicate`. */
  readonly params: Map<string, string | true>;
  readonly duplicate: boolean;
}

const TCHAR = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]$/;

/** Parse a header value (several header lines joined with ","). Returns null when malformed. */
export function parseExtensions(header: string): ExtensionOffer[] | null {
  const out: ExtensionOffer[] = [];
  let i = 0;
  const n = header.length;
  const ows = () => { while (i < n && (header[i] === ' ' || header[i] === '\t')) i++; };
  const token = (): string | null => {
    const start = i;
    while (i < n && TCHAR.test(header[i]!)) i++;
    return i > start ? header.slice(start, i) : null;
  };
  const quoted = (): string | null => {
    i++; // opening DQUOTE
    let v = '';
    while (i < n && header[i] !== '"') {
      if (header[i] === '\\') i++; //     quoted-pair
      if (i >= n) return null;
      v += header[i++];
    }
    if (i >= n) return null;
    i++;
    return v;
  };
  for (;;) {
    ows();
    if (i < n && header[i] === ',') { i++; continue; } // empty list elements are allowed (§5.6.1)
    if (i >= n) break;
    const name = token();
    if (name === null) return null;
    const params = new Map<string, string | true>();
    let duplicate = false;
    ows();
    while (i < n && header[i] === ';') {
      i++;
      ows();
      const key = token();
      if (key === null) return null;
      ows();
      let value: string | true = true;
      if (header[i] === '=') {
        i++;
        ows();
        const v = header[i] === '"' ? quoted() : token();
        if (v === null) return null;
        value = v;
        ows();
      }
      const k = key.toLowerCase();
      if (params.has(k)) duplicate = true;
      params.set(k, value);
    }
    out.push({ name: name.toLowerCase(), params, duplicate });
    ows();
    if (i < n && header[i] !== ',') return null;
  }
  return out;
}

// --- Negotiation (RFC 7692 §7.1) -------------------------------------------------------------------

export interface DeflateConfig {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  /** 8..15; 15 = no limit requested. */
  serverMaxWindowBits: number;
  clientMaxWindowBits: number;
}

export const DEFAULT_DEFLATE_CONFIG: DeflateConfig = Object.freeze({
  serverNoContextTakeover: false,
  clientNoContextTakeover: false,
  serverMaxWindowBits: 15,
  clientMaxWindowBits: 15,
});

/** The agreed parameters (what both ends use). */
export interface DeflateParams {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  serverMaxWindowBits: number;
  clientMaxWindowBits: number;
}

/** §7.1.2: window bits are 1*DIGIT in 8..15 without leading zero. */
function windowBits(v: string | true): number | null {
  if (v === true || !/^(8|9|1[0-5])$/.test(v)) return null;
  return Number(v);
}

/**
 * Server side: accept the first acceptable permessage-deflate offer (§5.1: offers are in order of
 * preference). An offer with an unknown parameter, a duplicate or a bad value is declined (§7).
 * Returns the agreed params and the response header value, or null when nothing is acceptable.
 */
export function negotiateServer(offers: ExtensionOffer[], config: DeflateConfig = DEFAULT_DEFLATE_CONFIG):
  { params: DeflateParams; header: string } | null {
  for (const offer of offers) {
    if (offer.name !== EXTENSION_NAME || offer.duplicate) continue;
    const p = offer.params;
    let ok = true;
    let serverBits = config.serverMaxWindowBits;
    let clientBits = 15;
    let clientBitsOffered = false;
    for (const [key, value] of p) {
      if (key === 'server_no_context_takeover' || key === 'client_no_context_takeover') {
        if (value !== true) ok = false; //                            §7.1.1: no value
      } else if (key === 'server_max_window_bits') {
        const bits = windowBits(value);
        if (bits === null) ok = false;
        else serverBits = Math.min(serverBits, bits); //            §7.1.2.1: we may use less
      } else if (key === 'client_max_window_bits') {
        clientBitsOffered = true; //                                 §7.1.2.2: value optional
        if (value !== true) {
          const bits = windowBits(value);
          if (bits === null) ok = false;
          else clientBits = bits;
        }
      } else {
        ok = false;
      }
    }
    if (!ok) continue;
    // zlib cannot compress with an 8-bit raw window (it silently uses 9), so an offer that limits
    // our compressor to 8 is declined rather than answered with a window we would not honour.
    if (serverBits < 9) continue;
    // We may only limit the client's window when it said it supports the parameter (§7.1.2.2).
    if (config.clientMaxWindowBits < 15 && !clientBitsOffered) continue;
    clientBits = Math.min(clientBits, config.clientMaxWindowBits);
    const params: DeflateParams = {
      serverNoContextTakeover: config.serverNoContextTakeover || p.has('server_no_context_takeover'),
      clientNoContextTakeover: config.clientNoContextTakeover || p.has('client_no_context_takeover'),
      serverMaxWindowBits: serverBits,
      clientMaxWindowBits: clientBits,
    };
    const parts = [EXTENSION_NAME];
    if (params.serverNoContextTakeover) parts.push('server_no_context_takeover');
    if (params.clientNoContextTakeover) parts.push('client_no_context_takeover');
    if (p.has('server_max_window_bits') || serverBits < 15) parts.push(`server_max_window_bits=${serverBits}`);
    if (clientBitsOffered && clientBits < 15) parts.push(`client_max_window_bits=${clientBits}`);
    return { params, header: parts.join('; ') };
  }
  return null;
}

/** Client side: the offer we send (§7.1). client_max_window_bits is always offered (we support it). */
export function clientOffer(config: DeflateConfig = DEFAULT_DEFLATE_CONFIG): string {
  const parts = [EXTENSION_NAME];
  if (config.serverNoContextTakeover) parts.push('server_no_context_takeover');
  if (config.clientNoContextTakeover) parts.push('client_no_context_takeover');
  if (config.serverMaxWindowBits < 15) parts.push(`server_max_window_bits=${config.serverMaxWindowBits}`);
  parts.push(config.clientMaxWindowBits < 15 ? `client_max_window_bits=${config.clientMaxWindowBits}` : 'client_max_window_bits');
  return parts.join('; ');
}

/** Client side: check the server's response against our offer (§7.1); params or why it fails. */
export function acceptServerResponse(response: ExtensionOffer[], config: DeflateConfig = DEFAULT_DEFLATE_CONFIG):
  DeflateParams | string {
  if (response.length !== 1 || response[0]!.name !== EXTENSION_NAME) return 'unexpected extension in the response';
  const r = response[0]!;
  if (r.duplicate) return 'duplicate permessage-deflate parameter';
  const params: DeflateParams = {
    serverNoContextTakeover: false, clientNoContextTakeover: config.clientNoContextTakeover,
    serverMaxWindowBits: 15, clientMaxWindowBits: config.clientMaxWindowBits,
  };
  for (const [key, value] of r.params) {
    if (key === 'server_no_context_takeover' && value === true) params.serverNoContextTakeover = true;
    else if (key === 'client_no_context_takeover' && value === true) params.clientNoContextTakeover = true;
    else if (key === 'server_max_window_bits') {
      const bits = windowBits(value);
      if (bits === null || bits > config.serverMaxWindowBits) return 'invalid server_max_window_bits';
      params.serverMaxWindowBits = bits;
    } else if (key === 'client_max_window_bits') {
      const bits = windowBits(value);
      if (bits === null || bits > config.clientMaxWindowBits) return 'invalid client_max_window_bits';
      if (bits < 9) return 'client_max_window_bits=8 is not supported by zlib';
      params.clientMaxWindowBits = bits;
    } else return `unexpected parameter ${key}`;
  }
  if (config.serverNoContextTakeover && !params.serverNoContextTakeover) return 'server_no_context_takeover was not accepted';
  return params;
}

// --- Concurrency limit: zlib work runs on the libuv threadpool; at most this many jobs at once
// (ws uses 10), the rest wait in FIFO order. -------------------------------------------------------

export const ZLIB_CONCURRENCY = 10;
let running = 0;
const waiting: (() => void)[] = [];
function schedule(job: (done: () => void) => void): void {
  const start = () => {
    running++;
    job(() => {
      running--;
      const next = waiting.shift();
      if (next !== undefined) next();
    });
  };
  if (running < ZLIB_CONCURRENCY) start();
  else waiting.push(start);
}

// --- Inflater / Deflater (RFC 7692 §7.2) ---------------------------------------------------------

export interface InflaterOptions {
  /** The peer resets its compressor per message: our inflater may be dropped between messages. */
  noContextTakeover: boolean;
  /** Bound on one message's decompressed size → 1009 during inflation. 0 = no limit. */
  maxPayload: number;
}

export class Inflater implements MessageInflater {
  private stream: zlib.InflateRaw | null = null;
  private messageBytes = 0;
  constructor(private readonly options: InflaterOptions) {}

  inflate(payload: Buffer, fin: boolean, callback: (err: WasmlaneError | null, data?: Buffer) => void): void {
    schedule((done) => {
      // Decompression never needs a smaller window than 15 (a larger window accepts any stream).
      const stream = this.stream ??= zlib.createInflateRaw({ windowBits: 15 });
      const chunks: Buffer[] = [];
      let bytes = 0;
      let finished = false;
      const max = this.options.maxPayload;
      const finish = (err: WasmlaneError | null) => {
        if (finished) return;
        finished = true;
        stream.removeListener('data', onData);
        stream.removeListener('error', onError);
        done();
        if (err) {
          this.close(); // a failed stream is never reused
          return callback(err);
        }
        this.messageBytes += bytes;
        const data = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, bytes);
        if (fin) {
          this.messageBytes = 0;
          if (this.options.noContextTakeover) this.close();
        }
        callback(null, data);
      };
      // The bound is checked on every chunk zlib produces, so a small "zip bomb" frame is stopped
      // after maxPayload bytes of output rather than inflated whole first.
      const onData = (chunk: Buffer) => {
        bytes += chunk.length;
        if (max > 0 && this.messageBytes + bytes > max) return finish(new WasmlaneError('WL_WS_TOO_BIG', 'while inflating'));
        chunks.push(chunk);
      };
      const onError = (err: Error) => finish(new WasmlaneError('WL_WS_INFLATE_FAILED', err.message));
      stream.on('data', onData);
      stream.on('error', onError);
      stream.write(payload);
      if (fin) stream.write(TRAILER);
      stream.flush(() => finish(null));
    });
  }

  close(): void {
    this.stream?.close();
    this.stream = null;
    this.messageBytes = 0;
  }
}

export interface DeflaterOptions {
  /** We reset our compressor per message (we agreed to *_no_context_takeover for our side). */
  noContextTakeover: boolean;
  /** 9..15 (the window the peer allowed us). */
  windowBits: number;
  level?: number;
}

export class Deflater implements MessageDeflater {
  private stream: zlib.DeflateRaw | null = null;
  constructor(private readonly options: DeflaterOptions) {}

  deflate(payload: Buffer, fin: boolean, callback: (err: Error | null, data?: Buffer) => void): void {
    schedule((done) => {
      const stream = this.stream ??= zlib.createDeflateRaw({
        windowBits: Math.max(9, this.options.windowBits),
        level: this.options.level ?? zlib.constants.Z_DEFAULT_COMPRESSION,
      });
      const chunks: Buffer[] = [];
      let bytes = 0;
      const onData = (chunk: Buffer) => { chunks.push(chunk); bytes += chunk.length; };
      const onError = (err: Error) => { cleanup(); this.close(); callback(err); };
      const cleanup = () => { stream.removeListener('data', onData); stream.removeListener('error', onError); done(); };
      stream.on('data', onData);
      stream.on('error', onError);
      stream.write(payload);
      stream.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        if (this.stream !== stream) return;
        cleanup();
        let data = Buffer.concat(chunks, bytes);
        // §7.2.1: the message's last sync flush ends in 00 00 ff ff, which is not sent.
        if (fin && data.length >= 4 && data.subarray(data.length - 4).equals(TRAILER)) data = data.subarray(0, data.length - 4);
        if (fin && this.options.noContextTakeover) this.close();
        callback(null, data);
      });
    });
  }

  close(): void {
    this.stream?.close();
    this.stream = null;
  }
}

/** The inflater/deflater pair for one connection, given the agreed params and which end we are. */
export function createDeflatePair(params: DeflateParams, isServer: boolean, maxPayload: number): {
  inflater: Inflater; deflater: Deflater;
} {
  const peerResets = isServer ? params.clientNoContextTakeover : params.serverNoContextTakeover;
  const weReset = isServer ? params.serverNoContextTakeover : params.clientNoContextTakeover;
  return {
    inflater: new Inflater({ noContextTakeover: peerResets, maxPayload }),
    deflater: new Deflater({ noContextTakeover: weReset, windowBits: isServer ? params.serverMaxWindowBits : params.clientMaxWindowBits }),
  };
}
