import type { CredentialStore } from "../storage/credential-store.ts";
import type { DirectoryStore } from "../storage/directory-store.ts";
import type { UserRecord } from "../storage/records.ts";
import type { Directory } from "./directory.ts";
import type { ManagedIdentities } from "./managed-identities.ts";

/**
 * The directory as the token service sees it (its `IdentitySource` port): tenants, clients and their credentials,
 * users by password, managed identities by endpoint secret. The token service never imports the directory.
 */
export function tokenIdentities(
  stores: { directory: DirectoryStore; credentials: CredentialStore },
  directory: Directory,
  defaultTenantId: string,
  managedIdentities: ManagedIdentities,
) {
  const asTenant = (t: { id: string; defaultDomain: string }) => ({ id: t.id, defaultDomain: t.defaultDomain });
  return {
    async findTenant(idOrDomain: string) {
      const tenants = await directory.listTenants();
      const match = tenants.find((t) => t.id === idOrDomain.toLowerCase() || t.defaultDomain.toLowerCase() === idOrDomain.toLowerCase());
      return match && asTenant(match);
    },
    async defaultTenant() {
      return asTenant((await directory.getTenant(defaultTenantId))!);
    },
    async findClient(tenantId: string, appId: string) {
      const application = await directory.findApplicationByAppId(appId.toLowerCase());
      if (!application || application.tenantId !== tenantId) return undefined;
      const sp = await stores.directory.findServicePrincipal(tenantId, application.appId);
      return { applicationId: application.id, appId: application.appId, displayName: application.displayName, servicePrincipalId: sp?.id };
    },
    verifyClientSecret: (applicationId: string, secret: string) => directory.verifyClientSecret(applicationId, secret),
    async verifyUserPassword(upn: string, password: string) {
      const user = await directory.verifyUserPassword(upn, password);
      return user && tokenUser(user);
    },
    clientCertificates: (applicationId: string) => stores.credentials.listKeyCredentials(applicationId),
    federatedCredentials: (applicationId: string) => stores.credentials.listFederatedCredentials(applicationId),
    async findManagedIdentityBySecret(secret: string) {
      const identity = await managedIdentities.findByEndpointSecret(secret);
      return (
        identity && {
          clientId: identity.clientId,
          principalId: identity.principalId,
          tenantId: identity.tenantId,
          resourceId: identity.resourceId,
          name: identity.name,
        }
      );
    },
    async findUser(id: string) {
      const user = await stores.directory.getUser(id);
      return user && tokenUser(user);
    },
  };
}

/** A user as the token service sees it. */
function tokenUser(user: UserRecord) {
  return {
    id: user.id,
    tenantId: user.tenantId,
    userPrincipalName: user.userPrincipalName,
    displayName: user.displayName,
    enabled: user.accountEnabled,
  };
}
