// The router: method + raw path → route value and percent-decoded params.
//
// Layout (resolved at registration, so a request only looks things up):
// - every parameter-free pattern is also a key in one Map → one hash lookup for the common case,
//   answered with a frozen result object prepared at registration (no allocation at all);
// - every route lives in a per-segment trie (src/router/tree.ts). At each segment the matcher tries,
//   in order, the static child, the `{name}` child, the `{name:regex}` children (registration order),
//   then the tail wildcard, and backtracks when a deeper branch fails, so /users/me/settings (static)
//   and /users/{id}/posts (param) both work for /users/me/posts.
// - the first matching route in that priority order that serves the method wins (exact method, GET
//   for HEAD per RFC 9110 §9.3.2, then '*'). When the path matches but no route serves the method,
//   the answer is 405 with the union of the methods that would match (RFC 9110 §15.5.6 requires
//   an Allow header).
// Paths are case-sensitive and the trailing slash is significant ('/a' ≠ '/a/'). Static segments are
// compared in canonical spelling (src/router/canonical.ts: '/a%3Ab' = '/a:b', '/p%7Ca' = '/p|a'); a path
// without '%' is already canonical, so only paths with escapes pay for the rewrite.
// match() is synchronous and not re-entrant, so captured values go into one scratch array per router;
// the only per-match allocations are the params object, its result wrapper, and substrings.
import { WasmlaneError } from './errors.js';
import { canonicalPath } from './router/canonical.js';
import { parsePattern } from './router/pattern.js';
import type { Segment } from './router/pattern.js';
import { Node, bucketIndex, decodeParam, leafFor, pickRoute } from './router/tree.js';
import type { Leaf, Route } from './router/tree.js';

export type { RouteParams, ParamNames, JoinPattern } from './router/params.js';

export type RouteMatch<T> =
  | { kind: 'found'; value: T; params: Record<string, string> }
  | { kind: 'method-not-allowed'; allow: readonly string[] }
  | { kind: 'not-found' };

// Shared by every parameter-free match: treat `params` as read-only (this one is frozen).
const EMPTY_PARAMS: Record<string, string> = Object.freeze({});
const NOT_FOUND: RouteMatch<never> = Object.freeze({ kind: 'not-found' });
// RFC 9110 §9.1: a method is a token (§5.6.2 tchar).
const METHOD_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

interface Entry<T> extends Route<T> {
  /** Prebuilt answer for parameter-free routes. */
  readonly found: RouteMatch<T> | null;
}

export class Router<T> {
  readonly #root = new Node<T>();
  readonly #statics = new Map<string, Leaf<T>>();
  readonly #all: Entry<T>[] = [];
  /** Captured parameter values of the branch being tried, by depth. */
  readonly #values: string[] = [];
  /** Set during a 405 scan: every method of every leaf the path reaches. */
  #collect: Set<string> | null = null;
  /** Set by a match walk that reached any leaf: only then can the answer be 405 rather than 404. */
  #reachedLeaf = false;

  /** Register `value` for `method` ('*' = any) and `pattern`; throws WL_INVALID_ROUTE / WL_ROUTE_CONFLICT. */
  add(method: string, pattern: string, value: T): void {
    if (typeof method !== 'string' || !METHOD_TOKEN.test(method)) {
      throw new WasmlaneError('WL_INVALID_ROUTE', `method ${JSON.stringify(method)} is not a token (RFC 9110 §9.1) or "*"`);
    }
    const segments = parsePattern(pattern);
    const leaf = leafFor(this.#root, segments);
    const existing = leaf.get(method);
    if (existing !== undefined) {
      throw new WasmlaneError(
        'WL_ROUTE_CONFLICT',
        `${method} ${JSON.stringify(pattern)} is equivalent to the registered ${existing.method} ${JSON.stringify(existing.pattern)}`,
      );
    }
    const names = paramNames(segments);
    const found: RouteMatch<T> | null =
      names.length === 0 ? Object.freeze({ kind: 'found' as const, value, params: EMPTY_PARAMS }) : null;
    const entry: Entry<T> = Object.freeze({ method, pattern, value, names, found });
    leaf.set(method, entry);
    if (names.length === 0) {
      // The Map and the tree share the same Leaf object, so both see later registrations. Keyed by
      // the canonical spelling (the segments' text), which the request path is looked up in.
      this.#statics.set(segments.map((seg) => (seg.kind === 'static' ? `/${seg.text}` : '')).join(''), leaf);
    }
    this.#all.push(entry);
  }

  /** Route a request. `path` is the raw (percent-encoded) path without the query. */
  match(method: string, path: string): RouteMatch<T> {
    let staticLeaf = this.#statics.get(path);
    // A hit means the path is a canonical key already; else escapes may need their canonical spelling.
    if (staticLeaf === undefined && path.indexOf('%') >= 0) {
      path = canonicalPath(path);
      staticLeaf = this.#statics.get(path);
    }
    if (staticLeaf !== undefined) {
      const route = pickRoute(staticLeaf, method) as Entry<T> | undefined;
      if (route !== undefined) return route.found!;
    }
    if (path.charCodeAt(0) !== 0x2f) return NOT_FOUND;
    this.#reachedLeaf = staticLeaf !== undefined;
    const route = this.#walk(this.#root, path, 1, 0, method) as Entry<T> | null;
    if (route !== null) {
      if (route.found !== null) return route.found;
      const params: Record<string, string> = {};
      const names = route.names;
      for (let i = 0; i < names.length; i++) params[names[i]!] = this.#values[i]!;
      return { kind: 'found', value: route.value, params };
    }
    return this.#reachedLeaf ? this.#notAllowed(method, path) : NOT_FOUND;
  }

  /** Every registered route, in registration order. */
  routes(): Array<{ method: string; pattern: string; value: T }> {
    return this.#all.map(({ method, pattern, value }) => ({ method, pattern, value }));
  }

  // Cold path: scan every branch the path reaches and gather the methods served there.
  #notAllowed(method: string, path: string): RouteMatch<T> {
    const methods = new Set<string>();
    this.#collect = methods;
    try {
      this.#walk(this.#root, path, 1, 0, method);
    } finally {
      this.#collect = null;
    }
    if (methods.size === 0) return NOT_FOUND;
    if (methods.has('GET')) methods.add('HEAD');
    return { kind: 'method-not-allowed', allow: Object.freeze([...methods].sort()) };
  }

  /** Try the segment starting at `pos` below `node`; `n` values are captured so far. */
  #walk(node: Node<T>, path: string, pos: number, n: number, method: string): Route<T> | null {
    const len = path.length;
    let end = path.indexOf('/', pos);
    if (end < 0) end = len;

    // 1. static child
    const buckets = node.staticBuckets;
    if (buckets !== null) {
      const bucket = buckets[bucketIndex(path, pos, end)];
      if (bucket !== undefined) {
        const keys = bucket.keys;
        const segLen = end - pos;
        for (let k = 0; k < keys.length; k++) {
          const key = keys[k]!;
          if (key.length !== segLen || !path.startsWith(key, pos)) continue;
          const r = this.#next(bucket.nodes[k]!, path, end, n, method);
          if (r !== null) return r;
          break; // keys are distinct: no other static child can match this segment
        }
      }
    }

    // 2. {name}, then 3. {name:regex} — both need a non-empty, validly encoded segment.
    if (end > pos && node.hasParamChildren) {
      const value = decodeParam(path.slice(pos, end));
      if (value !== null) {
        if (node.param !== null) {
          this.#values[n] = value;
          const r = this.#next(node.param, path, end, n + 1, method);
          if (r !== null) return r;
        }
        const regexes = node.regexes;
        for (let k = 0; k < regexes.length; k++) {
          if (!regexes[k]!.test(value)) continue;
          this.#values[n] = value;
          const r = this.#next(node.regexNodes[k]!, path, end, n + 1, method);
          if (r !== null) return r;
        }
      }
    }

    // 4. tail wildcard: the rest of the path, at least one character.
    if (node.wildcard !== null && pos < len) {
      const value = decodeParam(path.slice(pos));
      if (value !== null) {
        const r = this.#visit(node.wildcard, method);
        if (r !== null) {
          this.#values[n] = value;
          return r;
        }
      }
    }
    return null;
  }

  /** Continue below `child` after the segment that ended at `end`. */
  #next(child: Node<T>, path: string, end: number, n: number, method: string): Route<T> | null {
    if (end === path.length) return child.leaf === null ? null : this.#visit(child.leaf, method);
    return this.#walk(child, path, end + 1, n, method);
  }

  #visit(leaf: Leaf<T>, method: string): Route<T> | null {
    const collect = this.#collect;
    if (collect !== null) {
      for (const m of leaf.keys()) collect.add(m);
      return null; // keep scanning every branch
    }
    this.#reachedLeaf = true;
    return pickRoute(leaf, method) ?? null;
  }
}

function paramNames(segments: readonly Segment[]): readonly string[] {
  const names: string[] = [];
  for (const seg of segments) if (seg.kind !== 'static') names.push(seg.name);
  return Object.freeze(names);
}

/**
 * Join a group prefix and a route path: joinPaths('/api', '/x') → '/api/x'. A trailing '/' on the
 * prefix is dropped; the path keeps its own trailing slash; joinPaths('/api', '/') → '/api/' ('/a' and
 * '/a/' are different routes, so the caller says which one it means). An empty or '/' prefix returns
 * the path unchanged.
 */
export function joinPaths(prefix: string, path: string): string {
  if (prefix !== '' && prefix.charCodeAt(0) !== 0x2f) {
    throw new WasmlaneError('WL_INVALID_ROUTE', `group prefix ${JSON.stringify(prefix)} must start with "/"`);
  }
  const head = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  if (path === '') return head === '' ? '/' : head;
  return path.charCodeAt(0) === 0x2f ? head + path : `${head}/${path}`;
}
