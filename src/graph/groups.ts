import type { ListQuery } from "../core/list-query.ts";
import type { GraphDirectory, GraphRequest, GroupLike } from "./graph-directory.ts";
import { graphError } from "./graph-errors.ts";
import { directoryObjectJson, filterFields, groupJson, sqlFilterFields } from "./graph-objects.ts";
import {
  bodyObject,
  collectionContext,
  entityContext,
  onlyProperties,
  optionalBoolean,
  optionalString,
  referencedId,
  requireSameTenant,
  requireWriter,
  requiredString,
  translate,
} from "./graph-guards.ts";
import { collectionResponse, pagedCollectionResponse, selectFields } from "./odata-query.ts";

/** `/groups`, their members (direct and transitive) and owners. */

export async function listGroups(dir: GraphDirectory, req: GraphRequest) {
  const tenantId = req.caller.tenantId;
  const source = {
    sqlFields: sqlFilterFields.groups,
    page: (query: ListQuery) => dir.listGroupsPage(tenantId, query),
    all: () => dir.listGroups(tenantId),
    toJson: groupJson,
  };
  return pagedCollectionResponse(source, {
    url: `${req.base}/groups`,
    context: collectionContext(req, "groups"),
    query: req.query,
    filterLimits: req.filterLimits,
    filterFields: filterFields.groups,
  });
}

export async function getGroup(dir: GraphDirectory, req: GraphRequest, id: string) {
  const group = await findGroup(dir, req, id);
  return { "@odata.context": entityContext(req, "groups"), ...selectFields(groupJson(group), req.query) };
}

export async function createGroup(dir: GraphDirectory, req: GraphRequest, rawBody: unknown) {
  await requireWriter(dir, req, "groups");
  const body = bodyObject(rawBody);
  onlyProperties(body, ["displayName", "mailNickname", "description", "securityEnabled", "mailEnabled", "groupTypes"], "group");
  if (Array.isArray(body.groupTypes) && body.groupTypes.length > 0)
    throw graphError("Request_BadRequest", "Only security groups are supported: groupTypes must be empty.");
  const securityEnabled = optionalBoolean(body, "securityEnabled");
  const mailEnabled = optionalBoolean(body, "mailEnabled");
  const description = optionalString(body, "description");
  const group = await translate(() =>
    dir.createGroup(req.caller.tenantId, {
      displayName: requiredString(body, "displayName"),
      mailNickname: requiredString(body, "mailNickname"),
      description: description ?? null,
      ...(securityEnabled !== undefined ? { securityEnabled } : {}),
      ...(mailEnabled !== undefined ? { mailEnabled } : {}),
    }),
  );
  return { "@odata.context": entityContext(req, "groups"), ...groupJson(group) };
}

export async function updateGroup(dir: GraphDirectory, req: GraphRequest, id: string, rawBody: unknown): Promise<void> {
  const group = await managedGroup(dir, req, id);
  const body = bodyObject(rawBody);
  onlyProperties(body, ["displayName", "mailNickname", "description"], "group");
  const displayName = optionalString(body, "displayName");
  const mailNickname = optionalString(body, "mailNickname");
  const description = body.description === null ? null : optionalString(body, "description");
  await translate(() =>
    dir.updateGroup(group.id, {
      ...(displayName !== undefined ? { displayName } : {}),
      ...(mailNickname !== undefined ? { mailNickname } : {}),
      ...(description !== undefined ? { description } : {}),
    }),
  );
}

export async function deleteGroup(dir: GraphDirectory, req: GraphRequest, id: string): Promise<void> {
  const group = await managedGroup(dir, req, id);
  await translate(() => dir.deleteGroup(group.id));
}

/**
 * Direct members a page at a time from storage (a filter on them is applied in memory); transitive members from a
 * walk down the nesting, one query per level.
 */
export async function listMembers(dir: GraphDirectory, req: GraphRequest, id: string, transitive: boolean) {
  const group = await findGroup(dir, req, id);
  const segment = transitive ? "transitiveMembers" : "members";
  const request = {
    url: `${req.base}/groups/${group.id}/${segment}`,
    context: collectionContext(req, "directoryObjects"),
    query: req.query,
    filterLimits: req.filterLimits,
    filterFields: filterFields.directoryObjects,
  };
  if (transitive) return collectionResponse((await dir.listTransitiveMembers(group.id)).map(directoryObjectJson), request);
  const source = {
    sqlFields: [],
    page: (query: ListQuery) => dir.listMembersPage(group.id, query),
    all: () => dir.listMembers(group.id),
    toJson: directoryObjectJson,
  };
  return pagedCollectionResponse(source, request);
}

export async function addMember(dir: GraphDirectory, req: GraphRequest, id: string, body: unknown): Promise<void> {
  const group = await managedGroup(dir, req, id);
  const memberId = referencedId(body);
  await translate(() => dir.addMember(group.id, memberId));
}

export async function removeMember(dir: GraphDirectory, req: GraphRequest, id: string, memberId: string): Promise<void> {
  const group = await managedGroup(dir, req, id);
  await translate(() => dir.removeMember(group.id, memberId));
}

export async function listOwners(dir: GraphDirectory, req: GraphRequest, id: string) {
  const group = await findGroup(dir, req, id);
  const owners = await dir.listOwners(group.id);
  return collectionResponse(owners.map(directoryObjectJson), {
    url: `${req.base}/groups/${group.id}/owners`,
    context: collectionContext(req, "directoryObjects"),
    query: req.query,
    filterLimits: req.filterLimits,
    filterFields: filterFields.directoryObjects,
  });
}

export async function addOwner(dir: GraphDirectory, req: GraphRequest, id: string, body: unknown): Promise<void> {
  const group = await managedGroup(dir, req, id);
  const ownerId = referencedId(body);
  await translate(() => dir.addOwner(group.id, ownerId));
}

export async function removeOwner(dir: GraphDirectory, req: GraphRequest, id: string, ownerId: string): Promise<void> {
  const group = await managedGroup(dir, req, id);
  await translate(() => dir.removeOwner(group.id, ownerId));
}

async function findGroup(dir: GraphDirectory, req: GraphRequest, id: string): Promise<GroupLike> {
  return requireSameTenant(req, id, await dir.getGroup(id.toLowerCase()));
}

/** Groups Administrators, User Administrators, Global Administrators, and the group's own owners. */
async function managedGroup(dir: GraphDirectory, req: GraphRequest, id: string): Promise<GroupLike> {
  const group = await findGroup(dir, req, id);
  if (!(await dir.mayManageGroup(req.caller.principalId, group.id))) throw graphError("Authorization_RequestDenied");
  return group;
}
