// Liveness check for one connection (RFC 6455 §5.5.2 "a Ping frame may serve … as a keepalive"):
// ping every interval; a peer that has not answered the previous ping by the next tick is gone
// (half-open TCP never errors on its own), and onDead terminates it. Only pongs count as answers.
export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;
  private answered = true;

  constructor(intervalMs: number, ping: () => void, onDead: () => void) {
    this.timer = setInterval(() => {
      if (!this.answered) {
        this.stop();
        return onDead();
      }
      this.answered = false;
      ping();
    }, intervalMs).unref();
  }

  /** A pong arrived. */
  pong(): void {
    this.answered = true;
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
