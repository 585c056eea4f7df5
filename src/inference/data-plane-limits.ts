import type { Config } from "../config/schema.ts";
import type { DataPlaneLimits } from "./data-plane.ts";

/** The data plane's request limits, from their settings. */
export function dataPlaneLimits(config: Config): DataPlaneLimits {
  return {
    chat: { maxMessages: config.chatMaxMessages, maxTools: config.chatMaxTools },
    embeddings: {
      maxInputs: config.embeddingsMaxInputs,
      maxInputTokens: config.embeddingsMaxInputTokens,
      maxDimensions: config.embeddingsMaxDimensions,
    },
    chatBodyBytes: config.chatBodyLimit,
    embeddingsBodyBytes: config.embeddingsBodyLimit,
    jsonDepth: config.jsonDepthLimit,
    defaultCompletionTokens: config.rateLimitDefaultCompletionTokens,
    maxStreamsPerCaller: config.maxStreamsPerCaller,
    streamDrainTimeoutMs: config.streamDrainTimeoutMs,
    responses: {
      retentionDays: config.responsesRetentionDays,
      maxConversationBytes: config.responsesMaxConversationBytes,
      maxInputItems: config.responsesMaxInputItems,
    },
  };
}
