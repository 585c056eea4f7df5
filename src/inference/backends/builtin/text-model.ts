import { createHash } from "node:crypto";
import type { ChatCompletion, ChatCompletionChunk, ChatRequest, FinishReason, ModelBackend, ToolCall, Usage } from "../../chat-types.ts";
import { messageText } from "../../chat-types.ts";
import { countPromptTokensCooperatively, countTokensCooperatively, truncateToTokens } from "../../token-count.ts";

/** What a deterministic model decides to say: text, or calls to the caller's tools. */
export type Reply = { kind: "text"; text: string } | { kind: "tool-calls"; calls: ToolCall[] };

/**
 * Turns a deterministic reply function into a chat backend: honours `max_tokens`/`max_completion_tokens`
 * (finish_reason `length`), `stop` (cut at the first stop sequence), streaming and
 * `stream_options.include_usage`; `temperature`, `top_p` and `seed` are ignored by design.
 */
export function textModel(kind: string, replyTo: (request: ChatRequest) => Reply): ModelBackend {
  return {
    kind,
    async complete(request, model) {
      const answer = await answerFor(request, replyTo(request));
      return {
        id: completionId(request),
        object: "chat.completion",
        created: nowSeconds(),
        model,
        choices: [
          {
            index: 0,
            finish_reason: answer.finishReason,
            message: {
              role: "assistant",
              content: answer.calls ? null : answer.text,
              ...(answer.calls ? { tool_calls: answer.calls } : {}),
            },
          },
        ],
        usage: answer.usage,
      } satisfies ChatCompletion;
    },
    async *stream(request, model, signal) {
      const answer = await answerFor(request, replyTo(request));
      const base = { id: completionId(request), object: "chat.completion.chunk" as const, created: nowSeconds(), model };
      const chunk = (c: Omit<ChatCompletionChunk, keyof typeof base>) => JSON.stringify({ ...base, ...c });
      yield chunk({ choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }] });
      if (answer.calls) {
        yield chunk({
          choices: [{ index: 0, delta: { tool_calls: answer.calls.map((call, index) => ({ index, ...call })) }, finish_reason: null }],
        });
      }
      for (const piece of piecesOf(answer.text)) {
        if (signal.aborted) return;
        yield chunk({ choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] });
      }
      yield chunk({ choices: [{ index: 0, delta: {}, finish_reason: answer.finishReason }] });
      if (request.stream_options?.include_usage) yield chunk({ choices: [], usage: answer.usage });
    },
  };
}

interface Answer {
  text: string;
  calls: ToolCall[] | undefined;
  finishReason: FinishReason;
  usage: Usage;
}

/** Counts yield to the event loop between slices: a long prompt (echoed back) never holds it for long. */
async function answerFor(request: ChatRequest, reply: Reply): Promise<Answer> {
  const promptTokens = await countPromptTokensCooperatively(request.messages.map(messageText));
  if (reply.kind === "tool-calls") {
    const completionTokens = await countTokensCooperatively([JSON.stringify(reply.calls.map((c) => c.function))]);
    return { text: "", calls: reply.calls, finishReason: "tool_calls", usage: usage(promptTokens, completionTokens) };
  }
  let text = reply.text;
  const stopAt = firstStop(text, request.stop);
  if (stopAt !== undefined) text = text.slice(0, stopAt);
  const limit = request.max_completion_tokens ?? request.max_tokens;
  let finishReason: FinishReason = "stop";
  let completionTokens = await countTokensCooperatively([text], limit);
  if (limit !== undefined && completionTokens > limit) {
    text = await truncateToTokens(text, limit);
    finishReason = "length";
    completionTokens = await countTokensCooperatively([text]);
  }
  return { text, calls: undefined, finishReason, usage: usage(promptTokens, completionTokens) };
}

const usage = (prompt: number, completion: number): Usage => ({
  prompt_tokens: prompt,
  completion_tokens: completion,
  total_tokens: prompt + completion,
});

function firstStop(text: string, stop: string | string[] | undefined): number | undefined {
  const stops = stop === undefined ? [] : Array.isArray(stop) ? stop : [stop];
  const positions = stops
    .filter((s) => s !== "")
    .map((s) => text.indexOf(s))
    .filter((i) => i >= 0);
  return positions.length > 0 ? Math.min(...positions) : undefined;
}

/** Streaming pieces: one per word with its leading space, like a BPE model streams (found lazily, as sent). */
function* piecesOf(text: string): Generator<string> {
  for (const match of text.matchAll(/\s*\S+/g)) yield match[0];
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

function completionId(request: ChatRequest): string {
  const digest = createHash("sha256").update(JSON.stringify(request.messages)).digest("hex").slice(0, 24);
  return `chatcmpl-${digest}`;
}
