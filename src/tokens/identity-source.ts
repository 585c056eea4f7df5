/**
 * What the token service needs from the directory. The composition root adapts the directory to it, so the
 * token service never imports the directory (siblings never import each other: docs/architecture.md, "Modules").
 */
export interface TokenTenant {
  id: string;
  defaultDomain: string;
}

export interface TokenClient {
  applicationId: string;
  appId: string;
  displayName: string;
  /** The client's service principal in the tenant, if one exists (needed for app-only tokens). */
  servicePrincipalId: string | undefined;
}

export interface TokenUser {
  id: string;
  tenantId: string;
  userPrincipalName: string;
  displayName: string;
  enabled: boolean;
}

interface TokenClientCertificate {
  keyId: string;
  thumbprintSha1: string;
  thumbprintSha256: string;
  certificatePem: string;
  endAt: string;
}
interface TokenFederatedCredential {
  issuer: string;
  subject: string;
  audiences: string[];
}

interface TokenManagedIdentity {
  clientId: string;
  principalId: string;
  tenantId: string;
  resourceId: string;
  name: string;
}

export interface IdentitySource {
  /** A tenant by GUID or by domain name. */
  findTenant(idOrDomain: string): Promise<TokenTenant | undefined>;
  /** The tenant that the ADFS-style authority (`/adfs`) and `organizations`/`common` stand for. */
  defaultTenant(): Promise<TokenTenant>;
  findClient(tenantId: string, appId: string): Promise<TokenClient | undefined>;
  verifyClientSecret(applicationId: string, secret: string): Promise<"valid" | "invalid" | "expired">;
  verifyUserPassword(userPrincipalName: string, password: string): Promise<TokenUser | undefined>;
  clientCertificates(applicationId: string): Promise<TokenClientCertificate[]>;
  federatedCredentials(applicationId: string): Promise<TokenFederatedCredential[]>;
  /** The managed identity whose endpoint secret this is (the caller's proof of identity), or undefined. */
  findManagedIdentityBySecret(secret: string): Promise<TokenManagedIdentity | undefined>;
  /** A user by object id (refresh and device-code grants re-check that the user still exists and is enabled). */
  findUser(id: string): Promise<TokenUser | undefined>;
}

/** Well-known first-party public clients (no secret), as in every Entra tenant. */
export const firstPartyPublicClients: Readonly<Record<string, string>> = {
  "04b07795-8ddb-461a-bbee-02f9e1bf7b46": "Microsoft Azure CLI",
  "1950a258-227b-4e31-a9cf-717495945fc2": "Microsoft Azure PowerShell",
  "04f0c124-f2bc-4f59-8241-bf6df9866bbd": "Visual Studio",
  "aebc6443-996d-45c2-90f0-388ff96faa56": "Visual Studio Code",
  // The Keyless portal (/portal/) signs in with auth code + PKCE under the Azure portal's client id.
  "c44b4083-3bb0-49c1-b47d-974e53cbdf3c": "Keyless Portal",
};
