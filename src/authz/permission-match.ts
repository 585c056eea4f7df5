import type { Operation, Permission } from "./types.ts";

/**
 * Permission-string matching. Azure says permission strings are case-insensitive and `*` matches "everything
 * that matches the action string", including child types and mid-string (as in `OpenAI/{*}/read`), so `*` is a glob
 * over any sequence of characters, `/` included. Patterns are compiled once per permission block.
 */

/** An operation with its name lower-cased once, so matchers never re-fold case per pattern. */
export interface NormalizedOperation {
  kind: Operation["kind"];
  name: string;
}

export function normalizeOperation(operation: Operation): NormalizedOperation {
  return { kind: operation.kind, name: operation.name.toLowerCase() };
}

/** A compiled pattern list; `match` returns the first pattern (as written) that covers the lower-cased name. */
interface PatternMatcher {
  match(lowerName: string): string | undefined;
}

interface CompiledPattern {
  source: string;
  test(lowerName: string): boolean;
}

const REGEXP_SPECIALS = /[.+?^${}()|[\]\\]/g;

/** A pattern as an anchored, lower-case regular expression; only `*` is special, as in Azure. */
export function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .toLowerCase()
    .split("*")
    .map((literal) => literal.replace(REGEXP_SPECIALS, "\\$&"))
    .join(".*");
  return new RegExp(`^${body}$`);
}

function compilePattern(source: string): CompiledPattern {
  // Most built-in patterns are literals: a string comparison is cheaper than a regular expression.
  if (!source.includes("*")) {
    const literal = source.toLowerCase();
    return { source, test: (name) => name === literal };
  }
  const regexp = globToRegExp(source);
  return { source, test: (name) => regexp.test(name) };
}

export function compilePatterns(patterns: readonly string[]): PatternMatcher {
  const compiled = patterns.map(compilePattern);
  return {
    match(lowerName) {
      for (const pattern of compiled) if (pattern.test(lowerName)) return pattern.source;
      return undefined;
    },
  };
}

/** One permission block with its four lists compiled; the block's condition is handled by `conditions.ts`. */
export interface CompiledPermission {
  readonly permission: Permission;
  /** The pattern granting `op` in this block: (actions − notActions) or (dataActions − notDataActions). */
  grants(op: NormalizedOperation): string | undefined;
}

export function compilePermission(permission: Permission): CompiledPermission {
  const actions = compilePatterns(permission.actions);
  const notActions = compilePatterns(permission.notActions);
  const dataActions = compilePatterns(permission.dataActions);
  const notDataActions = compilePatterns(permission.notDataActions);
  return {
    permission,
    grants(op) {
      // Each kind only looks at its own lists: `*` in actions never reaches a data action, and a notX only
      // subtracts from this block (it is not a deny; another block or role may still grant).
      const [allow, subtract] = op.kind === "action" ? [actions, notActions] : [dataActions, notDataActions];
      const pattern = allow.match(op.name);
      if (pattern === undefined || subtract.match(op.name) !== undefined) return undefined;
      return pattern;
    },
  };
}
