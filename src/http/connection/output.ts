// Response bytes on their way to the socket. Inside a batch (one response, or the responses to the
// requests parsed from one socket chunk — pipelining) the text of every response is joined and
// written with one socket.write; when a bytes body comes along the socket is corked (lazily: corking
// a single write only costs) so head and body leave in one writev. ASCII text is written as latin1
// (a byte copy), cheaper than UTF-8 encoding. Any direct write flushes the joined text first.
import type { Socket } from 'node:net';
import type { ResponseOutput } from '../response.js';

/** Joined response text above this many characters is written without waiting for the batch end. */
const OUT_FLUSH = 256 * 1024;

export class SocketOutput implements ResponseOutput {
  readonly #socket: Socket;
  #out = '';
  #outAscii = true;
  #batch = 0;
  #corked = false;

  constructor(socket: Socket) {
    this.#socket = socket;
  }

  text(chunk: string, ascii: boolean): void {
    if (this.#batch > 0) {
      this.#out += chunk;
      this.#outAscii &&= ascii;
      if (this.#out.length > OUT_FLUSH) this.flush();
    } else {
      this.#socket.write(chunk, ascii ? 'latin1' : 'utf8');
    }
  }

  latin1(chunk: string): void {
    this.flush();
    this.#socket.write(chunk, 'latin1');
  }

  bytes(chunk: Uint8Array): void {
    if (this.#batch > 0 && !this.#corked) {
      this.#corked = true;
      this.#socket.cork();
    }
    this.flush();
    this.#socket.write(chunk);
  }

  /** Write the joined text now (before ending the socket or handing it over). */
  flush(): void {
    if (this.#out === '') return;
    const out = this.#out;
    const ascii = this.#outAscii;
    this.#out = '';
    this.#outAscii = true;
    this.#socket.write(out, ascii ? 'latin1' : 'utf8');
  }

  batchStart(): void {
    this.#batch++;
  }

  batchEnd(): void {
    if (--this.#batch === 0) {
      this.flush();
      if (this.#corked) {
        this.#corked = false;
        this.#socket.uncork();
      }
    }
  }
}
