import type { ModelBackend } from "../../chat-types.ts";
import { openaiCompatible } from "../openai-compatible/index.ts";
import type { UpstreamAuth, UpstreamOptions } from "../openai-compatible/upstream.ts";

interface AzureOpenAiOptions extends Omit<UpstreamOptions, "baseUrl" | "apiKey"> {
  /** The resource endpoint, e.g. `https://my-resource.openai.azure.com` (or another Keyless's `…/accounts/{a}`). */
  endpoint: string;
  apiVersion: string;
  auth: UpstreamAuth;
}

/**
 * The `azure-openai` adapter: an Azure OpenAI (or Foundry) resource's deployment routes,
 * `{endpoint}/openai/deployments/{upstreamModel}/chat/completions?api-version=…` (and `/embeddings`), reached with
 * an Entra token (or an `api-key`) from `auth`. Everything else (pool, timeouts, streams, error mapping) is the
 * `openai-compatible` adapter's.
 */
export function azureOpenAi(options: AzureOpenAiOptions): ModelBackend & { close(): Promise<void> } {
  const version = encodeURIComponent(options.apiVersion);
  return openaiCompatible(
    { ...options, baseUrl: `${options.endpoint.replace(/\/+$/, "")}/openai/deployments`, apiKey: undefined },
    { kind: "azure-openai", path: (operation, model) => `/${encodeURIComponent(model)}/${operation}?api-version=${version}` },
  );
}

/** An account key sent as Azure's `api-key` header. */
export function apiKeyAuth(key: string): UpstreamAuth {
  return { headers: async () => ({ "api-key": key }) };
}
