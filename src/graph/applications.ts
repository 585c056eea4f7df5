import { ConflictError, InvalidInputError, NotFoundError } from "../core/errors.ts";
import { graphError } from "./graph-errors.ts";

/** The part of the directory Graph's application endpoints use (injected; Graph never imports the directory). */
export interface GraphDirectory {
  canWriteDirectory(principalId: string): Promise<boolean>;
  createApplication(tenantId: string, displayName: string, withServicePrincipal: boolean): Promise<{ application: ApplicationLike }>;
  getApplication(id: string): Promise<ApplicationLike | undefined>;
  addPassword(applicationId: string, displayName: string | null, endDateTime?: string): Promise<PasswordLike>;
  createServicePrincipal(tenantId: string, appId: string): Promise<ServicePrincipalLike>;
}

export interface ApplicationLike { id: string; tenantId: string; appId: string; displayName: string; createdAt: string }
export interface ServicePrincipalLike { id: string; appId: string; displayName: string; servicePrincipalType: string }
export interface PasswordLike { keyId: string; secretText: string; hint: string; displayName: string | null; startDateTime: string; endDateTime: string }
export interface GraphCaller { principalId: string; tenantId: string }

export async function createApplication(dir: GraphDirectory, caller: GraphCaller, body: unknown) {
  await requireWriter(dir, caller);
  const displayName = stringField(body, "displayName");
  const { application } = await translate(() => dir.createApplication(caller.tenantId, displayName, false));
  return applicationJson(application);
}

export async function addPassword(dir: GraphDirectory, caller: GraphCaller, applicationId: string, body: unknown) {
  await requireWriter(dir, caller);
  const application = await dir.getApplication(applicationId);
  if (!application || application.tenantId !== caller.tenantId) throw graphError("Request_ResourceNotFound", applicationId);
  const credential = (body as { passwordCredential?: { displayName?: unknown; endDateTime?: unknown } } | null)?.passwordCredential ?? {};
  const displayName = typeof credential.displayName === "string" ? credential.displayName : null;
  const end = typeof credential.endDateTime === "string" ? credential.endDateTime : undefined;
  const password = await translate(() => dir.addPassword(application.id, displayName, end));
  return { "@odata.type": "#microsoft.graph.passwordCredential", customKeyIdentifier: null, ...password };
}

export async function createServicePrincipal(dir: GraphDirectory, caller: GraphCaller, body: unknown) {
  await requireWriter(dir, caller);
  const sp = await translate(() => dir.createServicePrincipal(caller.tenantId, stringField(body, "appId")));
  return {
    "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals/$entity",
    id: sp.id, appId: sp.appId, displayName: sp.displayName, servicePrincipalType: sp.servicePrincipalType,
    servicePrincipalNames: [sp.appId], accountEnabled: true,
  };
}

function applicationJson(a: ApplicationLike) {
  return {
    "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#applications/$entity",
    id: a.id, appId: a.appId, displayName: a.displayName, createdDateTime: a.createdAt, signInAudience: "AzureADMyOrg",
    passwordCredentials: [], keyCredentials: [],
  };
}

async function requireWriter(dir: GraphDirectory, caller: GraphCaller): Promise<void> {
  if (!(await dir.canWriteDirectory(caller.principalId))) throw graphError("Authorization_RequestDenied");
}

function stringField(body: unknown, name: string): string {
  const value = (body as Record<string, unknown> | null)?.[name];
  if (typeof value !== "string" || value.trim() === "") throw graphError("Request_BadRequest", `Property '${name}' is required and must be a non-empty string.`);
  return value;
}

async function translate<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (err) {
    if (err instanceof NotFoundError) throw graphError("Request_ResourceNotFound", err.what);
    if (err instanceof ConflictError) throw graphError("Request_MultipleObjectsWithSameKeyValue", err.message);
    if (err instanceof InvalidInputError) throw graphError("Request_BadRequest", err.message);
    throw err;
  }
}
