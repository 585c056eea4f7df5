import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createRateLimiter, limitsFromCapacity, type RateLimiter } from "../../src/inference/rate-limits.ts";
import { createRedisRateLimiter } from "../../src/inference/redis-rate-limits.ts";
import { call } from "../harness/clients.ts";
import { type DataPlaneWorld, startDataPlaneWorld } from "../harness/data-plane-world.ts";
import { redisAvailable } from "../harness/redis.ts";

/**
 * Threat: a caller spending far more than its deployment's tokens per minute, because completions were never
 * charged (no `max_tokens`) or a `max_tokens` above the whole budget was admitted. Calls are charged a default
 * completion budget, settled with their real usage, and a `max_tokens` that can never fit is refused as Azure does.
 */
describe("tokens per minute count completions", () => {
  let world: DataPlaneWorld;
  const longReply = "word ".repeat(900).trim(); // ~900 completion tokens for a 1-token prompt

  before(async () => {
    world = await startDataPlaneWorld({
      modelsYaml: [
        "backends:",
        "  - { name: talker, type: scripted, file: talker.yaml }",
        "models:",
        '  - { format: Test, name: talker, version: "1", backend: talker }',
      ].join("\n"),
      files: { "talker.yaml": `- default: ${longReply}\n` },
      deployments: [
        { name: "chatty", model: "Test/talker/1", capacity: 1 },
        { name: "chatty-stream", model: "Test/talker/1", capacity: 1 },
        { name: "tiny", model: "Keyless/keyless-echo/1", capacity: 1 },
      ],
    });
  });
  after(() => world?.stop());

  const chat = (deployment: string, body: Record<string, unknown>) =>
    fetch(world.deploymentUrl(deployment, "chat/completions"), {
      method: "POST",
      headers: { authorization: `Bearer ${world.token}`, "content-type": "application/json" },
      body: JSON.stringify({ messages: [{ role: "user", content: "hi" }], ...body }),
    });

  test("a max_tokens above the deployment's tokens per minute is refused (429, retry after a day), never admitted", async () => {
    const r = await call("POST", world.deploymentUrl("tiny", "chat/completions"), world.token, {
      messages: [{ role: "user", content: "hi" }],
      max_tokens: 5000,
    });
    assert.equal(r.status, 429);
    assert.equal(r.body.error.code, "RequestExceedsTokenRateLimit");
    assert.match(r.body.error.message, /allows 1000 tokens per minute/);
    const ok = await chat("tiny", { max_tokens: 100 });
    assert.equal(ok.status, 200);
  });

  test("completions without max_tokens are settled with their real usage: ~900-token answers exhaust 1,000 TPM", async () => {
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      const r = await chat("chatty", {});
      statuses.push(r.status);
      await r.text();
    }
    assert.deepEqual(statuses, [200, 200, 429]);
  });

  test("streams are settled too, and the usage chunk asked for settling reaches only callers who asked for it", async () => {
    const first = await chat("chatty-stream", { stream: true });
    assert.equal(first.status, 200);
    const text = await first.text();
    assert.match(text, /data: \[DONE\]/);
    assert.doesNotMatch(text, /"usage"/);
    const second = await chat("chatty-stream", { stream: true, stream_options: { include_usage: true } });
    assert.match(await second.text(), /"completion_tokens":9\d\d/);
    const third = await chat("chatty-stream", { stream: true });
    assert.equal(third.status, 429);
    await third.text();
  });
});

/** The same charge-then-settle rule in both limiters: the in-memory one and the Redis one every node shares. */

const limiters: Array<[string, () => RateLimiter, string | false]> = [
  ["memory", () => createRateLimiter(), false],
  [
    "Redis",
    () =>
      createRedisRateLimiter("redis://127.0.0.1:6379", {
        commandTimeoutMs: 500,
        onUnavailable: () => undefined,
        onRecovered: () => undefined,
      }),
    !redisAvailable && "no Redis on 127.0.0.1:6379",
  ],
];
for (const [name, make, skip] of limiters) {
  test(`${name} limiter: a call is admitted on its prompt, charged its budget, then settled with its usage`, { skip }, async () => {
    const limiter = make();
    const key = `budget-${crypto.randomUUID()}`;
    const limits = limitsFromCapacity(1);
    try {
      const first = await limiter.admit(key, limits, 10, 1034);
      assert.equal(first.admitted, true);
      assert.ok(first.remainingTokens < 0, "the default completion budget may take the bucket below zero");
      assert.equal((await limiter.admit(key, limits, 10, 1034)).admitted, false, "no call passes while the debt is unsettled");
      await limiter.settle(key, limits, 15 - 1034); // it used 15 tokens: refund the rest
      assert.equal((await limiter.admit(key, limits, 10, 1034)).admitted, true);
      await limiter.settle(key, limits, 5000 - 1034); // this one used 5,000
      assert.equal((await limiter.admit(key, limits, 10, 10)).admitted, false, "real usage beyond the charge is charged too");
    } finally {
      await limiter.close?.();
    }
  });
}
