// Raw WebSocket plumbing shared by the cheap load generators (raw-client.js, fanout-client.js):
// pre-masked client frames encoded once (RFC 6455 §5.2, §5.3), and a handshake over node:net that
// hands back the socket once the 101 response is in.
import { connect } from 'node:net';
import { randomBytes } from 'node:crypto';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

/** Header bytes of a frame with `size` payload bytes (2 + extended length + 4 mask bytes when masked). */
export function headerLength(size, masked) {
  return 2 + (size < 126 ? 0 : size < 65536 ? 2 : 8) + (masked ? 4 : 0);
}

/** A masked binary frame (FIN) of `size` payload bytes, payload byte i = (i * 7 + 3) & 0xff. */
export function maskedFrame(size) {
  const ext = headerLength(size, false) - 2;
  const head = Buffer.alloc(2 + ext + 4);
  head[0] = 0x82; // FIN + binary
  head[1] = 0x80 | (ext === 0 ? size : ext === 2 ? 126 : 127);
  if (ext === 2) head.writeUInt16BE(size, 2);
  if (ext === 8) head.writeBigUInt64BE(BigInt(size), 2);
  const key = randomBytes(4);
  key.copy(head, 2 + ext);
  const body = Buffer.alloc(size);
  for (let i = 0; i < size; i++) body[i] = ((i * 7 + 3) & 0xff) ^ key[i & 3];
  return Buffer.concat([head, body]);
}

/**
 * Open a WebSocket on `path` with a raw socket. Resolves with {socket, rest}: `rest` holds bytes
 * that came after the 101 response's head (frames the server sent at once). The 'data' listener
 * used for the handshake is removed; the caller adds its own.
 */
export function openRaw(port, path = '/') {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    let head = Buffer.alloc(0);
    const onHead = (d) => {
      head = Buffer.concat([head, d]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onHead);
      socket.off('error', reject);
      const status = head.toString('latin1', 0, head.indexOf('\r\n'));
      if (!status.startsWith('HTTP/1.1 101')) {
        socket.destroy();
        reject(new Error(`${path}: ${status}`));
        return;
      }
      resolve({ socket, rest: head.subarray(end + 4) });
    };
    socket.on('data', onHead);
    socket.once('error', reject);
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
  });
}
