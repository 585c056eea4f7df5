import { type ParsedCondition, conditionAllows, parseCondition } from "./conditions.ts";
import { type CompiledPermission, type NormalizedOperation, compilePermission } from "./permission-match.ts";
import { type AccessRequest, type DenyAssignment, EVERYONE_PRINCIPAL_ID, type RoleDefinition } from "./types.ts";

/**
 * Role and deny definitions with their patterns and conditions compiled. Compilation is memoised per object
 * (definitions are immutable values), so the pure evaluator and the compiled authorizer share the same work and,
 * more importantly, the same matching code.
 */

interface CompiledBlock {
  permission: CompiledPermission;
  condition: ParsedCondition | undefined;
}

export interface CompiledRole {
  readonly role: RoleDefinition;
  readonly blocks: readonly CompiledBlock[];
}

const compiledRoles = new WeakMap<RoleDefinition, CompiledRole>();

export function compileRole(role: RoleDefinition): CompiledRole {
  let compiled = compiledRoles.get(role);
  if (!compiled) {
    const blocks = role.permissions.map((p) => ({ permission: compilePermission(p), condition: parseCondition(p.condition) }));
    compiled = { role, blocks };
    compiledRoles.set(role, compiled);
  }
  return compiled;
}

/**
 * The pattern by which `role` grants `op`, if it does. A block grants only when its own condition (if any)
 * allows the operation; a role-level delegation condition therefore leaves the role's other operations alone.
 */
export function rolePattern(role: CompiledRole, op: NormalizedOperation, attributes: AccessRequest["attributes"]): string | undefined {
  for (const block of role.blocks) {
    const pattern = block.permission.grants(op);
    if (pattern === undefined) continue;
    if (block.condition === undefined || conditionAllows(block.condition, op, attributes)) return pattern;
  }
  return undefined;
}

export interface CompiledDeny {
  readonly deny: DenyAssignment;
  readonly blocks: readonly CompiledPermission[];
  readonly everyone: boolean;
  readonly principals: ReadonlySet<string>;
  readonly excluded: ReadonlySet<string>;
}

const compiledDenies = new WeakMap<DenyAssignment, CompiledDeny>();

export function compileDeny(deny: DenyAssignment): CompiledDeny {
  let compiled = compiledDenies.get(deny);
  if (!compiled) {
    const ids = deny.principals.map((p) => p.id.toLowerCase());
    compiled = {
      deny,
      blocks: deny.permissions.map(compilePermission),
      // "Everyone" is recognised by its well-known id; the `SystemDefined` type alone identifies nothing.
      everyone: ids.includes(EVERYONE_PRINCIPAL_ID),
      principals: new Set(ids),
      excluded: new Set(deny.excludePrincipals.map((p) => p.id.toLowerCase())),
    };
    compiledDenies.set(deny, compiled);
  }
  return compiled;
}

/**
 * Whether a deny assignment found `distance` levels above the request scope (0 = at it) blocks `op` for a caller
 * with these principal ids (the user and its transitive groups). Exclusions match through groups as well, as an
 * excluded group exempts its members in Azure.
 */
export function denyBlocks(deny: CompiledDeny, distance: number, principals: ReadonlySet<string>, op: NormalizedOperation): boolean {
  if (distance > 0 && deny.deny.doNotApplyToChildScopes) return false;
  if (!deny.everyone && !intersects(deny.principals, principals)) return false;
  if (intersects(deny.excluded, principals)) return false;
  return deny.blocks.some((block) => block.grants(op) !== undefined);
}

function intersects(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const item of small) if (large.has(item)) return true;
  return false;
}
