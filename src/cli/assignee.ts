import type { KeylessClient } from "../client/keyless-client.ts";
import { CliError } from "./cli-error.ts";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isGuid = (text: string) => GUID.test(text);

interface DirectoryObject {
  id: string;
  "@odata.type"?: string;
  displayName?: string;
  userPrincipalName?: string;
  servicePrincipalNames?: string[];
  appId?: string;
}

/** `#microsoft.graph.servicePrincipal` → `ServicePrincipal`, as az maps principal types. */
export function principalTypeOf(object: DirectoryObject): string | undefined {
  const type = object["@odata.type"]?.replace("#microsoft.graph.", "");
  return type ? type.charAt(0).toUpperCase() + type.slice(1) : undefined;
}

/** Objects by id through `directoryObjects/getByIds`. */
export async function getByIds(client: KeylessClient, ids: string[]): Promise<DirectoryObject[]> {
  if (ids.length === 0) return [];
  const { body } = await client.graph("POST", "/directoryObjects/getByIds", {
    body: { ids, types: ["user", "group", "servicePrincipal", "directoryObjectPartnerReference"] },
  });
  return (body as { value: DirectoryObject[] }).value;
}

/**
 * Resolves `--assignee` as az does: a UPN through users, then a service principal name (an app id), then an
 * object id through getByIds.
 */
export async function resolveAssignee(client: KeylessClient, assignee: string): Promise<{ id: string; principalType: string | undefined }> {
  const quoted = assignee.replace(/'/g, "''");
  if (assignee.includes("@")) {
    const users = (await client.list("graph", "/users", { $filter: `userPrincipalName eq '${quoted}'` })) as DirectoryObject[];
    if (users[0]) return { id: users[0].id, principalType: "User" };
  }
  const sps = (await client.list("graph", "/servicePrincipals", {
    $filter: `servicePrincipalNames/any(c:c eq '${quoted}')`,
  })) as DirectoryObject[];
  if (sps[0]) return { id: sps[0].id, principalType: "ServicePrincipal" };
  if (isGuid(assignee)) {
    const [object] = await getByIds(client, [assignee]);
    if (object) return { id: object.id, principalType: principalTypeOf(object) };
  }
  throw new CliError(
    `Cannot find user or service principal in graph database for '${assignee}'. If the assignee is an appId, make sure the corresponding service principal is created with 'keyless ad sp create --id ${assignee}'.`,
    { code: "PrincipalNotFound" },
  );
}

/** The display name az shows for a principal. */
export function principalName(object: DirectoryObject): string | undefined {
  return object.userPrincipalName ?? object.servicePrincipalNames?.[0] ?? object.displayName;
}
