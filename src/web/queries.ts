import { useQuery } from "@tanstack/react-query";
import { API_VERSIONS, arm, call } from "./api.ts";
import type { DirectoryObject, RoleDefinition } from "./arm-types.ts";

/** The role definitions usable at a scope (Access control, Roles, the Add role assignment wizard). */
export function useRoleDefinitions(scope: string) {
  return useQuery({
    queryKey: ["roleDefinitions", scope],
    queryFn: () => arm.list<RoleDefinition>(`${scope}/providers/Microsoft.Authorization/roleDefinitions`, API_VERSIONS.roleDefinitions),
  });
}

/** Display names of directory objects, read once per set of ids. */
export function usePrincipalNames(ids: string[]) {
  return useQuery({
    queryKey: ["names", [...ids].sort().join(",")],
    enabled: ids.length > 0,
    queryFn: async () => {
      const found = await call<{ value: DirectoryObject[] }>("graph", "/directoryObjects/getByIds", { method: "POST", body: { ids } });
      return new Map(found.value.map((o) => [o.id, o.displayName ?? o.userPrincipalName ?? o.id]));
    },
  });
}
