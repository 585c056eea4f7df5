import { Redis } from "ioredis";
import { createMemoryQuotaCounter, type QuotaCounter } from "./quotas.ts";
import { REDIS_NOW_LUA, redisDeadlines } from "./redis-deadline.ts";

const KEY_PREFIX = "keyless:quota:";
/**
 * Adds the call's tokens and keeps the counter a minute past its window's end (then it is spent history); adds
 * nothing once the caller's deadline ARGV[3] has passed (it counted on this node instead). Returns Redis's time.
 */
const CHARGE_SCRIPT = `${REDIS_NOW_LUA}
local now = redis_now()
if past(tonumber(ARGV[3]), now) then return { 0, tostring(now) } end
redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('PEXPIREAT', KEYS[1], ARGV[2])
return { 1, tostring(now) }
`;
const COMMAND_TIMEOUT_MS = 250;

/**
 * Quota spend in the rate limits' Redis, so every node reads and adds to one counter per quota window. Like the
 * limiter it fails open: while Redis does not answer, this node's memory counts instead, and a warning says so once.
 */
export function createRedisQuotaCounter(url: string, warn: (message: string, err?: Error) => void): QuotaCounter {
  const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: COMMAND_TIMEOUT_MS });
  redis.defineCommand("keylessQuotaCharge", { numberOfKeys: 1, lua: CHARGE_SCRIPT });
  redis.on("error", () => undefined);
  const deadlines = redisDeadlines(redis);
  const fallback = createMemoryQuotaCounter();
  let down = false;
  const ready = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, COMMAND_TIMEOUT_MS);
    timer.unref();
    redis.once("ready", () => resolve());
    redis.once("error", () => resolve());
  }).then(() => deadlines.sync());
  async function shared<T>(work: () => Promise<T>, local: () => Promise<T>): Promise<T> {
    await ready;
    try {
      const result = await work();
      if (down) warn("quota store (Redis) answers again: quotas are shared across nodes");
      down = false;
      return result;
    } catch (err) {
      if (!down) warn("quota store (Redis) unavailable: counting quotas on this node only until it answers again", err as Error);
      down = true;
      return local();
    }
  }
  return {
    spent: (window) =>
      shared(
        async () => Number((await redis.get(`${KEY_PREFIX}${window.key}`)) ?? 0),
        () => fallback.spent(window),
      ),
    charge: (window, tokens) =>
      shared(
        async () => {
          const charge = (
            redis as unknown as { keylessQuotaCharge(key: string, tokens: number, at: number, deadline: number): Promise<[number, string]> }
          ).keylessQuotaCharge;
          const sentAt = Date.now();
          const [charged, redisNow] = await charge.call(
            redis,
            `${KEY_PREFIX}${window.key}`,
            tokens,
            window.resetsAt + 60_000,
            deadlines.deadline(COMMAND_TIMEOUT_MS),
          );
          deadlines.observe(sentAt, Number(redisNow));
          if (charged !== 1) throw new Error("the quota store answered after this call's deadline");
        },
        () => fallback.charge(window, tokens),
      ),
    async close() {
      redis.disconnect();
    },
  };
}

/** The counter `rateLimitStore` names: this node's memory, or the same Redis the rate limits share. */
export function openQuotaCounter(store: string, warn: (message: string, err?: Error) => void): QuotaCounter {
  return store === "memory" ? createMemoryQuotaCounter() : createRedisQuotaCounter(store, warn);
}
