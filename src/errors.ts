// Every error wasmlane reports, in one table (fastify's lib/errors.js habit): a stable string code,
// the WASM return code when the error comes from a parser, the HTTP status or WebSocket close code it
// is answered with, and a message. test/errors.test.ts checks codes are unique, every abi.ts error
// code is mapped, and every entry is documented in docs/errors.md.
import * as abi from './abi.js';

export interface ErrorSpec {
  /** Return code from a WASM/TS-twin entry point, when the error is a parse error. */
  readonly abi?: number;
  /** HTTP status the server answers with (HTTP errors). */
  readonly status?: number;
  /** WebSocket close code (RFC 6455 §7.4.1) the connection is closed with (WebSocket errors). */
  readonly closeCode?: number;
  readonly message: string;
}

export const ERRORS = {
  // --- request head (RFC 9112 §2–§6, RFC 9110 §5) ------------------------------------------------
  WL_INVALID_METHOD: { abi: abi.E_INVALID_METHOD, status: 400, message: 'Method is not a token' },
  WL_METHOD_TOO_LONG: { abi: abi.E_METHOD_TOO_LONG, status: 501, message: 'Method is longer than any implemented method' },
  WL_INVALID_TARGET: { abi: abi.E_INVALID_TARGET, status: 400, message: 'Invalid character in request-target' },
  WL_TARGET_TOO_LONG: { abi: abi.E_TARGET_TOO_LONG, status: 414, message: 'Request-target is longer than maxPathSize' },
  WL_INVALID_VERSION: { abi: abi.E_INVALID_VERSION, status: 400, message: 'Malformed HTTP-version' },
  WL_VERSION_NOT_SUPPORTED: { abi: abi.E_VERSION_NOT_SUPPORTED, status: 505, message: 'HTTP major version not supported' },
  WL_BARE_CR: { abi: abi.E_BARE_CR, status: 400, message: 'CR not followed by LF' },
  WL_BARE_LF: { abi: abi.E_BARE_LF, status: 400, message: 'LF without preceding CR' },
  WL_INVALID_HEADER_NAME: { abi: abi.E_INVALID_HEADER_NAME, status: 400, message: 'Field name is not a token or the colon is missing' },
  WL_SPACE_BEFORE_COLON: { abi: abi.E_SPACE_BEFORE_COLON, status: 400, message: 'Whitespace between field name and colon' },
  WL_OBS_FOLD: { abi: abi.E_OBS_FOLD, status: 400, message: 'Obsolete line folding in a field' },
  WL_INVALID_HEADER_VALUE: { abi: abi.E_INVALID_HEADER_VALUE, status: 400, message: 'Invalid character in field value' },
  WL_HEADER_NAME_TOO_LONG: { abi: abi.E_HEADER_NAME_TOO_LONG, status: 431, message: 'Field name is longer than maxHeaderKeySize' },
  WL_HEADER_VALUE_TOO_LONG: { abi: abi.E_HEADER_VALUE_TOO_LONG, status: 431, message: 'Field value is longer than maxHeaderValueSize' },
  WL_TOO_MANY_HEADERS: { abi: abi.E_TOO_MANY_HEADERS, status: 431, message: 'More field lines than maxHeaderCount' },
  WL_HEAD_TOO_LARGE: { abi: abi.E_HEAD_TOO_LARGE, status: 431, message: 'Request head is larger than bufferSize' },
  WL_INVALID_CONTENT_LENGTH: { abi: abi.E_INVALID_CONTENT_LENGTH, status: 400, message: 'Content-Length is not a decimal number' },
  WL_CONFLICTING_CONTENT_LENGTH: { abi: abi.E_CONFLICTING_CONTENT_LENGTH, status: 400, message: 'Content-Length values differ' },
  WL_CONTENT_LENGTH_OVERFLOW: { abi: abi.E_CONTENT_LENGTH_OVERFLOW, status: 400, message: 'Content-Length is larger than 2^53 - 1' },
  WL_CONTENT_LENGTH_WITH_TE: { abi: abi.E_CONTENT_LENGTH_WITH_TE, status: 400, message: 'Both Content-Length and Transfer-Encoding are present' },
  WL_CHUNKED_NOT_FINAL: { abi: abi.E_CHUNKED_NOT_FINAL, status: 400, message: 'Transfer-Encoding does not end with chunked' },
  WL_UNSUPPORTED_TE: { abi: abi.E_UNSUPPORTED_TE, status: 501, message: 'Transfer coding not implemented' },
  WL_TE_IN_HTTP10: { abi: abi.E_TE_IN_HTTP10, status: 400, message: 'Transfer-Encoding in an HTTP/1.0 request' },
  WL_MISSING_HOST: { abi: abi.E_MISSING_HOST, status: 400, message: 'HTTP/1.1 request without Host' },
  WL_DUPLICATE_HOST: { abi: abi.E_DUPLICATE_HOST, status: 400, message: 'More than one Host field line' },
  WL_INVALID_HOST: { abi: abi.E_INVALID_HOST, status: 400, message: 'Host is not uri-host [ ":" port ]' },
  WL_SPACE_AFTER_START_LINE: { abi: abi.E_SPACE_AFTER_START_LINE, status: 400, message: 'Whitespace-led line after the request line' },
  WL_INVALID_TARGET_FORM: { abi: abi.E_INVALID_TARGET_FORM, status: 400, message: 'Request-target form not allowed for this method' },
  WL_CHUNKED_TWICE: { abi: abi.E_CHUNKED_TWICE, status: 400, message: 'chunked applied more than once' },
  WL_INVALID_TE: { abi: abi.E_INVALID_TE, status: 400, message: 'Transfer-Encoding is not a list of codings' },

  // --- chunked body (RFC 9112 §7.1) ---------------------------------------------------------------
  WL_INVALID_CHUNK_SIZE: { abi: abi.E_INVALID_CHUNK_SIZE, status: 400, message: 'chunk-size is not hexadecimal' },
  WL_CHUNK_SIZE_OVERFLOW: { abi: abi.E_CHUNK_SIZE_OVERFLOW, status: 400, message: 'chunk-size is larger than 2^53 - 1' },
  WL_INVALID_CHUNK_EXT: { abi: abi.E_INVALID_CHUNK_EXT, status: 400, message: 'Malformed chunk extension' },
  WL_CHUNK_EXT_TOO_LONG: { abi: abi.E_CHUNK_EXT_TOO_LONG, status: 400, message: 'Chunk extensions are longer than their limit' },
  WL_CHUNK_DATA_NO_CRLF: { abi: abi.E_CHUNK_DATA_NO_CRLF, status: 400, message: 'chunk-data is not followed by CRLF' },
  WL_CHUNK_SIZE_TOO_LONG: { abi: abi.E_CHUNK_SIZE_TOO_LONG, status: 400, message: 'chunk-size has more hex digits than maxChunkSizeDigits (leading zeros included)' },

  // --- server (RFC 9110 §15) ----------------------------------------------------------------------
  WL_NOT_FOUND: { status: 404, message: 'No route matches the path' },
  WL_METHOD_NOT_ALLOWED: { status: 405, message: 'The route does not accept this method' },
  WL_REQUEST_TIMEOUT: { status: 408, message: 'The request was not received in time' },
  WL_HANDLER_TIMEOUT: { status: 503, message: 'The handler did not start a response within handlerTimeoutMs' },
  WL_CONNECT_WITH_BODY: { status: 400, message: 'CONNECT request with content (RFC 9110 §9.3.6)' },
  WL_BODY_TOO_LARGE: { status: 413, message: 'Body is larger than maxBodySize' },
  WL_EXPECTATION_FAILED: { status: 417, message: 'Expectation not supported' },
  WL_INVALID_JSON: { status: 400, message: 'Body is not valid JSON' },
  WL_HANDLER_PANIC: { status: 500, message: 'The handler threw' },
  WL_NOT_IMPLEMENTED: { status: 501, message: 'Method not implemented' },
  WL_BODY_ABORTED: { status: 400, message: 'The connection closed before the body was complete' },
  WL_INVALID_RESPONSE_HEADER: { status: 500, message: 'Invalid response header name or value' },
  WL_RESPONSE_ALREADY_SENT: { status: 500, message: 'The response was already sent' },
  WL_H2_NO_UPGRADE: { status: 500, message: 'An HTTP/2 stream cannot be upgraded (RFC 9113 §8.6)' },
  WL_INVALID_CONFIG: { message: 'Invalid server or request configuration' },
  WL_INVALID_ROUTE: { message: 'Invalid route pattern' },
  WL_ROUTE_CONFLICT: { message: 'Route conflicts with an existing route' },
  WL_SERVER_CLOSED: { message: 'The server is closed' },

  // --- cookies (RFC 6265bis) and forms (WHATWG URL §5, RFC 7578) ---------------------------------
  WL_INVALID_COOKIE: { status: 500, message: 'Invalid cookie for Set-Cookie (name, value, attributes or prefix rules; RFC 6265bis §4.1)' },
  WL_FORM_UNSUPPORTED_TYPE: { status: 415, message: 'Body is not application/x-www-form-urlencoded or multipart/form-data' },
  WL_FORM_INVALID: { status: 400, message: 'Malformed form body (multipart framing, part headers or Content-Type)' },
  WL_FORM_TOO_MANY_PARTS: { status: 413, message: 'Form has more parts than maxParts' },
  WL_FORM_TOO_MANY_FIELDS: { status: 413, message: 'Form has more fields than maxFields' },
  WL_FORM_FIELD_TOO_LARGE: { status: 413, message: 'Form field value is larger than maxFieldSize' },
  WL_FORM_TOO_MANY_FILES: { status: 413, message: 'Form has more files than maxFiles' },
  WL_FORM_FILE_TOO_LARGE: { status: 413, message: 'Uploaded file is larger than maxFileSize' },
  WL_FORM_PART_HEADER_TOO_LARGE: { status: 413, message: 'Multipart part header section is larger than maxHeaderSize' },

  // --- WebSocket (RFC 6455) -----------------------------------------------------------------------
  WL_WS_BAD_HANDSHAKE: { status: 400, message: 'Invalid WebSocket opening handshake' },
  WL_WS_BAD_VERSION: { status: 426, message: 'Unsupported Sec-WebSocket-Version (13 required)' },
  WL_WS_UNMASKED: { abi: abi.E_WS_UNMASKED, closeCode: 1002, message: 'Client frame is not masked' },
  WL_WS_RSV: { abi: abi.E_WS_RSV, closeCode: 1002, message: 'RSV bit set without a negotiated extension' },
  WL_WS_OPCODE: { abi: abi.E_WS_OPCODE, closeCode: 1002, message: 'Reserved opcode' },
  WL_WS_CONTROL_TOO_LONG: { abi: abi.E_WS_CONTROL_TOO_LONG, closeCode: 1002, message: 'Control frame payload over 125 bytes' },
  WL_WS_CONTROL_FRAGMENTED: { abi: abi.E_WS_CONTROL_FRAGMENTED, closeCode: 1002, message: 'Fragmented control frame' },
  WL_WS_LENGTH: { abi: abi.E_WS_LENGTH, closeCode: 1002, message: 'Invalid payload length encoding' },
  WL_WS_TOO_BIG: { abi: abi.E_WS_TOO_BIG, closeCode: 1009, message: 'Message is larger than maxPayload' },
  WL_WS_INVALID_UTF8: { abi: abi.E_WS_INVALID_UTF8, closeCode: 1007, message: 'Text is not valid UTF-8' },
  WL_WS_CONTINUATION: { abi: abi.E_WS_CONTINUATION, closeCode: 1002, message: 'Unexpected continuation or data frame' },
  WL_WS_UNEXPECTED_MASK: { abi: abi.E_WS_UNEXPECTED_MASK, closeCode: 1002, message: 'Server frame is masked' },
  WL_WS_BAD_CLOSE_CODE: { closeCode: 1002, message: 'Invalid close code' },
  WL_WS_TOO_MANY_FRAGMENTS: { abi: abi.E_WS_TOO_MANY_FRAGMENTS, closeCode: 1009, message: 'Message has more fragments than maxFragments' },
  WL_WS_INFLATE_FAILED: { closeCode: 1007, message: 'Compressed payload could not be inflated (RFC 7692 §7.2.2)' },
  WL_WS_HEARTBEAT_TIMEOUT: { closeCode: 1006, message: 'Peer did not answer the heartbeat ping' },
  WL_WS_TOO_MANY_PENDING_PONGS: { closeCode: 1008, message: 'Peer sent more pings than maxPendingPongs without reading the pongs' },
  WL_WS_SLOW_CONSUMER: { closeCode: 1008, message: 'Subscriber fell behind by more than maxBufferedAmount (slowConsumerPolicy close)' },
  WL_WS_NOT_OPEN: { message: 'WebSocket is not open' },

  // --- server-sent events (WHATWG HTML §9.2) ------------------------------------------------------
  WL_SSE_INVALID_FIELD: { message: 'Invalid SSE field (event/id with CR, LF or NUL; retry not an integer; data not JSON-able)' },
  WL_SSE_NO_TOPICS: { message: 'This SSE stream has no server to subscribe through' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

/** An error with a code from the table; `status` / `closeCode` say how it is answered. */
export class WasmlaneError extends Error {
  readonly code: ErrorCode;
  readonly status: number | undefined;
  readonly closeCode: number | undefined;
  /** Byte offset in the input where a parse error was detected, when known. */
  readonly position: number | undefined;

  constructor(code: ErrorCode, detail?: string, position?: number) {
    const spec: ErrorSpec = ERRORS[code];
    super(detail === undefined ? spec.message : `${spec.message}: ${detail}`);
    this.name = 'WasmlaneError';
    this.code = code;
    this.status = spec.status;
    this.closeCode = spec.closeCode;
    this.position = position;
  }
}

const BY_ABI = new Map<number, ErrorCode>();
for (const code of Object.keys(ERRORS) as ErrorCode[]) {
  const spec: ErrorSpec = ERRORS[code];
  if (spec.abi !== undefined) BY_ABI.set(spec.abi, code);
}

/** The coded error for a negative parser return value. */
export function codeForAbi(rc: number): ErrorCode {
  const code = BY_ABI.get(rc);
  if (code === undefined) throw new RangeError(`wasmlane: unmapped parser return code ${rc}`);
  return code;
}

/** Build the coded error for a negative parser return value. */
export function errorFromAbi(rc: number, position?: number): WasmlaneError {
  return new WasmlaneError(codeForAbi(rc), undefined, position);
}
