import { ancestorKeys, parseScope } from "../core/scope.ts";
import type { Decision, DenyReason, Operation, Permission, Policy, SuggestedRole } from "./types.ts";

/**
 * The one explanation of an access decision, shared by the check-access API and every data-plane or ARM denial:
 * who asked for what where, whether it is allowed, which assignments grant it, or what is missing and which
 * built-in roles (least privileged first) would grant it.
 */
interface AccessExplanation {
  allowed: boolean;
  principalId: string;
  action?: string;
  dataAction?: string;
  scope: string;
  grants: { roleAssignmentId: string; roleDefinitionId: string; roleName: string; scope: string; matchedPermission: string }[];
  reason?: DenyReason;
  denyAssignmentId?: string;
  /** In words, for people: what the principal lacks. */
  missing?: string;
  suggestedRoles: SuggestedRole[];
}

export function explainDecision(principalId: string, operation: Operation, scope: string, decision: Decision): AccessExplanation {
  const what = operation.kind === "action" ? { action: operation.name } : { dataAction: operation.name };
  if (decision.kind === "allowed") {
    const grants = decision.grants.map((g) => ({
      roleAssignmentId: g.assignmentId,
      roleDefinitionId: g.roleDefinitionId,
      roleName: g.roleName,
      scope: g.scope,
      matchedPermission: g.pattern,
    }));
    return { allowed: true, principalId, ...what, scope, grants, suggestedRoles: [] };
  }
  const kindText = operation.kind === "action" ? "action" : "data action";
  const missing =
    decision.reason === "deny-assignment"
      ? `Deny assignment '${decision.denyAssignmentId}' blocks ${kindText} '${operation.name}' at scope '${decision.scope}'.`
      : decision.reason === "invalid-scope"
        ? `'${decision.scope}' is not a valid scope.`
        : `No role assignment of the principal or its groups at scope '${decision.scope}' or above grants ${kindText} '${operation.name}'.`;
  const explanation: AccessExplanation = {
    allowed: false,
    principalId,
    ...what,
    scope: decision.scope,
    grants: [],
    reason: decision.reason,
    missing,
    suggestedRoles: [...decision.suggestedRoles],
  };
  if (decision.denyAssignmentId !== undefined) explanation.denyAssignmentId = decision.denyAssignmentId;
  return explanation;
}

/**
 * What `GET {scope}/providers/Microsoft.Authorization/permissions` returns: the permission blocks of every role
 * assigned to the principal or its groups at the scope or above, one entry per block as ARM lists them.
 */
export function effectivePermissions(policy: Policy, principalId: string, scopeText: string): Permission[] {
  const scope = parseScope(scopeText);
  if (!scope) return [];
  const chain = new Set(ancestorKeys(scope));
  const principal = principalId.toLowerCase();
  const principals = new Set([principal, ...(policy.groupsOf.get(principal) ?? [])]);
  const blocks: Permission[] = [];
  for (const assignment of policy.roleAssignments) {
    if (!principals.has(assignment.principalId.toLowerCase())) continue;
    const key = parseScope(assignment.scope)?.key;
    if (key === undefined || !chain.has(key)) continue;
    const role = policy.roleDefinitions.get(assignment.roleDefinitionId.toLowerCase());
    for (const block of role?.permissions ?? []) {
      blocks.push({
        actions: [...block.actions],
        notActions: [...block.notActions],
        dataActions: [...block.dataActions],
        notDataActions: [...block.notDataActions],
      });
    }
  }
  return blocks;
}
