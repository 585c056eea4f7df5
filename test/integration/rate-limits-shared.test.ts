import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, before, describe, test } from "node:test";
import {
  ARM_SCOPE,
  adminCredential,
  appCredential,
  assignRole,
  COGNITIVE_SCOPE,
  call,
  GRAPH_SCOPE,
  registerApp,
} from "../harness/clients.ts";
import { startServer, type TestServer } from "../harness/keyless.ts";
import { RoleIds } from "../harness/role-ids.ts";
import { REDIS, redisAvailable } from "../harness/redis.ts";

/** Two Keyless nodes on one store: with `rateLimitStore: redis://…` they charge one budget per deployment. */
describe("rate limits shared across nodes through Redis", { skip: !redisAvailable && "no Redis on 127.0.0.1:6379" }, () => {
  let first: TestServer;
  let second: TestServer;
  let app: { appId: string; secret: string; objectId: string };
  let accountUrl: string;
  let armToken: string;

  before(async () => {
    const env = { KEYLESS_RATE_LIMIT_STORE: `redis://${REDIS.host}:${REDIS.port}` };
    first = await startServer({ env });
    const { facts } = first;
    const admin = adminCredential(facts);
    armToken = (await admin.getToken(ARM_SCOPE))!.token;
    app = await registerApp(facts, (await admin.getToken(GRAPH_SCOPE))!.token, "shared-limits-app");
    accountUrl = `${facts.url}/subscriptions/${facts.subscriptionId}/resourceGroups/${facts.demo!.resourceGroup}/providers/Microsoft.CognitiveServices/accounts/${facts.demo!.account}`;
    const accountId = accountUrl.slice(facts.url.length);
    await assignRole(facts, armToken, {
      scope: accountId,
      role: RoleIds.cognitiveServicesUser,
      principalId: app.objectId,
      principalType: "ServicePrincipal",
    });
    // A second node on the same data directory (the same database), so both serve the same deployments.
    second = await startServer({ env, dataDir: first.dataDir });
  });
  after(async () => {
    await second?.stop();
    await first?.stop();
    first?.cleanup();
  });

  const deploy = async (name: string, capacity: number) => {
    const put = await call("PUT", `${accountUrl}/deployments/${name}?api-version=2023-05-01`, armToken, {
      sku: { name: "Standard", capacity },
      properties: { model: { format: "Keyless", name: "keyless-echo", version: "1" } },
    });
    assert.equal(put.status, 201, JSON.stringify(put.body));
  };
  const chatOn = async (node: TestServer, deployment: string) => {
    const token = (await appCredential(node.facts, app.appId, app.secret).getToken(COGNITIVE_SCOPE))!.token;
    const response = await fetch(
      `${node.facts.url}/accounts/${node.facts.demo!.account}/openai/deployments/${deployment}/chat/completions?api-version=2024-10-21`,
      {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ messages: [{ role: "user", content: "x" }] }),
      },
    );
    await response.text();
    return {
      status: response.status,
      remaining: response.headers.get("x-ratelimit-remaining-requests"),
      retryAfter: response.headers.get("retry-after"),
    };
  };

  test("capacity 1 allows 6 requests a minute in total, alternating between the nodes; the 7th on either is 429", async () => {
    await deploy("tiny", 1);
    const seen = [];
    for (let i = 0; i < 6; i++) seen.push(await chatOn(i % 2 === 0 ? first : second, "tiny"));
    assert.deepEqual(
      seen.map((r) => [r.status, r.remaining]),
      [
        [200, "5"],
        [200, "4"],
        [200, "3"],
        [200, "2"],
        [200, "1"],
        [200, "0"],
      ],
    );
    for (const node of [first, second]) {
      const refused = await chatOn(node, "tiny");
      assert.equal(refused.status, 429);
      assert.ok(Number(refused.retryAfter) >= 1);
    }
  });

  test("each deployment has its own shared budget", async () => {
    await deploy("other", 1);
    assert.equal((await chatOn(second, "other")).remaining, "5");
    assert.equal((await chatOn(first, "other")).remaining, "4");
  });
});

/** With Redis unreachable the node fails open to its own in-memory limits and logs a warning once. */
test("an unreachable rate-limit store: calls are still served and limited per node, with one warning", async () => {
  const closedPort = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
  const chunks: string[] = [];
  // A child process: its warning on stderr is what this test reads.
  const node = await startServer({
    process: true,
    env: { KEYLESS_RATE_LIMIT_STORE: `redis://127.0.0.1:${closedPort}` },
    onOutput: (chunk) => chunks.push(chunk),
  });
  try {
    const { facts } = node;
    const admin = adminCredential(facts);
    const arm = (await admin.getToken(ARM_SCOPE))!.token;
    const accountUrl = `${facts.url}/subscriptions/${facts.subscriptionId}/resourceGroups/${facts.demo!.resourceGroup}/providers/Microsoft.CognitiveServices/accounts/${facts.demo!.account}`;
    const put = await call("PUT", `${accountUrl}/deployments/tiny?api-version=2023-05-01`, arm, {
      sku: { name: "Standard", capacity: 1 },
      properties: { model: { format: "Keyless", name: "keyless-echo", version: "1" } },
    });
    assert.equal(put.status, 201, JSON.stringify(put.body));
    const keys = await call("POST", `${accountUrl}/listKeys?api-version=2023-05-01`, arm);
    const statuses = [];
    for (let i = 0; i < 7; i++) {
      const response = await fetch(
        `${facts.url}/accounts/${facts.demo!.account}/openai/deployments/tiny/chat/completions?api-version=2024-10-21`,
        {
          method: "POST",
          headers: { "api-key": keys.body.key1, "content-type": "application/json" },
          body: JSON.stringify({ messages: [{ role: "user", content: "x" }] }),
        },
      );
      await response.text();
      statuses.push(response.status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 429]);
    const output = chunks.join("");
    assert.equal(output.match(/rate-limit store \(Redis\) unavailable/g)?.length, 1, output);
  } finally {
    await node.stop();
    node.cleanup();
  }
});
