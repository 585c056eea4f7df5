import type { ListPage, ListQuery } from "../core/list-query.ts";
import type { FilterLimits } from "./odata-filter.ts";

/**
 * The directory as the Graph subset sees it: an injected interface (Graph never imports the directory module).
 * `main.ts` passes the directory itself, which satisfies it structurally.
 */
export interface UserLike {
  id: string;
  tenantId: string;
  userPrincipalName: string;
  displayName: string;
  accountEnabled: boolean;
  createdAt: string;
  mailNickname?: string | null;
}
export interface GroupLike {
  id: string;
  tenantId: string;
  displayName: string;
  mailNickname: string;
  description: string | null;
  securityEnabled: boolean;
  mailEnabled: boolean;
  createdAt: string;
}
export interface ApplicationLike {
  id: string;
  tenantId: string;
  appId: string;
  displayName: string;
  createdAt: string;
}
export interface ServicePrincipalLike {
  id: string;
  tenantId: string;
  appId: string;
  displayName: string;
  servicePrincipalType: string;
  createdAt: string;
}
interface PasswordLike {
  keyId: string;
  secretText: string;
  hint: string;
  displayName: string | null;
  startDateTime: string;
  endDateTime: string;
}
export interface StoredPasswordLike {
  keyId: string;
  hint: string;
  displayName: string | null;
  startDateTime: string;
  endDateTime: string;
}

/** An application's certificate: `thumbprintSha1` is base64url (the x5t); the certificate itself never leaves. */
export interface KeyCredentialLike {
  keyId: string;
  displayName: string | null;
  thumbprintSha1: string;
  startAt: string;
  endAt: string;
}
export interface FederatedCredentialLike {
  id: string;
  name: string;
  issuer: string;
  subject: string;
  audiences: string[];
  description: string | null;
}

/** Certificates and federated identity credentials of applications (the directory's app-credentials part). */
interface GraphAppCredentials {
  addKeyCredential(applicationId: string, input: { certificatePem: string; displayName?: string | null }): Promise<KeyCredentialLike>;
  listKeyCredentials(applicationId: string): Promise<KeyCredentialLike[]>;
  removeKeyCredential(applicationId: string, keyId: string): Promise<void>;
  addFederatedCredential(
    applicationId: string,
    input: { name: string; issuer: string; subject: string; audiences?: string[]; description?: string | null },
  ): Promise<FederatedCredentialLike>;
  listFederatedCredentials(applicationId: string): Promise<FederatedCredentialLike[]>;
  removeFederatedCredential(applicationId: string, idOrName: string): Promise<void>;
}

export type DirectoryObjectLike =
  | { kind: "user"; id: string; tenantId: string; user: UserLike }
  | { kind: "group"; id: string; tenantId: string; group: GroupLike }
  | { kind: "servicePrincipal"; id: string; tenantId: string; servicePrincipal: ServicePrincipalLike };

export type DirectoryArea = "users" | "groups" | "applications";

export interface GraphDirectory extends GraphAppCredentials {
  mayWrite(principalId: string, area: DirectoryArea): Promise<boolean>;
  mayManageGroup(principalId: string, groupId: string): Promise<boolean>;
  mayChangeUser(principalId: string, targetUserId: string, change?: "profile" | "password" | "sensitive"): Promise<boolean>;
  mayChangeApplicationCredentials(principalId: string, applicationId: string): Promise<boolean>;

  mayAssignDirectoryRoles(principalId: string): Promise<boolean>;
  listDirectoryRoleDefinitions(): { roleTemplateId: string; displayName: string; description: string }[];
  directoryRole(roleTemplateId: string): { roleTemplateId: string; displayName: string; description: string };
  listDirectoryRoleMembers(tenantId: string, roleTemplateId: string): Promise<string[]>;
  addDirectoryRoleMember(tenantId: string, roleTemplateId: string, principalId: string): Promise<void>;
  removeDirectoryRoleMember(tenantId: string, roleTemplateId: string, principalId: string): Promise<void>;

  getObject(id: string): Promise<DirectoryObjectLike | undefined>;
  /** Objects of any kind by id, in the order asked (an id asked twice, twice), those that do not exist left out. */
  getObjects(ids: readonly string[]): Promise<DirectoryObjectLike[]>;

  findUser(idOrUpn: string): Promise<UserLike | undefined>;
  listUsers(tenantId: string): Promise<UserLike[]>;
  /** One page of users in creation order, filtered and continued by storage. */
  listUsersPage(tenantId: string, query: ListQuery): Promise<ListPage<UserLike>>;
  createUser(
    tenantId: string,
    input: {
      userPrincipalName: string;
      displayName: string;
      password: string;
      mailNickname?: string;
      accountEnabled?: boolean;
      enforcePasswordPolicy?: boolean;
    },
  ): Promise<UserLike>;
  updateUser(
    idOrUpn: string,
    changes: { displayName?: string; mailNickname?: string; accountEnabled?: boolean; password?: string },
  ): Promise<UserLike>;
  deleteUser(idOrUpn: string): Promise<void>;

  getGroup(id: string): Promise<GroupLike | undefined>;
  listGroups(tenantId: string): Promise<GroupLike[]>;
  listGroupsPage(tenantId: string, query: ListQuery): Promise<ListPage<GroupLike>>;
  createGroup(
    tenantId: string,
    input: { displayName: string; mailNickname: string; description?: string | null; securityEnabled?: boolean; mailEnabled?: boolean },
  ): Promise<GroupLike>;
  updateGroup(id: string, changes: { displayName?: string; mailNickname?: string; description?: string | null }): Promise<GroupLike>;
  deleteGroup(id: string): Promise<void>;
  addMember(groupId: string, memberId: string): Promise<void>;
  removeMember(groupId: string, memberId: string): Promise<void>;
  listMembers(groupId: string): Promise<DirectoryObjectLike[]>;
  /** One page of a group's direct members in the order they were added. */
  listMembersPage(groupId: string, query: Omit<ListQuery, "where">): Promise<ListPage<DirectoryObjectLike>>;
  listTransitiveMembers(groupId: string): Promise<DirectoryObjectLike[]>;
  memberOf(principalId: string): Promise<GroupLike[]>;
  transitiveMemberOf(principalId: string): Promise<GroupLike[]>;
  transitiveGroupIds(principalId: string): Promise<string[]>;
  addOwner(groupId: string, ownerId: string): Promise<void>;
  removeOwner(groupId: string, ownerId: string): Promise<void>;
  listOwners(groupId: string): Promise<DirectoryObjectLike[]>;

  createApplication(tenantId: string, displayName: string, withServicePrincipal: boolean): Promise<{ application: ApplicationLike }>;
  getApplication(id: string): Promise<ApplicationLike | undefined>;
  listApplications(tenantId: string): Promise<ApplicationLike[]>;
  updateApplication(id: string, changes: { displayName?: string }): Promise<ApplicationLike>;
  deleteApplication(id: string): Promise<void>;
  addPassword(applicationId: string, displayName: string | null, endDateTime?: string): Promise<PasswordLike>;
  removePassword(applicationId: string, keyId: string): Promise<void>;
  listPasswords(applicationId: string): Promise<StoredPasswordLike[]>;

  createServicePrincipal(tenantId: string, appId: string): Promise<ServicePrincipalLike>;
  getServicePrincipal(id: string): Promise<ServicePrincipalLike | undefined>;
  listServicePrincipals(tenantId: string): Promise<ServicePrincipalLike[]>;
  deleteServicePrincipal(id: string): Promise<void>;
}

/** Who is calling, from the validated Graph token, and where the call came in (for absolute links). */
export interface GraphRequest {
  caller: { principalId: string; tenantId: string; kind: "user" | "app" };
  /** `https://{host}/graph/v1.0`, the base of `@odata.context` and `@odata.nextLink`. */
  base: string;
  query: Readonly<Record<string, string | undefined>>;
  /** Bounds on `$filter` (configuration settings). */
  filterLimits: FilterLimits;
}
