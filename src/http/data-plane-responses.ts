import type { FastifyReply } from "fastify";
import type { ChatRequest } from "../inference/chat-types.ts";
import { dataPlaneError, invalidRequest, publicFailure } from "../inference/data-plane-errors.ts";
import {
  type AccountView,
  type DataPlaneCaller,
  type DeploymentView,
  parseChatRequest,
  requireCapability,
} from "../inference/data-plane.ts";
import { checkContextLength } from "../inference/prompt-limits.ts";
import {
  checkConversationSize,
  finishResponse,
  newResponseId,
  outputOf,
  parseResponseRequest,
  type ResponseItem,
  type ResponseObject,
  type ResponseRequest,
  type ResponseStore,
  responseShell,
  storedResponse,
  toChatRequest,
} from "../inference/responses.ts";
import { filterChatStream, filterCompletion } from "../inference/content-filter/index.ts";
import { responseEvents } from "../inference/responses-stream.ts";
import { type PromptScreening, screenPrompt } from "./data-plane-content-filter.ts";
import type { Budget } from "./data-plane-budget.ts";
import { enforceLimits, estimatePromptTokens } from "./data-plane-budget.ts";
import { abortOnDisconnect, type CallContext } from "./data-plane-call.ts";
import { admitCall, countUsage, type DataRequest, deploymentFor, keepPrompt, type RouteFamily } from "./data-plane-handlers.ts";
import { enforceQuotas } from "./data-plane-quota.ts";
import { namedEvents, writeEventStream } from "./data-plane-stream.ts";
import type { Services } from "./services.ts";
import type { StreamSlots } from "./stream-slots.ts";

/** The data-plane operations of one Responses route family (`/openai/v1/responses` or Azure's `/openai/responses`). */
export interface ResponsesOperations {
  create: "v1ResponsesCreate" | "openaiResponsesCreate";
  read: "v1ResponsesRead" | "openaiResponsesRead";
  inputItems: "v1ResponsesInputItems" | "openaiResponsesInputItems";
  delete: "v1ResponsesDelete" | "openaiResponsesDelete";
}

/**
 * `POST …/responses`: the Responses API over the deployment's chat backend (docs/responses-api.md).
 * The call is admitted and charged like a chat call; the response is kept (per principal) unless `store: false`.
 */
export function createResponseHandler(services: Services, family: RouteFamily, ops: ResponsesOperations, slots: StreamSlots) {
  return async (request: DataRequest, reply: FastifyReply) => {
    const { call, account, caller } = await admitCall(services, request, reply, family, ops.create);
    const limits = services.dataPlane.limits;
    const parsed = parseResponseRequest(request.body, limits.responses);
    keepPrompt(services, call, (request.body as { input?: unknown }).input);
    const previous = await conversationBefore(services, account, caller, parsed);
    checkConversationSize(previous, parsed, limits.responses);
    const chat = parseChatRequest(toChatRequest(parsed, previous), limits.chat);
    const deployment = await deploymentFor(services, account, call, parsed.model);
    await checkContextLength(chat, deployment.modelLimits);
    // The deployment's content filter screens the whole conversation sent (Azure's 400 content_filter when it blocks).
    const screening = await screenPrompt(services, call, account, deployment, chat.messages);
    await enforceQuotas(services, account, deployment, call);
    const shell = responseShell(newResponseId(), parsed, deployment.name, Math.floor(Date.now() / 1000));
    const keep = (response: ResponseObject) => keepResponse(services, account, caller, parsed, previous, response);
    if (parsed.stream) {
      const release = slots.take(caller.principalId);
      try {
        const budget = await enforceLimits(
          services,
          reply,
          deployment,
          estimatePromptTokens(chat.messages),
          parsed.maxOutputTokens ?? undefined,
        );
        return await streamResponse(services, request, reply, call, deployment, chat, shell, budget, keep, screening);
      } finally {
        release();
      }
    }
    const budget = await enforceLimits(
      services,
      reply,
      deployment,
      estimatePromptTokens(chat.messages),
      parsed.maxOutputTokens ?? undefined,
    );
    const complete = requireCapability(deployment, "complete", "responses");
    const signal = abortOnDisconnect(reply);
    const answer = await call.trace.step("keyless.backend", () => complete(chat, deployment.backendModel, signal));
    countUsage(call, answer.usage);
    budget.settle(answer.usage?.total_tokens);
    const completion = screening ? await filterCompletion(screening.filter, screening.prompt, answer, signal) : answer;
    const { output, incomplete } = outputOf(completion);
    const response = finishResponse(shell, output, incomplete, completion.usage);
    await keep(response);
    return response;
  };
}

async function streamResponse(
  services: Services,
  request: DataRequest,
  reply: FastifyReply,
  call: CallContext,
  deployment: DeploymentView,
  chat: ChatRequest,
  shell: ResponseObject,
  budget: Budget,
  keep: (response: ResponseObject) => Promise<void>,
  screening: PromptScreening | undefined,
) {
  const stream = requireCapability(deployment, "stream", "responses");
  let used: number | undefined;
  const signal = abortOnDisconnect(reply);
  const chunks = stream({ ...chat, stream: true, stream_options: { include_usage: true } }, deployment.backendModel, signal);
  const events = responseEvents(
    screening ? filterChatStream(screening.filter, screening.prompt, chunks, signal) : chunks,
    shell,
    async (response, usage) => {
      countUsage(call, usage);
      used = usage?.total_tokens;
      await keep(response);
    },
    (err) => {
      request.log.warn({ err }, "model stream failed mid-way");
      return publicFailure(err, String(request.id));
    },
  );
  const done = await call.trace.step("keyless.backend", () =>
    writeEventStream(reply, events, namedEvents(), {
      drainTimeoutMs: services.dataPlane.limits.streamDrainTimeoutMs,
      shutdown: services.drain,
    }),
  );
  budget.settle(used);
  return done;
}

/** The conversation `previous_response_id` continues: only a response of this caller on this account, else 404. */
async function conversationBefore(
  services: Services,
  account: AccountView,
  caller: DataPlaneCaller,
  parsed: ResponseRequest,
): Promise<ResponseItem[]> {
  if (parsed.previousResponseId === null) return [];
  const prior = await services.dataPlane.responses?.find(
    account.id,
    caller.principalId,
    parsed.previousResponseId,
    new Date().toISOString(),
  );
  if (!prior) throw invalidRequest(dataPlaneError("ResponseNotFound", parsed.previousResponseId), "previous_response_id");
  return prior.conversation;
}

async function keepResponse(
  services: Services,
  account: AccountView,
  caller: DataPlaneCaller,
  parsed: ResponseRequest,
  previous: ResponseItem[],
  response: ResponseObject,
): Promise<void> {
  const store = services.dataPlane.responses;
  if (!parsed.store || !store) return;
  const who = { accountId: account.id, principalId: caller.principalId };
  await store.save(storedResponse(response, parsed, previous, who, new Date(), services.dataPlane.limits.responses));
}

/** `GET …/responses/{id}`: the stored response, to the principal that created it only. */
export function retrieveResponseHandler(services: Services, family: RouteFamily, ops: ResponsesOperations) {
  return async (request: DataRequest, reply: FastifyReply) => {
    const { account, caller } = await admitCall(services, request, reply, family, ops.read);
    if (request.query.stream === "true")
      throw invalidRequest(
        dataPlaneError("invalid_value", "stream", "only background responses can be streamed again, and this service has none."),
        "stream",
      );
    return (await findOwn(services.dataPlane.responses, account, caller, request.params.response_id)).response;
  };
}

/** `DELETE …/responses/{id}`. */
export function deleteResponseHandler(services: Services, family: RouteFamily, ops: ResponsesOperations) {
  return async (request: DataRequest, reply: FastifyReply) => {
    const { account, caller } = await admitCall(services, request, reply, family, ops.delete);
    const id = request.params.response_id ?? "";
    const deleted = (await services.dataPlane.responses?.delete(account.id, caller.principalId, id)) ?? false;
    if (!deleted) throw dataPlaneError("ResponseNotFound", id);
    return { id, object: "response", deleted: true };
  };
}

/** `GET …/responses/{id}/input_items`: the items of that request, newest first unless `order=asc`; `after`, `limit`. */
export function inputItemsHandler(services: Services, family: RouteFamily, ops: ResponsesOperations) {
  return async (request: DataRequest, reply: FastifyReply) => {
    const { account, caller } = await admitCall(services, request, reply, family, ops.inputItems);
    const stored = await findOwn(services.dataPlane.responses, account, caller, request.params.response_id);
    const { order, after, limit } = listQuery(request.query);
    const items = order === "asc" ? stored.inputItems : [...stored.inputItems].reverse();
    const start = after === undefined ? 0 : items.findIndex((i) => i.id === after) + 1;
    if (after !== undefined && start === 0)
      throw invalidRequest(dataPlaneError("invalid_value", "after", `no input item '${after}' in this response.`), "after");
    const page = items.slice(start, start + limit);
    return {
      object: "list",
      data: page,
      first_id: page[0]?.id ?? null,
      last_id: page.at(-1)?.id ?? null,
      has_more: start + limit < items.length,
    };
  };
}

function listQuery(query: Record<string, string | undefined>): { order: "asc" | "desc"; after: string | undefined; limit: number } {
  const order = query.order ?? "desc";
  if (order !== "asc" && order !== "desc")
    throw invalidRequest(dataPlaneError("invalid_value", "order", "it must be 'asc' or 'desc'."), "order");
  const limit = query.limit === undefined ? 20 : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100)
    throw invalidRequest(dataPlaneError("invalid_value", "limit", "it must be an integer from 1 to 100."), "limit");
  return { order, after: query.after || undefined, limit };
}

async function findOwn(store: ResponseStore | undefined, account: AccountView, caller: DataPlaneCaller, id: string | undefined) {
  const found = id ? await store?.find(account.id, caller.principalId, id, new Date().toISOString()) : undefined;
  if (!found) throw dataPlaneError("ResponseNotFound", id ?? "");
  return found;
}
