/** What the repositories hand out: camelCase records, parsed JSON, booleans as booleans. */
export interface TenantRecord {
  id: string;
  displayName: string;
  defaultDomain: string;
  createdAt: string;
}

export interface UserRecord {
  id: string;
  tenantId: string;
  userPrincipalName: string;
  displayName: string;
  passwordHash: string | null;
  accountEnabled: boolean;
  createdAt: string;
  /** Mail alias; Graph defaults it to the UPN's local part. */
  mailNickname?: string | null;
}

export interface GroupRecord {
  id: string;
  tenantId: string;
  displayName: string;
  mailNickname: string;
  description: string | null;
  securityEnabled: boolean;
  mailEnabled: boolean;
  createdAt: string;
}

/** The kinds of directory object that can be a member or owner of a group. */
export type DirectoryObjectType = "user" | "group" | "servicePrincipal";

/** One direct edge: `memberId` is a direct member of `groupId`. */
export interface GroupEdge {
  groupId: string;
  memberId: string;
  memberType: DirectoryObjectType;
}

export interface ApplicationRecord {
  id: string;
  tenantId: string;
  appId: string;
  displayName: string;
  createdAt: string;
}

export interface ServicePrincipalRecord {
  id: string;
  tenantId: string;
  appId: string;
  displayName: string;
  servicePrincipalType: "Application" | "ManagedIdentity";
  createdAt: string;
}

export interface PasswordCredentialRecord {
  keyId: string;
  applicationId: string;
  displayName: string | null;
  secretHash: string;
  hint: string;
  startAt: string;
  endAt: string;
}

export interface SigningKeyRecord {
  kid: string;
  sealedPrivateJwk: string;
  publicJwk: string;
  createdAt: string;
  retiredAt: string | null;
}

export interface SubscriptionRecord {
  id: string;
  tenantId: string;
  displayName: string;
  state: string;
  createdAt: string;
}

export interface ResourceRecord {
  id: string;
  type: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string | null;
  /** Canonical key of the parent resource, for child resources such as deployments. */
  parentKey: string | null;
  location: string;
  kind: string | null;
  sku: Record<string, unknown> | null;
  tags: Record<string, string>;
  properties: Record<string, unknown>;
  createdAt: string;
  createdBy: string | null;
  updatedAt: string;
}

export interface RoleAssignmentRecord {
  id: string;
  tenantId: string;
  scope: string;
  roleDefinitionId: string;
  principalId: string;
  principalType: string;
  description: string | null;
  condition: string | null;
  conditionVersion: string | null;
  createdOn: string;
  createdBy: string | null;
  updatedOn: string;
  updatedBy: string | null;
}

/** One permission block as stored; the same four lists (and optional condition) ARM shows. */
export interface PermissionRecord {
  actions: string[];
  notActions: string[];
  dataActions: string[];
  notDataActions: string[];
  condition?: string;
  conditionVersion?: string;
}

export interface RoleDefinitionRecord {
  id: string;
  tenantId: string;
  roleName: string;
  description: string;
  assignableScopes: string[];
  permissions: PermissionRecord[];
  createdOn: string;
  createdBy: string | null;
  updatedOn: string;
  updatedBy: string | null;
}

export interface DenyAssignmentRecord {
  id: string;
  tenantId: string;
  denyAssignmentName: string;
  description: string;
  scope: string;
  permissions: PermissionRecord[];
  principals: { id: string; type: string }[];
  excludePrincipals: { id: string; type: string }[];
  doNotApplyToChildScopes: boolean;
  createdOn: string;
}

/** One data-plane call as the call log keeps it. Prompt text only on the operator's opt-in. */
export interface CallLogEntry {
  at: string;
  requestId: string;
  principalId: string;
  via: string;
  account: string;
  deployment: string | undefined;
  operation: string;
  decision: string;
  assignmentId: string | undefined;
  status: number;
  promptTokens: number;
  completionTokens: number;
  latencyMs: number;
  promptText?: string | undefined;
  /** The call's OpenTelemetry trace id, when tracing is on. */
  traceId?: string | undefined;
}

/** What a reader of the call log may narrow by; times are ISO 8601 UTC, `from` inclusive and `to` exclusive. */
export interface CallFilter {
  account?: string;
  from?: string;
  to?: string;
  principalId?: string;
  deployment?: string;
  decision?: string;
  status?: number;
}

/** Calls and tokens of one UTC day × principal × deployment. */
export interface CallUsageRow {
  day: string;
  principalId: string;
  deployment: string;
  calls: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

/** The few fields of a call that Azure Monitor metrics are computed from. */
export interface CallPoint {
  at: string;
  deployment: string | undefined;
  operation: string;
  status: number;
  promptTokens: number;
  completionTokens: number;
  latencyMs: number;
}

/** A stored Responses API response; the JSON columns are opaque to storage (the data plane owns their shape). */
export interface StoredResponseRecord {
  id: string;
  accountId: string;
  principalId: string;
  createdAt: string;
  expiresAt: string;
  responseJson: string;
  inputItemsJson: string;
  conversationJson: string;
}
