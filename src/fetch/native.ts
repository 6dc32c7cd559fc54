// The platform's Request and Response classes, read from the globals on first use, not at import.
// On Node 20 the first read of globalThis.Request or Response loads the bundled undici (≈ 3 MB of
// heap that stays live). An app that never runs a fetch handler should not carry it: a larger old
// generation makes every external-memory-pressure GC mark more, and on `npm run bench:ws` a server
// that had merely read globalThis.Request used ~1.5× the CPU per 1 MiB WebSocket echo (twice the
// mark-compacts, twice the GC helper-thread time). So `import 'wasmlane'` touches neither global; the
// fetch adapter reads them when it is first used (serve(), mountFetch(), fetchHandler(),
// installFetchGlobals(), or constructing one of its classes).
//
// Captured once: installFetchGlobals() replaces the globals with the lightweight classes, so it
// captures the platform's first (linkFetchClasses(), src/fetch/globals.ts).
let request: typeof Request | undefined;
let response: typeof Response | undefined;

/** The platform's Request class (the global as it was before installFetchGlobals()). */
export function nativeRequest(): typeof Request {
  return (request ??= globalThis.Request);
}

/** The platform's Response class (the global as it was before installFetchGlobals()). */
export function nativeResponse(): typeof Response {
  return (response ??= globalThis.Response);
}
