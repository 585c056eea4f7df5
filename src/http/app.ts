import Fastify, { type FastifyInstance } from "fastify";
import { armSurface } from "./arm-surface.ts";
import { dataPlaneSurface } from "./data-plane-surface.ts";
import { graphSurface } from "./graph-surface.ts";
import { healthSurface } from "./health-surface.ts";
import { redactManagedIdentityUrl } from "./managed-identity-routes.ts";
import { oauthSurface } from "./oauth-surface.ts";
import { requestIdOf } from "./request-id.ts";
import type { Services } from "./services.ts";
import { surfaceOf } from "../telemetry/observers.ts";

export interface AppOptions {
  https: { key: string; cert: string };
  logLevel: string;
}

/** One HTTPS origin, one plugin per surface, each with its own error envelope. */
export function buildApp(services: Services, options: AppOptions): FastifyInstance {
  const app = Fastify({
    https: options.https,
    logger: {
      level: options.logLevel,
      serializers: {
        // Managed-identity endpoint secrets travel in the path for IMDS/MSI clients; never log them.
        req: (req) => ({ method: req.method, url: redactManagedIdentityUrl(req.url), host: req.host, remoteAddress: req.ip }),
      },
      redact: {
        paths: [
          "req.headers.authorization",
          "req.headers['api-key']",
          "req.headers['ocp-apim-subscription-key']",
          "req.headers['x-identity-header']",
        ],
        censor: "[redacted]",
      },
    },
    // ARM clients vary path casing and sometimes send `//`.
    routerOptions: { caseSensitive: false, ignoreDuplicateSlashes: true, ignoreTrailingSlash: true },
    genReqId: requestIdOf,
    bodyLimit: 8 * 1024 * 1024,
    forceCloseConnections: true,
  });
  app.addHook("onSend", async (request, reply) => {
    reply.header("x-ms-request-id", String(request.id));
  });
  const metrics = services.metrics;
  if (metrics) {
    // By surface (from the route pattern), never the raw path: ids in paths would make unbounded series.
    app.addHook("onResponse", async (request, reply) => {
      const surface = surfaceOf(request.routeOptions.url);
      const status = String(reply.statusCode);
      metrics.httpRequests.inc({ surface, method: request.method, status });
      metrics.httpDuration.observe({ surface, status }, reply.elapsedTime / 1000);
    });
  }
  app.register(healthSurface, services);
  app.register(oauthSurface, services);
  app.register(graphSurface, services);
  app.register(armSurface, services);
  app.register(dataPlaneSurface, services);
  return app;
}
