import { ancestorKeys, parseScope, type Scope } from "../core/scope.ts";

/**
 * Parsed request scopes with their ancestor-key chains, memoised for the compiled authorizer. Parsing a scope and
 * building its chain was over half of an uncached decision. Requests mostly name a child of a resource seen
 * before (a new deployment under a known account), so a scope whose parent is a memoised resource is derived from
 * the parent: one more type/name pair on its id and one more key in front of its chain, which is exactly what
 * `parseScope` and `ancestorKeys` would produce (tests compare the two on random and odd spellings).
 */

export interface ScopeChain {
  scope: Scope;
  /** `ancestorKeys(scope)`: the scope's key and every key above it, nearest first, ending with `/`. */
  chain: readonly string[];
}

interface ScopeChains {
  /** The parsed scope and its chain, or undefined when `raw` is not a scope (as `parseScope` says). */
  resolve(raw: string): ScopeChain | undefined;
  readonly size: number;
}

/** On overflow the memo is cleared rather than evicted, as the decision caches are: cheap and good enough. */
export function createScopeChains(maxEntries = 10_000): ScopeChains {
  const memo = new Map<string, ScopeChain | null>();

  function remember(raw: string, entry: ScopeChain | undefined): ScopeChain | undefined {
    if (memo.size >= maxEntries) memo.clear();
    memo.set(raw, entry ?? null);
    return entry;
  }

  function parseFully(raw: string): ScopeChain | undefined {
    const scope = parseScope(raw);
    return scope ? { scope, chain: ancestorKeys(scope) } : undefined;
  }

  function resolve(raw: string): ScopeChain | undefined {
    const known = memo.get(raw);
    if (known !== undefined) return known ?? undefined;
    // A derived child is not remembered: it costs little to derive again, and remembering every new deployment
    // a stream of requests names would keep its strings alive (more garbage-collector work than it saves).
    return derivedFromParent(raw) ?? remember(raw, parseFully(raw));
  }

  /**
   * `…/{type}/{name}` below a memoised resource. Only for a plainly spelled scope (no surrounding whitespace,
   * doubled or trailing slash, no space ending the parent), where the parent parses alone exactly as it does inside
   * `raw` and the last two segments are taken as they stand; anything else is parsed.
   */
  function derivedFromParent(raw: string): ScopeChain | undefined {
    if (raw.includes("//") || raw.endsWith("/") || raw.trim() !== raw) return undefined;
    const nameSlash = raw.lastIndexOf("/");
    const typeSlash = nameSlash > 0 ? raw.lastIndexOf("/", nameSlash - 1) : -1;
    if (typeSlash <= 0) return undefined;
    const parentRaw = raw.slice(0, typeSlash);
    // Parsing the parent alone would trim a trailing space that, inside `raw`, belongs to the parent's last name.
    if (parentRaw.trimEnd() !== parentRaw) return undefined;
    const memoised = memo.get(parentRaw);
    const parent = memoised === undefined ? remember(parentRaw, parseFully(parentRaw)) : (memoised ?? undefined);
    if (parent?.scope.kind !== "resource") return undefined;
    const type = raw.slice(typeSlash + 1, nameSlash);
    const name = raw.slice(nameSlash + 1);
    const id = `${parent.scope.id}/${type}/${name}`;
    const key = id.toLowerCase();
    const scope: Scope = { ...parent.scope, id, key, types: [...parent.scope.types, type], names: [...parent.scope.names, name] };
    return { scope, chain: [key, ...parent.chain] };
  }

  return {
    resolve,
    get size() {
      return memo.size;
    },
  };
}
