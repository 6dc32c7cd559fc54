// The hook phases that do not depend on the route, resolved at registration:
//
//   head parsed → pre-routing request middleware (server, then the groups whose prefix the path is
//   under) → route match → the route's own request middleware → handler → response middleware
//   (server, groups, route) on every response → write
//
// A Phase is what runs around the router for one path: the pre-routing request steps and the
// server + group response steps, both frozen. With no group middleware every path gets the root
// phase (no work per request beyond a length check). With group middleware, each request computes
// which groups' prefixes it is under (a bit mask; static prefixes are one startsWith on a segment
// boundary), and the phase of that combination is built once and cached.
import type { HookLevel, Step } from './hooks.js';
import { canonicalPath } from './router/canonical.js';
import { parsePattern } from './router/pattern.js';

export interface Phase {
  /** Request middleware run before routing (server level, then matching groups). */
  readonly request: readonly Step<any>[];
  /** Response middleware run for every response to such a path (server, then matching groups). */
  readonly response: readonly Step<any>[];
}

/** A route's own response middleware appended to a phase's, cached per phase. */
export interface RouteResponse {
  readonly own: readonly Step<any>[];
  readonly byPhase: Map<Phase, readonly Step<any>[]>;
}

/** More distinct phases than this are built per request instead of cached (bounds the cache). */
const MAX_CACHED = 1024;

/** A group prefix: static text compared on a segment boundary, or segments with parameters. */
class PrefixMatcher {
  readonly #exact: string;
  readonly #under: string;
  /** null: static prefix. Else one entry per segment: the static text, or null for a parameter; a
   *  trailing '*' entry stands for a tail wildcard. */
  readonly #segments: (string | null)[] | null;

  constructor(prefix: string) {
    const trimmed = prefix.length > 1 && prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
    const segments = trimmed === '/' ? [] : parsePattern(trimmed);
    const dynamic = segments.some((s) => s.kind !== 'static');
    this.#segments = dynamic
      ? segments.map((s) => (s.kind === 'static' ? s.text : s.kind === 'wildcard' ? '*' : null))
      : null;
    this.#exact = trimmed === '/' ? '' : segments.map((s) => `/${s.kind === 'static' ? s.text : ''}`).join('');
    this.#under = `${this.#exact}/`;
  }

  /** `path` is canonical (canonical.ts), as the router compares it. */
  matches(path: string): boolean {
    const segments = this.#segments;
    if (segments === null) return this.#exact === '' || path === this.#exact || path.startsWith(this.#under);
    let at = 0; // index of the '/' before the next segment
    for (const want of segments) {
      if (at >= path.length || path.charCodeAt(at) !== 0x2f) return false;
      if (want === '*') return at + 1 < path.length; // a tail wildcard takes the (non-empty) rest
      let end = path.indexOf('/', at + 1);
      if (end < 0) end = path.length;
      // A parameter takes any non-empty segment (a {name:regex} prefix is matched as {name}: its
      // middleware may run for a path that then 404s, never the other way round).
      if (want === null ? end === at + 1 : path.slice(at + 1, end) !== want) return false;
      at = end;
    }
    return at === path.length || path.charCodeAt(at) === 0x2f;
  }
}

interface GroupHooks {
  readonly matcher: PrefixMatcher;
  readonly level: HookLevel<any>;
}

export class PhaseTable {
  readonly root: Phase;
  readonly #groups: GroupHooks[];
  readonly #cache = new Map<number | string, Phase>();

  /** `groups` in creation order (a parent before its children); those without middleware are dropped. */
  constructor(server: HookLevel<any>, groups: readonly { prefix: string; level: HookLevel<any> }[]) {
    this.root = Object.freeze({ request: Object.freeze([...server.request]), response: Object.freeze([...server.response]) });
    this.#groups = groups
      .filter((g) => g.level.request.length > 0 || g.level.response.length > 0)
      .map((g) => ({ matcher: new PrefixMatcher(g.prefix), level: g.level }));
  }

  /** The phase of a request path (raw, as received). */
  forPath(rawPath: string): Phase {
    const groups = this.#groups;
    if (groups.length === 0) return this.root;
    const path = canonicalPath(rawPath);
    if (groups.length <= 30) {
      let mask = 0;
      for (let i = 0; i < groups.length; i++) if (groups[i]!.matcher.matches(path)) mask |= 1 << i;
      if (mask === 0) return this.root;
      return this.#cache.get(mask) ?? this.#build(mask, null);
    }
    const hits = groups.map((g) => g.matcher.matches(path)); // over 30 groups with middleware: a string key
    const key = hits.map((hit) => (hit ? '1' : '0')).join('');
    return this.#cache.get(key) ?? this.#build(key, hits);
  }

  #build(key: number | string, hits: boolean[] | null): Phase {
    const request = [...this.root.request];
    const response = [...this.root.response];
    this.#groups.forEach((g, i) => {
      if (hits === null ? ((key as number) & (1 << i)) === 0 : !hits[i]) return;
      request.push(...g.level.request);
      response.push(...g.level.response);
    });
    const phase: Phase = Object.freeze({ request: Object.freeze(request), response: Object.freeze(response) });
    if (this.#cache.size < MAX_CACHED) this.#cache.set(key, phase);
    return phase;
  }
}

/** The response steps for a routed request: the phase's, then the route's own (cached per phase). */
export function routeResponseSteps(route: RouteResponse, phase: Phase): readonly Step<any>[] {
  if (route.own.length === 0) return phase.response;
  let steps = route.byPhase.get(phase);
  if (steps === undefined) {
    steps = Object.freeze([...phase.response, ...route.own]);
    if (route.byPhase.size < MAX_CACHED) route.byPhase.set(phase, steps);
  }
  return steps;
}
