import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

import { dataPlaneError } from "../inference/data-plane-errors.ts";
import { authorizeCall, type Caller, checkApiVersion, modelsApiVersions, parseChatRequest, resolveDeployment } from "../inference/data-plane.ts";
import { resourceAudiences } from "../tokens/audiences.ts";
import { TokenRejectedError } from "../tokens/validator.ts";
import { bearerToken } from "./request-origin.ts";
import type { Services } from "./services.ts";
import { errorEnvelopeHandler } from "./surface-errors.ts";

type AccountParams = { account: string };
type ApiVersionQuery = { "api-version"?: string };

/** Foundry Models inference on `/accounts/{account}/models/...`. */
export async function dataPlaneSurface(app: FastifyInstance, services: Services): Promise<void> {
  app.setErrorHandler(
    errorEnvelopeHandler(
      (e) => (e.code?.startsWith("FST_ERR_CTP") || e.message.includes("JSON") ? dataPlaneError("InvalidJson", e.message) : dataPlaneError("InvalidRequest", e.message)),
      () => dataPlaneError("BackendUnavailable"),
    ),
  );

  const authenticate = async (request: FastifyRequest): Promise<Caller> => {
    try {
      const token = await services.validator.validate(bearerToken(request), resourceAudiences.cognitive);
      return { principalId: token.objectId, displayName: token.userPrincipalName ?? token.objectId };
    } catch (err) {
      if (err instanceof TokenRejectedError) throw dataPlaneError("Unauthorized", err.message);
      throw err;
    }
  };

  app.post<{ Params: AccountParams; Querystring: ApiVersionQuery }>("/accounts/:account/models/chat/completions", async (request, reply) => {
    checkApiVersion(request.query["api-version"], modelsApiVersions);
    const caller = await authenticate(request);
    const account = await authorizeCall(services.dataPlane, request.params.account, caller, "modelsChat");
    const chat = parseChatRequest(request.body);
    const deployment = await resolveDeployment(services.dataPlane, account, chat.model);
    const abort = abortOnDisconnect(request, reply);
    if (chat.stream) return streamChat(reply, deployment.backend.stream(chat, deployment.backendModel, abort.signal));
    return deployment.backend.complete(chat, deployment.backendModel, abort.signal);
  });

  app.get<{ Params: AccountParams; Querystring: ApiVersionQuery & { model?: string } }>("/accounts/:account/models/info", async (request) => {
    checkApiVersion(request.query["api-version"], modelsApiVersions);
    const caller = await authenticate(request);
    const account = await authorizeCall(services.dataPlane, request.params.account, caller, "modelsChat");
    const deployment = await resolveDeployment(services.dataPlane, account, request.query.model ?? request.headers["azureml-model-deployment"]);
    return { model_name: deployment.modelName, model_type: "chat-completions", model_provider_name: deployment.modelFormat };
  });
}

/** A client that goes away cancels the model call at once. */
function abortOnDisconnect(request: FastifyRequest, reply: FastifyReply): AbortController {
  const controller = new AbortController();
  request.raw.on("close", () => {
    if (!reply.raw.writableEnded) controller.abort();
  });
  return controller;
}

async function streamChat(reply: FastifyReply, chunks: AsyncIterable<unknown>): Promise<FastifyReply> {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive" });
  for await (const chunk of chunks) {
    if (!res.write(`data: ${JSON.stringify(chunk)}\n\n`)) await new Promise((resolve) => res.once("drain", resolve));
  }
  res.end("data: [DONE]\n\n");
  return reply;
}

