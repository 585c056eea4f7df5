/** One ARM call made in process on a caller's behalf (no HTTP, no token): the path, its api-version, a body. */
interface ArmPortRequest {
  method: "GET" | "PUT" | "DELETE" | "POST";
  /** A resource id, or a resource id followed by an action (`…/listKeys`). */
  path: string;
  apiVersion: string;
  body?: unknown;
}

interface ArmPortResponse {
  status: number;
  body: unknown;
}

/**
 * ARM as one caller: the HTTP surface's own route table and handlers (and so the same validation, authorization
 * and storage a direct call gets), injected because the ARM module never imports the HTTP one. It throws the
 * handlers' WireErrors (AuthorizationFailed, ResourceNotFound, …) unchanged.
 */
export type ArmPort = (request: ArmPortRequest) => Promise<ArmPortResponse>;
