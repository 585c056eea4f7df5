import { ConflictError, InvalidInputError, NotFoundError } from "../core/errors.ts";
import type { DirectoryArea, GraphDirectory, GraphRequest } from "./graph-directory.ts";
import { graphError } from "./graph-errors.ts";

/** The small steps every Graph handler shares: role checks, body fields, and the one translation of core errors. */

export async function requireWriter(dir: GraphDirectory, req: GraphRequest, area: DirectoryArea): Promise<void> {
  if (!(await dir.mayWrite(req.caller.principalId, area))) throw graphError("Authorization_RequestDenied");
}

/** Changing an application's credentials: an application writer, and one allowed for its service principal's directory roles. */
export async function requireCredentialWriter(dir: GraphDirectory, req: GraphRequest, applicationId: string): Promise<void> {
  if (!(await dir.mayChangeApplicationCredentials(req.caller.principalId, applicationId))) throw graphError("Authorization_RequestDenied");
}

export function requireSameTenant<T extends { tenantId: string }>(req: GraphRequest, id: string, found: T | undefined): T {
  if (!found || found.tenantId !== req.caller.tenantId) throw graphError("Request_ResourceNotFound", id);
  return found;
}

export type Body = Record<string, unknown>;

export function bodyObject(body: unknown): Body {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw graphError("Request_BadRequest", "The request body must be a JSON object.");
  return body as Body;
}

export function requiredString(body: Body, name: string): string {
  const value = body[name];
  if (typeof value !== "string" || value.trim() === "")
    throw graphError("Request_BadRequest", `Property '${name}' is required and must be a non-empty string.`);
  return value;
}

export function optionalString(body: Body, name: string): string | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value.trim() === "")
    throw graphError("Request_BadRequest", `Property '${name}' must be a non-empty string.`);
  return value;
}

export function optionalBoolean(body: Body, name: string): boolean | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== "boolean") throw graphError("Request_BadRequest", `Property '${name}' must be true or false.`);
  return value;
}

/** Refuses properties a PATCH or POST does not understand, instead of silently dropping them. */
export function onlyProperties(body: Body, allowed: readonly string[], type: string): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key) && !key.startsWith("@odata.")) {
      throw graphError(
        "Request_BadRequest",
        `Property '${key}' is not supported on type 'microsoft.graph.${type}' here; supported: ${allowed.join(", ")}.`,
      );
    }
  }
}

/** The object id named by a `{"@odata.id": "https://…/directoryObjects/{id}"}` reference body. */
export function referencedId(body: unknown): string {
  const ref = bodyObject(body)["@odata.id"];
  const id = typeof ref === "string" ? /\/([0-9a-fA-F-]{36})\/?$/.exec(ref)?.[1] : undefined;
  if (!id)
    throw graphError("Request_BadRequest", 'The body must be {"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/{id}"}.');
  return id.toLowerCase();
}

/** Runs a directory operation and translates its meaning-free failures into Graph's catalog, once. */
export async function translate<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (err) {
    if (err instanceof NotFoundError) throw graphError("Request_ResourceNotFound", err.what);
    if (err instanceof ConflictError) throw graphError("Request_MultipleObjectsWithSameKeyValue", err.message);
    if (err instanceof InvalidInputError) throw graphError("Request_BadRequest", err.message);
    throw err;
  }
}

export const entityContext = (req: GraphRequest, set: string) => `${req.base}/$metadata#${set}/$entity`;
export const collectionContext = (req: GraphRequest, set: string) => `${req.base}/$metadata#${set}`;
