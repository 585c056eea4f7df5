import type { AddressInfo } from "node:net";
import Fastify, { type FastifyInstance, type FastifyReply } from "fastify";
import { armSurface } from "./arm-surface.ts";
import { dataPlaneSurface } from "./data-plane-surface.ts";
import { graphSurface } from "./graph-surface.ts";
import { healthSurface } from "./health-surface.ts";
import { WireError } from "../core/errors.ts";
import type { LogDestination } from "./console-log.ts";
import { boundJsonDepth } from "./limits.ts";
import { oauthSurface } from "./oauth-surface.ts";
import { portalSurface } from "./portal-surface.ts";
import { loggableUrl, normalizeRequestUrl } from "./request-url.ts";
import { requestIdOf } from "./request-id.ts";
import type { DrainControl } from "./drain.ts";
import { type PublicOrigins, publicOrigins } from "./request-origin.ts";
import type { Services } from "./services.ts";
import { errorEnvelopeHandler } from "./surface-errors.ts";
import { surfaceOf } from "../telemetry/observers.ts";

interface AppOptions {
  https: { key: string; cert: string };
  logLevel: string;
  /** Where log records go: pino's JSON lines on stdout when absent (`console-log.ts` makes the human one). */
  logDestination?: LogDestination;
  /** The names clients may reach us by; a request naming another host is answered as if it named `publicUrl`. */
  origins: PublicOrigins;
  /** Graceful shutdown: counts requests in flight, closes connections once draining (`main.ts` starts it). */
  drain?: DrainControl;
}

function noSchemaCompiler(): never {
  throw new Error("Keyless routes declare no JSON schemas: check the input in the handler and throw the surface's catalog errors.");
}

/** One HTTPS origin, one plugin per surface, each with its own error envelope. */
export function buildApp(services: Services, options: AppOptions): FastifyInstance {
  const app = Fastify({
    https: { ...options.https, maxHeaderSize: services.limits.maxHeaderBytes },
    logger: {
      level: options.logLevel,
      ...(options.logDestination ? { stream: options.logDestination } : {}),
      serializers: {
        // Managed-identity endpoint secrets travel in the path for IMDS/MSI clients; never log them.
        req: (req) => ({ method: req.method, url: loggableUrl(req.url), host: req.host, remoteAddress: req.ip }),
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
    // Routing, logging and masking see one spelling of the path (see request-url.ts).
    rewriteUrl: (req) => normalizeRequestUrl(req.url ?? "/"),
    // A URL the router cannot decode, or a path segment over its 100-character limit: the shared envelope, and
    // never the path itself (it may hold a managed-identity secret).
    frameworkErrors: (error, _request, reply) => {
      const tooLong = error.code === "FST_ERR_MAX_PARAM_LENGTH";
      (reply as FastifyReply).status(tooLong ? 414 : 400).send({
        error: tooLong
          ? { code: "UriTooLong", message: "A path segment of the request URL is longer than 100 characters." }
          : { code: "BadRequest", message: "The request URL is not valid: a percent-encoding in its path does not decode." },
      });
    },
    // A request line plus headers over `maxHeaderSize` never reaches a route: answer in the shared envelope.
    clientErrorHandler: (err, socket) => {
      if (!socket.writable) return;
      const tooLarge = (err as NodeJS.ErrnoException).code === "HPE_HEADER_OVERFLOW";
      const [status, code, message] = tooLarge
        ? [431, "RequestHeaderFieldsTooLarge", `The request line and headers are larger than ${services.limits.maxHeaderBytes} bytes.`]
        : [400, "BadRequest", "The request could not be parsed as HTTP/1.1."];
      const body = JSON.stringify({ error: { code, message } });
      socket.end(
        `HTTP/1.1 ${status} ${tooLarge ? "Request Header Fields Too Large" : "Bad Request"}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    },
    genReqId: requestIdOf,
    bodyLimit: 8 * 1024 * 1024,
    forceCloseConnections: true,
    // No route declares a JSON schema: each surface checks its input in code and answers in its own error catalog.
    // Without these, Fastify loads Ajv and fast-json-stringify for its default compilers at construction, tens of
    // milliseconds of every start (docs/benchmarks.md); a schema added later is refused at registration.
    schemaController: { compilersFactory: { buildValidator: noSchemaCompiler, buildSerializer: noSchemaCompiler } },
  });
  boundJsonDepth(app, services.limits.jsonMaxDepth);
  options.drain?.attach(app);
  // Outside every surface (an unknown route whose body could not even be read): the shared envelope too.
  app.setErrorHandler(
    errorEnvelopeHandler(
      (e) => new WireError(e.statusCode ?? 400, "BadRequest", e.message),
      (requestId) => new WireError(500, "InternalServerError", `An internal error occurred. Request id: ${requestId}.`),
    ),
  );
  // An unknown route: the shared envelope, with the path as logs may show it (never a path secret).
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({
      error: { code: "NotFound", message: `No Keyless surface serves ${request.method} ${loggableUrl(request.url).split("?")[0]}.` },
    }),
  );
  const originOf = publicOrigins(options.origins, () => (app.server.address() as AddressInfo | null)?.port ?? 0);
  app.decorateRequest("publicOrigin", "");
  app.addHook("onRequest", async (request) => {
    request.publicOrigin = originOf(request.headers.host);
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
  app.register(portalSurface);
  return app;
}
