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

/**
 * A pattern as a test of a lower-cased name; only `*` is special, as in Azure. Matched without a regular
 * expression: `*a*a*a…` compiled to `.*a.*a.*…` backtracks exponentially (eight stars held the event loop for
 * half a minute on one action name), and anyone who may write a custom role or an assignment's condition writes
 * patterns. The pieces between stars are found leftmost-first in order, which is exact for `*`-only globs and
 * linear in the name.
 */
export function globMatcher(pattern: string): (lowerName: string) => boolean {
  const pieces = pattern.toLowerCase().split("*");
  const first = pieces[0]!;
  if (pieces.length === 1) return (name) => name === first;
  const last = pieces.at(-1)!;
  const middle = pieces.slice(1, -1).filter((piece) => piece !== "");
  const shortest = first.length + last.length + middle.reduce((sum, piece) => sum + piece.length, 0);
  return (name) => {
    if (name.length < shortest || !name.startsWith(first) || !name.endsWith(last)) return false;
    const end = name.length - last.length;
    let at = first.length;
    for (const piece of middle) {
      const found = name.indexOf(piece, at);
      if (found < 0 || found + piece.length > end) return false;
      at = found + piece.length;
    }
    return true;
  };
}

function compilePattern(source: string): CompiledPattern {
  return { source, test: globMatcher(source) };
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
