/** The OpenAI-compatible chat wire types both data-plane surfaces share. */
export interface ChatMessage {
  role: "system" | "user" | "assistant" | "tool" | "developer";
  content: string | Array<{ type: string; text?: string }> | null;
  name?: string;
  tool_call_id?: string;
}

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
  [extra: string]: unknown;
}

export interface Usage { prompt_tokens: number; completion_tokens: number; total_tokens: number }

export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter";

export interface ChatCompletion {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  choices: Array<{ index: number; finish_reason: FinishReason; message: { role: "assistant"; content: string } }>;
  usage: Usage;
}

export interface ChatCompletionChunk {
  id: string;
  object: "chat.completion.chunk";
  created: number;
  model: string;
  choices: Array<{ index: number; delta: { role?: "assistant"; content?: string }; finish_reason: FinishReason | null }>;
  usage?: Usage | null;
}

/** One model backend; `model` is the backend's own model name. */
export interface ChatBackend {
  complete(request: ChatRequest, model: string, signal: AbortSignal): Promise<ChatCompletion>;
  stream(request: ChatRequest, model: string, signal: AbortSignal): AsyncIterable<ChatCompletionChunk>;
}

export function messageText(message: ChatMessage): string {
  if (typeof message.content === "string") return message.content;
  if (Array.isArray(message.content)) return message.content.map((part) => part.text ?? "").join("");
  return "";
}
