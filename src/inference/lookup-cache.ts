/**
 * Memoises an async look-up for `ttlMs` (found values only; a miss is asked again next time). Account and
 * deployment reads sit on every call's path; one second of staleness matches the RBAC policy's own poll interval,
 * and Azure itself takes minutes to propagate `disableLocalAuth` or deployment changes. `clear()` drops every
 * entry: a write on this node is effective at once, other nodes follow within the TTL.
 */
export function cachedLookup<A extends unknown[], V>(
  ttlMs: number,
  key: (...args: A) => string,
  load: (...args: A) => Promise<V | undefined>,
  now: () => number = Date.now,
) {
  const entries = new Map<string, { value: V; until: number }>();
  const lookup = async (...args: A): Promise<V | undefined> => {
    const k = key(...args);
    const hit = entries.get(k);
    if (hit && hit.until > now()) return hit.value;
    const value = await load(...args);
    if (value === undefined) entries.delete(k);
    else {
      if (entries.size >= 10_000) entries.clear();
      entries.set(k, { value, until: now() + ttlMs });
    }
    return value;
  };
  return Object.assign(lookup, { clear: () => entries.clear() });
}
