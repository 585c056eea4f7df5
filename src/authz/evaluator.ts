import { ancestorKeys, parseScope, type Scope } from "../core/scope.ts";
import { compileDeny, compileRole, denyBlocks } from "./compile.ts";
import { parseCondition } from "./conditions.ts";
import { type NormalizedOperation, normalizeOperation } from "./permission-match.ts";
import {
  allowedVerdict,
  assignmentGrant,
  deniedVerdict,
  exemptsFromDeniesBelow,
  isAuthorizationAction,
  principalSet,
  type RankedGrant,
  toDecision,
  type Verdict,
} from "./rules.ts";
import type { AccessRequest, Decision, DenyAssignment, Policy } from "./types.ts";

/**
 * The reference RBAC evaluator: a pure function of a policy snapshot and one request, written as a plain scan so
 * that it is obviously right. It follows Azure's order: deny assignments first, then the union of every role
 * assignment of the caller or its groups at the scope or above. Caching and indexing live in
 * `compiled-policy.ts`, which must agree with this function on every input.
 */
export function evaluate(policy: Policy, request: AccessRequest): Decision {
  const op = normalizeOperation(request.operation);
  const scope = parseScope(request.scope);
  if (!scope) return toDecision(deniedVerdict("invalid-scope", op, request.attributes), request, request.scope);
  return toDecision(verdictAt(policy, scope, op, request), request, scope.id);
}

function verdictAt(policy: Policy, scope: Scope, op: NormalizedOperation, request: AccessRequest): Verdict {
  const chain = ancestorKeys(scope);
  const principals = principalSet(request, policy.groupsOf);
  const exemptBelow = isAuthorizationAction(op) ? highestExemptingAssignment(policy, chain, principals) : -1;
  const deny = blockingDeny(policy.denyAssignments, chain, principals, op, exemptBelow);
  if (deny) return deniedVerdict("deny-assignment", op, request.attributes, deny.id);
  const grants = collectGrants(policy, chain, principals, op, request);
  return grants.length > 0 ? allowedVerdict(grants) : deniedVerdict("no-matching-assignment", op, request.attributes);
}

/** How many levels `rawScope` sits above the request scope (0 = same), or -1 when it is not an ancestor. */
function distanceTo(chain: readonly string[], rawScope: string): number {
  const key = parseScope(rawScope)?.key;
  return key === undefined ? -1 : chain.indexOf(key);
}

/** The distance of the caller's highest Owner or User Access Administrator assignment on the chain, or -1. */
function highestExemptingAssignment(policy: Policy, chain: readonly string[], principals: ReadonlySet<string>): number {
  let highest = -1;
  for (const assignment of policy.roleAssignments) {
    if (!principals.has(assignment.principalId.toLowerCase())) continue;
    if (!exemptsFromDeniesBelow(assignment, parseCondition(assignment.condition))) continue;
    highest = Math.max(highest, distanceTo(chain, assignment.scope));
  }
  return highest;
}

/**
 * The nearest blocking deny assignment (ties broken by id), as the one a denial should name. Denies below
 * `exemptBelow` (the caller's highest Owner/User Access Administrator assignment) were already ruled out.
 */
function blockingDeny(
  denies: readonly DenyAssignment[],
  chain: readonly string[],
  principals: ReadonlySet<string>,
  op: NormalizedOperation,
  exemptBelow: number,
): DenyAssignment | undefined {
  let best: { deny: DenyAssignment; distance: number } | undefined;
  for (const deny of denies) {
    const distance = distanceTo(chain, deny.scope);
    if (distance < 0 || distance < exemptBelow || !denyBlocks(compileDeny(deny), distance, principals, op)) continue;
    if (!best || distance < best.distance || (distance === best.distance && deny.id < best.deny.id)) {
      best = { deny, distance };
    }
  }
  return best?.deny;
}

function collectGrants(
  policy: Policy,
  chain: readonly string[],
  principals: ReadonlySet<string>,
  op: NormalizedOperation,
  request: AccessRequest,
): RankedGrant[] {
  const grants: RankedGrant[] = [];
  for (const assignment of policy.roleAssignments) {
    if (!principals.has(assignment.principalId.toLowerCase())) continue;
    const distance = distanceTo(chain, assignment.scope);
    if (distance < 0) continue;
    // An assignment of a role that no longer exists grants nothing (Azure shows it as orphaned).
    const role = policy.roleDefinitions.get(assignment.roleDefinitionId.toLowerCase());
    if (!role) continue;
    const condition = parseCondition(assignment.condition);
    const grant = assignmentGrant(assignment, compileRole(role), condition, op, request.attributes);
    if (grant) grants.push({ grant, distance });
  }
  return grants;
}
