// installFetchGlobals(): make the lightweight classes the process's global Request and Response, so
// code that constructs them by their global names (hono's c.text(), c.json(), c.body()) takes the
// adapter's fast path. Idempotent; restoreFetchGlobals() puts the platform classes back.
//
// The global Request becomes a real subclass of the native one whose constructor unwraps a
// LazyRequest given as input or init (undici reads internal slots a LazyRequest does not have):
// `new Request(request, { headers })` and `new Request(url, request)` keep working on the request a
// fetch handler received. Its Symbol.hasInstance accepts every native Request.
import { LazyRequest, NativeRequest, NativeResponse } from './request.js';
import { FetchResponse } from './response.js';

function unwrap<T>(value: T): T {
  return value instanceof LazyRequest ? value.materialize() as T : value;
}

/** The global Request while installed: the native one, with LazyRequest inputs unwrapped. */
export class FetchRequest extends NativeRequest {
  static override [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof NativeRequest;
  }

  constructor(input: string | URL | Request, init?: RequestInit) {
    super(unwrap(input), unwrap(init));
  }
}

/** Install FetchRequest / FetchResponse as globalThis.Request / Response (no-op when installed). */
export function installFetchGlobals(): void {
  if (globalThis.Response === (FetchResponse as unknown)) return;
  Object.defineProperty(globalThis, 'Request', { value: FetchRequest, writable: true, configurable: true, enumerable: false });
  Object.defineProperty(globalThis, 'Response', { value: FetchResponse, writable: true, configurable: true, enumerable: false });
}

/** Put the platform's Request and Response back. */
export function restoreFetchGlobals(): void {
  Object.defineProperty(globalThis, 'Request', { value: NativeRequest, writable: true, configurable: true, enumerable: false });
  Object.defineProperty(globalThis, 'Response', { value: NativeResponse, writable: true, configurable: true, enumerable: false });
}
