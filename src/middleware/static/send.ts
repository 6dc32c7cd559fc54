// Writing file bytes for serveStatic(). Small bodies are read whole (one open/read/close, then
// ctx.send(): head and body leave in one writev and response middleware such as compression sees the
// bytes). Larger ones are streamed: a read stream over one FileHandle in chunks of `chunkSize` into a
// Content-Length framed ResponseStream (ctx.sendStream), pausing the file read whenever write()
// reports the socket over its high-water mark and resuming on drain — memory per response stays
// near one chunk plus the socket's high-water mark whatever the file size.
import { promises as fsp } from 'node:fs';
import type { ReadStream } from 'node:fs';
import type { Context } from '../../context.js';
import type { ResponseStream } from '../../http/stream-types.js';
import { statusHasNoBody } from '../../http/status-lines.js';
import { READ_FLAGS } from './resolve.js';

/** Read bytes [start, start + length) of a file whole. */
export async function readSlice(path: string, start: number, length: number): Promise<Buffer> {
  const handle = await fsp.open(path, READ_FLAGS);
  try {
    const buffer = Buffer.allocUnsafe(length);
    let at = 0;
    while (at < length) {
      const { bytesRead } = await handle.read(buffer, at, length - at, start + at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    // The file shrank since it was stat'ed: never send uninitialised memory.
    if (at < length) throw new Error(`wasmlane serveStatic: ${path} changed while being read`);
    return buffer;
  } finally {
    await handle.close();
  }
}

/**
 * The producer for ctx.sendStream(): streams bytes [start, start + length) of `path`. A read error
 * (or a file that shrank) ends the stream short, which closes the connection: the client sees an
 * incomplete message rather than a wrong one.
 */
export function fileProducer(ctx: Context<any>, path: string, start: number, length: number, chunkSize: number) {
  return (stream: ResponseStream): void => {
    // HEAD (RFC 9110 §9.3.2) or a status without content set by response middleware: head only.
    if (length === 0 || ctx.request.method === 'HEAD' || statusHasNoBody(ctx.response.status)) {
      stream.end();
      return;
    }
    let file: ReadStream | null = null;
    stream.onClose(() => file?.destroy()); // client gone (or ended): stop reading, release the fd
    stream.onDrain(() => file?.resume());
    fsp.open(path, READ_FLAGS).then((handle) => {
      if (stream.closed) return void handle.close().catch(() => undefined);
      file = handle.createReadStream({ start, end: start + length - 1, highWaterMark: chunkSize });
      file.on('data', (chunk) => {
        if (!stream.write(chunk as Buffer)) file!.pause();
      });
      file.on('end', () => stream.end());
      file.on('error', () => stream.end());
    }, () => stream.end());
  };
}
