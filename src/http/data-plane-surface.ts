import type { FastifyInstance } from "fastify";
import { dataPlaneError } from "../inference/data-plane-errors.ts";
import { checkApiVersion, checkOpenAiApiVersion, modelsApiVersions } from "../inference/data-plane.ts";
import { chatHandler, completionsHandler, embeddingsHandler, infoHandler, modelsListHandler, type RouteFamily } from "./data-plane-handlers.ts";
import type { Services } from "./services.ts";
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

/** The inference data plane: Foundry Models, Azure OpenAI deployments and the OpenAI v1 API, per account. */
export async function dataPlaneSurface(app: FastifyInstance, services: Services): Promise<void> {
  app.setErrorHandler(
    errorEnvelopeHandler(
      (e) => (e.code?.startsWith("FST_ERR_CTP") || e.message.includes("JSON") ? dataPlaneError("InvalidJson", e.message) : dataPlaneError("InvalidRequest", e.message)),
      () => dataPlaneError("BackendUnavailable"),
    ),
  );
  const models = "/accounts/:account/models";
  app.post(`${models}/chat/completions`, chatHandler(services, foundryModels, "modelsChat"));
  app.post(`${models}/embeddings`, embeddingsHandler(services, foundryModels, "modelsEmbeddings"));
  app.get(`${models}/info`, infoHandler(services, foundryModels));

  const deployments = "/accounts/:account/openai/deployments/:deployment";
  app.post(`${deployments}/chat/completions`, chatHandler(services, azureOpenAi, "openaiChat"));
  app.post(`${deployments}/completions`, completionsHandler(services, azureOpenAi));
  app.post(`${deployments}/embeddings`, embeddingsHandler(services, azureOpenAi, "openaiEmbeddings"));

  const v1 = "/accounts/:account/openai/v1";
  app.post(`${v1}/chat/completions`, chatHandler(services, openAiV1, "v1Chat"));
  app.post(`${v1}/embeddings`, embeddingsHandler(services, openAiV1, "v1Embeddings"));
  app.get(`${v1}/models`, modelsListHandler(services, openAiV1));
}
