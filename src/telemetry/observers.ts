import type { Metrics } from "./metrics.ts";

/** A catalog model as the backend metrics label it (the inference module's CatalogModel, structurally). */
interface ModelLabel {
  name: string;
  backend: { kind: string };
}

/** One finished data-plane call, as the call log records it (structurally). */
interface FinishedCall {
  operation: string;
  account: string;
  deployment: string | undefined;
  model?: string | undefined;
  principalId: string;
  promptTokens: number;
  completionTokens: number;
}

/** Backend latency, time to first chunk and errors, for `observeModels`. */
export function backendObserver(metrics: Metrics) {
  return {
    call(model: ModelLabel, operation: string, seconds: number, errorCode: string | undefined) {
      const labels = { backend: model.backend.kind, model: model.name, operation };
      metrics.backendDuration.observe(labels, seconds);
      if (errorCode !== undefined) metrics.backendErrors.inc({ ...labels, code: errorCode });
    },
    firstChunk(model: ModelLabel, seconds: number) {
      metrics.timeToFirstToken.observe({ backend: model.backend.kind, model: model.name }, seconds);
    },
  };
}

/** Token usage per call, as the GenAI semantic conventions name it: one observation per token type. */
export function recordTokenUsage(metrics: Metrics, call: FinishedCall): void {
  if (call.deployment === undefined || call.promptTokens + call.completionTokens === 0) return;
  const labels: Record<string, string> = {
    gen_ai_operation_name: genAiOperation(call.operation),
    gen_ai_request_model: call.model ?? call.deployment,
    account: call.account,
    deployment: call.deployment,
  };
  if (metrics.options.principalLabel) labels.principal = call.principalId;
  metrics.tokenUsage.observe({ ...labels, gen_ai_token_type: "input" }, call.promptTokens);
  if (call.completionTokens > 0) metrics.tokenUsage.observe({ ...labels, gen_ai_token_type: "output" }, call.completionTokens);
}

/** The semantic conventions' `gen_ai.operation.name` for a data-plane operation ("POST /models/chat/completions"). */
function genAiOperation(operation: string): string {
  if (operation.endsWith("/chat/completions")) return "chat";
  if (operation.endsWith("/embeddings")) return "embeddings";
  if (operation.endsWith("/completions")) return "text_completion";
  return "other";
}

/** A rate-limit key is the deployment's resource id; its account and deployment names are the labels. */
export function deploymentLabels(deploymentId: string): { account: string; deployment: string } {
  const match = /\/accounts\/([^/]+)\/deployments\/([^/]+)$/i.exec(deploymentId);
  return { account: match?.[1] ?? "", deployment: match?.[2] ?? "" };
}

/** The surface a route belongs to, from its pattern (never the raw path, whose ids would be unbounded labels). */
export function surfaceOf(routePattern: string | undefined): string {
  if (routePattern === undefined) return "unmatched";
  const path = routePattern.toLowerCase();
  if (path.startsWith("/accounts/") || path.startsWith("/openai/") || path.startsWith("/models/")) return "data-plane";
  if (path.startsWith("/subscriptions") || path.startsWith("/providers") || path.startsWith("/tenants")) return "arm";
  if (path.startsWith("/graph/")) return "graph";
  if (path === "/healthz" || path === "/readyz") return "health";
  if (path.startsWith("/portal")) return "portal";
  return "token-service";
}

/** Grant types the token endpoint knows are labels as they are; anything else is one "other" series. */
export function grantLabel(grantType: unknown): string {
  const known = ["client_credentials", "password", "refresh_token", "authorization_code", "urn:ietf:params:oauth:grant-type:device_code"];
  if (typeof grantType !== "string") return "none";
  if (grantType === "urn:ietf:params:oauth:grant-type:device_code") return "device_code";
  return known.includes(grantType) ? grantType : "other";
}
