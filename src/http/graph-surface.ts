import type { FastifyInstance, FastifyRequest } from "fastify";
import { addPassword, createApplication, createServicePrincipal, type GraphCaller } from "../graph/applications.ts";
import { graphError } from "../graph/graph-errors.ts";
import { resourceAudiences } from "../tokens/audiences.ts";
import { TokenRejectedError } from "../tokens/validator.ts";
import { bearerToken, requestOrigin } from "./request-origin.ts";
import type { Services } from "./services.ts";
import { errorEnvelopeHandler } from "./surface-errors.ts";

/** The Microsoft Graph subset under `/graph/v1.0`. */
export async function graphSurface(app: FastifyInstance, services: Services): Promise<void> {
  app.setErrorHandler(
    errorEnvelopeHandler(
      (e) => graphError("Request_BadRequest", e.message),
      (requestId) => graphError("UnknownError", requestId),
    ),
  );

  const caller = async (request: FastifyRequest): Promise<GraphCaller> => {
    try {
      // Graph tokens carry either graph.microsoft.com or this service's own `/graph/` URL as audience.
      const origin = requestOrigin(request);
      const audiences = [...resourceAudiences.graph, `${origin}/graph/`, `${origin}/graph`];
      const token = await services.validator.validate(bearerToken(request), audiences);
      return { principalId: token.objectId, tenantId: token.tenantId };
    } catch (err) {
      if (err instanceof TokenRejectedError) throw graphError("InvalidAuthenticationToken", err.message);
      throw err;
    }
  };

  app.post("/graph/v1.0/applications", async (req, reply) => reply.status(201).send(await createApplication(services.directory, await caller(req), req.body)));
  app.post<{ Params: { id: string } }>("/graph/v1.0/applications/:id/addPassword", async (req) => addPassword(services.directory, await caller(req), req.params.id, req.body));
  app.post("/graph/v1.0/servicePrincipals", async (req, reply) => reply.status(201).send(await createServicePrincipal(services.directory, await caller(req), req.body)));
}

