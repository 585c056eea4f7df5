import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ArmCaller } from "../arm/arm-caller.ts";
import { armError } from "../arm/arm-errors.ts";
import { resourceAudiences } from "../tokens/audiences.ts";
import type { ArmMethod } from "./arm/arm-route.ts";
import { WRITES, normalizedPath, recordArmWrite, runArmRoute } from "./arm/dispatch.ts";
import { paged } from "./arm/paging.ts";
import { authenticateArmStyle } from "./bearer-auth.ts";
import { parseJsoncKeepingText } from "../core/jsonc.ts";
import { rememberTemplateText } from "./arm/template-text.ts";
import { nestingExceeds } from "./data-plane-body.ts";
import { limitBodies } from "./limits.ts";
import type { Services } from "./services.ts";
import { requestOrigin } from "./request-origin.ts";
import { errorEnvelopeHandler } from "./surface-errors.ts";
import { WireError } from "../core/errors.ts";

/** ARM: every path under `/subscriptions`, `/providers` and `/tenants`, dispatched through the route table. */
export async function armSurface(app: FastifyInstance, services: Services): Promise<void> {
  limitBodies(app, services.limits.armBodyLimit);
  acceptJsoncDeploymentBodies(app, services.limits.jsonMaxDepth);
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
    let audited = false;
    const correlationId = String(request.headers["x-ms-client-request-id"] ?? request.id);
    // A write's activity-log entry is committed before its answer is sent, refused writes' too: a node that stops in
    // between has acknowledged nothing. Once per call; not again when the handler's store recorded it.
    const recordWrite = async () => {
      if (!known || !WRITES.has(request.method) || audited) return;
      audited = true;
      await recordArmWrite(services, { method: request.method, path, caller: known, statusCode: status, correlationId }).catch(
        (err: unknown) => request.log.error({ err }, "activity log write failed"),
      );
    };
    try {
      // Every ARM answer depends on authorization: a node that cannot confirm its policy answers 503 first.
      services.policyCurrent();
      const result = await runArmRoute(services, {
        method: request.method,
        path,
        url: request.url,
        query: request.query as Record<string, string | undefined>,
        body: request.body,
        origin: requestOrigin(request),
        caller: callerOnce,
        request,
        correlationId,
        activityRecorded: () => {
          audited = true;
        },
      });
      status = result.status ?? 200;
      // The data plane reuses account and deployment reads briefly; a write here is effective at once on this node.
      if (WRITES.has(request.method)) {
        await services.resourcesChanged(path).catch((err) => request.log.warn({ err }, "recording a resource change failed"));
      }
      await recordWrite();
      for (const [name, value] of Object.entries(result.headers ?? {})) reply.header(name, value);
      reply.status(status);
      if (result.body === undefined) return reply.send();
      return reply.send(
        request.method === "GET" && !result.paged
          ? paged(result.body, request.query as Record<string, string | undefined>, `${requestOrigin(request)}${request.url}`)
          : result.body,
      );
    } catch (err) {
      status = err instanceof WireError ? err.status : 500;
      throw err;
    } finally {
      await recordWrite();
    }
  };

  const methods: ArmMethod[] = ["GET", "PUT", "PATCH", "DELETE", "POST", "HEAD"];
  for (const url of ["/tenants", "/subscriptions", "/subscriptions/*", "/providers/*"])
    app.route({ method: methods, url, handler: dispatch });
}

/**
 * ARM bodies are JSON; a template deployment's may be JSON with comments and an unquoted `template` key, which is
 * what `az deployment … create|validate|what-if` sends (`core/jsonc.ts`). Other routes keep the strict parser.
 */
function acceptJsoncDeploymentBodies(app: FastifyInstance, maxDepth: number): void {
  const strict = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    const text = body as string;
    const refuse = (message: string) => done(Object.assign(new Error(message), { statusCode: 400 }), undefined);
    if (nestingExceeds(text, maxDepth)) return refuse(`JSON nests deeper than ${maxDepth} levels; flatten the request body.`);
    if (!/\/providers\/Microsoft\.Resources\/deployments\//i.test(request.url)) return strict(request, text, done);
    try {
      if (text.trim() === "") return done(null, undefined);
      const parsed = parseJsoncKeepingText(text, ["properties", "template"]);
      if (parsed.text !== undefined) rememberTemplateText(request, parsed.text);
      done(null, parsed.value);
    } catch (err) {
      refuse((err as Error).message);
    }
  });
}
