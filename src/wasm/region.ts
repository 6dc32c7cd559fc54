// Who holds a shared region of a WASM instance's memory.
//
// Each module instance has one INPUT region + result table for request heads, one chunk region +
// table for chunked bodies, and one window + table for WebSocket frames. Every parser, decoder or
// codec of that engine (one per connection) uses the same region, so the state a tenant leaves there
// survives only until another tenant writes. One record per (instance, region) names the tenant that
// wrote last; a tenant asks for the region before each call and learns whether its state is still
// there:
//
//   if (region.acquire(this)) restore();   // true: someone else wrote since our last call
//
// and the tenant that loses the region is told first (`regionLost`), so it can save what it must keep
// (the head parser snapshots a pending partial head; a tenant whose state lives on the host anyway
// does nothing). Tenants of one region are one or two classes, so the call site stays monomorphic.
//
// Policies today:
//   head     — state kept in the region between calls; snapshot on loss, restore on return
//              (src/http/head/wasm.ts).
//   chunked  — state lives on the host (the TypeScript twin runs on it between WASM calls), copied in
//              before and out after every call; the record only names the holder
//              (src/http/chunked/wasm.ts).
//   ws       — adapter point: src/ws/ still keeps its own `wsWindow.owner`; `regionOf(instance, 'ws')`
//              is the record it is meant to move to (acquire before writing the window, `holds`
//              to reuse bytes left resident).
import type { WasmInstance } from './instance.js';

/** A user of a shared region: told when another tenant takes the region from it. */
export interface RegionTenant {
  /** Another tenant is about to write the region: save what must survive (may do nothing). */
  regionLost(): void;
}

export type RegionName = 'head' | 'chunked' | 'ws';

export class SharedRegion {
  #owner: RegionTenant | null = null;

  /**
   * Make `tenant` the holder. Returns true when it was not the holder: whatever it left in the region
   * is gone and must be restored. The previous holder's regionLost() runs first.
   */
  acquire(tenant: RegionTenant): boolean {
    const owner = this.#owner;
    if (owner === tenant) return false;
    if (owner !== null) owner.regionLost();
    this.#owner = tenant;
    return true;
  }

  /** True while `tenant` is the last one that wrote the region. */
  holds(tenant: RegionTenant): boolean {
    return this.#owner === tenant;
  }

  /** `tenant` keeps nothing in the region any more (reset): the next holder need not tell it. */
  release(tenant: RegionTenant): void {
    if (this.#owner === tenant) this.#owner = null;
  }
}

type Regions = Record<RegionName, SharedRegion>;
const regions = new WeakMap<WasmInstance, Regions>();

/** The record for one region of one instance (look it up once, at construction). */
export function regionOf(instance: WasmInstance, name: RegionName): SharedRegion {
  let set = regions.get(instance);
  if (set === undefined) {
    set = { head: new SharedRegion(), chunked: new SharedRegion(), ws: new SharedRegion() };
    regions.set(instance, set);
  }
  return set[name];
}
