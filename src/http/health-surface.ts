import type { FastifyInstance } from "fastify";
import type { Services } from "./services.ts";

/**
 * `/healthz`: the process is up. `/readyz`: storage answers, signing keys are loaded, the access policy is
 * confirmed current (`policyMaxStalenessSeconds`) and the node is not shutting down; when not, the body says why.
 * Both unauthenticated.
 */
export async function healthSurface(app: FastifyInstance, services: Services): Promise<void> {
  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/readyz", async (_req, reply) => {
    const reason = services.drain.draining ? "the node is shutting down" : await services.notReadyReason();
    return reply
      .status(reason === undefined ? 200 : 503)
      .send(reason === undefined ? { status: "ready" } : { status: "not-ready", reason });
  });
}
