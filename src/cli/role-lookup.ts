import { API_VERSIONS, type KeylessClient } from "../client/keyless-client.ts";
import { isGuid } from "./assignee.ts";
import { CliError } from "./cli-error.ts";

interface RoleDefinition {
  id: string;
  name: string;
  properties: { roleName: string; type?: string; description?: string; assignableScopes?: string[]; permissions?: unknown[] };
}

const definitionsPath = (scope: string) => `${scope === "/" ? "" : scope}/providers/Microsoft.Authorization/roleDefinitions`;

/**
 * `--role` to a role definition id, as az: a full id is used as is, a GUID becomes the subscription's definition
 * id, a name is looked up with `$filter=roleName eq '…'` at the scope.
 */
export async function resolveRoleId(client: KeylessClient, subscriptionId: string, scope: string, role: string): Promise<string> {
  if (role.startsWith("/")) return role;
  if (isGuid(role)) return `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${role}`;
  const matches = (await client.list("arm", definitionsPath(scope), {
    $filter: `roleName eq '${role.replace(/'/g, "''")}'`,
    "api-version": API_VERSIONS.roleDefinitions,
  })) as RoleDefinition[];
  if (matches.length === 0) throw new CliError(`Role '${role}' doesn't exist.`, { code: "RoleNotFound" });
  if (matches.length > 1)
    throw new CliError(`Multiple roles named '${role}' exist; give the role's id (GUID) instead.`, { code: "RoleAmbiguous" });
  return matches[0]!.id;
}

export async function listRoleDefinitions(client: KeylessClient, scope: string): Promise<RoleDefinition[]> {
  return (await client.list("arm", definitionsPath(scope), { "api-version": API_VERSIONS.roleDefinitions })) as RoleDefinition[];
}

export { definitionsPath };

/** A role definition as az prints it: the properties flattened, the role's own type as `roleType`, `type` the ARM type. */
export function azRoleDefinition(definition: unknown) {
  const d = definition as Partial<RoleDefinition> & { type?: string };
  const { type: roleType, ...properties } = d.properties ?? ({} as Partial<RoleDefinition["properties"]>);
  return { ...properties, ...(roleType ? { roleType } : {}), id: d.id, name: d.name, type: d.type };
}
