import type { FastifyInstance } from "fastify";
import type { Services } from "./services.ts";

/**
 * `/healthz`: the process is up. `/readyz`: storage answers, signing keys are loaded and the node is not shutting
 * down. Both unauthenticated.
 */
export async function healthSurface(app: FastifyInstance, services: Services): Promise<void> {
  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/readyz", async (_req, reply) => {
    const ready = !services.drain.draining && (await services.ready());
    return reply.status(ready ? 200 : 503).send({ status: ready ? "ready" : "not-ready" });
  });
}
