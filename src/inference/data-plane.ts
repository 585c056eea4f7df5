import type { ChatRequest, ModelBackend, ModelLimits, ModelType } from "./chat-types.ts";
import type { ContentFilter } from "./content-filter/screen.ts";
import { type ChatLimits, checkChatRequest } from "./chat-validation.ts";
import { withDetails } from "../core/errors.ts";
import { dataPlaneError } from "./data-plane-errors.ts";
import type { EmbeddingsLimits } from "./prompt-limits.ts";
import type { QuotaPort } from "./quotas.ts";
import type { RateLimiter } from "./rate-limits.ts";
import type { ResponsesLimits, ResponseStore } from "./responses.ts";

/** An account as the data plane sees it (the ARM resource, reduced). */
export interface AccountView {
  id: string;
  name: string;
  tenantId: string;
  disableLocalAuth: boolean;
}

/** A deployment bound to the backend that serves its model. */
export interface DeploymentView {
  id: string;
  name: string;
  modelName: string;
  modelFormat: string;
  modelType: ModelType;
  backend: ModelBackend;
  backendModel: string;
  /** `sku.capacity`; undefined means no limit. */
  capacity: number | undefined;
  /** The model's own limits (context window, input length, native dimension), where it declares them. */
  modelLimits: ModelLimits;
  /** The content-filtering policy its calls are screened by (`properties.raiPolicyName`, else Microsoft.DefaultV2). */
  raiPolicyName: string;
}

/** The request limits every data-plane call is held to (settings with Azure's defaults). */
export interface DataPlaneLimits {
  chat: ChatLimits;
  embeddings: EmbeddingsLimits;
  /** Bytes of request body per operation family. */
  chatBodyBytes: number;
  embeddingsBodyBytes: number;
  /** Nesting depth of objects and arrays in a request body. */
  jsonDepth: number;
  /** Completion tokens charged up front to a call that sets no `max_tokens` (settled with its real usage after). */
  defaultCompletionTokens: number;
  /** Streams one caller may hold open on a node; how long a stream may wait for its client to read. */
  maxStreamsPerCaller: number;
  streamDrainTimeoutMs: number;
  responses: ResponsesLimits;
}

/** The caller, after authentication: a token's principal, or the holder of an account key. */
export interface DataPlaneCaller {
  principalId: string;
  displayName: string;
  via: "token" | "key";
}

type DataActionVerdict = { allowed: true; assignmentId: string | undefined } | { allowed: false; explanation: Record<string, unknown> };

/** One record per call (never prompt or completion text). */
export interface CallRecord {
  at: string;
  requestId: string;
  principalId: string;
  via: "token" | "key" | "none";
  account: string;
  deployment: string | undefined;
  /** The deployment's model name (for metrics; the call log keeps the deployment). */
  model?: string | undefined;
  operation: string;
  decision: "allowed" | "denied" | "unauthenticated" | "not-evaluated";
  assignmentId: string | undefined;
  status: number;
  promptTokens: number;
  completionTokens: number;
  latencyMs: number;
  /** The OpenTelemetry trace of the call, when tracing is on (`otlpEndpoint`). */
  traceId?: string | undefined;
  /** The prompt as sent (JSON), only when the operator opted in with `recordPromptText`. */
  promptText?: string | undefined;
}

export interface DataPlaneDeps {
  findAccount(name: string): Promise<AccountView | undefined>;
  findDeployment(account: AccountView, name: string): Promise<DeploymentView | undefined>;
  listDeployments(account: AccountView): Promise<DeploymentView[]>;
  authorizeDataAction(caller: DataPlaneCaller, dataAction: string, scope: string): Promise<DataActionVerdict>;
  /** True when `key` is one of the account's keys (built and stored by ARM). */
  verifyAccountKey(accountId: string, key: string): Promise<boolean>;
  /** Takes a finished call's record; must not block (the call log batches writes). */
  recordCall(record: CallRecord): void;
  rateLimiter: RateLimiter;
  /** Per-principal token quotas; absent, no call is held to one. */
  quotas?: QuotaPort | undefined;
  limits: DataPlaneLimits;
  /** When set, `{account}.{suffix}` hosts serve the data plane without `/accounts/{account}` in the path. */
  accountHostSuffix?: string | undefined;
  /** Where Responses API responses are kept; absent, `store` is refused and nothing can be retrieved. */
  responses?: ResponseStore | undefined;
  /** Operator opt-in: keep each call's prompt text in its record. */
  recordPromptText?: boolean | undefined;
  /** The deployment's content filter (its policy, compiled, and the classifier); absent, calls are not screened. */
  contentFilterFor?: ((account: AccountView, deployment: DeploymentView) => Promise<ContentFilter | undefined>) | undefined;
}

/** Each data-plane operation names its data action in this one table (docs/protocol-notes.md, "Data actions"). */
const MAAS = "Microsoft.CognitiveServices/accounts/MaaS";
const OPENAI = "Microsoft.CognitiveServices/accounts/OpenAI/deployments";
/** The Responses API has its own actions, not a deployment's (Cognitive Services OpenAI User holds `OpenAI/responses/*`). */
const RESPONSES = "Microsoft.CognitiveServices/accounts/OpenAI/responses";
export const dataActions = {
  modelsChat: { dataAction: `${MAAS}/chat/completions/action`, operation: "POST /models/chat/completions" },
  modelsEmbeddings: { dataAction: `${MAAS}/embeddings/action`, operation: "POST /models/embeddings" },
  modelsInfo: { dataAction: `${MAAS}/chat/completions/action`, operation: "GET /models/info" },
  openaiChat: { dataAction: `${OPENAI}/chat/completions/action`, operation: "POST /openai/deployments/{deployment-id}/chat/completions" },
  openaiCompletions: { dataAction: `${OPENAI}/completions/action`, operation: "POST /openai/deployments/{deployment-id}/completions" },
  openaiEmbeddings: { dataAction: `${OPENAI}/embeddings/action`, operation: "POST /openai/deployments/{deployment-id}/embeddings" },
  v1Chat: { dataAction: `${OPENAI}/chat/completions/action`, operation: "POST /openai/v1/chat/completions" },
  v1Embeddings: { dataAction: `${OPENAI}/embeddings/action`, operation: "POST /openai/v1/embeddings" },
  v1ResponsesCreate: { dataAction: `${RESPONSES}/write`, operation: "POST /openai/v1/responses" },
  v1ResponsesRead: { dataAction: `${RESPONSES}/read`, operation: "GET /openai/v1/responses/{response_id}" },
  v1ResponsesInputItems: { dataAction: `${RESPONSES}/read`, operation: "GET /openai/v1/responses/{response_id}/input_items" },
  v1ResponsesDelete: { dataAction: `${RESPONSES}/delete`, operation: "DELETE /openai/v1/responses/{response_id}" },
  openaiResponsesCreate: { dataAction: `${RESPONSES}/write`, operation: "POST /openai/responses" },
  openaiResponsesRead: { dataAction: `${RESPONSES}/read`, operation: "GET /openai/responses/{response_id}" },
  openaiResponsesInputItems: { dataAction: `${RESPONSES}/read`, operation: "GET /openai/responses/{response_id}/input_items" },
  openaiResponsesDelete: { dataAction: `${RESPONSES}/delete`, operation: "DELETE /openai/responses/{response_id}" },
} as const;

export type DataOperation = keyof typeof dataActions;

/** The data action that lets a caller use a deployment of this model type on the OpenAI v1 surface (model list). */
export const useActionOf = (modelType: ModelType): string =>
  modelType === "embeddings" ? dataActions.v1Embeddings.dataAction : dataActions.v1Chat.dataAction;

export const modelsApiVersions = ["2024-04-01-preview", "2024-05-01-preview", "2024-08-01-preview", "2025-04-01", "2025-05-01"] as const;

export function checkApiVersion(version: string | undefined, supported: readonly string[]): void {
  const examples = supported.join(", ");
  if (version === undefined || version === "") throw dataPlaneError("MissingApiVersion", examples);
  if (!supported.includes(version)) throw dataPlaneError("UnsupportedApiVersion", version, examples);
}

/** Azure OpenAI accepts any dated version (`YYYY-MM-DD` with an optional `-preview`) and `preview`. */
export function checkOpenAiApiVersion(version: string | undefined): void {
  const examples = "2024-10-21, 2025-04-01-preview, preview";
  if (version === undefined || version === "") throw dataPlaneError("MissingApiVersion", examples);
  if (!/^(\d{4}-\d{2}-\d{2}(-preview)?|preview|latest)$/.test(version)) throw dataPlaneError("UnsupportedApiVersion", version, examples);
}

export async function requireAccount(deps: DataPlaneDeps, accountName: string): Promise<AccountView> {
  const account = await deps.findAccount(accountName);
  if (!account) throw dataPlaneError("AccountNotFound", accountName);
  return account;
}

/** Checks the caller holds the operation's data action at the account's scope; a key holder holds them all. */
export async function authorizeCall(
  deps: DataPlaneDeps,
  account: AccountView,
  caller: DataPlaneCaller,
  operation: DataOperation,
): Promise<string | undefined> {
  if (caller.via === "key") return undefined;
  const { dataAction, operation: opText } = dataActions[operation];
  const verdict = await deps.authorizeDataAction(caller, dataAction, account.id);
  if (!verdict.allowed) {
    throw withDetails(dataPlaneError("PermissionDenied", caller.principalId, dataAction, opText), { explanation: verdict.explanation });
  }
  return verdict.assignmentId;
}

/** Checks the body is a well-formed chat request (every field a backend reads has the right type). */
export function parseChatRequest(body: unknown, limits: ChatLimits): ChatRequest {
  return checkChatRequest(body, limits);
}

/** Legacy `/completions`: `prompt` becomes one user message, answered by the deployment's chat backend. */
export function parseCompletionsRequest(body: unknown, limits: ChatLimits): { prompt: string; chat: ChatRequest } {
  if (body === null || typeof body !== "object" || Array.isArray(body))
    throw dataPlaneError("InvalidRequest", "The request body must be a JSON object.");
  const { prompt, ...rest } = body as Record<string, unknown>;
  const text = Array.isArray(prompt) && prompt.length === 1 && typeof prompt[0] === "string" ? prompt[0] : prompt;
  if (typeof text !== "string") throw dataPlaneError("InvalidRequest", "'prompt' is required: a string (or a list of one string).");
  return { prompt: text, chat: parseChatRequest({ ...rest, messages: [{ role: "user", content: text }] }, limits) };
}

/** `model` names the deployment on the `/models` and `/openai/v1` surfaces. */
export async function resolveDeployment(deps: DataPlaneDeps, account: AccountView, deploymentName: unknown): Promise<DeploymentView> {
  if (typeof deploymentName !== "string" || deploymentName === "") {
    throw dataPlaneError("InvalidRequest", "'model' is required on this endpoint: set it to the name of a deployment of this account.");
  }
  const deployment = await deps.findDeployment(account, deploymentName);
  if (!deployment) throw dataPlaneError("DeploymentNotFound", deploymentName, account.name);
  return deployment;
}

/** The backend function for an operation, or 400 OperationNotSupported when the deployment's model lacks it. */
export function requireCapability<K extends "complete" | "stream" | "embed">(
  deployment: DeploymentView,
  capability: K,
  operation: string,
): NonNullable<ModelBackend[K]> {
  const fn = deployment.backend[capability];
  if (!fn) throw dataPlaneError("OperationNotSupported", operation, deployment.modelType);
  return fn.bind(deployment.backend) as NonNullable<ModelBackend[K]>;
}
