import type { IncomingMessage } from "node:http";
import { newGuid } from "../core/ids.ts";

/** A GUID, as Azure's clients send in `x-ms-client-request-id` (with or without braces). */
const GUID = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;

/**
 * The request's id: the caller's `x-ms-client-request-id` when it is a GUID (so an SDK's own id ties its logs to
 * ours), else a new GUID. Whatever else a caller sends is never echoed, logged or stored: the id goes back as
 * `x-ms-request-id` and into every log line and call-log row, so it must be short and inert.
 */
export function requestIdOf(req: IncomingMessage): string {
  const header = req.headers["x-ms-client-request-id"];
  const value = Array.isArray(header) ? header[0] : header;
  const match = value === undefined || value.length > 38 ? null : GUID.exec(value);
  return match ? match[1]! : newGuid();
}
