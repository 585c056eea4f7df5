import type { Config } from "../config/schema.ts";
import type { DataPlaneLimits } from "./data-plane.ts";

/** The data plane's request limits, from their settings. */
export function dataPlaneLimits(config: Config): DataPlaneLimits {
  return {
    chat: { maxMessages: config.chatMaxMessages ?? 2048, maxTools: config.chatMaxTools ?? 128 },
    embeddings: {
      maxInputs: config.embeddingsMaxInputs ?? 2048,
      maxInputTokens: config.embeddingsMaxInputTokens ?? 8192,
      maxDimensions: config.embeddingsMaxDimensions ?? 3072,
    },
    chatBodyBytes: config.chatBodyLimit ?? 1_048_576,
    embeddingsBodyBytes: config.embeddingsBodyLimit ?? 1_048_576,
    jsonDepth: config.jsonDepthLimit ?? 64,
    defaultCompletionTokens: config.rateLimitDefaultCompletionTokens ?? 1024,
    maxStreamsPerCaller: config.maxStreamsPerCaller ?? 32,
    streamDrainTimeoutMs: config.streamDrainTimeoutMs ?? 30_000,
  };
}
