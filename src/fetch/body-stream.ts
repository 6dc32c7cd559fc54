// The request body as a WHATWG ReadableStream over the connection's body reader (src/http/body.ts).
// Pull-based with a high-water mark of 0: the next span is read from the connection only when the
// consumer asks for one, so the connection's own backpressure (the socket is paused while more than
// 64 KiB wait unread) applies unchanged to a fetch handler that reads slowly or not at all.
import type { RequestBody } from '../http/body.js';

/** A byte stream that reads `body` on demand; cancel() stops reading (the rest is drained or the
 *  connection closed by the server once the response is finished). */
export function bodyStream(body: RequestBody): ReadableStream<Uint8Array> {
  let cancelled = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await body.next(); // rejects with WL_BODY_ABORTED / WL_BODY_TOO_LARGE …
      if (cancelled) return;
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    cancel() {
      cancelled = true;
    },
  }, { highWaterMark: 0 });
}

/** An ArrayBuffer holding exactly `bytes` (a Buffer may be a view on a larger pooled one). */
export function exactArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) {
    return bytes.buffer;
  }
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
}
