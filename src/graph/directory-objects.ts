import type { DirectoryObjectLike, GraphDirectory, GraphRequest } from "./graph-directory.ts";
import { graphError } from "./graph-errors.ts";
import { directoryObjectJson, filterFields, groupObjectJson } from "./graph-objects.ts";
import { bodyObject, collectionContext, entityContext, requireSameTenant } from "./graph-guards.ts";
import { collectionResponse, selectFields } from "./odata-query.ts";

/** `directoryObjects`: look-ups by id across types, and the membership questions any object can be asked. */

const MAX_IDS = 1000;
const MAX_CHECK_IDS = 20;
const TYPES: Record<string, DirectoryObjectLike["kind"] | "none"> = {
  user: "user",
  group: "group",
  serviceprincipal: "servicePrincipal",
  directoryobjectpartnerreference: "none",
  directoryobject: "none",
};

export async function getByIds(dir: GraphDirectory, req: GraphRequest, rawBody: unknown) {
  const body = bodyObject(rawBody);
  const ids = stringList(body.ids, "ids");
  if (ids.length > MAX_IDS) throw graphError("Request_BadRequest", `At most ${MAX_IDS} ids can be looked up at once.`);
  const kinds = body.types === undefined ? undefined : requestedKinds(stringList(body.types, "types"));
  const found = await dir.getObjects(ids);
  const visible = found.filter((o) => o.tenantId === req.caller.tenantId && (!kinds || kinds.has(o.kind)));
  return { "@odata.context": collectionContext(req, "directoryObjects"), value: visible.map(directoryObjectJson) };
}

export async function getDirectoryObject(dir: GraphDirectory, req: GraphRequest, id: string) {
  const object = requireSameTenant(req, id, await dir.getObject(id.toLowerCase()));
  return { "@odata.context": entityContext(req, "directoryObjects"), ...selectFields(directoryObjectJson(object), req.query) };
}

/** `memberOf` / `transitiveMemberOf` of a user, group or service principal. */
export async function memberOf(dir: GraphDirectory, req: GraphRequest, id: string, transitive: boolean, segment: string) {
  const object = await findMember(dir, req, id);
  const groups = await (transitive ? dir.transitiveMemberOf(object.id) : dir.memberOf(object.id));
  return collectionResponse(groups.map(groupObjectJson), {
    url: `${req.base}/${segment}/${object.id}/${transitive ? "transitiveMemberOf" : "memberOf"}`,
    context: collectionContext(req, "directoryObjects"),
    query: req.query,
    filterLimits: req.filterLimits,
    filterFields: filterFields.directoryObjects,
  });
}

/** `checkMemberGroups` (`{groupIds}`) and `checkMemberObjects` (`{ids}`): which of the given groups the object is in, transitively. */
export async function checkMemberGroups(
  dir: GraphDirectory,
  req: GraphRequest,
  id: string,
  rawBody: unknown,
  property: "groupIds" | "ids",
) {
  const object = await findMember(dir, req, id);
  const asked = stringList(bodyObject(rawBody)[property], property);
  if (asked.length > MAX_CHECK_IDS) throw graphError("Request_BadRequest", `At most ${MAX_CHECK_IDS} ${property} can be checked at once.`);
  const groups = new Set(await dir.transitiveGroupIds(object.id));
  return { "@odata.context": collectionContext(req, "Collection(Edm.String)"), value: asked.filter((g) => groups.has(g.toLowerCase())) };
}

/** `getMemberGroups` / `getMemberObjects`: every group the object is in, transitively (all groups are security groups). */
export async function getMemberGroups(dir: GraphDirectory, req: GraphRequest, id: string, rawBody: unknown) {
  const object = await findMember(dir, req, id);
  const body = bodyObject(rawBody);
  if (body.securityEnabledOnly !== undefined && typeof body.securityEnabledOnly !== "boolean") {
    throw graphError("Request_BadRequest", "Property 'securityEnabledOnly' must be true or false.");
  }
  return { "@odata.context": collectionContext(req, "Collection(Edm.String)"), value: await dir.transitiveGroupIds(object.id) };
}

async function findMember(dir: GraphDirectory, req: GraphRequest, id: string): Promise<DirectoryObjectLike> {
  const key = id.includes("@") ? (await dir.findUser(id))?.id : id.toLowerCase();
  return requireSameTenant(req, id, key === undefined ? undefined : await dir.getObject(key));
}

function requestedKinds(types: string[]): Set<DirectoryObjectLike["kind"]> {
  const kinds = new Set<DirectoryObjectLike["kind"]>();
  for (const t of types) {
    const kind = TYPES[t.toLowerCase().replace(/^#?microsoft\.graph\./, "")];
    if (kind === undefined)
      throw graphError("Request_BadRequest", `Unknown directory object type '${t}': use user, group or servicePrincipal.`);
    if (kind !== "none") kinds.add(kind);
  }
  return kinds;
}

function stringList(value: unknown, name: string): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string"))
    throw graphError("Request_BadRequest", `Property '${name}' must be an array of strings.`);
  return value;
}
