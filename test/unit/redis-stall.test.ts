import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { limitsFromCapacity } from "../../src/inference/rate-limits.ts";
import { createRedisQuotaCounter } from "../../src/inference/redis-quota-counter.ts";
import { createRedisRateLimiter } from "../../src/inference/redis-rate-limits.ts";
import { type FaultProxy, startFaultProxy } from "../harness/fault-proxy.ts";
import { REDIS, redisAvailable } from "../harness/redis.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const quiet = { commandTimeoutMs: 250, onUnavailable: () => undefined, onRecovered: () => undefined };

/**
 * A slow Redis (a stall, a slow link: here a fault proxy holding every byte for 1.5 s). A command this node gave
 * up on is not withdrawn: it reaches Redis late and still runs. It must not charge the shared budget then, or a
 * stall leaves the deployment's budget drained afterwards although every call was admitted on the node's fallback.
 */
describe("shared limits under a slow Redis", { skip: !redisAvailable && "no Redis on 127.0.0.1:6379" }, () => {
  let proxy: FaultProxy;
  before(async () => {
    proxy = await startFaultProxy({ target: REDIS });
  });
  after(() => proxy?.close());

  test("admissions and settlements that timed out during the stall do not drain the bucket afterwards", async () => {
    const slow = createRedisRateLimiter(`redis://127.0.0.1:${proxy.port}`, quiet);
    const direct = createRedisRateLimiter(`redis://${REDIS.host}:${REDIS.port}`, quiet);
    try {
      const key = `stall-${crypto.randomUUID()}`;
      const limits = limitsFromCapacity(1); // 6 requests, 1,000 tokens a minute
      assert.equal((await slow.admit(key, limits, 10)).admitted, true); // connected, the offset measured
      proxy.delay(1500);
      // Each waits 250 ms for Redis, then is admitted on this node's fallback buckets.
      for (let i = 0; i < 5; i++) assert.equal((await slow.admit(key, limits, 100)).admitted, true);
      await slow.settle(key, limits, 300);
      proxy.delay(0);
      await sleep(2500); // everything held has reached Redis and run by now
      const after = await direct.admit(key, limits, 10);
      assert.equal(after.admitted, true, "the shared bucket still has requests left");
      // One admission before the stall, this one now: the stalled ones charged nothing.
      assert.ok(after.admitted && after.remainingRequests >= 4, `remaining requests ${after.admitted && after.remainingRequests}`);
      assert.ok(after.admitted && after.remainingTokens >= 970, `remaining tokens ${after.admitted && after.remainingTokens}`);
    } finally {
      await slow.close?.();
      await direct.close?.();
    }
  });

  test("quota charges that timed out during the stall are not added afterwards", async () => {
    const warnings: string[] = [];
    const slow = createRedisQuotaCounter(`redis://127.0.0.1:${proxy.port}`, (message) => warnings.push(message));
    const direct = createRedisQuotaCounter(`redis://${REDIS.host}:${REDIS.port}`, () => undefined);
    try {
      const window = { key: `stall-${crypto.randomUUID()}:0`, resetsAt: Date.now() + 3_600_000 };
      await slow.charge(window, 7);
      proxy.delay(1500);
      for (let i = 0; i < 3; i++) await slow.charge(window, 100); // counted on this node instead
      proxy.delay(0);
      await sleep(2500);
      assert.equal(await direct.spent(window), 7);
      assert.ok(
        warnings.some((w) => /unavailable/.test(w)),
        "the stall was reported",
      );
    } finally {
      await slow.close?.();
      await direct.close?.();
    }
  });
});
