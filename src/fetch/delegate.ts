// The lightweight Request and Response answer the members they implement themselves; every other
// member of the platform class (getters and methods alike) is forwarded to the native object the
// lightweight one materializes on first need. One definition for both classes.

/** Something that can stand in for a native object and build it when asked. */
interface Materializable<N> {
  materialize(): N;
}

/**
 * Forward every member of `nativeProto` that `lightProto` does not define to `materialize()`'s result,
 * then put `nativeProto` on the prototype chain so `instanceof` the native class holds.
 */
export function delegateToNative<N extends object>(lightProto: Materializable<N>, nativeProto: N): void {
  for (const name of Object.getOwnPropertyNames(nativeProto)) {
    if (name === 'constructor' || Object.prototype.hasOwnProperty.call(lightProto, name)) continue;
    const desc = Object.getOwnPropertyDescriptor(nativeProto, name)!;
    if (desc.get !== undefined) {
      Object.defineProperty(lightProto, name, {
        configurable: true,
        get(this: Materializable<N>) {
          return Reflect.get(nativeProto, name, this.materialize());
        },
      });
    } else if (typeof desc.value === 'function') {
      Object.defineProperty(lightProto, name, {
        configurable: true,
        writable: true,
        value(this: Materializable<N>, ...args: unknown[]) {
          const native = this.materialize() as unknown as Record<string, (...a: unknown[]) => unknown>;
          return native[name]!(...args);
        },
      });
    }
  }
  Object.setPrototypeOf(lightProto, nativeProto);
}
