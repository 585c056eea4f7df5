import type { Permission, RoleDefinition } from "./types.ts";

/**
 * Small constructors for the built-in catalog, so each catalog entry lists only what the Azure definition
 * lists: empty `notActions`/`dataActions`/... are filled in here rather than repeated in every role.
 */
export function builtInRole(id: string, roleName: string, description: string, ...permissions: Permission[]): RoleDefinition {
  return { id, roleName, roleType: "BuiltInRole", description, assignableScopes: ["/"], permissions };
}

export function permission(parts: Partial<Permission>): Permission {
  const block: Permission = {
    actions: parts.actions ?? [],
    notActions: parts.notActions ?? [],
    dataActions: parts.dataActions ?? [],
    notDataActions: parts.notDataActions ?? [],
  };
  if (parts.condition !== undefined) {
    block.condition = parts.condition;
    block.conditionVersion = parts.conditionVersion ?? "2.0";
  }
  return block;
}

/**
 * The delegation condition the Foundry roles carry: they may write role assignments only for the listed roles
 * (`@Request`, the role being assigned) and delete only assignments of those roles (`@Resource`, the role of the
 * assignment being removed). Built exactly as Azure spells it, so `az role definition show` round-trips.
 */
export function delegationCondition(roleIds: readonly string[]): string {
  const set = roleIds.join(",");
  return (
    "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR " +
    `(@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals{${set}})) ` +
    "AND ((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})) OR " +
    `(@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals{${set}}))`
  );
}
