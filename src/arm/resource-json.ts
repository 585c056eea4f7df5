import { armError } from "./arm-errors.ts";
import type { ResourceRecord } from "../storage/records.ts";

/** The ARM envelope `{id, name, type, location, tags, sku, kind, properties, systemData}` of a stored resource. */
export function resourceJson(r: ResourceRecord, properties: Record<string, unknown> = r.properties) {
  return {
    id: r.id,
    name: r.name,
    type: r.type,
    location: r.location,
    tags: r.tags,
    ...(r.sku ? { sku: r.sku } : {}),
    ...(r.kind ? { kind: r.kind } : {}),
    etag: `"${Buffer.from(r.updatedAt).toString("base64url")}"`,
    properties,
    systemData: {
      createdBy: r.createdBy,
      createdByType: "User",
      createdAt: r.createdAt,
      lastModifiedBy: r.createdBy,
      lastModifiedByType: "User",
      lastModifiedAt: r.updatedAt,
    },
  };
}

/** Tags: a flat object of strings (ARM: at most 50, names up to 512 characters, values up to 256); undefined when absent. */
export function parseTags(value: unknown): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value))
    throw armError("InvalidRequestContent", "tags must be an object of string values.");
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > 50) throw armError("InvalidRequestContent", "at most 50 tags are allowed.");
  for (const [name, v] of entries) {
    if (typeof v !== "string" || name.length > 512 || v.length > 256)
      throw armError("InvalidRequestContent", `tag '${name}' must be a string of at most 256 characters.`);
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

/** The body as an object, or InvalidRequestContent. */
export function bodyObject(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null || typeof body !== "object" || Array.isArray(body))
    throw armError("InvalidRequestContent", "the request body must be a JSON object.");
  return body as Record<string, unknown>;
}
