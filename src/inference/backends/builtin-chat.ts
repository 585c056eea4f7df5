import { createHash } from "node:crypto";
import type { ChatBackend, ChatCompletion, ChatCompletionChunk, ChatRequest, FinishReason, Usage } from "../chat-types.ts";
import { messageText } from "../chat-types.ts";
import { countPromptTokens, countTokens, tokenEnds } from "../token-count.ts";

/**
 * The built-in deterministic chat model: the same messages always give the same answer, offline, in
 * microseconds, so application tests can assert on it. The answer restates the last user message:
 * `You said: "<text>"`. `max_tokens` truncates (finish_reason `length`), `stop` cuts at the first stop
 * sequence, and `temperature`/`top_p`/`seed` are ignored by design.
 */
export const builtinChat: ChatBackend = {
  async complete(request, model) {
    const answer = answerFor(request);
    return {
      id: completionId(request),
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [{ index: 0, finish_reason: answer.finishReason, message: { role: "assistant", content: answer.text } }],
      usage: answer.usage,
    } satisfies ChatCompletion;
  },

  async *stream(request, model, signal) {
    const answer = answerFor(request);
    const base = { id: completionId(request), object: "chat.completion.chunk" as const, created: Math.floor(Date.now() / 1000), model };
    yield { ...base, choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }] } satisfies ChatCompletionChunk;
    for (const piece of answer.pieces) {
      if (signal.aborted) return;
      yield { ...base, choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] };
    }
    yield { ...base, choices: [{ index: 0, delta: {}, finish_reason: answer.finishReason }] };
    if (request.stream_options?.include_usage) yield { ...base, choices: [], usage: answer.usage };
  },
};

interface Answer { text: string; pieces: string[]; finishReason: FinishReason; usage: Usage }

function answerFor(request: ChatRequest): Answer {
  const lastUser = [...request.messages].reverse().find((m) => m.role === "user");
  let text = `You said: "${lastUser ? messageText(lastUser) : ""}"`;
  let finishReason: FinishReason = "stop";
  const stopAt = firstStop(text, request.stop);
  if (stopAt !== undefined) text = text.slice(0, stopAt);
  const limit = request.max_completion_tokens ?? request.max_tokens;
  let pieces = piecesOf(text);
  const completionTokens = countTokens(text);
  if (limit !== undefined && completionTokens > limit) {
    text = truncateToTokens(text, limit);
    pieces = piecesOf(text);
    finishReason = "length";
  }
  const promptTokens = countPromptTokens(request.messages.map(messageText));
  const used = Math.min(completionTokens, limit ?? completionTokens);
  return { text, pieces, finishReason, usage: { prompt_tokens: promptTokens, completion_tokens: used, total_tokens: promptTokens + used } };
}

function firstStop(text: string, stop: string | string[] | undefined): number | undefined {
  const stops = stop === undefined ? [] : Array.isArray(stop) ? stop : [stop];
  const positions = stops.filter((s) => s !== "").map((s) => text.indexOf(s)).filter((i) => i >= 0);
  return positions.length > 0 ? Math.min(...positions) : undefined;
}

/** Keeps the text up to the end of its `limit`-th token, preserving the original spacing. */
function truncateToTokens(text: string, limit: number): string {
  if (limit <= 0) return "";
  const ends = tokenEnds(text);
  return text.slice(0, ends[Math.min(limit, ends.length) - 1] ?? 0);
}

/** Streaming pieces: one per word with its leading space, like a BPE model streams. */
function piecesOf(text: string): string[] {
  return text.match(/\s*\S+/g) ?? [];
}

function completionId(request: ChatRequest): string {
  const digest = createHash("sha256").update(JSON.stringify(request.messages)).digest("hex").slice(0, 24);
  return `chatcmpl-${digest}`;
}
