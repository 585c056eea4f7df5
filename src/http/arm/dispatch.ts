import type { ArmCaller } from "../../arm/arm-caller.ts";
import type { ActivityRecord } from "../../storage/activity-store.ts";
import { armError } from "../../arm/arm-errors.ts";
import type { Services } from "../services.ts";
import type { ArmContext, ArmMethod, ArmResult, ArmRoute } from "./arm-route.ts";
import { armRoutes } from "./routes.ts";

/** One ARM call to run through the route table, from HTTP or in process. */
interface ArmCall {
  method: string;
  /** Normalized: decoded, repeated slashes folded, no trailing slash. */
  path: string;
  /** The path and query as sent. */
  url: string;
  query: Record<string, string | undefined>;
  body: unknown;
  origin: string;
  caller(): Promise<ArmCaller>;
  request?: ArmContext["request"];
  /** The correlation id the activity log records writes under. */
  correlationId: string;
  /** The handler's store committed the call's activity-log entry with the write: the caller records none. */
  activityRecorded(): void;
}

/** Finds the route of a path, checks the method and api-version, and runs the handler. */
export async function runArmRoute(services: Services, call: ArmCall): Promise<ArmResult> {
  const found = findRoute(call.path);
  if (!found) throw armError("InvalidResourceId", call.path);
  const { route, params } = found;
  const handler = route.handlers[call.method as ArmMethod];
  if (!handler) throw armError("MethodNotAllowed", call.method, route.type);
  const apiVersion = call.query["api-version"];
  if (!apiVersion) throw armError("MissingApiVersionParameter");
  if (route.apiVersions.length > 0 && !route.apiVersions.includes(apiVersion)) {
    throw armError("InvalidApiVersionParameter", apiVersion, route.type, route.apiVersions.join(","));
  }
  // Known once the handler asked for it: the activity log names who wrote.
  let caller: ArmCaller | undefined;
  return handler({
    request: call.request,
    url: call.url,
    services,
    params,
    apiVersion,
    origin: call.origin,
    query: call.query,
    body: call.body,
    caller: async () => {
      caller ??= await call.caller();
      return caller;
    },
    activity: {
      entry(statusCode) {
        if (!caller || !WRITES.has(call.method)) return undefined;
        return activityRecord(services, { method: call.method, path: call.path, caller, statusCode, correlationId: call.correlationId });
      },
      recorded: call.activityRecorded,
    },
  });
}

/** Decoded, repeated slashes folded (the CLI sends `//` before a type), no trailing slash. */
export function normalizedPath(url: string): string {
  // Not `new URL(url, base)`: a path starting with `//` (the SDKs' `{endpoint}/{resourceId}`) would parse as a host.
  const pathOnly = url.split("?")[0]!;
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathOnly);
  } catch {
    decoded = pathOnly;
  }
  return decoded.replace(/\/{2,}/g, "/").replace(/(.)\/$/, "$1");
}

function findRoute(path: string): { route: ArmRoute; params: string[] } | undefined {
  for (const route of armRoutes) {
    const match = route.pattern.exec(path);
    if (match) return { route, params: match.slice(1).map((p) => p ?? "") };
  }
  return undefined;
}

export const WRITES = new Set(["PUT", "PATCH", "DELETE", "POST"]);

/** Route types whose RBAC operation (the activity log's operationName, as Azure logs it) is spelled differently. */
const OPERATION_TYPES: Record<string, string> = {
  "Microsoft.Resources/resourceGroups": "Microsoft.Resources/subscriptions/resourceGroups",
};

interface ArmWrite {
  method: string;
  path: string;
  caller: ArmCaller;
  statusCode: number;
  correlationId: string;
}

/** The activity log entry of a control-plane write, refused or not. */
export async function recordArmWrite(services: Services, write: ArmWrite): Promise<void> {
  const record = activityRecord(services, write);
  if (record) await services.activityLog.insert(record);
}

/** The activity-log record of a write, or undefined when it is not under a subscription (Azure logs per subscription). */
function activityRecord(services: Services, write: ArmWrite): ActivityRecord | undefined {
  const subscriptionId = /^\/subscriptions\/([^/]+)/i.exec(write.path)?.[1];
  if (!subscriptionId) return undefined;
  const found = findRoute(write.path);
  const verb = write.method === "DELETE" ? "delete" : write.method === "POST" ? "action" : "write";
  const type = found ? (OPERATION_TYPES[found.route.type] ?? found.route.type) : "Microsoft.Resources";
  return services.activityLog.entry({
    subscriptionId,
    caller: write.caller.clientName,
    principalId: write.caller.principalId,
    operationName: `${type}/${verb}`,
    httpMethod: write.method,
    resourceId: write.path,
    statusCode: write.statusCode,
    correlationId: write.correlationId,
  });
}
