/** The authenticated caller of an ARM operation, and how ARM authorizes it. */
export interface ArmCaller {
  principalId: string;
  tenantId: string;
  /** What AuthorizationFailed names the client by: the UPN for users, the object id for applications. */
  clientName: string;
}

export type Authorize = (caller: ArmCaller, action: string, scope: string, attributes?: { roleDefinitionId?: string }) => Promise<boolean>;
