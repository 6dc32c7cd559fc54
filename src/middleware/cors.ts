// cors(options): Cross-Origin Resource Sharing as a middleware pair (Fetch standard §3.2, "CORS
// protocol"). `server.use(cors())` registers:
// - request middleware: answers a preflight (OPTIONS with Origin and Access-Control-Request-Method)
//   with 204 and the Access-Control-Allow-* fields (Status.Reject: the router never sees it), and puts
//   Access-Control-Allow-Origin / -Credentials / -Expose-Headers and Vary on the fields of every other
//   request, so they reach the response the handler (or a Reject) sends;
// - response middleware: puts them back when the server answered in the handler's stead (an error
//   response starts from empty fields) — a no-op when the request middleware's fields are still there.
// As server-level request middleware it runs before routing (src/phases.ts), so a preflight to any
// path, registered or not, gets its answer; its response middleware runs on 404s and panics too.
import type { Context } from '../context.js';
import { WasmlaneError } from '../errors.js';
import { Status } from '../hooks.js';
import type { StepResult } from '../hooks.js';
import type { ResponseState } from '../http/response.js';
import type { MiddlewarePlugin } from '../route-registrar.js';
import { addVary, varyHas } from './vary.js';

/** true: allow (the request's origin is echoed); a string: the Access-Control-Allow-Origin value. */
export type OriginVerdict = boolean | string;
export type OriginFunction = (origin: string, ctx: Context<any>) => OriginVerdict | PromiseLike<OriginVerdict>;

export interface CorsOptions {
  /** Allowed origins: '*' (default), one origin, a RegExp, a list of both, or a function. */
  origin?: '*' | string | RegExp | (string | RegExp)[] | OriginFunction;
  /** Access-Control-Allow-Credentials: true (cookies, HTTP auth). The origin is then echoed, never '*'. */
  credentials?: boolean;
  /** Access-Control-Allow-Methods of a preflight. Default GET, HEAD, PUT, PATCH, POST, DELETE. */
  methods?: string[];
  /** Access-Control-Allow-Headers of a preflight. Default: the request's Access-Control-Request-Headers. */
  allowedHeaders?: string[];
  /** Access-Control-Expose-Headers: response fields a page may read beyond the safelisted ones. */
  exposedHeaders?: string[];
  /** Access-Control-Max-Age of a preflight, in seconds (browsers cap it: Chromium at 7200). */
  maxAge?: number;
  /** Pass a preflight on to the router (with the fields set) instead of answering it. Default false. */
  preflightContinue?: boolean;
  /** Status of the preflight answer. Default 204. */
  optionsSuccessStatus?: number;
  /** Answer Access-Control-Request-Private-Network: true with Access-Control-Allow-Private-Network: true. */
  privateNetwork?: boolean;
}

const DEFAULT_METHODS = ['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE'];
/** An origin as browsers serialize it: scheme "://" host [":" port], no path (RFC 6454 §6.2). */
const ORIGIN = /^[a-z][a-z0-9+.-]*:\/\/[^/?#\s]+$/i;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function invalid(detail: string): WasmlaneError {
  return new WasmlaneError('WL_INVALID_CONFIG', `cors(): ${detail}`);
}

function tokenList(name: string, list: string[] | undefined, fallback: string[] | undefined): string | undefined {
  const items = list ?? fallback;
  if (items === undefined) return undefined;
  if (!Array.isArray(items) || items.some((item) => typeof item !== 'string' || !TOKEN.test(item))) {
    throw invalid(`${name} must be a list of tokens`);
  }
  return items.join(', ');
}

type Matcher = (origin: string, ctx: Context<any>) => OriginVerdict | PromiseLike<OriginVerdict>;

function matcherFor(origin: CorsOptions['origin']): Matcher | '*' {
  if (origin === undefined || origin === '*') return '*';
  if (typeof origin === 'function') return origin;
  const list = Array.isArray(origin) ? origin : [origin];
  const exact = new Set<string>();
  const patterns: RegExp[] = [];
  for (const item of list) {
    if (item instanceof RegExp) patterns.push(item);
    else if (typeof item === 'string' && (item === 'null' || ORIGIN.test(item))) exact.add(item);
    else throw invalid(`origin ${JSON.stringify(item)} is not an origin such as "https://example.com" (no path, no trailing slash)`);
  }
  return (value) => {
    if (exact.has(value)) return true;
    for (const pattern of patterns) {
      pattern.lastIndex = 0; // a /g or /y pattern keeps state between test() calls
      if (pattern.test(value)) return true;
    }
    return false;
  };
}

class Cors {
  readonly #match: Matcher | '*';
  readonly #credentials: boolean;
  /** Static '*' without credentials: the answer is the same for every origin (no Vary: Origin). */
  readonly #star: boolean;
  readonly #methods: string;
  readonly #allowedHeaders: string | undefined;
  readonly #exposed: string | undefined;
  readonly #maxAge: string | undefined;
  readonly #continue: boolean;
  readonly #status: number;
  readonly #privateNetwork: boolean;

  constructor(options: CorsOptions) {
    this.#match = matcherFor(options.origin);
    this.#credentials = options.credentials === true;
    this.#star = this.#match === '*' && !this.#credentials;
    this.#methods = tokenList('methods', options.methods, DEFAULT_METHODS)!;
    this.#allowedHeaders = tokenList('allowedHeaders', options.allowedHeaders, undefined);
    const exposed = tokenList('exposedHeaders', options.exposedHeaders, undefined);
    this.#exposed = exposed === '' ? undefined : exposed;
    const maxAge = options.maxAge;
    if (maxAge !== undefined && (!Number.isInteger(maxAge) || maxAge < 0)) throw invalid('maxAge must be a non-negative integer (seconds)');
    this.#maxAge = maxAge === undefined ? undefined : String(maxAge);
    this.#continue = options.preflightContinue === true;
    const status = options.optionsSuccessStatus ?? 204;
    if (!Number.isInteger(status) || status < 200 || status > 299) throw invalid('optionsSuccessStatus must be a 2xx status');
    this.#status = status;
    this.#privateNetwork = options.privateNetwork === true;
  }

  /** The Access-Control-Allow-Origin value for this origin, null when it is not allowed. */
  #verdict(origin: string | undefined, ctx: Context<any>): string | null | PromiseLike<string | null> {
    if (this.#star) return '*';
    if (origin === undefined) return null; // not a CORS request: nothing to allow
    const match = this.#match;
    if (match === '*') return origin; // credentials: echo, never '*' (Fetch §3.2.5)
    const verdict = match(origin, ctx);
    if (typeof verdict === 'object' && verdict !== null && typeof verdict.then === 'function') {
      return verdict.then((v) => this.#value(v, origin));
    }
    return this.#value(verdict as OriginVerdict, origin);
  }

  #value(verdict: OriginVerdict, origin: string): string | null {
    if (verdict === true) return origin;
    if (typeof verdict === 'string' && verdict !== '') return verdict === '*' && this.#credentials ? origin : verdict;
    return null;
  }

  /** Fields every response to this origin carries. */
  #common(res: ResponseState, allowed: string | null): void {
    if (!this.#star) addVary(res, 'Origin'); // a cache must not serve one origin's answer to another
    if (allowed === null) return;
    res.set('access-control-allow-origin', allowed, false);
    if (this.#credentials) res.setTrusted('access-control-allow-credentials', 'true', false);
  }

  request(ctx: Context<any>): StepResult {
    const req = ctx.request;
    const origin = req.header('origin');
    const preflight = req.method === 'OPTIONS' && origin !== undefined && req.header('access-control-request-method') !== undefined;
    const allowed = this.#verdict(origin, ctx);
    if (typeof allowed === 'object' && allowed !== null) return allowed.then((a) => this.#apply(ctx, a, preflight));
    return this.#apply(ctx, allowed, preflight);
  }

  #apply(ctx: Context<any>, allowed: string | null, preflight: boolean): Status {
    const res = ctx.response;
    this.#common(res, allowed);
    if (!preflight) {
      if (allowed !== null && this.#exposed !== undefined) res.setTrusted('access-control-expose-headers', this.#exposed, false);
      return Status.Continue;
    }
    if (allowed !== null) {
      res.setTrusted('access-control-allow-methods', this.#methods, false);
      let headers = this.#allowedHeaders;
      if (headers === undefined) {
        // Reflect what the browser asks for: the answer then varies by it too.
        addVary(res, 'Access-Control-Request-Headers');
        headers = ctx.request.header('access-control-request-headers');
      }
      if (headers !== undefined && headers !== '') res.set('access-control-allow-headers', headers, false);
      if (this.#maxAge !== undefined) res.setTrusted('access-control-max-age', this.#maxAge, false);
      if (this.#privateNetwork && ctx.request.header('access-control-request-private-network') === 'true') {
        res.setTrusted('access-control-allow-private-network', 'true', false);
      }
    }
    if (this.#continue) return Status.Continue;
    // A denied origin gets the same empty 2xx without Allow-Origin: the browser fails the preflight
    // itself (Fetch §4.8 CORS-preflight fetch, CORS check) and the request never reaches a handler.
    ctx.status(this.#status).send();
    return Status.Reject;
  }

  /** Response middleware: the fields again when the response was rebuilt (error responses). */
  response(ctx: Context<any>): StepResult {
    if (ctx.headersSent) return;
    const res = ctx.response;
    if (this.#star ? res.get('access-control-allow-origin') !== undefined : varyHas(res, 'Origin')) return;
    const origin = ctx.request.header('origin');
    const allowed = this.#verdict(origin, ctx);
    if (typeof allowed === 'object' && allowed !== null) return allowed.then((a) => this.#apply(ctx, a, false));
    this.#apply(ctx, allowed, false);
  }
}

/** CORS as a middleware pair: `server.use(cors({ origin: 'https://app.example' }))`. */
export function cors(options: CorsOptions = {}): Required<MiddlewarePlugin> {
  const instance = new Cors(options);
  return {
    requestMiddleware: [(ctx) => instance.request(ctx)],
    responseMiddleware: [(ctx) => instance.response(ctx)],
  };
}
