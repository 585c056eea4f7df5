import type { RbacStore } from "../storage/rbac-store.ts";
import { scopeRelation } from "../core/scope.ts";
import { explainDecision } from "./explain.ts";
import type { LivePolicy } from "./live-policy.ts";
import type { AssignmentAttributes, Decision, Operation } from "./types.ts";

/** A data-plane verdict: the granting assignment, or the explanation a denial carries. */
type DataActionVerdict = { allowed: true; assignmentId: string | undefined } | { allowed: false; explanation: Record<string, unknown> };

/**
 * The one place a request meets the live policy; the authorizer adds the principal's groups from its snapshot.
 * Each surface asks in its own terms (an ARM action, a data action, check-access) and every denial carries the
 * same explanation (`explain.ts`). `onDecision` observes every decision (metrics). Past the node's staleness limit
 * every question throws `UnavailableError` instead of answering.
 */
export function policyDecisions(policy: LivePolicy, onDecision: (operation: Operation, decision: Decision) => void = () => {}) {
  const decide = (principalId: string, operation: Operation, scope: string, attributes?: AssignmentAttributes): Decision => {
    // A node that cannot confirm its policy is current refuses to decide (503) rather than decide with it.
    policy.requireCurrent();
    const decision = policy.authorizer.evaluate({ principalId, groupIds: [], operation, scope, ...(attributes ? { attributes } : {}) });
    onDecision(operation, decision);
    return decision;
  };
  const explain = (
    principalId: string,
    operation: Operation,
    scope: string,
    attributes?: AssignmentAttributes,
  ): Record<string, unknown> => ({
    ...explainDecision(principalId, operation, scope, decide(principalId, operation, scope, attributes)),
  });
  return {
    /** Whether the caller may perform an ARM action at the scope (`attributes`: the role assignment it writes or deletes). */
    async allowsAction(caller: { principalId: string }, action: string, scope: string, attributes?: AssignmentAttributes) {
      return decide(caller.principalId, { kind: "action", name: action }, scope, attributes).kind === "allowed";
    },
    /** Why an ARM action is denied, for `AuthorizationFailed`. */
    explainAction(caller: { principalId: string }, action: string, scope: string, attributes?: AssignmentAttributes) {
      return explain(caller.principalId, { kind: "action", name: action }, scope, attributes);
    },
    /** The data plane's question: allowed with the granting assignment, or denied with the explanation. */
    async dataActionVerdict(caller: { principalId: string }, dataAction: string, scope: string): Promise<DataActionVerdict> {
      const operation: Operation = { kind: "dataAction", name: dataAction };
      const decision = decide(caller.principalId, operation, scope);
      return decision.kind === "allowed"
        ? { allowed: true, assignmentId: decision.grants[0]?.assignmentId }
        : { allowed: false, explanation: { ...explainDecision(caller.principalId, operation, scope, decision) } };
    },
    /** The check-access answer: the explanation of one decision, allowed or not. */
    checkAccess: (principalId: string, operation: Operation, scope: string) => explain(principalId, operation, scope),
  };
}

/**
 * Whether the principal holds any role assignment at, above or below the scope, directly or through its (nested)
 * groups, as every decision counts them: who may see a subscription in the list.
 */
export async function hasAccessWithin(
  store: Pick<RbacStore, "listRoleAssignmentsOfPrincipals">,
  groupsOf: (principalId: string) => readonly string[],
  principalId: string,
  scope: string,
): Promise<boolean> {
  const assignments = await store.listRoleAssignmentsOfPrincipals([principalId, ...groupsOf(principalId)]);
  return assignments.some((a) => scopeRelation(a.scope, scope) !== "unrelated");
}
