// The per-segment trie that holds every route (static routes too, so that priority, backtracking
// and 405 answers see the whole table). Equivalent patterns share nodes: `{id}` and `{name}` at the
// same place are one `param` child; `{a:\d+}` and `{b:\d+}` are one regex child (same source); two
// different regexes are two children, tried in registration order.
import type { Segment } from './pattern.js';

export interface Route<T> {
  readonly method: string;
  readonly pattern: string;
  readonly value: T;
  /** Parameter names in segment order; the matcher's captured values line up with them. */
  readonly names: readonly string[];
}

/** The routes that end at one place in the tree, by method ('*' = any method). */
export type Leaf<T> = Map<string, Route<T>>;

/** Static children sharing a first character (bucket index: char code & 127; '' goes to 0). */
export interface StaticBucket<T> {
  readonly keys: string[];
  readonly nodes: Node<T>[];
}

export class Node<T> {
  /** Registration-time lookup only. */
  readonly staticMap = new Map<string, Node<T>>();
  /**
   * Match-time lookup: buckets by the segment's first character, each scanned with startsWith, so
   * matching a static segment never allocates a substring nor hashes one.
   */
  staticBuckets: Array<StaticBucket<T> | undefined> | null = null;
  param: Node<T> | null = null;
  readonly regexSources: string[] = [];
  readonly regexes: RegExp[] = [];
  readonly regexNodes: Node<T>[] = [];
  /** Routes whose last segment is a tail wildcard hanging off this node. */
  wildcard: Leaf<T> | null = null;
  /** Routes that end exactly at this node. */
  leaf: Leaf<T> | null = null;

  get hasParamChildren(): boolean {
    return this.param !== null || this.regexes.length > 0;
  }
}

/** Walk (creating as needed) the nodes for `segments` and return the leaf the route belongs in. */
export function leafFor<T>(root: Node<T>, segments: readonly Segment[]): Leaf<T> {
  let node = root;
  for (const seg of segments) {
    switch (seg.kind) {
      case 'static': {
        let child = node.staticMap.get(seg.text);
        if (child === undefined) {
          child = new Node<T>();
          node.staticMap.set(seg.text, child);
          const buckets = (node.staticBuckets ??= new Array<StaticBucket<T> | undefined>(128).fill(undefined));
          const b = (buckets[bucketIndex(seg.text, 0, seg.text.length)] ??= { keys: [], nodes: [] });
          b.keys.push(seg.text);
          b.nodes.push(child);
        }
        node = child;
        break;
      }
      case 'param':
        node = node.param ??= new Node<T>();
        break;
      case 'regex': {
        let k = node.regexSources.indexOf(seg.source);
        if (k < 0) {
          k = node.regexSources.push(seg.source) - 1;
          node.regexes.push(seg.re);
          node.regexNodes.push(new Node<T>());
        }
        node = node.regexNodes[k]!;
        break;
      }
      case 'wildcard':
        // parsePattern guarantees the wildcard is the last segment.
        return (node.wildcard ??= new Map());
    }
  }
  return (node.leaf ??= new Map());
}

/** Bucket of the segment path[pos, end). */
export function bucketIndex(path: string, pos: number, end: number): number {
  return end > pos ? path.charCodeAt(pos) & 127 : 0;
}

/** The route in `leaf` that serves `method`: exact, then GET for HEAD (RFC 9110 §9.3.2), then '*'. */
export function pickRoute<T>(leaf: Leaf<T>, method: string): Route<T> | undefined {
  return leaf.get(method) ?? (method === 'HEAD' ? leaf.get('GET') : undefined) ?? leaf.get('*');
}

/** Percent-decode a parameter value; null when the encoding is invalid (the route then does not match). */
export function decodeParam(raw: string): string | null {
  if (raw.indexOf('%') < 0) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}
