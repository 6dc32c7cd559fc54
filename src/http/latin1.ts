// Bytes to strings for HTTP fields: latin1 (RFC 9110 §5.5: field values are octets; non-ASCII is obs-text).
import { Buffer } from 'node:buffer';

/** Node's undocumented (but long-stable) native slice; @types/node does not declare it. */
interface Latin1Slicer {
  latin1Slice(this: Uint8Array, start: number, end: number): string;
}

// Buffer's native latin1 slice is the fastest decoder there is. It accepts any Uint8Array as its receiver
// (it checks for an ArrayBufferView), so plain Uint8Arrays need no Buffer view made for them; and it is
// taken from the imported Buffer once, because the global `Buffer` is an accessor in Node 20 (~8 ns a read).
const latin1Slice = (Buffer.prototype as unknown as Latin1Slicer).latin1Slice;

/** buf[s, e) as a latin1 string. */
export function latin1(buf: Uint8Array, s: number, e: number): string {
  return latin1Slice.call(buf, s, e);
}
