// Running Web-standard fetch handlers — `(request: Request, env) => Response | Promise<Response>`,
// e.g. hono's `app.fetch` — on wasmlane's parser and connection layer (docs/fetch.md):
//   serve(handler, options)                 a new Server answering every path with the handler;
//   mountFetch(server, prefix, handler)     the handler under `prefix` of an existing Server, beside
//                                           its own routes and server.ws() routes (those win: static
//                                           and parameter segments match before a tail wildcard);
//   fetchHandler(handler)                   the wasmlane route handler itself, for server.route().
import type { ServerOptions } from '../config.js';
import type { Context } from '../context.js';
import type { RouteOptions } from '../route-registrar.js';
import { Server } from '../server.js';
import { installFetchGlobals, linkFetchClasses } from './globals.js';
import { LazyRequest } from './request.js';
import { writeFetchResponse } from './write.js';

/** The second argument a fetch handler gets (hono: `c.env`). */
export interface FetchEnv {
  /** The wasmlane context of the request (remote address, cookies, raw head …). */
  readonly ctx: Context<any>;
}

export type FetchHandler = (request: Request, env: FetchEnv) => Response | PromiseLike<Response>;

export interface FetchMountOptions extends RouteOptions {
  /** Install the lightweight Request/Response as the globals (installFetchGlobals()), so
   *  `new Response(string)` in the handler takes the fast path. Default true (as @hono/node-server). */
  overrideGlobals?: boolean;
}

export interface ServeOptions extends ServerOptions {
  /** See FetchMountOptions.overrideGlobals. Default true. */
  overrideGlobals?: boolean;
  /** Options of the catch-all route (maxBodySize, handlerTimeoutMs, middleware). */
  route?: RouteOptions;
}

export type ServedServer = Server & { readonly address: { host: string; port: number } };

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as PromiseLike<unknown>).then === 'function';
}

function checkResponse(value: unknown): Response {
  if (typeof value !== 'object' || value === null || typeof (value as Response).status !== 'number') {
    throw new TypeError('wasmlane: the fetch handler did not return a Response');
  }
  return value as Response;
}

/** A wasmlane route handler that runs `handler`. A synchronous handler whose Response has a string
 *  or bytes body is answered without a promise. */
export function fetchHandler(handler: FetchHandler): (ctx: Context<any>) => void | Promise<void> {
  if (typeof handler !== 'function') throw new TypeError('wasmlane: fetch handler is not a function');
  linkFetchClasses();
  return (ctx) => {
    const request = new LazyRequest(ctx);
    let result: Response | PromiseLike<Response>;
    try {
      result = handler(request as unknown as Request, { ctx });
    } catch (error) {
      request.release();
      throw error;
    }
    if (isThenable(result)) return finish(ctx, request, result);
    let written: void | Promise<void>;
    try {
      written = writeFetchResponse(ctx, checkResponse(result));
    } catch (error) {
      request.release();
      throw error;
    }
    if (written === undefined) {
      request.release();
      return;
    }
    return written.finally(() => request.release());
  };
}

async function finish(ctx: Context<any>, request: LazyRequest, result: PromiseLike<Response>): Promise<void> {
  try {
    const written = writeFetchResponse(ctx, checkResponse(await result));
    if (written !== undefined) await written; // a whole body was written: no further turn
  } finally {
    request.release();
  }
}

/** Answer every path under `prefix` ('/' = all) with `handler`, on any method. */
export function mountFetch(server: Server, prefix: string, handler: FetchHandler, options?: FetchMountOptions): Server {
  if (options?.overrideGlobals !== false) installFetchGlobals();
  const step = fetchHandler(handler);
  const base = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  let routeOptions: RouteOptions | undefined;
  if (options !== undefined) {
    const { overrideGlobals: _, ...rest } = options;
    routeOptions = rest;
  }
  server.route(base === '' ? '/' : base, step, routeOptions);
  if (base !== '') server.route(`${base}/`, step, routeOptions);
  server.route(`${base}/{*path}`, step, routeOptions); // the tail wildcard: at least one character
  return server;
}

/** A started Server that answers every request with `handler`; `address` is where it listens. */
export async function serve(handler: FetchHandler, options?: ServeOptions): Promise<ServedServer> {
  const { overrideGlobals, route, ...serverOptions } = options ?? {};
  const server = new Server(serverOptions);
  mountFetch(server, '/', handler, { ...route, overrideGlobals });
  const address = await server.listen();
  return Object.assign(server, { address });
}

export { installFetchGlobals, restoreFetchGlobals, FetchRequest } from './globals.js';
export { FetchResponse } from './response.js';
export { LazyRequest } from './request.js';
