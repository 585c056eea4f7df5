import { findRoleDefinition } from "../../src/arm/role-definitions.ts";
import type { RoleAssignmentDeps } from "../../src/arm/role-assignments.ts";
import { builtInRoles } from "../../src/authz/index.ts";
import type { Store } from "../../src/storage/store.ts";

/**
 * What the role-assignment handlers need, over a store, for tests of what a write leaves in storage and policy: the
 * caller may write any assignment, every principal is a User, every condition is understood.
 */
export function permissiveRoleAssignmentDeps(
  store: Store,
  at: string,
  policyChanged: RoleAssignmentDeps["policyChanged"] = async () => undefined,
): RoleAssignmentDeps {
  return {
    store: store.rbac,
    clock: { now: () => Date.parse(at) },
    authorize: async () => true,
    findRole: (guid) => findRoleDefinition({ store: store.rbac, builtInRoles }, guid),
    groupsOf: () => [],
    findPrincipalType: async () => "User",
    conditionProblem: () => undefined,
    policyChanged,
  };
}
