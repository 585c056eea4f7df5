import type { ChatBackend, ChatRequest } from "./chat-types.ts";
import { dataPlaneError, withDetails } from "./data-plane-errors.ts";

/** An account as the data plane sees it (the ARM resource, reduced). */
export interface AccountView { id: string; name: string; tenantId: string; disableLocalAuth: boolean }

/** A deployment bound to the backend that serves its model. */
export interface DeploymentView { name: string; modelName: string; modelFormat: string; backend: ChatBackend; backendModel: string }

/** The caller, after authentication. */
export interface Caller { principalId: string; displayName: string }

export type DataActionVerdict = { allowed: true } | { allowed: false; explanation: Record<string, unknown> };

export interface DataPlaneDeps {
  findAccount(name: string): Promise<AccountView | undefined>;
  findDeployment(account: AccountView, name: string): Promise<DeploymentView | undefined>;
  authorizeDataAction(caller: Caller, dataAction: string, scope: string): Promise<DataActionVerdict>;
}

/** Each data-plane operation names its data action in this one table (rbac-and-tokens.md §4.1). */
export const dataActions = {
  modelsChat: { dataAction: "Microsoft.CognitiveServices/accounts/MaaS/chat/completions/action", operation: "POST /models/chat/completions" },
  modelsEmbeddings: { dataAction: "Microsoft.CognitiveServices/accounts/MaaS/embeddings/action", operation: "POST /models/embeddings" },
  openaiChat: { dataAction: "Microsoft.CognitiveServices/accounts/OpenAI/deployments/chat/completions/action", operation: "POST /openai/deployments/{deployment-id}/chat/completions" },
} as const;

export type DataOperation = keyof typeof dataActions;

export const modelsApiVersions = ["2024-04-01-preview", "2024-05-01-preview", "2024-08-01-preview", "2025-04-01", "2025-05-01"] as const;

export function checkApiVersion(version: string | undefined, supported: readonly string[]): void {
  const examples = supported.join(", ");
  if (version === undefined || version === "") throw dataPlaneError("MissingApiVersion", examples);
  if (!supported.includes(version)) throw dataPlaneError("UnsupportedApiVersion", version, examples);
}

/** Resolves the account and checks the caller holds the operation's data action at the account's scope. */
export async function authorizeCall(deps: DataPlaneDeps, accountName: string, caller: Caller, operation: DataOperation): Promise<AccountView> {
  const account = await deps.findAccount(accountName);
  if (!account) throw dataPlaneError("AccountNotFound", accountName);
  const { dataAction, operation: opText } = dataActions[operation];
  const verdict = await deps.authorizeDataAction(caller, dataAction, account.id);
  if (!verdict.allowed) {
    throw withDetails(dataPlaneError("PermissionDenied", caller.principalId, dataAction, opText), { explanation: verdict.explanation });
  }
  return account;
}

/** Checks the body is a chat request: a non-empty `messages` array of `{role, content}`. */
export function parseChatRequest(body: unknown): ChatRequest {
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw dataPlaneError("InvalidRequest", "The request body must be a JSON object.");
  const messages = (body as { messages?: unknown }).messages;
  if (!Array.isArray(messages) || messages.length === 0) throw dataPlaneError("InvalidRequest", "'messages' is required: a non-empty array of {role, content} objects.");
  const roles = new Set(["system", "user", "assistant", "tool", "developer"]);
  messages.forEach((m, i) => {
    if (m === null || typeof m !== "object" || !roles.has((m as { role?: unknown }).role as string)) {
      throw dataPlaneError("InvalidRequest", `messages[${i}].role must be one of: ${[...roles].join(", ")}.`);
    }
  });
  const maxTokens = (body as { max_tokens?: unknown }).max_tokens;
  if (maxTokens !== undefined && maxTokens !== null && (!Number.isInteger(maxTokens) || (maxTokens as number) < 0)) {
    throw dataPlaneError("InvalidRequest", "'max_tokens' must be a non-negative integer.");
  }
  return body as ChatRequest;
}

/** `model` names the deployment on the `/models` surface. */
export async function resolveDeployment(deps: DataPlaneDeps, account: AccountView, deploymentName: unknown): Promise<DeploymentView> {
  if (typeof deploymentName !== "string" || deploymentName === "") {
    throw dataPlaneError("InvalidRequest", "'model' is required on this endpoint: set it to the name of a deployment of this account.");
  }
  const deployment = await deps.findDeployment(account, deploymentName);
  if (!deployment) throw dataPlaneError("DeploymentNotFound", deploymentName, account.name);
  return deployment;
}
