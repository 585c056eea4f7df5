import type { ChatCompletion, EmbeddingsResult, ModelBackend } from "../../chat-types.ts";
import { sseData } from "./sse.ts";
import { translate, type UpstreamOptions, upstreamClient } from "./upstream.ts";

/** Where an operation goes under the base URL: `/chat/completions` here; Azure OpenAI puts the deployment first. */
interface UpstreamRoute {
  kind: string;
  path(operation: "chat/completions" | "embeddings", model: string): string;
}

/**
 * The `openai-compatible` adapter: vLLM, Ollama, llama.cpp, LM Studio, OpenAI. Requests are forwarded with
 * `model` replaced by the upstream model name; streams pass through chunk by chunk; embeddings are always
 * asked as floats (the HTTP edge encodes base64 itself, whatever the upstream supports).
 */
export function openaiCompatible(
  options: UpstreamOptions,
  route: UpstreamRoute = { kind: "openai-compatible", path: (operation) => `/${operation}` },
): ModelBackend & { close(): Promise<void> } {
  const upstream = upstreamClient(options);
  return {
    kind: route.kind,
    async complete(request, model, signal) {
      const response = await upstream.post(route.path("chat/completions", model), { ...request, model, stream: false }, signal);
      try {
        return (await response.body.json()) as ChatCompletion;
      } catch (err) {
        throw translate(err);
      }
    },
    async *stream(request, model, signal) {
      const response = await upstream.post(route.path("chat/completions", model), { ...request, model, stream: true }, signal);
      try {
        yield* sseData(response.body);
      } catch (err) {
        throw translate(err);
      } finally {
        // A consumer that stops early (client gone) releases the upstream connection at once.
        if (!response.body.readableEnded) response.body.destroy();
      }
    },
    async embed(request, model, signal) {
      const response = await upstream.post(route.path("embeddings", model), { ...request, model, encoding_format: "float" }, signal);
      try {
        const body = (await response.body.json()) as {
          data: Array<{ index: number; embedding: number[] }>;
          usage?: { prompt_tokens?: number; total_tokens?: number };
        };
        const vectors = [...body.data].sort((a, b) => a.index - b.index).map((d) => Float32Array.from(d.embedding));
        const tokens = body.usage?.prompt_tokens ?? 0;
        return {
          model,
          vectors,
          usage: { prompt_tokens: tokens, total_tokens: body.usage?.total_tokens ?? tokens },
        } satisfies EmbeddingsResult;
      } catch (err) {
        throw translate(err);
      }
    },
    close: () => upstream.close(),
  };
}
