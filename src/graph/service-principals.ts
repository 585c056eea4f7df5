import type { GraphDirectory, GraphRequest, ServicePrincipalLike } from "./graph-directory.ts";
import { filterFields, servicePrincipalJson } from "./graph-objects.ts";
import {
  bodyObject,
  collectionContext,
  entityContext,
  optionalBoolean,
  requireSameTenant,
  requireWriter,
  requiredString,
  translate,
} from "./graph-guards.ts";
import { graphError } from "./graph-errors.ts";
import { collectionResponse, selectFields } from "./odata-query.ts";

/** `/servicePrincipals`: the tenant's instances of its applications. */

export async function createServicePrincipal(dir: GraphDirectory, req: GraphRequest, rawBody: unknown) {
  await requireWriter(dir, req, "applications");
  const body = bodyObject(rawBody);
  if (optionalBoolean(body, "accountEnabled") === false)
    throw graphError("Request_BadRequest", "Disabled service principals are not supported: accountEnabled must be true.");
  const appId = requiredString(body, "appId").toLowerCase();
  const sp = await translate(() => dir.createServicePrincipal(req.caller.tenantId, appId));
  return { "@odata.context": entityContext(req, "servicePrincipals"), ...servicePrincipalJson(sp) };
}

export async function listServicePrincipals(dir: GraphDirectory, req: GraphRequest) {
  const sps = await dir.listServicePrincipals(req.caller.tenantId);
  return collectionResponse(sps.map(servicePrincipalJson), {
    url: `${req.base}/servicePrincipals`,
    context: collectionContext(req, "servicePrincipals"),
    query: req.query,
    filterLimits: req.filterLimits,
    filterFields: filterFields.servicePrincipals,
  });
}

export async function getServicePrincipal(dir: GraphDirectory, req: GraphRequest, id: string) {
  const sp = await findServicePrincipal(dir, req, id);
  return { "@odata.context": entityContext(req, "servicePrincipals"), ...selectFields(servicePrincipalJson(sp), req.query) };
}

export async function deleteServicePrincipal(dir: GraphDirectory, req: GraphRequest, id: string): Promise<void> {
  await requireWriter(dir, req, "applications");
  const sp = await findServicePrincipal(dir, req, id);
  await translate(() => dir.deleteServicePrincipal(sp.id));
}

async function findServicePrincipal(dir: GraphDirectory, req: GraphRequest, id: string): Promise<ServicePrincipalLike> {
  return requireSameTenant(req, id, await dir.getServicePrincipal(id.toLowerCase()));
}
