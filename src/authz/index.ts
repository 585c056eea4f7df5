/**
 * The authz module's public surface. Other modules receive these through injected functions (arm and inference
 * never import authz directly: docs/architecture.md, "Modules"); `main.ts` and tests import from here.
 */
export { BuiltInRoleIds, builtInRoles } from "./builtin-roles.ts";
export { createAuthorizer } from "./compiled-policy.ts";
export { conditionProblem } from "./conditions.ts";
export { evaluate } from "./evaluator.ts";
export { effectivePermissions, explainDecision } from "./explain.ts";
export { type LivePolicy, openLivePolicy } from "./live-policy.ts";
export { type Membership, transitiveGroups } from "./memberships.ts";
export { createPolicy } from "./policy.ts";
export type { RoleAssignment, RoleDefinition } from "./types.ts";
