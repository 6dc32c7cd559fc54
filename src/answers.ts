// Error answers: what the server says when it answers in the handler's stead. onRequestError hooks
// may customise an error response (404, 405, 413, parse errors, timeouts …); onPanic hooks hear about
// a middleware or handler that threw or rejected. Registered on the App, used by the connection.
import type { Context } from './context.js';
import type { WasmlaneError } from './errors.js';
import type { Logger } from './logger.js';

export type RequestErrorHook = (error: WasmlaneError, ctx: Context<any>) => void;
export type PanicHook = (ctx: Context<any>, error: unknown) => void;

export class ErrorAnswers {
  readonly errorHooks: RequestErrorHook[] = [];
  readonly panicHooks: PanicHook[] = [];
  /** The server's logger option: panics go to logger.error (else console.error without onPanic hooks). */
  logger: Logger | null = null;

  /** Fill ctx's response for an error (onRequestError hooks, else a default text body). */
  fillError(ctx: Context<any>, error: WasmlaneError, allow?: string): void {
    ctx.resetForError();
    ctx.response.status = error.status ?? 500;
    if (allow !== undefined) ctx.response.setTrusted('allow', allow, false);
    for (const hook of this.errorHooks) {
      try {
        hook(error, ctx);
      } catch {
        // a failing error hook leaves the default answer in place
      }
    }
    if (!ctx.sent) ctx.send(`${error.message}\n`);
  }

  /** Fill ctx's response after a step threw (onPanic hooks, else 500). */
  fillPanic(ctx: Context<any>, error: unknown): void {
    ctx.resetForError();
    ctx.response.status = 500;
    this.reportPanic(ctx, error);
    if (!ctx.sent) ctx.send('Internal Server Error\n');
  }

  /** Tell the onPanic hooks (or the log) about a failure that can no longer change the response. */
  reportPanic(ctx: Context<any>, error: unknown): void {
    if (this.logger !== null) {
      const err = error instanceof Error ? { type: error.name, message: error.message, stack: error.stack } : String(error);
      this.logger.error({ err, method: ctx.request.method, path: ctx.request.path }, 'wasmlane: handler failed');
    } else if (this.panicHooks.length === 0) {
      console.error('wasmlane: handler failed:', error);
    }
    for (const hook of this.panicHooks) {
      try {
        hook(ctx, error);
      } catch {
        // ignore: a failing hook must not hide the original failure (and the default 500 still goes out)
      }
    }
  }
}
