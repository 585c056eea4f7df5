import type { FastifyInstance, FastifyRequest } from "fastify";
import type { GraphDirectory, GraphRequest } from "../graph/graph-directory.ts";
import { graphError } from "../graph/graph-errors.ts";
import { resourceAudiences } from "../tokens/audiences.ts";
import { TokenRejectedError } from "../tokens/validator.ts";
import { graphRoutes } from "./graph-routes.ts";
import { limitBodies } from "./limits.ts";
import { bearerToken, requestOrigin } from "./request-origin.ts";
import type { Services } from "./services.ts";
import { errorEnvelopeHandler } from "./surface-errors.ts";

const BASE = "/graph/v1.0";

/** The Microsoft Graph subset under `/graph/v1.0`: one route table, one error envelope, one token check. */
export async function graphSurface(app: FastifyInstance, services: Services): Promise<void> {
  limitBodies(app, services.limits.graphBodyLimit);
  app.setErrorHandler(
    errorEnvelopeHandler(
      (e) =>
        e.statusCode === 413
          ? graphError("Request_EntityTooLarge", services.limits.graphBodyLimit)
          : graphError("Request_BadRequest", e.message),
      (requestId) => graphError("UnknownError", requestId),
    ),
  );
  // Group memberships feed RBAC decisions: a successful directory write is effective on this node before its
  // response leaves (other nodes follow the change feed).
  app.addHook("onSend", async (request, reply) => {
    if (request.method !== "GET" && reply.statusCode < 400) await services.directoryChanged();
  });

  const graphRequest = async (request: FastifyRequest): Promise<GraphRequest> => {
    const origin = requestOrigin(request);
    try {
      // Graph tokens carry either graph.microsoft.com or this service's own `/graph/` URL as audience.
      const audiences = [...resourceAudiences.graph, `${origin}/graph/`, `${origin}/graph`];
      const token = await services.validator.validate(bearerToken(request), audiences);
      // A token outlives a deletion or a disable; the directory, not the token, says whether the caller still counts.
      const principal = await services.directory.getPrincipal(token.objectId);
      if (!principal || (principal.kind === "user" && !principal.enabled)) {
        throw graphError("InvalidAuthenticationToken", "The principal of this token is disabled or no longer exists.");
      }
      return {
        caller: { principalId: token.objectId, tenantId: token.tenantId, kind: token.kind },
        base: `${origin}${BASE}`,
        query: queryOptions(request.query),
        filterLimits: services.limits.graphFilter,
      };
    } catch (err) {
      if (err instanceof TokenRejectedError) throw graphError("InvalidAuthenticationToken", err.message);
      throw err;
    }
  };

  // The directory and its application credentials are separate parts; Graph sees them as one directory.
  const directory: GraphDirectory = { ...services.directory, ...services.appCredentials };
  for (const route of graphRoutes) {
    app.route({
      method: route.method,
      url: `${BASE}${route.path}`,
      handler: async (request, reply) => {
        const result = await route.handle(
          directory,
          await graphRequest(request),
          (request.params ?? {}) as Record<string, string>,
          request.body,
        );
        if (result === undefined) return reply.status(204).send();
        return reply.status(route.status ?? 200).send(result);
      },
    });
  }

  // Anything else under the Graph base gets Graph's answer for an unknown segment, in Graph's envelope.
  app.route({
    method: ["GET", "POST", "PUT", "PATCH", "DELETE"],
    url: `${BASE}/*`,
    handler: async (request) => {
      await graphRequest(request);
      const path = request.url.split("?")[0]!.slice(BASE.length + 1);
      throw graphError(
        "BadRequest",
        `Resource not found for the segment '${path.split("/").pop()}' (${request.method} /${path} is not part of the Keyless Graph subset).`,
      );
    },
  });
}

/** Query options as single strings (a repeated option keeps its first value). */
function queryOptions(query: unknown): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    out[key] = Array.isArray(value) ? String(value[0]) : typeof value === "string" ? value : undefined;
  }
  return out;
}
