import type { FastifyReply } from "fastify";
import { withHeaders } from "../core/errors.ts";
import { dataPlaneError } from "../inference/data-plane-errors.ts";
import type { DeploymentView } from "../inference/data-plane.ts";
import { limitsFromCapacity } from "../inference/rate-limits.ts";
import type { Services } from "./services.ts";

/** What a call was charged; `settle` charges (or refunds) the difference once its real usage is known. */
export interface Budget {
  settle(usedTokens: number | undefined): void;
}

const unlimited: Budget = { settle: () => undefined };

/** Admission estimate of a prompt: ~4 characters a token (as Azure estimates before counting). */
export function estimatePromptTokens(prompt: unknown): number {
  return Math.ceil(JSON.stringify(prompt).length / 4);
}

/**
 * Charges the call to the deployment's per-minute budgets before it runs: its prompt estimate plus `max_tokens`,
 * or plus the default completion budget (`rateLimitDefaultCompletionTokens`) when it sets none. 429 with
 * Retry-After when a budget is spent; a `max_tokens` that can never fit the deployment's tokens per minute is
 * refused as Azure refuses it (429, retry after 86,400 seconds). The returned budget settles with the real usage.
 */
export async function enforceLimits(
  services: Services,
  reply: FastifyReply,
  deployment: DeploymentView,
  promptTokens: number,
  maxTokens: number | undefined,
): Promise<Budget> {
  if (deployment.capacity === undefined) return unlimited;
  // The bucket is per deployment and capacity: a capacity change (PATCH sku.capacity) starts a bucket of the new size
  // on the next call, instead of leaving the old size's debt to refill at the new rate.
  const key = `capacity-${deployment.capacity}:${deployment.id.toLowerCase()}`;
  const limits = limitsFromCapacity(deployment.capacity);
  if (maxTokens !== undefined && promptTokens + maxTokens > limits.tokensPerMinute) {
    throw withHeaders(dataPlaneError("RequestExceedsTokenRateLimit", promptTokens + maxTokens, limits.tokensPerMinute), {
      "retry-after": "86400",
      "retry-after-ms": "86400000",
    });
  }
  const charge = promptTokens + (maxTokens ?? services.dataPlane.limits.defaultCompletionTokens);
  const limiter = services.dataPlane.rateLimiter;
  const admission = await limiter.admit(key, limits, promptTokens + (maxTokens ?? 0), charge);
  const counters = {
    "x-ratelimit-remaining-requests": String(admission.remainingRequests),
    "x-ratelimit-remaining-tokens": String(admission.remainingTokens),
  };
  if (!admission.admitted) {
    const seconds = admission.retryAfterSeconds;
    throw withHeaders(dataPlaneError("RateLimitExceeded", seconds), {
      ...counters,
      "retry-after": String(seconds),
      "retry-after-ms": String(seconds * 1000),
    });
  }
  reply.headers(counters);
  let settled = false;
  return {
    settle(used) {
      if (settled || used === undefined) return;
      settled = true;
      void Promise.resolve(limiter.settle(key, limits, used - charge)).catch(() => undefined);
    },
  };
}
