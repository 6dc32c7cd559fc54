// One write per subscriber socket per burst of publishes. A publisher that sends several messages in
// one read chunk, or a loop of server.publish() calls, fans out several frames to every subscriber
// within one tick of the event loop, and each frame would cost each subscriber a write syscall.
// A subscriber socket is corked at its first delivery in a tick and uncorked once, when the tick's
// synchronous code is done (process.nextTick: before any I/O callback), so its frames leave in one
// writev — uWebSockets corks every socket for one loop iteration for the same reason, and Node's
// documentation pairs cork() with an uncork() deferred by process.nextTick. One nextTick per burst,
// not per subscriber: the corked sockets wait in one array.
import type { Socket } from 'node:net';

const held: TickCork[] = [];
let scheduled = false;

function releaseAll(): void {
  // A release may lead to more deliveries (a synchronous write error handler publishing): the loop
  // reads the live length, so those are released in this pass too.
  for (let i = 0; i < held.length; i++) held[i]!.release();
  held.length = 0;
  scheduled = false;
}

/** Cork a socket until the end of the current tick, at most once per tick. */
export class TickCork {
  private corked = false;

  constructor(private readonly socket: Socket) {}

  /** Cork now (unless already held this tick); uncorked when the tick's synchronous code is done. */
  hold(): void {
    if (this.corked) return;
    this.corked = true;
    this.socket.cork();
    held.push(this);
    if (!scheduled) {
      scheduled = true;
      process.nextTick(releaseAll);
    }
  }

  /** Called by releaseAll() only. */
  release(): void {
    this.corked = false;
    this.socket.uncork();
  }
}
