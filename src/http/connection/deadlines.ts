// The deadlines of one connection, checked by the server's sweeper (one interval for all
// connections: no timer per request or per connection).
//
// A connection has one *phase* deadline (idle, head, body or linger; its kind says what to do when it
// passes) and two overlays that run across phases:
//   - the request deadline (requestTimeoutMs): from the first byte of a request until its head and
//     body have all arrived. The phase deadlines measure one phase (headTimeoutMs) or silence
//     (readTimeoutMs), so a body trickled at one byte per second would never trip them; the
//     effective head/body deadline is the earlier of the phase deadline and the request deadline.
//   - the handler deadline (handlerTimeoutMs, per route): from dispatch until the response starts.
//
// Every deadline is stamped lazily: arming stores "ms from now" and the sweeper turns it into an
// absolute time at its next tick, so arming reads no clock on the request path; a deadline fires
// late by at most one sweeper period, never early.

/** Phase deadline kinds. */
export const T_NONE = 0;
export const T_IDLE = 1;
export const T_HEAD = 2;
export const T_BODY = 3;
export const T_LINGER = 4;
/** Returned by expire() when the handler deadline passed (never a phase kind). */
export const T_HANDLER = 5;

/** Overlay state: off. 0 means armed but not stamped yet; > 0 is an absolute time in ms. */
const OFF = -1;

export abstract class Deadlines {
  /** The phase deadline's kind (T_*), its duration, and its absolute time once stamped (0: not yet). */
  deadlineKind = T_NONE;
  deadlineMs = 0;
  deadline = 0;
  /** The request deadline (OFF, 0 = not stamped, or absolute ms). */
  requestDeadline = OFF;
  readonly #requestMs: number;
  /** The handler deadline (OFF, 0 = not stamped, or absolute ms) and its duration. */
  handlerDeadline = OFF;
  handlerMs = 0;

  constructor(requestTimeoutMs: number) {
    this.#requestMs = requestTimeoutMs;
  }

  /**
   * Set the phase deadline (ms <= 0: this phase has no limit of its own). Head and body phases start
   * the request deadline if it is not running yet; any other phase ends it (the request is in).
   */
  protected arm(kind: number, ms: number): void {
    if (kind === T_HEAD || kind === T_BODY) {
      if (this.requestDeadline === OFF && this.#requestMs > 0) this.requestDeadline = 0;
    } else {
      this.requestDeadline = OFF;
    }
    this.deadline = 0;
    if (kind === T_NONE || (ms <= 0 && this.requestDeadline === OFF)) {
      this.deadlineKind = T_NONE;
      return;
    }
    this.deadlineKind = kind;
    this.deadlineMs = ms > 0 ? ms : Infinity; // only the request deadline bounds this phase
  }

  /** Start the handler deadline (called only when handlerTimeoutMs > 0). */
  armHandler(ms: number): void {
    this.handlerDeadline = 0;
    this.handlerMs = ms;
  }

  /** The response started or the request is over: no handler deadline. */
  protected disarmHandler(): void {
    this.handlerDeadline = OFF;
  }

  /**
   * Sweeper tick: stamp what is new, and return the kind of the deadline that passed (the phase kind,
   * T_HANDLER, or T_NONE). A passed deadline is disarmed before it is returned.
   */
  protected expire(now: number): number {
    const handler = this.handlerDeadline;
    if (handler !== OFF) {
      if (handler === 0) {
        this.handlerDeadline = now + this.handlerMs;
      } else if (now >= handler) {
        this.handlerDeadline = OFF;
        return T_HANDLER;
      }
    }
    const kind = this.deadlineKind;
    if (kind === T_NONE) return T_NONE;
    if (this.deadline === 0) {
      // Stamp the phase deadline, bounded by the request deadline (stamped at the same tick when new).
      // A phase re-armed at every byte (readTimeoutMs) is stamped afresh at every tick, so the check
      // below must run right after stamping: the request deadline may already be behind us.
      let at = now + this.deadlineMs;
      if (this.requestDeadline === 0) this.requestDeadline = now + this.#requestMs;
      if (this.requestDeadline > 0 && this.requestDeadline < at) at = this.requestDeadline;
      this.deadline = at;
    }
    if (now < this.deadline) return T_NONE;
    this.arm(T_NONE, 0);
    return kind;
  }
}
