// The WASM ⇄ host contract: memory regions, result-table slots, flags and error codes.
//
// Every constant here is exported as an immutable WebAssembly global (see index.ts) and mirrored in
// src/abi.ts; test/abi.test.ts checks the two agree, so the host never guesses a slot.
// Only numbers cross the boundary. Offsets written into a table are relative to the `ptr` the host
// passed, so they stay valid over the host's original chunk (nothing needs to be read back from WASM).

// ---------------------------------------------------------------------------------------------------
// Memory regions (static, reserved with memory.data; runtime "stub", initial memory = maximum, so the
// host's typed-array views over memory.buffer never detach).

/** Request-head input. The host copies at most this many bytes of a head; the configurable head
 *  limit (RequestConfig.bufferSize) must not exceed it. */
export const INPUT_SIZE: i32 = 65536;
/** Chunked-body input: the host copies body bytes here for decodeChunked. */
export const CHUNK_INPUT_SIZE: i32 = 65536;
/** WebSocket frame window: frame bytes copied here are decoded, unmasked and validated in place. */
export const WS_WINDOW_SIZE: i32 = 262144;

/** Head result table: R_FIXED fixed slots, then R_HEADER_STRIDE slots per header. */
export const MAX_HEADERS: i32 = 256;
export const R_HEADER_STRIDE: i32 = 4;
export const R_FIXED: i32 = 32;
export const RESULT_SLOTS: i32 = R_FIXED + MAX_HEADERS * R_HEADER_STRIDE;

/** Chunked-decoder table (state in, state + spans out). */
export const CHUNK_SLOTS: i32 = 1024;
/** WebSocket table (decoder state and results). */
export const WS_SLOTS: i32 = 64;

// ---------------------------------------------------------------------------------------------------
// Head result table: fixed slots (i32 index into the table).

export const R_STATUS: i32 = 0; //         last return value of parseHead
export const R_ERROR_POS: i32 = 1; //      offset of the byte that made the head invalid (when R_STATUS < 0)
export const R_METHOD: i32 = 2; //         METHOD_* id; METHOD_OTHER for any other token
export const R_METHOD_OFF: i32 = 3; //     offset of the method (leading empty lines are skipped, RFC 9112 §2.2)
export const R_METHOD_LEN: i32 = 4;
export const R_TARGET_OFF: i32 = 5;
export const R_TARGET_LEN: i32 = 6;
export const R_TARGET_FORM: i32 = 7; //    FORM_* (RFC 9112 §3.2)
export const R_VERSION: i32 = 8; //        major * 10 + minor: 10, 11 (1.x with x > 1 is reported as written, e.g. 12)
export const R_FLAGS: i32 = 9; //          F_* bits
export const R_CL_LO: i32 = 10; //         Content-Length, low 32 bits (unsigned)
export const R_CL_HI: i32 = 11; //         Content-Length, high bits (value ≤ 2^53 - 1)
export const R_HEADER_COUNT: i32 = 12;
export const R_HEAD_LEN: i32 = 13; //      bytes consumed, CRLFCRLF included (== R_STATUS when > 0)
export const R_HOST_INDEX: i32 = 14; //    index of the Host header, -1 when absent
// Limits, written by the host before a parse (setLimits copies them here too).
export const R_LIMIT_TARGET: i32 = 15; //  max request-target bytes            → E_TARGET_TOO_LONG (414)
export const R_LIMIT_HEADERS: i32 = 16; // max header field lines             → E_TOO_MANY_HEADERS (431)
export const R_LIMIT_NAME: i32 = 17; //    max field-name bytes                → E_HEADER_NAME_TOO_LONG (431)
export const R_LIMIT_VALUE: i32 = 18; //   max field-value bytes               → E_HEADER_VALUE_TOO_LONG (431)
export const R_LIMIT_HEAD: i32 = 19; //    max head bytes (≤ INPUT_SIZE)       → E_HEAD_TOO_LARGE (431)
// Resume state: a call that returns 0 (incomplete) leaves here exactly where it stopped, so the next
// call (lastLen > 0) continues at R_RESUME_POS and never rescans a byte (picohttpparser's last_len,
// taken to byte granularity). The host snapshots slots [0, R_FIXED + 4 * count) when another
// connection needs the table in between, and restores them before continuing.
export const R_RESUME_STATE: i32 = 20;
export const R_RESUME_POS: i32 = 21;
export const R_RESUME_MARK: i32 = 22; //   start of the token being scanned
export const R_RESUME_MARK2: i32 = 23; //  auxiliary position (end of value before trailing OWS)
export const R_RESUME_AUX: i32 = 24; //    auxiliary state (header-specific value parsing)
export const R_TE_STATE: i32 = 25; //      Transfer-Encoding coding-list state (internal)
export const R_CONN_STATE: i32 = 26; //    Connection token-list state (internal)
// Parser configuration, written by the host with the limits and kept across parses like them.
export const R_STRICT_TARGET: i32 = 27; // 1: request-target bytes are RFC 3986 only (C_URI); 0: also
//                                          "|^{}\`", which browsers send unencoded (RequestConfig.strictTarget)
// 28..31 reserved.

// Header i occupies slots R_FIXED + 4i .. R_FIXED + 4i + 3:
export const H_NAME_OFF: i32 = 0;
export const H_NAME_LEN: i32 = 1;
export const H_VALUE_OFF: i32 = 2; //      value with leading and trailing OWS removed (RFC 9110 §5.5)
export const H_VALUE_LEN: i32 = 3;

// Flags (R_FLAGS). Computed while scanning so the host compares no strings on the hot path.
export const F_KEEP_ALIVE: i32 = 1 << 0; //       persistence per RFC 9112 §9.3 (1.1 default; 1.0 needs keep-alive; close wins)
export const F_CONN_CLOSE: i32 = 1 << 1; //       Connection has the token "close"
export const F_CONN_KEEP_ALIVE: i32 = 1 << 2; //  Connection has the token "keep-alive"
export const F_CONN_UPGRADE: i32 = 1 << 3; //     Connection has the token "upgrade"
export const F_UPGRADE: i32 = 1 << 4; //          an Upgrade header field is present
export const F_CHUNKED: i32 = 1 << 5; //          Transfer-Encoding present and its final coding is chunked
export const F_CONTENT_LENGTH: i32 = 1 << 6; //   a valid Content-Length was present (value in R_CL_*)
export const F_EXPECT_CONTINUE: i32 = 1 << 7; //  Expect: 100-continue (case-insensitive, RFC 9110 §10.1.1)
export const F_HOST: i32 = 1 << 8; //             exactly one Host field line
export const F_TRANSFER_ENCODING: i32 = 1 << 9; // a Transfer-Encoding field line was present
export const F_EXPECT_OTHER: i32 = 1 << 10; //    Expect with any other expectation (host answers 417)

// Method ids (R_METHOD). Methods are case-sensitive tokens (RFC 9110 §9.1).
export const METHOD_OTHER: i32 = 0;
export const METHOD_GET: i32 = 1;
export const METHOD_HEAD: i32 = 2;
export const METHOD_POST: i32 = 3;
export const METHOD_PUT: i32 = 4;
export const METHOD_DELETE: i32 = 5;
export const METHOD_CONNECT: i32 = 6;
export const METHOD_OPTIONS: i32 = 7;
export const METHOD_TRACE: i32 = 8;
export const METHOD_PATCH: i32 = 9;

// Request-target forms (R_TARGET_FORM), RFC 9112 §3.2.
export const FORM_ORIGIN: i32 = 1;
export const FORM_ABSOLUTE: i32 = 2;
export const FORM_AUTHORITY: i32 = 3;
export const FORM_ASTERISK: i32 = 4;

// ---------------------------------------------------------------------------------------------------
// Chunked-decoder table (see assembly/http/chunked.ts for the state machine).
export const C_STATE: i32 = 0; //          decoder state; 0 = expecting a chunk-size line (fresh body)
export const C_REMAIN_LO: i32 = 1; //      bytes left in the current chunk's data, low 32 bits
export const C_REMAIN_HI: i32 = 2; //      high bits (size ≤ 2^53 - 1)
export const C_AUX: i32 = 3; //            per-state counter: digits of the chunk-size so far, then extension bytes
export const C_TRAILER_COUNT: i32 = 4; //  trailer fields reported so far in this body
export const C_SPAN_COUNT: i32 = 5; //     out: data spans written by this call
export const C_TRAILER_SPANS: i32 = 6; //  out: trailer fields written by this call
export const C_ERROR_POS: i32 = 7; //      out: offset of the offending byte when the call fails
export const C_LIMIT_EXT: i32 = 8; //      in: max chunk-extension bytes per chunk  → E_CHUNK_EXT_TOO_LONG
export const C_LIMIT_TRAILERS: i32 = 9; // in: max trailer field lines             → E_TOO_MANY_HEADERS
export const C_LIMIT_LINE: i32 = 10; //    in: max trailer line bytes              → E_HEADER_VALUE_TOO_LONG
export const C_AUX2: i32 = 11;
export const C_AUX3: i32 = 12;
export const C_LIMIT_SIZE_DIGITS: i32 = 13; // in: max hex digits of one chunk-size, leading zeros included → E_CHUNK_SIZE_TOO_LONG
export const C_FIXED: i32 = 16;
/** Data spans: pairs (offset, length) from C_FIXED; trailers: quads (name off, name len, value off,
 *  value len) filling the table from the end backwards. A call stops early (returns the bytes it
 *  consumed) when the table is full; the host calls again with the rest. */
export const C_SPAN_STRIDE: i32 = 2;
export const C_TRAILER_STRIDE: i32 = 4;

// Chunked decoder states the host can test (others are internal).
export const CS_SIZE: i32 = 0; //          start of a chunk-size line
export const CS_DONE: i32 = 100; //        last chunk and trailer section consumed: the message is complete
export const CS_DATA: i32 = 20; //         inside chunk-data (C_REMAIN_* bytes left; 0 = CRLF next): the host
//                                          hands data straight to the sink without calling into WASM
export const CS_TRAILER: i32 = 30; //      at the start of a trailer line (a partial line is left unconsumed)

// ---------------------------------------------------------------------------------------------------
// WebSocket table (WS_SLOTS i32 slots at WS_TABLE_PTR). See assembly/ws/frame.ts.
// `wsDecode(ptr, len)` walks frames (RFC 6455 §5.2) over bytes resident in the window: it checks each
// header, unmasks payload bytes in place, validates text (and text continuations) as UTF-8 (unless
// W_CFG_NO_UTF8) with the state carried, and writes one record per payload piece. It never waits for
// a whole payload: a frame larger than the window is reported in pieces (the mask rotation and UTF-8
// state are carried in the table); with W_BULK_MIN set it stops before a large payload the call does
// not hold whole, and the host then feeds that payload alone, block by block. It returns the bytes
// consumed (≥ 0; a header cut short is left unconsumed, < 14 bytes) or a negative E_WS_* code;
// records written before an error are valid.
// Slots 0..W_FIXED-1 are the decoder's whole state: the table is shared by every connection, so the
// host saves them after a call and restores them before the next (zeroed for a new connection).
export const W_CONFIG: i32 = 0; //          in: W_CFG_* bits
export const W_MAX_LO: i32 = 1; //          in: maxPayload, low 32 bits (0 and 0 = no limit)
export const W_MAX_HI: i32 = 2; //          in: maxPayload, high bits
export const W_MAX_FRAGMENTS: i32 = 3; //   in: max frames per message (0 = no limit)  → E_WS_TOO_MANY_FRAGMENTS
export const W_STATE: i32 = 4; //           WS_HEADER or WS_PAYLOAD
export const W_FRAME: i32 = 5; //           current frame: opcode | W_F_FIN | W_F_RSV1 | W_F_MASKED
export const W_REMAIN_LO: i32 = 6; //       payload bytes of the current frame still to come
export const W_REMAIN_HI: i32 = 7;
export const W_KEY: i32 = 8; //             masking key, big-endian (wire order)
export const W_KEY_OFF: i32 = 9; //         key byte the next payload byte uses (0..3)
export const W_MSG: i32 = 10; //            message in progress: 0, or its first opcode (1 text, 2 binary) | W_MSG_COMPRESSED
export const W_UTF8: i32 = 11; //           UTF-8 validator state across the text message (see ws/utf8.ts)
export const W_MSG_LEN_LO: i32 = 12; //     payload bytes of the message so far (checked against maxPayload)
export const W_MSG_LEN_HI: i32 = 13;
export const W_FRAGMENTS: i32 = 14; //      frames of the message so far
export const W_COUNT: i32 = 15; //          out: records written by this call
export const W_ERROR_POS: i32 = 16; //      out: offset of the frame (or byte) that failed
export const W_BULK_MIN: i32 = 17; //       in: a data frame with at least this many payload bytes (u32, 0 = never)
//                                          whose payload does not end within the call stops the call right
//                                          after its header, with no record: the host gathers the payload and
//                                          decodes it straight into the message's buffer (src/ws/bulk.ts)
export const W_FIXED: i32 = 20; //          records start here
export const W_REC_STRIDE: i32 = 3; //      record: info, payload offset (relative to ptr), payload length
export const W_REC_INFO: i32 = 0;
export const W_REC_OFF: i32 = 1;
export const W_REC_LEN: i32 = 2;
export const W_MAX_RECORDS: i32 = 14; //    (WS_SLOTS - W_FIXED) / W_REC_STRIDE; the call stops when full
export const W_CFG_SERVER: i32 = 1 << 0; // we are the server: frames must be masked (§5.1); else must not be
export const W_CFG_DEFLATE: i32 = 1 << 1; // permessage-deflate negotiated: RSV1 allowed on a first frame (RFC 7692 §6)
export const W_CFG_NO_UTF8: i32 = 1 << 2; // text is not validated here (W_UTF8 stays 0): the host validates it
export const W_F_FIN: i32 = 1 << 4; //      frame / record: FIN bit
export const W_F_RSV1: i32 = 1 << 5; //     frame: RSV1 bit
export const W_F_MASKED: i32 = 1 << 6; //   frame: MASK bit
export const W_R_END: i32 = 1 << 7; //      record: last piece of its frame (the frame's payload is complete)
export const W_R_COMPRESSED: i32 = 1 << 8; // record: the message this data frame belongs to is compressed
export const W_MSG_COMPRESSED: i32 = 1 << 4;
export const WS_HEADER: i32 = 0;
export const WS_PAYLOAD: i32 = 1;

// ---------------------------------------------------------------------------------------------------
// Return codes shared by every entry point: > 0 bytes consumed, 0 incomplete, < 0 one of these.
// src/errors.ts maps each to its coded error, HTTP status and message (one table, tested).

export const E_INVALID_METHOD: i32 = -1; //            method is not a token                    400
export const E_METHOD_TOO_LONG: i32 = -2; //           longer than any method we implement      501 (RFC 9112 §3)
export const E_INVALID_TARGET: i32 = -3; //            byte outside the request-target grammar  400
export const E_TARGET_TOO_LONG: i32 = -4; //           request-target over the limit            414
export const E_INVALID_VERSION: i32 = -5; //           not HTTP/DIGIT.DIGIT                     400
export const E_VERSION_NOT_SUPPORTED: i32 = -6; //     major version other than 1               505
export const E_BARE_CR: i32 = -7; //                   CR not followed by LF                    400 (RFC 9112 §2.2)
export const E_BARE_LF: i32 = -8; //                   LF without CR                            400 (strict CRLF)
export const E_INVALID_HEADER_NAME: i32 = -9; //       field name not a token / missing colon   400
export const E_SPACE_BEFORE_COLON: i32 = -10; //       whitespace between name and colon        400 (RFC 9112 §5.1)
export const E_OBS_FOLD: i32 = -11; //                 line folding                             400 (RFC 9112 §5.2)
export const E_INVALID_HEADER_VALUE: i32 = -12; //     NUL, CTL or DEL in a field value         400 (RFC 9110 §5.5)
export const E_HEADER_NAME_TOO_LONG: i32 = -13; //                                              431
export const E_HEADER_VALUE_TOO_LONG: i32 = -14; //                                             431
export const E_TOO_MANY_HEADERS: i32 = -15; //                                                  431
export const E_HEAD_TOO_LARGE: i32 = -16; //           head not complete within the head limit  431
export const E_INVALID_CONTENT_LENGTH: i32 = -17; //   not 1*DIGIT (signs, spaces, empty)       400 (RFC 9110 §8.6)
export const E_CONFLICTING_CONTENT_LENGTH: i32 = -18; // duplicate values that differ           400 (RFC 9112 §6.3)
export const E_CONTENT_LENGTH_OVERFLOW: i32 = -19; //  more than 2^53 - 1                       400
export const E_CONTENT_LENGTH_WITH_TE: i32 = -20; //   both framings present                    400 (RFC 9112 §6.3, smuggling)
export const E_CHUNKED_NOT_FINAL: i32 = -21; //        TE present, chunked not the final coding 400 (RFC 9112 §6.3)
export const E_UNSUPPORTED_TE: i32 = -22; //           a transfer coding other than chunked     501 (RFC 9112 §6.1)
export const E_TE_IN_HTTP10: i32 = -23; //             Transfer-Encoding in an HTTP/1.0 request 400 (RFC 9112 §6.1)
export const E_MISSING_HOST: i32 = -24; //             HTTP/1.1 request without Host            400 (RFC 9112 §3.2)
export const E_DUPLICATE_HOST: i32 = -25; //           more than one Host field line            400 (RFC 9112 §3.2)
export const E_INVALID_HOST: i32 = -26; //             Host value not uri-host [ ":" port ]     400 (RFC 9112 §3.2)
export const E_SPACE_AFTER_START_LINE: i32 = -27; //   whitespace-led line after request line   400 (RFC 9112 §2.2)
export const E_INVALID_TARGET_FORM: i32 = -28; //      form not allowed for the method          400 (RFC 9112 §3.2)
export const E_CHUNKED_TWICE: i32 = -29; //            chunked applied more than once           400 (RFC 9112 §7)
export const E_INVALID_TE: i32 = -30; //               Transfer-Encoding value not a coding list 400

export const E_INVALID_CHUNK_SIZE: i32 = -40; //       chunk-size not 1*HEXDIG                  400 (RFC 9112 §7.1)
export const E_CHUNK_SIZE_OVERFLOW: i32 = -41; //      chunk-size over 2^53 - 1                 400
export const E_INVALID_CHUNK_EXT: i32 = -42; //        chunk-ext grammar                        400 (RFC 9112 §7.1.1)
export const E_CHUNK_EXT_TOO_LONG: i32 = -43; //       chunk-ext over its byte limit            400
export const E_CHUNK_DATA_NO_CRLF: i32 = -44; //       chunk-data not followed by CRLF          400 (RFC 9112 §7.1)
export const E_CHUNK_SIZE_TOO_LONG: i32 = -45; //      chunk-size line over its digit limit     400 (bounds an endless `000…` line)

// WebSocket frame decoding (RFC 6455 §5); the host maps these to close codes.
export const E_WS_UNMASKED: i32 = -60; //              client frame without mask                1002 (§5.1)
export const E_WS_RSV: i32 = -61; //                   RSV bit without a negotiated extension   1002 (§5.2)
export const E_WS_OPCODE: i32 = -62; //                reserved opcode                          1002 (§5.2)
export const E_WS_CONTROL_TOO_LONG: i32 = -63; //      control payload over 125 bytes           1002 (§5.5)
export const E_WS_CONTROL_FRAGMENTED: i32 = -64; //    control frame with FIN clear             1002 (§5.5)
export const E_WS_LENGTH: i32 = -65; //                non-minimal length or MSB set             1002 (§5.2)
export const E_WS_TOO_BIG: i32 = -66; //               payload over maxPayload                  1009 (§7.4.1)
export const E_WS_INVALID_UTF8: i32 = -67; //          text or close reason not UTF-8           1007 (§8.1)
export const E_WS_CONTINUATION: i32 = -68; //          continuation without start / new start mid-message 1002 (§5.4)
export const E_WS_UNEXPECTED_MASK: i32 = -69; //       server frame with mask (client side)      1002 (§5.1)
export const E_WS_TOO_MANY_FRAGMENTS: i32 = -70; //    more frames in one message than allowed  1009 (§7.4.1)
