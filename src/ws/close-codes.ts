// Close codes and the close-frame payload (RFC 6455 §5.5.1, §7.4): which codes a peer may send,
// which an application may send, and the bytes of a close frame. One module for the receiver, the
// WebSocket object and anyone else that checks a code.

/** A close reason is a control payload (≤ 125 bytes, §5.5) less the 2-byte code. */
export const MAX_CLOSE_REASON = 123;

/**
 * Close codes a peer may send (§7.4.1, §7.4.2 and the IANA registry of §11.7), as ws's
 * isValidStatusCode: 1000–1003 and 1007–1014 (1012–1014 were registered later: service restart,
 * try again later, bad gateway), and 3000–4999 (libraries, applications). 1004–1006 and 1015 are
 * reserved or "MUST NOT be set" in a frame; everything else is unassigned → 1002.
 */
export function isValidCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006)
    || (code >= 3000 && code <= 4999);
}

/** Close codes an application may send (§7.4.1–§7.4.2): 1000, and 3000–4999 (registered / private). */
export function isUserCloseCode(code: number): boolean {
  return code === 1000 || (Number.isInteger(code) && code >= 3000 && code <= 4999);
}

/** Throws when an application's close(code, reason) breaks §7.4 (code) or §5.5 (reason length). */
export function checkUserClose(code: number | undefined, reason: Buffer): void {
  if (code === undefined) {
    if (reason.length > 0) throw new TypeError('wasmlane: a close reason needs a close code');
  } else if (!isUserCloseCode(code)) {
    throw new RangeError(`wasmlane: close code ${code} is not 1000 or 3000–4999`);
  }
  if (reason.length > MAX_CLOSE_REASON) throw new RangeError('wasmlane: close reason is over 123 bytes');
}

const EMPTY = Buffer.alloc(0);

/** A close frame's payload (§5.5.1): empty without a code (the peer reports 1005), else code + reason. */
export function closePayload(code: number | undefined, reason: Buffer): Buffer {
  if (code === undefined) return EMPTY;
  const payload = Buffer.allocUnsafe(2 + reason.length);
  payload.writeUInt16BE(code, 0);
  reason.copy(payload, 2);
  return payload;
}
