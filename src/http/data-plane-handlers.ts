import type { FastifyReply, FastifyRequest } from "fastify";
import type { ChatCompletion, ChatRequest } from "../inference/chat-types.ts";
import { dataPlaneError } from "../inference/data-plane-errors.ts";
import {
  authorizeCall,
  type DataPlaneCaller,
  type DataOperation,
  type DeploymentView,
  dataActions,
  parseChatRequest,
  parseCompletionsRequest,
  requireAccount,
  requireCapability,
  resolveDeployment,
  useActionOf,
  type AccountView,
} from "../inference/data-plane.ts";
import { filterChatStream, filterCompletion } from "../inference/content-filter/index.ts";
import { checkContextLength } from "../inference/prompt-limits.ts";
import { type PromptScreening, screenPrompt } from "./data-plane-content-filter.ts";
import { authenticateCaller } from "./data-plane-auth.ts";
import { type Budget, enforceLimits, estimatePromptTokens } from "./data-plane-budget.ts";
import { enforceQuotas } from "./data-plane-quota.ts";
import { abortOnDisconnect, beginCall, type CallContext } from "./data-plane-call.ts";
import { streamChat } from "./data-plane-stream.ts";
import type { Services } from "./services.ts";
import type { StreamSlots } from "./stream-slots.ts";

export type DataRequest = FastifyRequest<{
  Params: { account: string; deployment?: string; response_id?: string };
  Querystring: Record<string, string | undefined>;
}>;

/** How one route family names things: its api-version rule and where the deployment name comes from. */
export interface RouteFamily {
  checkVersion(query: Record<string, string | undefined>): void;
  /** The deployment named by the path (`/openai/deployments/{d}`), else the body's `model`. */
  deploymentOf(request: DataRequest, body: Record<string, unknown>): unknown;
}

/**
 * The steps every call shares: api-version, a policy known to be current (else 503 `PolicyUnavailable`), account,
 * caller, data action.
 */
export async function admitCall(
  services: Services,
  request: DataRequest,
  reply: FastifyReply,
  family: RouteFamily,
  operation: DataOperation,
) {
  const name = dataActions[operation].operation;
  const call = beginCall(request, reply, services.dataPlane, request.params.account, name, traceOf(services, request, name));
  family.checkVersion(request.query);
  services.policyCurrent();
  const account = await requireAccount(services.dataPlane, request.params.account);
  call.accountFound = true;
  const caller = await call.trace.step("keyless.authenticate", () => identify(services, request, account, call));
  call.decision = "denied";
  call.assignmentId = await call.trace.step("keyless.authorize", () => authorizeCall(services.dataPlane, account, caller, operation));
  call.decision = "allowed";
  return { call, account, caller };
}

/** The call's trace: continues the client's `traceparent` when tracing is on. */
function traceOf(services: Services, request: DataRequest, name: string) {
  const traceparent = request.headers.traceparent;
  return services.traceCall?.(name, typeof traceparent === "string" ? traceparent : undefined);
}

async function identify(services: Services, request: DataRequest, account: AccountView, call: CallContext): Promise<DataPlaneCaller> {
  const caller = await authenticateCaller(request, account, services.validator, services.dataPlane);
  call.principalId = caller.principalId;
  call.via = caller.via;
  return caller;
}

export async function deploymentFor(services: Services, account: AccountView, call: CallContext, name: unknown): Promise<DeploymentView> {
  const deployment = await resolveDeployment(services.dataPlane, account, name);
  call.deployment = deployment.name;
  call.model = deployment.modelName;
  return deployment;
}

/** The prompt joins the call's record only when the operator opted in (`recordPromptText`); never by default. */
export function keepPrompt(services: Services, call: CallContext, prompt: unknown): void {
  if (services.dataPlane.recordPromptText) call.promptText = JSON.stringify(prompt);
}

export function bodyOf(request: DataRequest): Record<string, unknown> {
  const body = request.body;
  return body !== null && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

export function chatHandler(services: Services, family: RouteFamily, operation: DataOperation, slots: StreamSlots) {
  return async (request: DataRequest, reply: FastifyReply) => {
    const { call, account, caller } = await admitCall(services, request, reply, family, operation);
    const chat = parseChatRequest(request.body, services.dataPlane.limits.chat);
    keepPrompt(services, call, chat.messages);
    const deployment = await deploymentFor(services, account, call, family.deploymentOf(request, bodyOf(request)));
    await checkContextLength(chat, deployment.modelLimits);
    const screening = await screenPrompt(services, call, account, deployment, chat.messages);
    const maxTokens = chat.max_completion_tokens ?? chat.max_tokens ?? undefined;
    await enforceQuotas(services, account, deployment, call);
    if (chat.stream) {
      const release = slots.take(caller.principalId);
      try {
        const budget = await enforceLimits(services, reply, deployment, estimatePromptTokens(chat.messages), maxTokens);
        return await streamCall(services, request, reply, call, deployment, chat, budget, screening);
      } finally {
        release();
      }
    }
    const budget = await enforceLimits(services, reply, deployment, estimatePromptTokens(chat.messages), maxTokens);
    const signal = abortOnDisconnect(reply);
    const complete = requireCapability(deployment, "complete", "chat/completions");
    const completion = await call.trace.step("keyless.backend", () => complete(chat, deployment.backendModel, signal));
    countUsage(call, completion.usage);
    budget.settle(completion.usage?.total_tokens);
    return screening ? filterCompletion(screening.filter, screening.prompt, completion, signal) : completion;
  };
}

/** A streamed chat call: usage is always asked of the backend (to settle the budget), passed on only when asked. */
async function streamCall(
  services: Services,
  request: DataRequest,
  reply: FastifyReply,
  call: CallContext,
  deployment: DeploymentView,
  chat: ChatRequest,
  budget: Budget,
  screening: PromptScreening | undefined,
) {
  const stream = requireCapability(deployment, "stream", "chat/completions");
  let used: number | undefined;
  const withUsage = { ...chat, stream_options: { ...chat.stream_options, include_usage: true } };
  const signal = abortOnDisconnect(reply);
  const chunks = stream(withUsage, deployment.backendModel, signal);
  const done = await call.trace.step("keyless.backend", () =>
    streamChat(
      reply,
      screening ? filterChatStream(screening.filter, screening.prompt, chunks, signal) : chunks,
      (usage) => {
        countUsage(call, usage);
        used = usage.total_tokens;
      },
      (err) => request.log.warn({ err }, "model stream failed mid-way"),
      {
        forwardUsage: chat.stream_options?.include_usage === true,
        drainTimeoutMs: services.dataPlane.limits.streamDrainTimeoutMs,
        shutdown: services.drain,
      },
    ),
  );
  budget.settle(used);
  return done;
}

/** Legacy text completions, answered by the deployment's chat backend and reshaped as `text_completion`. */
export function completionsHandler(services: Services, family: RouteFamily) {
  return async (request: DataRequest, reply: FastifyReply) => {
    const { call, account } = await admitCall(services, request, reply, family, "openaiCompletions");
    const { chat } = parseCompletionsRequest(request.body, services.dataPlane.limits.chat);
    keepPrompt(services, call, bodyOf(request).prompt);
    if (chat.stream)
      throw dataPlaneError("InvalidRequest", "Streaming is not supported on /completions; use /chat/completions with stream: true.");
    const deployment = await deploymentFor(services, account, call, family.deploymentOf(request, bodyOf(request)));
    await checkContextLength(chat, deployment.modelLimits);
    const screening = await screenPrompt(services, call, account, deployment, chat.messages);
    await enforceQuotas(services, account, deployment, call);
    const budget = await enforceLimits(services, reply, deployment, estimatePromptTokens(chat.messages), chat.max_tokens ?? undefined);
    const complete = requireCapability(deployment, "complete", "completions");
    const signal = abortOnDisconnect(reply);
    const answer: ChatCompletion = await call.trace.step("keyless.backend", () => complete(chat, deployment.backendModel, signal));
    countUsage(call, answer.usage);
    budget.settle(answer.usage?.total_tokens);
    const completion = screening ? await filterCompletion(screening.filter, screening.prompt, answer, signal) : answer;
    return {
      id: completion.id.replace(/^chatcmpl-/, "cmpl-"),
      object: "text_completion",
      created: completion.created,
      model: completion.model,
      choices: completion.choices.map((c) => ({
        index: c.index,
        text: c.message.content ?? "",
        logprobs: null,
        finish_reason: c.finish_reason,
        ...("content_filter_results" in c ? { content_filter_results: c.content_filter_results } : {}),
      })),
      usage: completion.usage,
      ...("prompt_filter_results" in completion ? { prompt_filter_results: completion.prompt_filter_results } : {}),
    };
  };
}

export function infoHandler(services: Services, family: RouteFamily) {
  return async (request: DataRequest, reply: FastifyReply) => {
    const { call, account } = await admitCall(services, request, reply, family, "modelsInfo");
    const named = request.query.model ?? request.headers["azureml-model-deployment"];
    const deployment = await deploymentFor(services, account, call, named);
    return { model_name: deployment.modelName, model_type: deployment.modelType, model_provider_name: deployment.modelFormat };
  };
}

/** `GET /openai/v1/models`: only the deployments this caller may use (its data action for the model's type). */
export function modelsListHandler(services: Services, family: RouteFamily) {
  return async (request: DataRequest, reply: FastifyReply) => {
    const call = beginCall(request, reply, services.dataPlane, request.params.account, "GET /openai/v1/models");
    family.checkVersion(request.query);
    services.policyCurrent();
    const account = await requireAccount(services.dataPlane, request.params.account);
    call.accountFound = true;
    const caller = await identify(services, request, account, call);
    call.decision = "allowed";
    const deployments = await services.dataPlane.listDeployments(account);
    const usable = await Promise.all(
      deployments.map(
        async (d) => caller.via === "key" || (await services.dataPlane.authorizeDataAction(caller, useActionOf(d.modelType), d.id)).allowed,
      ),
    );
    const created = Math.floor(Date.now() / 1000);
    return {
      object: "list",
      data: deployments
        .filter((_, i) => usable[i])
        .map((d) => ({ id: d.name, object: "model", created, owned_by: d.modelFormat, model: d.modelName, type: d.modelType })),
    };
  };
}

export function countUsage(call: CallContext, usage: { prompt_tokens?: number; completion_tokens?: number } | undefined): void {
  call.promptTokens = usage?.prompt_tokens ?? 0;
  call.completionTokens = usage?.completion_tokens ?? 0;
}
