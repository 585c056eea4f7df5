import { OWNER_ID, USER_ACCESS_ADMINISTRATOR_ID } from "./builtin-roles-general.ts";
import { type CompiledRole, rolePattern } from "./compile.ts";
import { conditionAllows, type ParsedCondition } from "./conditions.ts";
import type { NormalizedOperation } from "./permission-match.ts";
import { suggestRoles } from "./suggest.ts";
import type {
  AccessRequest,
  AllowedDecision,
  Decision,
  DeniedDecision,
  DenyReason,
  Grant,
  Policy,
  RoleAssignment,
  SuggestedRole,
} from "./types.ts";

/**
 * The RBAC rules both evaluators apply, step by step. The pure evaluator scans; the compiled authorizer looks
 * things up in an index; both call these functions, which is what keeps their decisions identical.
 */

/**
 * The caller's principal ids, lower-cased: itself, its transitive groups in the policy snapshot, and any group the
 * caller passed (and those groups' own transitive groups).
 */
export function principalSet(request: AccessRequest, groupsOf: Policy["groupsOf"]): ReadonlySet<string> {
  const principal = request.principalId.toLowerCase();
  const ids = new Set<string>([principal, ...(groupsOf.get(principal) ?? [])]);
  for (const raw of request.groupIds) {
    const group = raw.toLowerCase();
    ids.add(group);
    for (const parent of groupsOf.get(group) ?? []) ids.add(parent);
  }
  return ids;
}

/**
 * No lock-out: a deny assignment never applies to `Microsoft.Authorization/*` actions of a principal that holds
 * Owner or User Access Administrator (unconditionally) at a scope above the deny's own. Whoever administers access
 * above a resource group can always remove a deny placed there, however broad, and repair the assignments.
 */
export function isAuthorizationAction(op: NormalizedOperation): boolean {
  return op.kind === "action" && op.name.startsWith("microsoft.authorization/");
}

/** Whether an assignment makes its holder exempt from denies below it (see `isAuthorizationAction`). */
export function exemptsFromDeniesBelow(assignment: RoleAssignment, condition: ParsedCondition | undefined): boolean {
  const role = assignment.roleDefinitionId.toLowerCase();
  return condition === undefined && (role === OWNER_ID || role === USER_ACCESS_ADMINISTRATOR_ID);
}

/** A grant with how far above the request scope its assignment sits (0 = at the scope). */
export interface RankedGrant {
  grant: Grant;
  distance: number;
}

/**
 * The grant an applicable assignment yields for `op`, if any. An assignment condition we can evaluate (the
 * delegation form) is honoured; any other condition makes the assignment grant nothing (fail closed).
 */
export function assignmentGrant(
  assignment: RoleAssignment,
  role: CompiledRole,
  condition: ParsedCondition | undefined,
  op: NormalizedOperation,
  attributes: AccessRequest["attributes"],
): Grant | undefined {
  if (condition !== undefined && !conditionAllows(condition, op, attributes)) return undefined;
  const pattern = rolePattern(role, op, attributes);
  if (pattern === undefined) return undefined;
  return Object.freeze({
    assignmentId: assignment.id,
    roleDefinitionId: role.role.id,
    roleName: role.role.roleName,
    scope: assignment.scope,
    pattern,
  });
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Canonical grant order, nearest scope first: independent of how the grants were found. */
function orderGrants(ranked: readonly RankedGrant[]): readonly Grant[] {
  const sorted = [...ranked].sort(
    (a, b) =>
      a.distance - b.distance ||
      compareText(a.grant.assignmentId, b.grant.assignmentId) ||
      compareText(a.grant.roleDefinitionId, b.grant.roleDefinitionId) ||
      compareText(a.grant.scope, b.grant.scope) ||
      compareText(a.grant.pattern, b.grant.pattern),
  );
  return Object.freeze(sorted.map((r) => r.grant));
}

/** A decision without the request echo: what the compiled authorizer caches per (principal, op, scope key). */
export type Verdict =
  | AllowedDecision
  | { kind: "denied"; reason: DenyReason; denyAssignmentId?: string; suggestedRoles: readonly SuggestedRole[] };

export function allowedVerdict(ranked: readonly RankedGrant[]): Verdict {
  return Object.freeze({ kind: "allowed", grants: orderGrants(ranked) });
}

export function deniedVerdict(
  reason: DenyReason,
  op: NormalizedOperation,
  attributes: AccessRequest["attributes"],
  denyAssignmentId?: string,
): Verdict {
  const verdict: Verdict = { kind: "denied", reason, suggestedRoles: suggestRoles(op, attributes) };
  if (denyAssignmentId !== undefined) verdict.denyAssignmentId = denyAssignmentId;
  return Object.freeze(verdict);
}

/** Completes a verdict with the request's own operation and (normalised) scope for the caller's messages. */
export function toDecision(verdict: Verdict, request: AccessRequest, scope: string): Decision {
  if (verdict.kind === "allowed") return verdict;
  const decision: DeniedDecision = {
    kind: "denied",
    reason: verdict.reason,
    operation: { kind: request.operation.kind, name: request.operation.name },
    scope,
    suggestedRoles: verdict.suggestedRoles,
  };
  if (verdict.denyAssignmentId !== undefined) decision.denyAssignmentId = verdict.denyAssignmentId;
  return decision;
}
