/** What the rest of the system needs to know about a security principal. */
export type Principal =
  | { kind: "user"; id: string; tenantId: string; displayName: string; userPrincipalName: string; enabled: boolean }
  | {
      kind: "servicePrincipal";
      id: string;
      tenantId: string;
      displayName: string;
      appId: string;
      servicePrincipalType: "Application" | "ManagedIdentity";
    };

/** The `principalType` ARM role assignments use for a principal. */
export function principalType(p: Principal): "User" | "ServicePrincipal" {
  return p.kind === "user" ? "User" : "ServicePrincipal";
}

/** Directory role template ids, as in Entra. */
export const DirectoryRoles = {
  globalAdministrator: "62e90394-69f5-4237-9190-012177145e10",
  userAdministrator: "fe930be7-5e62-47db-91af-98c3a49a38b1",
  groupsAdministrator: "fdd7a751-b60b-444a-984c-02652fe8fa1c",
  applicationAdministrator: "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
} as const;
