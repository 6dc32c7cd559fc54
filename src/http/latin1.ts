// Bytes to strings for HTTP fields: latin1 (RFC 9110 §5.5: field values are octets; non-ASCII is obs-text).

/** buf[s, e) as a latin1 string. Buffer's native slice is fastest. */
export function latin1(buf: Uint8Array, s: number, e: number): string {
  const b = buf instanceof Buffer ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  return (b as unknown as Latin1Slicer).latin1Slice(s, e);
}

/** Node's undocumented (but long-stable) native slice; @types/node does not declare it. */
interface Latin1Slicer {
  latin1Slice(start: number, end: number): string;
}
