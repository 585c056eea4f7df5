/** The authenticated caller of an ARM operation, and how ARM authorizes it. */
export interface ArmCaller {
  principalId: string;
  tenantId: string;
  /** What AuthorizationFailed names the client by: the UPN for users, the object id for applications. */
  clientName: string;
}

/**
 * The role assignment a `roleAssignments/write` creates or a `roleAssignments/delete` removes: what delegation
 * conditions on the caller's own assignments read (`@Request[…]` / `@Resource[…]`).
 */
export interface AssignmentAttributes {
  roleDefinitionId: string;
  principalId: string;
  /** As the directory knows the principal; left out when it is not (yet) in the directory. */
  principalType?: string;
}

export type Authorize = (caller: ArmCaller, action: string, scope: string, attributes?: AssignmentAttributes) => Promise<boolean>;
