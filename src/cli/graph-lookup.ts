import type { KeylessClient } from "../client/keyless-client.ts";
import { isGuid } from "./assignee.ts";
import { CliError, NotFoundError } from "./cli-error.ts";

type GraphObject = { id: string; appId?: string; displayName?: string; passwordCredentials?: { keyId: string }[] };

const quote = (text: string) => text.replace(/'/g, "''");

/** `--group` as az takes it: an object id, else a display name that must name exactly one group. */
export async function findGroup(client: KeylessClient, group: string): Promise<GraphObject> {
  if (isGuid(group)) return (await client.graph("GET", `/groups/${group}`)).body as GraphObject;
  const matches = (await client.list("graph", "/groups", { $filter: `displayName eq '${quote(group)}'` })) as GraphObject[];
  if (matches.length === 0)
    throw new NotFoundError(`Group '${group}' was not found. Check the display name or give the object id.`, "Request_ResourceNotFound");
  if (matches.length > 1)
    throw new CliError(`More than one group has the display name '${group}'; give the object id instead.`, { code: "AmbiguousGroup" });
  return matches[0]!;
}

/** An application by app id or object id. */
export async function findApplication(client: KeylessClient, id: string): Promise<GraphObject> {
  const byAppId = (await client.list("graph", "/applications", { $filter: `appId eq '${quote(id)}'` })) as GraphObject[];
  if (byAppId[0]) return byAppId[0];
  if (!isGuid(id)) throw new NotFoundError(`Application '${id}' was not found; give its app id or object id.`, "Request_ResourceNotFound");
  return (await client.graph("GET", `/applications/${id}`)).body as GraphObject;
}

/** A service principal by one of its names (the app id) or its object id. */
export async function findServicePrincipal(client: KeylessClient, id: string): Promise<GraphObject> {
  const byName = (await client.list("graph", "/servicePrincipals", {
    $filter: `servicePrincipalNames/any(c:c eq '${quote(id)}')`,
  })) as GraphObject[];
  if (byName[0]) return byName[0];
  if (!isGuid(id))
    throw new NotFoundError(`Service principal '${id}' was not found; give its app id or object id.`, "Request_ResourceNotFound");
  return (await client.graph("GET", `/servicePrincipals/${id}`)).body as GraphObject;
}

/** A Graph `/users/{id}` path from a UPN or object id. */
export const userPath = (id: string) => `/users/${encodeURIComponent(id)}`;

/** az's table of applications and service principals (`get_graph_object_transformer`): by display name, Graph's `id` shown. */
export function graphObjectTable(result: unknown): unknown {
  const objects = result as { displayName: string; id: string; appId?: string; createdDateTime?: string }[];
  return [...objects]
    .sort((a, b) => (a.displayName < b.displayName ? -1 : a.displayName > b.displayName ? 1 : 0))
    .map((o) => ({ DisplayName: o.displayName, Id: o.id, AppId: o.appId, CreatedDateTime: o.createdDateTime }));
}
