/**
 * The data model of Azure RBAC as Keyless evaluates it: role definitions, role and deny assignments, and the
 * question (`AccessRequest`) and answer (`Decision`) of one access check. Shapes follow the flattened
 * ARM/CLI form of `Microsoft.Authorization` resources so storage and the ARM surface can map them 1:1.
 */

/** One permission block of a role (or deny) definition. `notX` subtracts only within this block. */
export interface Permission {
  actions: string[];
  notActions: string[];
  dataActions: string[];
  notDataActions: string[];
  /** ABAC condition on this block (Foundry delegation roles); `conditionVersion` is "2.0". */
  condition?: string;
  conditionVersion?: string;
}

export interface RoleDefinition {
  /** The role GUID (the resource `name`), identical across tenants for built-in roles. */
  id: string;
  roleName: string;
  roleType: "BuiltInRole" | "CustomRole";
  description: string;
  assignableScopes: string[];
  permissions: Permission[];
}

export type PrincipalType = "User" | "Group" | "ServicePrincipal" | "ForeignGroup" | "Device";

export interface RoleAssignment {
  /** The assignment GUID (the resource `name`). */
  id: string;
  scope: string;
  /** The role GUID only, not the `/providers/Microsoft.Authorization/roleDefinitions/...` id. */
  roleDefinitionId: string;
  principalId: string;
  principalType: PrincipalType;
  condition?: string | null;
  description?: string | null;
}

/** The object id and type Azure uses for "all principals" in a deny assignment. */
export const EVERYONE_PRINCIPAL_ID = "00000000-0000-0000-0000-000000000000";

export interface DenyPrincipal {
  id: string;
  /** `SystemDefined` for everyone, otherwise a `PrincipalType`. */
  type: string;
}

export interface DenyAssignment {
  id: string;
  scope: string;
  permissions: Permission[];
  principals: DenyPrincipal[];
  excludePrincipals: DenyPrincipal[];
  doNotApplyToChildScopes: boolean;
}

/** A control-plane action or a data-plane data action; actions never grant data actions and vice versa. */
export interface Operation {
  kind: "action" | "dataAction";
  name: string;
}

/**
 * The role assignment a delegation condition looks at (`@Request[…]` on a write, `@Resource[…]` on a delete; Keyless
 * reads both sources from this one record). An attribute left out is unknown to a condition, which then fails closed.
 */
export interface AssignmentAttributes {
  /** The role GUID or its full `…/roleDefinitions/{guid}` id. */
  roleDefinitionId?: string;
  principalId?: string;
  /** User, Group or ServicePrincipal, as the directory knows the principal. */
  principalType?: string;
}

export interface AccessRequest {
  principalId: string;
  /**
   * Extra group ids the caller resolved. The policy adds the principal's transitive groups from its own snapshot
   * of the directory's memberships (never from a token claim), so callers normally pass [].
   */
  groupIds: readonly string[];
  operation: Operation;
  scope: string;
  /**
   * Request/resource attributes that ABAC conditions read: those of the role assignment a
   * `roleAssignments/write` creates or a `roleAssignments/delete` removes. Absent for every other operation.
   */
  attributes?: AssignmentAttributes;
}

/** What a snapshot of RBAC state holds; `roleDefinitions` is keyed by lower-case role GUID. */
export interface Policy {
  roleDefinitions: ReadonlyMap<string, RoleDefinition>;
  roleAssignments: readonly RoleAssignment[];
  denyAssignments: readonly DenyAssignment[];
  /** lower-case principal id → its transitive groups (lower-case), from the directory's memberships. */
  groupsOf: { get(principalId: string): readonly string[] | undefined };
}

/** One assignment that grants the operation, and the role pattern that matched it. */
export interface Grant {
  assignmentId: string;
  roleDefinitionId: string;
  roleName: string;
  scope: string;
  pattern: string;
}

export interface SuggestedRole {
  id: string;
  roleName: string;
}

export type DenyReason = "no-matching-assignment" | "deny-assignment" | "invalid-scope";

export interface AllowedDecision {
  kind: "allowed";
  /** Every granting assignment, nearest scope first, then by assignment id. */
  grants: readonly Grant[];
}

export interface DeniedDecision {
  kind: "denied";
  reason: DenyReason;
  operation: Operation;
  /** The request scope, normalised by `parseScope` (or as given when it is not a valid scope). */
  scope: string;
  denyAssignmentId?: string;
  /** Built-in roles that would grant the operation, least privileged first. */
  suggestedRoles: readonly SuggestedRole[];
}

export type Decision = AllowedDecision | DeniedDecision;

/** The one interface the pure evaluator, the compiled authorizer and any later wrapper share. */
export interface AccessEvaluator {
  evaluate(request: AccessRequest): Decision;
}
