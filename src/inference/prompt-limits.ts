import type { ChatRequest, EmbeddingsRequest, ModelLimits } from "./chat-types.ts";
import { messageText } from "./chat-types.ts";
import { dataPlaneError, invalidRequest } from "./data-plane-errors.ts";
import { countPromptTokensCooperatively, countTokensCooperatively, MESSAGE_FRAMING_TOKENS, tokenBounds } from "./token-count.ts";

/** Azure's embeddings caps: 2,048 inputs a call, 8,192 tokens an input (text-embedding-3), the model's dimension. */
export interface EmbeddingsLimits {
  maxInputs: number;
  maxInputTokens: number;
  maxDimensions: number;
}

/**
 * Shape and count checks on an embeddings body, before any token is counted or vector made: `input` is a string or
 * a non-empty list of at most `maxInputs` strings; `dimensions` is at most the model's native dimension.
 */
export function parseEmbeddingsRequest(body: unknown, limits: EmbeddingsLimits, model: ModelLimits): EmbeddingsRequest {
  if (body === null || typeof body !== "object" || Array.isArray(body))
    throw dataPlaneError("InvalidRequest", "The request body must be a JSON object.");
  const b = body as Record<string, unknown>;
  const input = b.input;
  if (Array.isArray(input) && input.length > limits.maxInputs)
    throw invalidRequest(dataPlaneError("TooManyInputs", limits.maxInputs), null);
  const valid = typeof input === "string" || (Array.isArray(input) && input.length > 0 && input.every((i) => typeof i === "string"));
  if (!valid) throw dataPlaneError("InvalidRequest", "'input' is required: a string or a non-empty array of strings.");
  if (b.encoding_format !== undefined && b.encoding_format !== "float" && b.encoding_format !== "base64")
    throw dataPlaneError("InvalidRequest", "'encoding_format' must be 'float' or 'base64'.");
  const maxDimensions = Math.min(model.dimensions ?? limits.maxDimensions, limits.maxDimensions);
  if (
    b.dimensions !== undefined &&
    (!Number.isInteger(b.dimensions) || (b.dimensions as number) < 1 || (b.dimensions as number) > maxDimensions)
  ) {
    throw invalidRequest(
      dataPlaneError("invalid_value", "dimensions", `it must be an integer from 1 to ${maxDimensions}, this model's dimension.`),
      "dimensions",
    );
  }
  return b as EmbeddingsRequest;
}

/** Each input is at most the model's input length in tokens (400 as Azure otherwise); counting stops at the limit. */
export async function checkEmbeddingsLength(request: EmbeddingsRequest, limits: EmbeddingsLimits, model: ModelLimits): Promise<void> {
  const limit = Math.min(model.maxInputTokens ?? limits.maxInputTokens, limits.maxInputTokens);
  for (const text of Array.isArray(request.input) ? request.input : [request.input]) {
    const { lower, upper } = tokenBounds(text);
    if (upper <= limit) continue;
    const tokens = lower > limit ? lower : await countTokensCooperatively([text], limit);
    if (tokens > limit) throw invalidRequest(dataPlaneError("InputTooLong", limit, tokens), "input");
  }
}

/**
 * The prompt (and the completion it asks room for) fits the model's context window, else Azure's 400
 * `context_length_exceeded`. Cheap bounds first: a prompt whose UTF-8 length fits needs no counting, and one whose
 * length proves it too long (at least ⌈bytes/128⌉ tokens) is refused without counting; only prompts in between
 * are counted, and counting stops at the window (the reported count is then a lower bound).
 */
export async function checkContextLength(request: ChatRequest, model: ModelLimits): Promise<void> {
  const window = model.contextTokens;
  if (window === undefined) return;
  const texts = request.messages.map(messageText);
  const completion = request.max_completion_tokens ?? request.max_tokens ?? undefined;
  const framing = MESSAGE_FRAMING_TOKENS * (texts.length + 1);
  const room = window - (completion ?? 0);
  let upper = framing;
  let lower = framing;
  for (const text of texts) {
    const bounds = tokenBounds(text);
    upper += bounds.upper;
    lower += bounds.lower;
  }
  if (upper <= room) return;
  const tokens = lower > room ? lower : await countPromptTokensCooperatively(texts, room);
  if (tokens > room) throw invalidRequest(dataPlaneError("context_length_exceeded", window, tokens, completion), "messages");
}
