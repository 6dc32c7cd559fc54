// The body side of a connection: decoded bytes into the RequestBody (ChunkedSink) (the route's body
// limit, 413 before reading, is the Exchange's: exchange.ts), 100-continue when the handler starts reading
// (RFC 9110 §10.1.1), read backpressure while the handler does not consume, and failed bodies.
// The framing itself (Content-Length slices, the chunked decoder) runs with the input, in index.ts.
import * as abi from '../../abi.js';
import { WasmlaneError } from '../../errors.js';
import type { BodyOwner } from '../body.js';
import type { ChunkedSink } from '../chunked/decoder.js';
import { P_BODY } from './base.js';
import { ResponseWriter } from './writer.js';

const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';

export abstract class BodyReader extends ResponseWriter implements BodyOwner, ChunkedSink {
  /** ChunkedSink: decoded data spans go straight to the body. */
  data(buf: Uint8Array, start: number, end: number): void {
    this.body.push(buf, start, end);
  }

  protected bodyFailed(error: WasmlaneError): void {
    // Framing is lost (or the client is too slow/too big): answer if we still can, then close.
    this.keepAlive = false;
    const ctx = this.ctx;
    if (ctx !== null && !ctx.finished && ctx.stream_ === null) this.respondError(ctx, error);
    else if (ctx === null) this.close();
  }

  // --- BodyOwner -----------------------------------------------------------------------------------

  bodyReadStarted(): void {
    const ctx = this.ctx;
    if (ctx !== null && !this.continueSent && (ctx.request.flags & abi.F_EXPECT_CONTINUE) !== 0) {
      // RFC 9110 §10.1.1: the client waits for this interim response before sending the body.
      this.continueSent = true;
      this.output.latin1(CONTINUE);
    }
  }

  bodyPressure(paused: boolean): void {
    if (paused) this.pause(P_BODY);
    else this.resume(P_BODY);
  }
}
