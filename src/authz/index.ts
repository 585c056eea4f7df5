/**
 * The authz module's public surface. Other modules receive these through injected functions (arm and inference
 * never import authz directly: docs/architecture.md, "Modules"); `main.ts` and tests import from here.
 */
export { BuiltInRoleIds, builtInRoleById, builtInRoleByName, builtInRoles } from "./builtin-roles.ts";
export { type Authorizer, type AuthorizerOptions, createAuthorizer } from "./compiled-policy.ts";
export { conditionProblem, type ParsedCondition, parseCondition } from "./conditions.ts";
export { evaluate } from "./evaluator.ts";
export { type AccessExplanation, effectivePermissions, explainDecision } from "./explain.ts";
export { type LivePolicy, type LivePolicySources, openLivePolicy } from "./live-policy.ts";
export { type Membership, transitiveGroups } from "./memberships.ts";
export { compilePatterns, globToRegExp, type PatternMatcher } from "./permission-match.ts";
export { createPolicy, type PolicyInput } from "./policy.ts";
export { privilegeScore } from "./suggest.ts";
export type {
  AccessEvaluator,
  AccessRequest,
  AllowedDecision,
  Decision,
  DeniedDecision,
  DenyAssignment,
  DenyPrincipal,
  DenyReason,
  Grant,
  Operation,
  Permission,
  Policy,
  PrincipalType,
  RoleAssignment,
  RoleDefinition,
  SuggestedRole,
} from "./types.ts";
export { EVERYONE_PRINCIPAL_ID } from "./types.ts";
