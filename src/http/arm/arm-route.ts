import type { FastifyRequest } from "fastify";
import type { ArmCaller } from "../../arm/arm-caller.ts";
import type { InTransactionActivity } from "../../arm/role-assignments.ts";
import type { Services } from "../services.ts";

export type ArmMethod = "GET" | "PUT" | "PATCH" | "DELETE" | "POST" | "HEAD";

/** What an ARM handler gets: the path's captures, the checked api-version, and the caller on demand. */
export interface ArmContext {
  /** The HTTP request; absent when ARM is called in process (a template deployment writing a resource). */
  request?: FastifyRequest | undefined;
  /** The request's path and query as the client sent them. */
  url: string;
  services: Services;
  /** Captures of the route's pattern, in order. */
  params: string[];
  apiVersion: string;
  /** The origin the client used; data-plane URLs and operation URLs follow it. */
  origin: string;
  query: Record<string, string | undefined>;
  body: unknown;
  /** Authenticates the bearer token (ARM's 401s) and names the caller. */
  caller(): Promise<ArmCaller>;
  /**
   * This write's activity-log entry, for a handler whose store records it in the write's own transaction (its
   * `entry` is undefined for a call that is not logged; it needs `caller()` first). Once the handler calls
   * `recorded`, the surface records no other entry for the call, even when the handler then throws.
   */
  activity: InTransactionActivity;
}

export interface ArmResult {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /**
   * The handler paged the list itself (its own `$top`, `$skipToken` and `nextLink`), so the surface's generic
   * 100-item paging must not slice it again: the two tokens would meet in one nextLink, and clients that read query
   * names case-insensitively (the Azure CLI's Python SDK) keep only one of them and restart the list forever.
   */
  paged?: boolean;
}

type ArmHandler = (ctx: ArmContext) => Promise<ArmResult>;

/**
 * One ARM resource type (or collection, or action) on a path pattern. Patterns match the normalized path:
 * decoded, repeated slashes folded, no trailing slash; the match is case-insensitive.
 */
export interface ArmRoute {
  /** The type named in api-version errors, e.g. `Microsoft.CognitiveServices/accounts`. */
  type: string;
  pattern: RegExp;
  /** Supported api-versions, newest first; an empty list accepts any. */
  apiVersions: readonly string[];
  handlers: Partial<Record<ArmMethod, ArmHandler>>;
}
