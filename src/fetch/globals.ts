// installFetchGlobals(): make the lightweight classes the process's global Request and Response, so
// code that constructs them by their global names (hono's c.text(), c.json(), c.body()) takes the
// adapter's fast path. Idempotent; restoreFetchGlobals() puts the platform classes back.
//
// The global Request becomes a real subclass of the native one whose constructor unwraps a
// LazyRequest given as input or init (undici reads internal slots a LazyRequest does not have):
// `new Request(request, { headers })` and `new Request(url, request)` keep working on the request a
// fetch handler received. Its Symbol.hasInstance accepts every native Request.
import { nativeRequest, nativeResponse } from './native.js';
import { LazyRequest, linkLazyRequest } from './request.js';
import { FetchResponse, linkFetchResponse } from './response.js';

function unwrap<T>(value: T): T {
  return value instanceof LazyRequest ? value.materialize() as T : value;
}

/** FetchRequest's base until it is linked to the native Request (src/fetch/native.ts says why). */
class Unlinked {}

let linked = false;

/**
 * Read the platform's classes and link the adapter's classes to them, once. `super()` looks up the
 * constructor's prototype when it runs, so re-pointing FetchRequest's prototype chain here makes
 * its `super(...)` call the native Request constructor.
 */
export function linkFetchClasses(): void {
  if (linked) return;
  linked = true;
  const native = nativeRequest();
  nativeResponse();
  Object.setPrototypeOf(FetchRequest, native);
  Object.setPrototypeOf(FetchRequest.prototype, native.prototype);
  linkLazyRequest();
  linkFetchResponse();
}

/** The global Request while installed: the native one, with LazyRequest inputs unwrapped. */
export class FetchRequest extends (Unlinked as unknown as typeof Request) {
  static override [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof nativeRequest();
  }

  constructor(input: string | URL | Request, init?: RequestInit) {
    if (!linked) linkFetchClasses();
    super(unwrap(input), unwrap(init));
  }
}

/** Install FetchRequest / FetchResponse as globalThis.Request / Response (no-op when installed). */
export function installFetchGlobals(): void {
  linkFetchClasses(); // captures the platform's classes before they are replaced
  if (globalThis.Response === (FetchResponse as unknown)) return;
  Object.defineProperty(globalThis, 'Request', { value: FetchRequest, writable: true, configurable: true, enumerable: false });
  Object.defineProperty(globalThis, 'Response', { value: FetchResponse, writable: true, configurable: true, enumerable: false });
}

/** Put the platform's Request and Response back. */
export function restoreFetchGlobals(): void {
  Object.defineProperty(globalThis, 'Request', { value: nativeRequest(), writable: true, configurable: true, enumerable: false });
  Object.defineProperty(globalThis, 'Response', { value: nativeResponse(), writable: true, configurable: true, enumerable: false });
}
