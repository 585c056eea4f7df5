import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { keylessCli } from "../harness/cli.ts";
import { type App, COGNITIVE_SCOPE, adminTokens, appCredential, call, demoAccountApp, demoAccountId } from "../harness/clients.ts";
import { dialects, testSchema } from "../harness/databases.ts";
import { ADMIN_PASSWORD } from "../harness/keyless-process.ts";
import { sharedSchemaEnv, startNodeBeside, startServer, type TestServer } from "../harness/keyless.ts";
import { REDIS, redisAvailable } from "../harness/redis.ts";

/** Two nodes on one PostgreSQL schema and one Redis: a quota spent through one node stops the next call on the other. */
describe("per-principal token quotas shared across nodes", {
  skip:
    (!redisAvailable && "no Redis on 127.0.0.1:6379") ||
    (!dialects.includes("postgres") && "PostgreSQL runs are off (KEYLESS_TEST_DIALECTS)"),
}, () => {
  let first: TestServer;
  let second: TestServer;
  let limited: App;
  let free: App;
  let accountId: string;
  let armToken: string;

  before(async () => {
    const env = sharedSchemaEnv(testSchema("quota"), { KEYLESS_RATE_LIMIT_STORE: `redis://${REDIS.host}:${REDIS.port}` });
    first = await startServer({ env });
    const { facts } = first;
    const tokens = await adminTokens(facts);
    armToken = tokens.arm;
    [limited, free] = await Promise.all([
      demoAccountApp(facts, "quota-limited", { tokens }),
      demoAccountApp(facts, "quota-free", { tokens }),
    ]);
    accountId = demoAccountId(facts);
    // The second node shares the database (and, through the data dir, the master key and TLS material).
    second = await startNodeBeside(first, env);
  });
  after(async () => {
    await second?.stop();
    await first?.stop();
    first?.cleanup();
  });

  const chat = async (node: TestServer, app: App) =>
    call(
      "POST",
      `${node.facts.url}/accounts/${node.facts.demo!.account}/openai/v1/chat/completions`,
      (await appCredential(node.facts, app.appId, app.secret).getToken(COGNITIVE_SCOPE))!.token,
      { model: "echo", messages: [{ role: "user", content: "spend some tokens" }] },
    );
  const quotaUrl = (node: TestServer) => `${node.facts.url}${accountId}/principalQuotas/limited-daily?api-version=2023-05-01`;

  test("refuses bad quotas with what to send", async () => {
    const bad = await call("PUT", quotaUrl(first), armToken, {
      properties: { principalId: limited.objectId, deployment: "echo", tokens: 0, period: "P1D" },
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, "InvalidResourceProperties");
    assert.match(bad.body.error.message, /properties\.tokens must be a whole number/);
  });

  test("a quota spent on one node is 403 QuotaExceeded on the other, until its window resets; other principals go on", async () => {
    const put = await call("PUT", quotaUrl(first), armToken, {
      properties: { principalId: limited.objectId, deployment: "echo", tokens: 5, period: "P1D" },
    });
    assert.equal(put.status, 201, JSON.stringify(put.body));

    const spent = await chat(first, limited);
    assert.equal(spent.status, 200, "under the quota when it starts");
    const tokens = spent.body.usage.total_tokens as number;
    assert.ok(tokens >= 5, "one call spends the whole quota");
    // The call is charged as its response closes; wait until node 2 sees the spend through the shared counter.
    let quota = await call("GET", quotaUrl(second), armToken);
    while (quota.body.properties.spent < tokens) quota = await call("GET", quotaUrl(second), armToken);
    assert.equal(quota.body.properties.spent, tokens);
    assert.equal(quota.body.properties.remaining, 0);

    const refused = await chat(second, limited);
    assert.equal(refused.status, 403, JSON.stringify(refused.body));
    assert.equal(refused.body.error.code, "QuotaExceeded");
    const midnight = new Date(Math.ceil((Date.now() + 1) / 86_400_000) * 86_400_000).toISOString();
    assert.ok(refused.body.error.message.includes(`The quota resets at ${midnight}`), refused.body.error.message);
    assert.ok(refused.body.error.message.includes(`has used ${tokens} of its 5 tokens per P1D`), refused.body.error.message);

    assert.equal((await chat(second, free)).status, 200, "the quota is the principal's, not the deployment's");

    const cli = await keylessCli(second.facts, { signIn: { username: second.facts.adminUsername, password: ADMIN_PASSWORD } });
    try {
      const at = ["-n", second.facts.demo!.account, "-g", second.facts.demo!.resourceGroup];
      const rows = await cli.json("usage", ...at, "--quotas");
      assert.deepEqual(
        rows.map((r: Record<string, unknown>) => [r.name, r.principalId, r.tokens, r.spent, r.remaining, r.resetsAt]),
        [["limited-daily", limited.objectId, 5, tokens, 0, midnight]],
      );
      await cli.ok("quota", "delete", ...at, "--quota-name", "limited-daily");
    } finally {
      cli.cleanup();
    }
    // Deleted on node 2: node 1 drops it within its one-second lookup cache.
    let after = await chat(first, limited);
    while (after.status === 403) after = await chat(first, limited);
    assert.equal(after.status, 200);
  });
});
