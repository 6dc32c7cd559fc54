// Middleware and hook composition. A route's steps (request middleware → handler → response
// middleware) are resolved ONCE into a frozen array (fastify's buildHooks habit); per request the
// runner only iterates. A synchronous step costs no promise: we only wait when a step returns a
// thenable.

/** What a middleware may return (Hyperlane's names). */
export enum Status {
  /** Go on with the next step (also what returning nothing means). */
  Continue = 'continue',
  /** Stop the chain for this request; the response set so far (or a default 200) is sent. */
  Reject = 'reject',
}

export type StepResult = Status | void | undefined | PromiseLike<Status | void | undefined>;
/** A request/response middleware or a handler: fn(ctx). */
export type Step<C> = (ctx: C) => unknown;
export type Middleware<C> = (ctx: C) => StepResult;

/** Where the runner reports back (the Context implements it). */
export interface ChainHost {
  /** True when the request chain must stop now (answered in its stead, upgraded, closed). */
  readonly halted: boolean;
  /** `rejected`: a step returned Status.Reject (the rest of the chain was skipped). */
  chainDone(rejected: boolean): void;
  chainFailed(error: unknown): void;
}

/** Where the response-middleware runner reports back (the Context implements it). */
export interface ResponseChainHost {
  /** True once the response is on the wire (nothing left to adjust). */
  readonly finished: boolean;
  responseDone(): void;
  responseFailed(error: unknown): void;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as PromiseLike<unknown>).then === 'function';
}

/** Run steps[from..] over ctx; calls ctx.chainDone(rejected) or ctx.chainFailed(err) exactly once. */
export function runChain<C extends ChainHost>(ctx: C, steps: readonly Step<C>[], from: number): void {
  for (let i = from; i < steps.length; i++) {
    if (ctx.halted) return ctx.chainDone(false);
    let result: unknown;
    try {
      result = steps[i]!(ctx);
    } catch (error) {
      return ctx.chainFailed(error);
    }
    if (result === Status.Reject) return ctx.chainDone(true);
    if (isThenable(result)) {
      const next = i + 1;
      // The only place a closure is made per request, and only for asynchronous steps.
      result.then(
        (value) => (value === Status.Reject ? ctx.chainDone(true) : runChain(ctx, steps, next)),
        (error: unknown) => ctx.chainFailed(error),
      );
      return;
    }
  }
  ctx.chainDone(false);
}

/**
 * Run response middleware steps[from..]: like runChain, but it stops only once the response is
 * written (a request chain answered in its stead is halted; the response phase is not), and a
 * Status.Reject skips the remaining response middleware.
 */
export function runResponseChain<C extends ResponseChainHost>(ctx: C, steps: readonly Step<C>[], from: number): void {
  for (let i = from; i < steps.length; i++) {
    if (ctx.finished) return;
    let result: unknown;
    try {
      result = steps[i]!(ctx);
    } catch (error) {
      return ctx.responseFailed(error);
    }
    if (result === Status.Reject) break;
    if (isThenable(result)) {
      const next = i + 1;
      result.then(
        (value) => (value === Status.Reject ? ctx.responseDone() : runResponseChain(ctx, steps, next)),
        (error: unknown) => ctx.responseFailed(error),
      );
      return;
    }
  }
  ctx.responseDone();
}

/** Hooks of one level (server, group or route), in registration order. */
export interface HookLevel<C> {
  readonly request: Middleware<C>[];
  readonly response: Middleware<C>[];
}

/** A route's request steps: its own request middleware, then the handler (frozen). The server's and
 *  groups' request middleware run before routing and every response middleware runs in the
 *  response phase (src/phases.ts). */
export function buildSteps<C>(own: HookLevel<C>, handler: Step<C>): readonly Step<C>[] {
  return Object.freeze([...own.request, handler]);
}
