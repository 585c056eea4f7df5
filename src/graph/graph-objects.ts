import type {
  ApplicationLike,
  DirectoryObjectLike,
  FederatedCredentialLike,
  KeyCredentialLike,
  GroupLike,
  ServicePrincipalLike,
  StoredPasswordLike,
  UserLike,
} from "./graph-directory.ts";

/** Graph's JSON shapes (v1.0 default properties plus the few the CLI reads), built from directory records. */

export function userJson(u: UserLike): Record<string, unknown> {
  return {
    id: u.id,
    businessPhones: [],
    displayName: u.displayName,
    givenName: null,
    jobTitle: null,
    mail: null,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: null,
    surname: null,
    userPrincipalName: u.userPrincipalName,
    accountEnabled: u.accountEnabled,
    mailNickname: u.mailNickname ?? u.userPrincipalName.split("@")[0]!,
    createdDateTime: u.createdAt,
  };
}

export function groupJson(g: GroupLike): Record<string, unknown> {
  return {
    id: g.id,
    deletedDateTime: null,
    classification: null,
    createdDateTime: g.createdAt,
    description: g.description,
    displayName: g.displayName,
    groupTypes: [],
    mail: null,
    mailEnabled: g.mailEnabled,
    mailNickname: g.mailNickname,
    securityEnabled: g.securityEnabled,
    securityIdentifier: null,
    visibility: null,
    isAssignableToRole: null,
    membershipRule: null,
    membershipRuleProcessingState: null,
  };
}

export function applicationJson(
  a: ApplicationLike,
  passwords: readonly StoredPasswordLike[],
  keys: readonly KeyCredentialLike[],
): Record<string, unknown> {
  return {
    id: a.id,
    appId: a.appId,
    displayName: a.displayName,
    createdDateTime: a.createdAt,
    deletedDateTime: null,
    signInAudience: "AzureADMyOrg",
    identifierUris: [],
    keyCredentials: keys.map(keyCredentialJson),
    passwordCredentials: passwords.map(passwordJson),
    publisherDomain: null,
    tags: [],
    api: { requestedAccessTokenVersion: null, oauth2PermissionScopes: [] },
    appRoles: [],
    requiredResourceAccess: [],
    publicClient: { redirectUris: [] },
    web: { homePageUrl: null, redirectUris: [], implicitGrantSettings: { enableAccessTokenIssuance: false, enableIdTokenIssuance: false } },
  };
}

function passwordJson(p: StoredPasswordLike): Record<string, unknown> {
  return {
    customKeyIdentifier: null,
    displayName: p.displayName,
    endDateTime: p.endDateTime,
    hint: p.hint,
    keyId: p.keyId,
    secretText: null,
    startDateTime: p.startDateTime,
  };
}

/** As Graph shows a certificate: its SHA-1 thumbprint (hex) as customKeyIdentifier, and never the key itself. */
function keyCredentialJson(k: KeyCredentialLike): Record<string, unknown> {
  return {
    customKeyIdentifier: Buffer.from(k.thumbprintSha1, "base64url").toString("hex").toUpperCase(),
    displayName: k.displayName,
    endDateTime: k.endAt,
    key: null,
    keyId: k.keyId,
    startDateTime: k.startAt,
    type: "AsymmetricX509Cert",
    usage: "Verify",
  };
}

export function federatedCredentialJson(f: FederatedCredentialLike): Record<string, unknown> {
  return { id: f.id, name: f.name, issuer: f.issuer, subject: f.subject, description: f.description, audiences: f.audiences };
}

export function servicePrincipalJson(sp: ServicePrincipalLike): Record<string, unknown> {
  return {
    id: sp.id,
    accountEnabled: true,
    appDisplayName: sp.displayName,
    appId: sp.appId,
    appOwnerOrganizationId: sp.tenantId,
    appRoles: [],
    deletedDateTime: null,
    displayName: sp.displayName,
    keyCredentials: [],
    passwordCredentials: [],
    servicePrincipalNames: [sp.appId],
    servicePrincipalType: sp.servicePrincipalType,
    signInAudience: "AzureADMyOrg",
    tags: [],
    createdDateTime: sp.createdAt,
  };
}

/** A member of a mixed collection (members, owners, getByIds): its shape with `@odata.type` first. */
export function directoryObjectJson(o: DirectoryObjectLike): Record<string, unknown> {
  switch (o.kind) {
    case "user":
      return { "@odata.type": "#microsoft.graph.user", ...userJson(o.user) };
    case "group":
      return groupObjectJson(o.group);
    case "servicePrincipal":
      return { "@odata.type": "#microsoft.graph.servicePrincipal", ...servicePrincipalJson(o.servicePrincipal) };
  }
}

export function groupObjectJson(g: GroupLike): Record<string, unknown> {
  return { "@odata.type": "#microsoft.graph.group", ...groupJson(g) };
}

/**
 * The filterable properties storage evaluates itself for the collections it pages (storage/directory-lists.ts maps
 * each onto a column); a filter on any other is applied in memory.
 */
export const sqlFilterFields = {
  users: ["id", "displayName", "userPrincipalName", "accountEnabled", "mail"],
  groups: ["id", "displayName", "mailNickname", "securityEnabled", "mailEnabled", "mail"],
} as const;

/** The filterable properties of each collection, as the Azure CLI and Graph SDKs use them. */
export const filterFields = {
  users: {
    id: "string",
    displayName: "string",
    userPrincipalName: "string",
    mail: "string",
    mailNickname: "string",
    accountEnabled: "boolean",
  },
  groups: {
    id: "string",
    displayName: "string",
    mailNickname: "string",
    mail: "string",
    securityEnabled: "boolean",
    mailEnabled: "boolean",
  },
  applications: { id: "string", appId: "string", displayName: "string", identifierUris: "strings" },
  servicePrincipals: {
    id: "string",
    appId: "string",
    displayName: "string",
    servicePrincipalNames: "strings",
    servicePrincipalType: "string",
    accountEnabled: "boolean",
  },
  directoryObjects: { id: "string", displayName: "string" },
} as const;
