import { findApplication, parseKeyCredentials, replaceKeyCredentials } from "./application-credentials.ts";
import type { ApplicationLike, GraphDirectory, GraphRequest } from "./graph-directory.ts";
import { graphError } from "./graph-errors.ts";
import { applicationJson, filterFields } from "./graph-objects.ts";
import {
  bodyObject,
  collectionContext,
  entityContext,
  onlyProperties,
  optionalString,
  requireCredentialWriter,
  requireWriter,
  requiredString,
  translate,
} from "./graph-guards.ts";
import { collectionResponse, selectFields } from "./odata-query.ts";

/** `/applications`: registration, properties, certificates (`keyCredentials`) and client secrets (`addPassword`, `removePassword`). */

export async function createApplication(dir: GraphDirectory, req: GraphRequest, rawBody: unknown) {
  await requireWriter(dir, req, "applications");
  const body = bodyObject(rawBody);
  onlyProperties(body, ["displayName", "signInAudience", "keyCredentials", ...EMPTY_ONLY], "application");
  refuseNonEmpty(body);
  const keys = body.keyCredentials === undefined ? [] : parseKeyCredentials(body.keyCredentials);
  if (body.signInAudience !== undefined && body.signInAudience !== "AzureADMyOrg") {
    throw graphError("Request_BadRequest", "Only single-tenant applications are supported: signInAudience must be 'AzureADMyOrg'.");
  }
  const displayName = requiredString(body, "displayName");
  const { application } = await translate(() => dir.createApplication(req.caller.tenantId, displayName, false));
  try {
    await replaceKeyCredentials(dir, application.id, keys);
  } catch (err) {
    await dir.deleteApplication(application.id); // a refused certificate refuses the whole registration
    throw err;
  }
  return { "@odata.context": entityContext(req, "applications"), ...(await fullJson(dir, application)) };
}

export async function listApplications(dir: GraphDirectory, req: GraphRequest) {
  const applications = await dir.listApplications(req.caller.tenantId);
  const items = await Promise.all(applications.map((a) => fullJson(dir, a)));
  return collectionResponse(items, {
    url: `${req.base}/applications`,
    context: collectionContext(req, "applications"),
    query: req.query,
    filterLimits: req.filterLimits,
    filterFields: filterFields.applications,
  });
}

export async function getApplication(dir: GraphDirectory, req: GraphRequest, id: string) {
  const application = await findApplication(dir, req, id);
  return { "@odata.context": entityContext(req, "applications"), ...selectFields(await fullJson(dir, application), req.query) };
}

export async function updateApplication(dir: GraphDirectory, req: GraphRequest, id: string, rawBody: unknown): Promise<void> {
  await requireWriter(dir, req, "applications");
  const application = await findApplication(dir, req, id);
  const body = bodyObject(rawBody);
  onlyProperties(body, ["displayName", "keyCredentials", ...EMPTY_ONLY], "application");
  refuseNonEmpty(body);
  const displayName = optionalString(body, "displayName");
  const keys = body.keyCredentials === undefined ? undefined : parseKeyCredentials(body.keyCredentials);
  if (keys) await requireCredentialWriter(dir, req, application.id);
  await translate(() => dir.updateApplication(application.id, displayName !== undefined ? { displayName } : {}));
  if (keys) await replaceKeyCredentials(dir, application.id, keys);
}

export async function deleteApplication(dir: GraphDirectory, req: GraphRequest, id: string): Promise<void> {
  await requireWriter(dir, req, "applications");
  const application = await findApplication(dir, req, id);
  await translate(() => dir.deleteApplication(application.id));
}

export async function addPassword(dir: GraphDirectory, req: GraphRequest, applicationId: string, rawBody: unknown) {
  await requireWriter(dir, req, "applications");
  const application = await findApplication(dir, req, applicationId);
  await requireCredentialWriter(dir, req, application.id);
  const credential = (bodyObject(rawBody ?? {}).passwordCredential ?? {}) as { displayName?: unknown; endDateTime?: unknown };
  const displayName = typeof credential.displayName === "string" ? credential.displayName : null;
  const end = typeof credential.endDateTime === "string" ? credential.endDateTime : undefined;
  const password = await translate(() => dir.addPassword(application.id, displayName, end));
  return { "@odata.context": collectionContext(req, "microsoft.graph.passwordCredential"), customKeyIdentifier: null, ...password };
}

export async function removePassword(dir: GraphDirectory, req: GraphRequest, applicationId: string, rawBody: unknown): Promise<void> {
  await requireWriter(dir, req, "applications");
  const application = await findApplication(dir, req, applicationId);
  await requireCredentialWriter(dir, req, application.id);
  const keyId = requiredString(bodyObject(rawBody), "keyId");
  await translate(() => dir.removePassword(application.id, keyId));
}

/** Collections the CLI always sends; empty ones are what Keyless has, anything else it cannot honour yet. */
const EMPTY_ONLY = ["identifierUris", "appRoles", "requiredResourceAccess"];

function refuseNonEmpty(body: Record<string, unknown>): void {
  for (const name of EMPTY_ONLY) {
    const value = body[name];
    if (value !== undefined && !(Array.isArray(value) && value.length === 0)) {
      throw graphError("Request_BadRequest", `Property '${name}' is not supported yet: send an empty list or leave it out.`);
    }
  }
}

async function fullJson(dir: GraphDirectory, application: ApplicationLike): Promise<Record<string, unknown>> {
  return applicationJson(application, await dir.listPasswords(application.id), await dir.listKeyCredentials(application.id));
}
