import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ArmCaller } from "../arm/arm-caller.ts";
import { armError } from "../arm/arm-errors.ts";
import { resourceAudiences } from "../tokens/audiences.ts";
import type { ArmContext, ArmMethod, ArmRoute } from "./arm/arm-route.ts";
import { paged } from "./arm/paging.ts";
import { armRoutes } from "./arm/routes.ts";
import { authenticateArmStyle } from "./bearer-auth.ts";
import { limitBodies } from "./limits.ts";
import type { Services } from "./services.ts";
import { requestOrigin } from "./request-origin.ts";
import { errorEnvelopeHandler } from "./surface-errors.ts";
import { WireError } from "../core/errors.ts";

/** ARM: every path under `/subscriptions`, `/providers` and `/tenants`, dispatched through the route table. */
export async function armSurface(app: FastifyInstance, services: Services): Promise<void> {
  limitBodies(app, services.limits.armBodyLimit);
  app.setErrorHandler(
    errorEnvelopeHandler(
      (e) =>
        e.statusCode === 413
          ? armError("RequestEntityTooLarge", services.limits.armBodyLimit)
          : armError("InvalidRequestContent", e.message),
      (requestId) => armError("InternalServerError", requestId),
      (reason) => armError("PolicyUnavailable", reason),
    ),
  );

  const caller = async (request: FastifyRequest): Promise<ArmCaller> => {
    const token = await authenticateArmStyle(services.validator, request, resourceAudiences.arm);
    return services.armCaller(token.objectId, token.tenantId, token.userPrincipalName);
  };

  const dispatch = async (request: FastifyRequest, reply: FastifyReply) => {
    const path = normalizedPath(request.url);
    let known: ArmCaller | undefined;
    const callerOnce = async () => {
      known ??= await caller(request);
      return known;
    };
    let status = 500;
    try {
      // Every ARM answer depends on authorization: a node that cannot confirm its policy answers 503 first.
      services.policyCurrent();
      const result = await handle(request, path, callerOnce);
      status = result.status ?? 200;
      // The data plane reuses account and deployment reads briefly; a write here is effective at once on this node.
      if (WRITES.has(request.method)) {
        await services.resourcesChanged(path).catch((err) => request.log.warn({ err }, "recording a resource change failed"));
      }
      for (const [name, value] of Object.entries(result.headers ?? {})) reply.header(name, value);
      reply.status(status);
      if (result.body === undefined) return reply.send();
      return reply.send(
        request.method === "GET"
          ? paged(result.body, request.query as Record<string, string | undefined>, `${requestOrigin(request)}${request.url}`)
          : result.body,
      );
    } catch (err) {
      status = err instanceof WireError ? err.status : 500;
      throw err;
    } finally {
      if (known && WRITES.has(request.method)) await recordWrite(services, request, path, known, status);
    }
  };

  const handle = async (request: FastifyRequest, path: string, callerOnce: () => Promise<ArmCaller>) => {
    const found = findRoute(path);
    if (!found) throw armError("InvalidResourceId", path);
    const { route, params } = found;
    const handler = route.handlers[request.method as ArmMethod];
    if (!handler) throw armError("MethodNotAllowed", request.method, route.type);
    const query = request.query as Record<string, string | undefined>;
    const apiVersion = query["api-version"];
    if (!apiVersion) throw armError("MissingApiVersionParameter");
    if (route.apiVersions.length > 0 && !route.apiVersions.includes(apiVersion)) {
      throw armError("InvalidApiVersionParameter", apiVersion, route.type, route.apiVersions.join(","));
    }
    const ctx: ArmContext = {
      request,
      services,
      params,
      apiVersion,
      origin: requestOrigin(request),
      query,
      body: request.body,
      caller: callerOnce,
    };
    return handler(ctx);
  };

  const methods: ArmMethod[] = ["GET", "PUT", "PATCH", "DELETE", "POST", "HEAD"];
  for (const url of ["/tenants", "/subscriptions", "/subscriptions/*", "/providers/*"])
    app.route({ method: methods, url, handler: dispatch });
}

/** Decoded, repeated slashes folded (the CLI sends `//` before a type), no trailing slash. */
function normalizedPath(url: string): string {
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

const WRITES = new Set(["PUT", "PATCH", "DELETE", "POST"]);

/** Route types whose RBAC operation (the activity log's operationName, as Azure logs it) is spelled differently. */
const OPERATION_TYPES: Record<string, string> = {
  "Microsoft.Resources/resourceGroups": "Microsoft.Resources/subscriptions/resourceGroups",
};

/** Every authenticated control-plane write goes to the activity log, refused or not; the correlation id is the client's request id. */
async function recordWrite(
  services: Services,
  request: FastifyRequest,
  path: string,
  caller: ArmCaller,
  statusCode: number,
): Promise<void> {
  const subscriptionId = /^\/subscriptions\/([^/]+)/i.exec(path)?.[1];
  if (!subscriptionId) return;
  const found = findRoute(path);
  const verb = request.method === "DELETE" ? "delete" : request.method === "POST" ? "action" : "write";
  const type = found ? (OPERATION_TYPES[found.route.type] ?? found.route.type) : "Microsoft.Resources";
  try {
    await services.activityLog.record({
      subscriptionId,
      caller: caller.clientName,
      principalId: caller.principalId,
      operationName: `${type}/${verb}`,
      httpMethod: request.method,
      resourceId: path,
      statusCode,
      correlationId: String(request.headers["x-ms-client-request-id"] ?? request.id),
    });
  } catch (err) {
    request.log.error({ err }, "activity log write failed");
  }
}
