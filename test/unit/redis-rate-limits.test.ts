import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError, loadConfig } from "../../src/config/load.ts";
import { limitsFromCapacity } from "../../src/inference/rate-limits.ts";
import { createRedisRateLimiter } from "../../src/inference/redis-rate-limits.ts";
import { redisAvailable } from "../harness/redis.ts";

const REDIS_URL = "redis://127.0.0.1:6379";

test("rateLimitStore: memory by default, a redis:// or rediss:// URL, anything else refused without echoing it", () => {
  assert.equal(loadConfig().rateLimitStore, "memory");
  assert.equal(loadConfig({ env: { KEYLESS_RATE_LIMIT_STORE: "rediss://:pw@cache:6380/2" } }).rateLimitStore, "rediss://:pw@cache:6380/2");
  assert.equal(loadConfig({ argv: ["--rate-limit-store", REDIS_URL] }).rateLimitStore, REDIS_URL);
  assert.throws(
    () => loadConfig({ env: { KEYLESS_RATE_LIMIT_STORE: "memcached://secret@host" } }),
    (err: Error) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /rateLimitStore must be 'memory' or a redis:\/\//);
      assert.doesNotMatch(err.message, /secret/);
      return true;
    },
  );
});

const quiet = { commandTimeoutMs: 500, onUnavailable: () => undefined, onRecovered: () => undefined };

test("Redis limiter: 20 concurrent calls from two limiters on one key admit exactly the 6 a capacity-1 minute allows", {
  skip: !redisAvailable && "no Redis on 127.0.0.1:6379",
}, async () => {
  const a = createRedisRateLimiter(REDIS_URL, quiet);
  const b = createRedisRateLimiter(REDIS_URL, quiet);
  try {
    const key = `unit-${crypto.randomUUID()}`;
    const limits = limitsFromCapacity(1);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).admit(key, limits, 10)));
    assert.equal(results.filter((r) => r.admitted).length, 6);
    const refused = results.find((r) => !r.admitted)!;
    assert.ok(!refused.admitted && refused.retryAfterSeconds >= 1 && refused.retryAfterSeconds <= 10);
    assert.deepEqual(
      results
        .filter((r) => r.admitted)
        .map((r) => r.remainingRequests)
        .sort(),
      [0, 1, 2, 3, 4, 5],
    );

    const tokenKey = `unit-${crypto.randomUUID()}`;
    assert.equal((await a.admit(tokenKey, limits, 900)).admitted, true);
    const overBudget = await b.admit(tokenKey, limits, 900);
    assert.equal(overBudget.admitted, false);
    assert.equal(overBudget.remainingTokens, 100);
  } finally {
    await a.close?.();
    await b.close?.();
  }
});

test("Redis limiter fails open to this node's buckets when Redis is unreachable, and says so once", async () => {
  const warnings: string[] = [];
  const limiter = createRedisRateLimiter("redis://127.0.0.1:1", { ...quiet, onUnavailable: (err) => warnings.push(err.message) });
  try {
    const limits = limitsFromCapacity(1);
    const results = [];
    for (let i = 0; i < 7; i++) results.push((await limiter.admit("d", limits, 10)).admitted);
    assert.deepEqual(results, [true, true, true, true, true, true, false]);
    assert.equal(warnings.length, 1);
  } finally {
    await limiter.close?.();
  }
});
