import type { DirectoryObjectLike, GraphDirectory, GraphRequest } from "./graph-directory.ts";
import { graphError } from "./graph-errors.ts";
import { directoryObjectJson, filterFields } from "./graph-objects.ts";
import { collectionContext, entityContext, referencedId, translate } from "./graph-guards.ts";
import { collectionResponse, selectFields } from "./odata-query.ts";

/**
 * `/directoryRoles`: every role Keyless knows is always activated, and its object id is its role template id
 * (Entra gives activated roles an id of their own; `roleTemplateId=` addressing works either way).
 */

export async function listDirectoryRoles(dir: GraphDirectory, req: GraphRequest) {
  const roles = dir.listDirectoryRoleDefinitions().map(roleJson);
  return collectionResponse(roles, {
    url: `${req.base}/directoryRoles`,
    context: collectionContext(req, "directoryRoles"),
    query: req.query,
    filterLimits: req.filterLimits,
    filterFields: { id: "string", displayName: "string", roleTemplateId: "string" },
  });
}

export async function getDirectoryRole(dir: GraphDirectory, req: GraphRequest, id: string) {
  const role = await translate(async () => dir.directoryRole(templateId(id)));
  return { "@odata.context": entityContext(req, "directoryRoles"), ...selectFields(roleJson(role), req.query) };
}

export async function listRoleMembers(dir: GraphDirectory, req: GraphRequest, id: string) {
  const ids = await translate(() => dir.listDirectoryRoleMembers(req.caller.tenantId, templateId(id)));
  const members = (await Promise.all(ids.map((m) => dir.getObject(m)))).filter((o): o is DirectoryObjectLike => o !== undefined);
  return collectionResponse(members.map(directoryObjectJson), {
    url: `${req.base}/directoryRoles/${templateId(id)}/members`,
    context: collectionContext(req, "directoryObjects"),
    query: req.query,
    filterLimits: req.filterLimits,
    filterFields: filterFields.directoryObjects,
  });
}

export async function addRoleMember(dir: GraphDirectory, req: GraphRequest, id: string, body: unknown): Promise<void> {
  await requireRoleAssigner(dir, req);
  const memberId = referencedId(body);
  await translate(() => dir.addDirectoryRoleMember(req.caller.tenantId, templateId(id), memberId));
}

export async function removeRoleMember(dir: GraphDirectory, req: GraphRequest, id: string, memberId: string): Promise<void> {
  await requireRoleAssigner(dir, req);
  await translate(() => dir.removeDirectoryRoleMember(req.caller.tenantId, templateId(id), memberId));
}

async function requireRoleAssigner(dir: GraphDirectory, req: GraphRequest): Promise<void> {
  if (!(await dir.mayAssignDirectoryRoles(req.caller.principalId))) throw graphError("Authorization_RequestDenied");
}

function templateId(id: string): string {
  return id
    .replace(/^roleTemplateId=/i, "")
    .replace(/^'|'$/g, "")
    .toLowerCase();
}

function roleJson(role: { roleTemplateId: string; displayName: string; description: string }) {
  return {
    id: role.roleTemplateId,
    deletedDateTime: null,
    description: role.description,
    displayName: role.displayName,
    roleTemplateId: role.roleTemplateId,
  };
}
