import { createHash, X509Certificate } from "node:crypto";
import type { ApplicationLike, FederatedCredentialLike, GraphDirectory, GraphRequest } from "./graph-directory.ts";
import { graphError } from "./graph-errors.ts";
import { federatedCredentialJson } from "./graph-objects.ts";
import {
  type Body,
  bodyObject,
  collectionContext,
  onlyProperties,
  requireCredentialWriter,
  requireSameTenant,
  requireWriter,
  requiredString,
  translate,
} from "./graph-guards.ts";

/**
 * An application's certificates (`keyCredentials`, replaced as a whole by PATCH, as in Graph) and its federated
 * identity credentials (`/applications/{id}/federatedIdentityCredentials`).
 */

/** One entry of a PATCHed `keyCredentials` list: an existing certificate kept by keyId, or a new certificate. */
type RequestedKey =
  | { kind: "existing"; keyId: string; index: number }
  | { kind: "new"; certificatePem: string; thumbprintSha1: string; displayName: string | null; index: number };

const KEY_PROPERTIES = ["customKeyIdentifier", "displayName", "endDateTime", "key", "keyId", "startDateTime", "type", "usage"];

/** Checks every entry before anything changes, so a bad entry leaves the application as it was. */
export function parseKeyCredentials(value: unknown): RequestedKey[] {
  if (!Array.isArray(value)) throw graphError("Request_BadRequest", "Property 'keyCredentials' must be a list of keyCredential objects.");
  return value.map((raw, index) => {
    const entry = bodyObject(raw);
    onlyProperties(entry, KEY_PROPERTIES, "keyCredential");
    if (entry.type !== undefined && entry.type !== "AsymmetricX509Cert") {
      throw graphError(
        "Request_BadRequest",
        `keyCredentials[${index}].type must be 'AsymmetricX509Cert' (certificates that verify client assertions).`,
      );
    }
    if (entry.usage !== undefined && entry.usage !== "Verify")
      throw graphError("Request_BadRequest", `keyCredentials[${index}].usage must be 'Verify'.`);
    if (entry.key === undefined || entry.key === null) {
      if (typeof entry.keyId !== "string")
        throw graphError(
          "Request_BadRequest",
          `keyCredentials[${index}] needs 'key' (a base64 DER certificate) or the keyId of a certificate to keep.`,
        );
      return { kind: "existing", keyId: entry.keyId.toLowerCase(), index };
    }
    const certificate = decodeCertificate(entry.key, index);
    const displayName = typeof entry.displayName === "string" && entry.displayName.trim() !== "" ? entry.displayName : null;
    return { kind: "new", certificatePem: certificate.toString(), thumbprintSha1: sha1Thumbprint(certificate.raw), displayName, index };
  });
}

/** Makes the application's certificates exactly the requested list: adds the new ones first, then drops the rest. */
export async function replaceKeyCredentials(dir: GraphDirectory, applicationId: string, requested: readonly RequestedKey[]): Promise<void> {
  const existing = await dir.listKeyCredentials(applicationId);
  const keep = new Set<string>();
  const toAdd: Extract<RequestedKey, { kind: "new" }>[] = [];
  for (const entry of requested) {
    if (entry.kind === "existing") {
      if (!existing.some((k) => k.keyId === entry.keyId))
        throw graphError(
          "Request_BadRequest",
          `keyCredentials[${entry.index}]: no certificate with keyId '${entry.keyId}' on this application; send its 'key' to add it.`,
        );
      keep.add(entry.keyId);
      continue;
    }
    const same = existing.find((k) => k.thumbprintSha1 === entry.thumbprintSha1);
    if (same) keep.add(same.keyId);
    else if (toAdd.some((k) => k.thumbprintSha1 === entry.thumbprintSha1))
      throw graphError("Request_BadRequest", `keyCredentials[${entry.index}] repeats a certificate already in the list.`);
    else toAdd.push(entry);
  }
  const added: string[] = [];
  try {
    for (const entry of toAdd) added.push((await translate(() => dir.addKeyCredential(applicationId, entry))).keyId);
  } catch (err) {
    for (const keyId of added) await dir.removeKeyCredential(applicationId, keyId);
    throw err;
  }
  for (const k of existing) if (!keep.has(k.keyId)) await dir.removeKeyCredential(applicationId, k.keyId);
}

function decodeCertificate(key: unknown, index: number): X509Certificate {
  // The CLI sends the PEM body (base64 with line breaks); Graph's own clients send one base64 line.
  const base64 = typeof key === "string" ? key.replace(/\s+/g, "") : "";
  try {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) throw new Error("not base64");
    return new X509Certificate(Buffer.from(base64, "base64"));
  } catch {
    throw graphError(
      "Request_BadRequest",
      `keyCredentials[${index}].key must be a base64-encoded DER X.509 certificate (the PEM body without its BEGIN/END lines).`,
    );
  }
}

/** The certificate's x5t: base64url of the SHA-1 digest of its DER form (what the directory stores). */
function sha1Thumbprint(der: Buffer): string {
  return createHash("sha1").update(der).digest("base64url");
}

const FEDERATED_PROPERTIES = ["name", "issuer", "subject", "audiences", "description"];

export async function createFederatedCredential(dir: GraphDirectory, req: GraphRequest, applicationId: string, rawBody: unknown) {
  await requireWriter(dir, req, "applications");
  const application = await findApplication(dir, req, applicationId);
  await requireCredentialWriter(dir, req, application.id);
  const body = bodyObject(rawBody);
  onlyProperties(body, FEDERATED_PROPERTIES, "federatedIdentityCredential");
  const audiences = audiencesOf(body);
  const input = {
    name: requiredString(body, "name"),
    issuer: requiredString(body, "issuer"),
    subject: requiredString(body, "subject"),
    ...(audiences ? { audiences } : {}),
    description: descriptionOf(body),
  };
  const created = await translate(() => dir.addFederatedCredential(application.id, input));
  return federatedEntity(req, application, created);
}

export async function listFederatedCredentials(dir: GraphDirectory, req: GraphRequest, applicationId: string) {
  const application = await findApplication(dir, req, applicationId);
  const items = await dir.listFederatedCredentials(application.id);
  return {
    "@odata.context": collectionContext(req, `applications('${application.id}')/federatedIdentityCredentials`),
    value: items.map(federatedCredentialJson),
  };
}

export async function getFederatedCredential(dir: GraphDirectory, req: GraphRequest, applicationId: string, idOrName: string) {
  const application = await findApplication(dir, req, applicationId);
  return federatedEntity(req, application, await findFederated(dir, application.id, idOrName));
}

export async function deleteFederatedCredential(
  dir: GraphDirectory,
  req: GraphRequest,
  applicationId: string,
  idOrName: string,
): Promise<void> {
  await requireWriter(dir, req, "applications");
  const application = await findApplication(dir, req, applicationId);
  await requireCredentialWriter(dir, req, application.id);
  const credential = await findFederated(dir, application.id, idOrName);
  await translate(() => dir.removeFederatedCredential(application.id, credential.id));
}

export async function findApplication(dir: GraphDirectory, req: GraphRequest, id: string): Promise<ApplicationLike> {
  return requireSameTenant(req, id, await dir.getApplication(id.toLowerCase()));
}

async function findFederated(dir: GraphDirectory, applicationId: string, idOrName: string): Promise<FederatedCredentialLike> {
  const found = (await dir.listFederatedCredentials(applicationId)).find((f) => f.id === idOrName.toLowerCase() || f.name === idOrName);
  if (!found) throw graphError("Request_ResourceNotFound", idOrName);
  return found;
}

function federatedEntity(req: GraphRequest, application: ApplicationLike, credential: FederatedCredentialLike) {
  return {
    "@odata.context": collectionContext(req, `applications('${application.id}')/federatedIdentityCredentials/$entity`),
    ...federatedCredentialJson(credential),
  };
}

function audiencesOf(body: Body): string[] | undefined {
  const value = body.audiences;
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((a) => typeof a === "string"))
    throw graphError("Request_BadRequest", "Property 'audiences' must be a list of strings, for example [\"api://AzureADTokenExchange\"].");
  return value;
}

function descriptionOf(body: Body): string | null {
  const value = body.description;
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") throw graphError("Request_BadRequest", "Property 'description' must be a string.");
  return value;
}
