import { Redis } from "ioredis";
import { REDIS_NOW_LUA, redisDeadlines } from "./redis-deadline.ts";
import { type Admission, type RateLimiter, admitted, chargeFor, createRateLimiter, refused } from "./rate-limits.ts";

/**
 * The same token buckets as the in-memory limiter, kept in Redis so every node charges one budget. One Lua
 * script refills, checks and charges a deployment's bucket atomically (Redis runs a script alone), on Redis's own
 * clock, so nodes with skewed clocks still agree. Returns the admitted flag (-1: the caller's deadline ARGV[5] had
 * passed, nothing charged) and what is left, as strings because Redis truncates Lua numbers to integers on the way
 * out, and Redis's time.
 */
const ADMIT_SCRIPT = `${REDIS_NOW_LUA}
local rpm, tpm, required, charge = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local now = redis_now()
if past(tonumber(ARGV[5]), now) then return { -1, '0', '0', tostring(now) } end
local stored = redis.call('HMGET', KEYS[1], 'requests', 'tokens', 'at')
local requests, tokens, at = tonumber(stored[1]) or rpm, tonumber(stored[2]) or tpm, tonumber(stored[3]) or now
local elapsed = math.max(0, now - at)
requests = math.min(rpm, requests + elapsed * rpm / 60000)
tokens = math.min(tpm, tokens + elapsed * tpm / 60000)
local admitted = 0
if requests >= 1 and tokens >= required then
  requests, tokens, admitted = requests - 1, tokens - charge, 1
end
redis.call('HSET', KEYS[1], 'requests', tostring(requests), 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], 120000)
return { admitted, tostring(requests), tostring(tokens), tostring(now) }
`;

/**
 * After a call: refill, then charge ARGV[3] more tokens (negative refunds), never past a full minute's budget;
 * nothing once the caller's deadline ARGV[4] has passed (it settled on this node's buckets instead).
 */
const SETTLE_SCRIPT = `${REDIS_NOW_LUA}
local rpm, tpm, delta = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local now = redis_now()
if past(tonumber(ARGV[4]), now) then return tostring(now) end
local stored = redis.call('HMGET', KEYS[1], 'requests', 'tokens', 'at')
local requests, tokens, at = tonumber(stored[1]) or rpm, tonumber(stored[2]) or tpm, tonumber(stored[3]) or now
local elapsed = math.max(0, now - at)
requests = math.min(rpm, requests + elapsed * rpm / 60000)
tokens = math.min(tpm, tokens + elapsed * tpm / 60000 - delta)
redis.call('HSET', KEYS[1], 'requests', tostring(requests), 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], 120000)
return tostring(now)
`;

/** A bucket untouched for two minutes is full again, so it expires then (the script renews it on every call). */
const KEY_PREFIX = "keyless:limits:";

export interface RedisRateLimiterOptions {
  /** How long one admission may wait on Redis before the call is admitted without it. */
  commandTimeoutMs: number;
  /** Told once when Redis stops answering (and once when it answers again); never per call. */
  onUnavailable(err: Error): void;
  onRecovered(): void;
}

/**
 * Limits shared by every node that points at one Redis. It fails open: while Redis is down or slow, calls are
 * charged to this node's in-memory buckets instead (as with `rateLimitStore: memory`), so an outage never
 * refuses a call it would otherwise admit, and a busy client is still held to the per-node limit.
 */
export function createRedisRateLimiter(url: string, options: RedisRateLimiterOptions): RateLimiter {
  const redis = new Redis(url, {
    // Fail fast instead of queueing while disconnected: the fallback answers at once; reconnects go on in the background.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs,
    lazyConnect: false,
  });
  redis.defineCommand("keylessAdmit", { numberOfKeys: 1, lua: ADMIT_SCRIPT });
  redis.defineCommand("keylessSettle", { numberOfKeys: 1, lua: SETTLE_SCRIPT });
  // ioredis reports connection errors as events; the first failed admission says it once, so these stay quiet.
  redis.on("error", () => undefined);
  const deadlines = redisDeadlines(redis);
  const fallback = createRateLimiter();
  let down = false;
  // Until the first connection attempt settles, a call waits for it (bounded by the command timeout) rather
  // than being charged locally; after that, a lost connection fails over at once.
  let connected: Promise<void> | undefined = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, options.commandTimeoutMs);
    timer.unref();
    const settle = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once("ready", settle);
    redis.once("error", settle); // refused or unresolvable: no point waiting out the timeout
  })
    .then(() => deadlines.sync())
    .then(() => {
      connected = undefined;
    });

  return {
    async admit(key, limits, tokens, charge = tokens) {
      const required = chargeFor(tokens, limits);
      if (connected) await connected;
      try {
        const run = (redis as unknown as { keylessAdmit(key: string, ...args: number[]): Promise<[number, string, string, string]> })
          .keylessAdmit;
        const sentAt = Date.now();
        const [ok, requests, tokensLeft, redisNow] = await run.call(
          redis,
          `${KEY_PREFIX}${key}`,
          limits.requestsPerMinute,
          limits.tokensPerMinute,
          required,
          charge,
          deadlines.deadline(options.commandTimeoutMs),
        );
        deadlines.observe(sentAt, Number(redisNow));
        if (ok === -1) throw new Error("the rate-limit store answered after this call's deadline");
        if (down) {
          down = false;
          options.onRecovered();
        }
        const left = { requests: Number(requests), tokens: Number(tokensLeft) };
        return ok === 1 ? admitted(left) : refused(left, limits, required);
      } catch (err) {
        if (!down) {
          down = true;
          options.onUnavailable(err as Error);
        }
        return fallback.admit(key, limits, tokens, charge) satisfies Admission;
      }
    },
    async settle(key, limits, delta) {
      if (down) return fallback.settle(key, limits, delta);
      try {
        const run = (redis as unknown as { keylessSettle(key: string, ...args: number[]): Promise<string> }).keylessSettle;
        const sentAt = Date.now();
        const deadline = deadlines.deadline(options.commandTimeoutMs);
        const redisNow = Number(
          await run.call(redis, `${KEY_PREFIX}${key}`, limits.requestsPerMinute, limits.tokensPerMinute, delta, deadline),
        );
        deadlines.observe(sentAt, redisNow);
        if (deadline > 0 && redisNow > deadline) throw new Error("the rate-limit store answered after this call's deadline");
      } catch {
        fallback.settle(key, limits, delta); // the admission's own failure path reports the outage
      }
    },
    async close() {
      redis.disconnect();
    },
  };
}

/** The limiter the `rateLimitStore` setting names: `memory`, or a Redis URL shared by every node. */
export function openRateLimiter(store: string, warn: (message: string, err?: Error) => void): RateLimiter {
  if (store === "memory") return createRateLimiter();
  return createRedisRateLimiter(store, {
    commandTimeoutMs: 250,
    onUnavailable: (err) => warn("rate-limit store (Redis) unavailable: enforcing this node's limits only until it answers again", err),
    onRecovered: () => warn("rate-limit store (Redis) answers again: limits are shared across nodes"),
  });
}
