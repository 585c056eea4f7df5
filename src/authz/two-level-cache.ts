/**
 * A bounded cache keyed by (who and what, where): an outer map by the caller-and-operation key, of which a service
 * sees few, and inner maps by scope. Keeping the scope out of a concatenated key means no long key string is built,
 * hashed and kept alive per entry: the scope string the request (or the scope parser) already made is the key.
 * On overflow everything is cleared rather than evicted, which is cheap and good enough.
 */
interface TwoLevelCache<V> {
  get(outer: string, scope: string): V | undefined;
  set(outer: string, scope: string, value: V): void;
  clear(): void;
  readonly size: number;
}

export function createTwoLevelCache<V>(maxEntries: number): TwoLevelCache<V> {
  const byOuter = new Map<string, Map<string, V>>();
  let size = 0;
  return {
    get(outer, scope) {
      return byOuter.get(outer)?.get(scope);
    },
    set(outer, scope, value) {
      if (size >= maxEntries) {
        byOuter.clear();
        size = 0;
      }
      let inner = byOuter.get(outer);
      if (!inner) {
        inner = new Map();
        byOuter.set(outer, inner);
      }
      if (!inner.has(scope)) size++;
      inner.set(scope, value);
    },
    clear() {
      byOuter.clear();
      size = 0;
    },
    get size() {
      return size;
    },
  };
}
