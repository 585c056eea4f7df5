/** The OpenAI-compatible wire types both data-plane surfaces share, and the contract every backend fulfils. */
export interface ToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

export interface ChatMessage {
  role: "system" | "user" | "assistant" | "tool" | "developer";
  content: string | Array<{ type: string; text?: string }> | null;
  name?: string;
  tool_call_id?: string;
  tool_calls?: ToolCall[];
}

export interface ToolDefinition {
  type: "function";
  function: {
    name: string;
    description?: string;
    parameters?: { type?: string; properties?: Record<string, { type?: string }>; required?: string[] };
  };
}

export type ToolChoice = "none" | "auto" | "required" | { type: "function"; function: { name: string } };

export interface ChatRequest {
  messages: ChatMessage[];
  model?: string;
  max_tokens?: number;
  max_completion_tokens?: number;
  stop?: string | string[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  temperature?: number;
  top_p?: number;
  seed?: number;
  tools?: ToolDefinition[];
  tool_choice?: ToolChoice;
  [extra: string]: unknown;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter";

export interface AssistantMessage {
  role: "assistant";
  content: string | null;
  tool_calls?: ToolCall[];
}

export interface ChatCompletion {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  choices: Array<{ index: number; finish_reason: FinishReason; message: AssistantMessage }>;
  usage: Usage;
}

interface ChatDelta {
  role?: "assistant";
  content?: string;
  tool_calls?: Array<ToolCall & { index: number }>;
}

export interface ChatCompletionChunk {
  id: string;
  object: "chat.completion.chunk";
  created: number;
  model: string;
  choices: Array<{ index: number; delta: ChatDelta; finish_reason: FinishReason | null }>;
  usage?: Usage | null;
}

export interface EmbeddingsRequest {
  input: string | string[];
  model?: string;
  encoding_format?: "float" | "base64";
  dimensions?: number;
  [extra: string]: unknown;
}

/** Embeddings as numbers; the HTTP edge encodes them as the caller asked (float array or base64). */
export interface EmbeddingsResult {
  model: string;
  vectors: Float32Array[];
  usage: { prompt_tokens: number; total_tokens: number };
}

export type ModelType = "chat-completions" | "embeddings";

/** Where a catalog model is in its life (the models file's `lifecycle`, `default`, `deprecationDate`, `skus`). */
export interface ModelLifecycle {
  /** `GenerallyAvailable` (default), `Preview` or `Deprecated`. */
  status: "GenerallyAvailable" | "Preview" | "Deprecated";
  /** The version deployments that follow the default are moved to (`versionUpgradeOption`). */
  isDefaultVersion: boolean;
  /** From this date (ISO 8601) the version is retired: no new deployments, and deployments upgrade off it. */
  deprecationDate: string | undefined;
  /** The deployment SKUs it may be deployed with; undefined: every SKU Keyless knows. */
  skus: readonly string[] | undefined;
}

/** What one model can take: a chat model's context window; an embeddings model's input length and native dimension. */
export interface ModelLimits {
  contextTokens?: number | undefined;
  maxInputTokens?: number | undefined;
  dimensions?: number | undefined;
}

/**
 * One model backend (an adapter folder under `backends/`). `model` is the backend's own model name. `stream`
 * yields the JSON text of each chunk, so a proxying backend passes upstream chunks through without re-encoding.
 * Failures are data-plane catalog errors (BackendUnavailable, BackendTimeout, BackendThrottled, …).
 */
export interface ModelBackend {
  readonly kind: string;
  complete?(request: ChatRequest, model: string, signal: AbortSignal): Promise<ChatCompletion>;
  stream?(request: ChatRequest, model: string, signal: AbortSignal): AsyncIterable<string>;
  embed?(request: EmbeddingsRequest, model: string, signal: AbortSignal): Promise<EmbeddingsResult>;
}

export function messageText(message: ChatMessage): string {
  if (typeof message.content === "string") return message.content;
  if (Array.isArray(message.content)) return message.content.map((part) => part.text ?? "").join("");
  return "";
}

export function lastUserText(request: ChatRequest): string {
  const lastUser = [...request.messages].reverse().find((m) => m.role === "user");
  return lastUser ? messageText(lastUser) : "";
}
