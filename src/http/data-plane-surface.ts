import type { FastifyInstance } from "fastify";
import { dataPlaneError } from "../inference/data-plane-errors.ts";
import { checkApiVersion, checkOpenAiApiVersion, modelsApiVersions } from "../inference/data-plane.ts";
import { bodyTooLarge, parseJsonBodies } from "./data-plane-body.ts";
import { embeddingsHandler } from "./data-plane-embeddings.ts";
import { chatHandler, completionsHandler, infoHandler, modelsListHandler, type RouteFamily } from "./data-plane-handlers.ts";
import {
  createResponseHandler,
  deleteResponseHandler,
  inputItemsHandler,
  type ResponsesOperations,
  retrieveResponseHandler,
} from "./data-plane-responses.ts";
import type { Services } from "./services.ts";
import { createStreamSlots, type StreamSlots } from "./stream-slots.ts";
import { errorEnvelopeHandler } from "./surface-errors.ts";

/** Foundry Models (`/models`): `model` in the body names the deployment; api-version from the supported list. */
const foundryModels: RouteFamily = {
  checkVersion: (query) => checkApiVersion(query["api-version"], modelsApiVersions),
  deploymentOf: (_request, body) => body.model,
};

/** Azure OpenAI (`/openai/deployments/{d}`): the path names the deployment; any dated api-version. */
const azureOpenAi: RouteFamily = {
  checkVersion: (query) => checkOpenAiApiVersion(query["api-version"]),
  deploymentOf: (request) => request.params.deployment,
};

/** OpenAI v1 (`/openai/v1`): no api-version (ignored when sent); `model` names the deployment. */
const openAiV1: RouteFamily = { checkVersion: () => undefined, deploymentOf: (_request, body) => body.model };

/** Azure OpenAI's Responses routes (`/openai/responses?api-version=…`, what `AzureOpenAI` calls): `model` in the body. */
const azureOpenAiResponses: RouteFamily = {
  checkVersion: (query) => checkOpenAiApiVersion(query["api-version"]),
  deploymentOf: (_request, body) => body.model,
};

const v1Responses: ResponsesOperations = {
  create: "v1ResponsesCreate",
  read: "v1ResponsesRead",
  inputItems: "v1ResponsesInputItems",
  delete: "v1ResponsesDelete",
};
const azureResponses: ResponsesOperations = {
  create: "openaiResponsesCreate",
  read: "openaiResponsesRead",
  inputItems: "openaiResponsesInputItems",
  delete: "openaiResponsesDelete",
};

/** The inference data plane: Foundry Models, Azure OpenAI deployments and the OpenAI v1 API, per account. */
export async function dataPlaneSurface(app: FastifyInstance, services: Services): Promise<void> {
  const envelope = errorEnvelopeHandler(
    (e) =>
      e.code?.startsWith("FST_ERR_CTP") || e.message.includes("JSON")
        ? dataPlaneError("InvalidJson", e.message)
        : dataPlaneError("InvalidRequest", e.message),
    (requestId) => dataPlaneError("InternalServerError", requestId),
    (reason) => dataPlaneError("PolicyUnavailable", reason),
  );
  app.setErrorHandler((error, request, reply) => envelope(bodyTooLarge(error, request) ?? error, request, reply));
  parseJsonBodies(app, services.dataPlane.limits.jsonDepth);
  const slots = createStreamSlots(services.dataPlane.limits.maxStreamsPerCaller);
  registerRoutes(app, services, "/accounts/:account", slots);
  const suffix = services.dataPlane.accountHostSuffix;
  if (suffix) {
    // Azure's own form: the host names the account ({account}.openai.azure.com/openai/...), the path does not.
    await app.register(async (byHost) => {
      byHost.addHook("onRequest", async (request) => {
        (request.params as { account: string }).account = accountFromHost(request.hostname, suffix);
      });
      registerRoutes(byHost, services, "", slots);
    });
  }
}

function registerRoutes(app: FastifyInstance, services: Services, prefix: string, slots: StreamSlots): void {
  const chat = { bodyLimit: services.dataPlane.limits.chatBodyBytes };
  const embeddings = { bodyLimit: services.dataPlane.limits.embeddingsBodyBytes };
  const models = `${prefix}/models`;
  app.post(`${models}/chat/completions`, chat, chatHandler(services, foundryModels, "modelsChat", slots));
  app.post(`${models}/embeddings`, embeddings, embeddingsHandler(services, foundryModels, "modelsEmbeddings"));
  app.get(`${models}/info`, infoHandler(services, foundryModels));

  const deployments = `${prefix}/openai/deployments/:deployment`;
  app.post(`${deployments}/chat/completions`, chat, chatHandler(services, azureOpenAi, "openaiChat", slots));
  app.post(`${deployments}/completions`, chat, completionsHandler(services, azureOpenAi));
  app.post(`${deployments}/embeddings`, embeddings, embeddingsHandler(services, azureOpenAi, "openaiEmbeddings"));

  const v1 = `${prefix}/openai/v1`;
  app.post(`${v1}/chat/completions`, chat, chatHandler(services, openAiV1, "v1Chat", slots));
  app.post(`${v1}/embeddings`, embeddings, embeddingsHandler(services, openAiV1, "v1Embeddings"));
  app.get(`${v1}/models`, modelsListHandler(services, openAiV1));
  registerResponses(app, services, `${v1}/responses`, openAiV1, v1Responses, slots);
  registerResponses(app, services, `${prefix}/openai/responses`, azureOpenAiResponses, azureResponses, slots);
}

function registerResponses(
  app: FastifyInstance,
  services: Services,
  path: string,
  family: RouteFamily,
  ops: ResponsesOperations,
  slots: StreamSlots,
): void {
  app.post(path, { bodyLimit: services.dataPlane.limits.chatBodyBytes }, createResponseHandler(services, family, ops, slots));
  app.get(`${path}/:response_id`, retrieveResponseHandler(services, family, ops));
  app.delete(`${path}/:response_id`, deleteResponseHandler(services, family, ops));
  app.get(`${path}/:response_id/input_items`, inputItemsHandler(services, family, ops));
}

/** `myacct.ai.example.com` under suffix `ai.example.com` is account `myacct`: exactly one label before the suffix. */
function accountFromHost(hostname: string, suffix: string): string {
  const host = hostname.replace(/:\d+$/, "").toLowerCase();
  const tail = `.${suffix.toLowerCase().replace(/^\.+/, "")}`;
  const label = host.endsWith(tail) ? host.slice(0, -tail.length) : "";
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(label)) throw dataPlaneError("AccountHostNotRecognized", host, suffix);
  return label;
}
