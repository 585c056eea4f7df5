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
  privilegedAuthenticationAdministrator: "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",
  userAdministrator: "fe930be7-5e62-47db-91af-98c3a49a38b1",
  helpdeskAdministrator: "729827e3-9c14-49f7-bb1b-9608f156bbb8",
  passwordAdministrator: "966707d0-3269-4727-9be2-8c3a10f19b9d",
  groupsAdministrator: "fdd7a751-b60b-444a-984c-02652fe8fa1c",
  applicationAdministrator: "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
  cloudApplicationAdministrator: "158c047a-c907-4556-b7ef-446551a6b5f7",
} as const;
