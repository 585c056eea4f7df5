/**
 * Per-deployment limits derived from capacity, Azure's rule for Standard deployments: one capacity unit is
 * 1,000 tokens per minute and 6 requests per minute. Each limit is a token bucket that refills continuously,
 * so a burst up to the minute's budget passes and then calls are admitted at the sustained rate. A request is
 * charged its prompt tokens plus `max_tokens` up front, as Azure estimates, or plus a default completion budget
 * when it sets no `max_tokens`; the charge may take the bucket below zero (later calls wait for the debt to refill).
 * When the call ends, `settle` charges the difference between what it used and what it was charged.
 */
interface Limits {
  requestsPerMinute: number;
  tokensPerMinute: number;
}

export function limitsFromCapacity(capacity: number): Limits {
  return { requestsPerMinute: capacity * 6, tokensPerMinute: capacity * 1000 };
}

export type Admission =
  | { admitted: true; remainingRequests: number; remainingTokens: number }
  | { admitted: false; retryAfterSeconds: number; remainingRequests: number; remainingTokens: number };

/**
 * Charges one call to `key`'s budgets: admitted when a request is left and the bucket holds `tokens` (at most a
 * minute's budget), then charged `charge` (default `tokens`). The in-memory limiter answers at once; a shared store
 * answers async.
 */
export interface RateLimiter {
  admit(key: string, limits: Limits, tokens: number, charge?: number): Admission | Promise<Admission>;
  /** After the call: charges `delta` more tokens (a negative delta refunds), never filling past a minute's budget. */
  settle(key: string, limits: Limits, delta: number): void | Promise<void>;
  close?(): Promise<void>;
}

interface MemoryRateLimiter extends RateLimiter {
  admit(key: string, limits: Limits, tokens: number, charge?: number): Admission;
  settle(key: string, limits: Limits, delta: number): void;
}

interface Bucket {
  requests: number;
  tokens: number;
  at: number;
}

/** In-process counters: correct for one node (many nodes each enforce the full limit). */
export function createRateLimiter(now: () => number = Date.now): MemoryRateLimiter {
  const buckets = new Map<string, Bucket>();
  const current = (key: string, limits: Limits): Bucket => {
    const t = now();
    const bucket = refill(buckets.get(key) ?? { requests: limits.requestsPerMinute, tokens: limits.tokensPerMinute, at: t }, limits, t);
    buckets.set(key, bucket);
    return bucket;
  };
  return {
    admit(key, limits, tokens, charge = tokens) {
      const bucket = current(key, limits);
      const required = chargeFor(tokens, limits);
      if (bucket.requests >= 1 && bucket.tokens >= required) {
        bucket.requests -= 1;
        bucket.tokens -= charge;
        return admitted(bucket);
      }
      return refused(bucket, limits, required);
    },
    settle(key, limits, delta) {
      const bucket = current(key, limits);
      bucket.tokens = Math.min(limits.tokensPerMinute, bucket.tokens - delta);
    },
  };
}

/** A call is charged at most one minute's token budget, so one huge prompt waits rather than never passing. */
export function chargeFor(tokens: number, limits: Limits): number {
  return Math.min(tokens, limits.tokensPerMinute);
}

export function admitted(left: { requests: number; tokens: number }): Admission {
  return { admitted: true, remainingRequests: Math.floor(left.requests), remainingTokens: Math.floor(left.tokens) };
}

/** The refusal for a bucket that cannot pay `charge`: Retry-After is when the scarcer budget will have refilled. */
export function refused(left: { requests: number; tokens: number }, limits: Limits, charge: number): Admission {
  const waitRequests = left.requests >= 1 ? 0 : ((1 - left.requests) * 60_000) / limits.requestsPerMinute;
  const waitTokens = left.tokens >= charge ? 0 : ((charge - left.tokens) * 60_000) / limits.tokensPerMinute;
  return {
    admitted: false,
    retryAfterSeconds: Math.max(1, Math.ceil(Math.max(waitRequests, waitTokens) / 1000)),
    remainingRequests: Math.floor(left.requests),
    remainingTokens: Math.floor(left.tokens),
  };
}

function refill(bucket: Bucket, limits: Limits, t: number): Bucket {
  const elapsed = Math.max(0, t - bucket.at);
  return {
    requests: Math.min(limits.requestsPerMinute, bucket.requests + (elapsed * limits.requestsPerMinute) / 60_000),
    tokens: Math.min(limits.tokensPerMinute, bucket.tokens + (elapsed * limits.tokensPerMinute) / 60_000),
    at: t,
  };
}

/** The limiter with each refusal reported to `onRefused` (for metrics): a decorator, the limiter stays as it is. */
export function observeRefusals(limiter: RateLimiter, onRefused: (key: string) => void): RateLimiter {
  const report = (key: string, admission: Admission) => {
    if (!admission.admitted) onRefused(key);
    return admission;
  };
  return {
    admit(key, limits, tokens, charge) {
      const admission = limiter.admit(key, limits, tokens, charge);
      return admission instanceof Promise ? admission.then((a) => report(key, a)) : report(key, admission);
    },
    settle: (key, limits, delta) => limiter.settle(key, limits, delta),
    ...(limiter.close && { close: () => limiter.close!() }),
  };
}
