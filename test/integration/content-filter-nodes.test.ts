import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { adminTokens, call, demoAccountApp } from "../harness/clients.ts";
import { dialects, testSchema } from "../harness/databases.ts";
import { NOTIFIED_ONLY, sharedSchemaEnv, startNodeBeside, startServer, type TestServer, useKeyless } from "../harness/keyless.ts";
import { until } from "../harness/until.ts";

const accountIdOf = (s: TestServer["facts"]) =>
  `/subscriptions/${s.subscriptionId}/resourceGroups/${s.demo!.resourceGroup}/providers/Microsoft.CognitiveServices/accounts/${s.demo!.account}`;

/**
 * Two nodes on one PostgreSQL schema: A takes the ARM writes, B (which polls the change feed only every ten minutes)
 * serves the calls. A blocklist change on A is enforced by B within a second, so it came by notification.
 */
describe("content-filter changes reach every node", {
  skip: !dialects.includes("postgres") && "PostgreSQL runs are off (KEYLESS_TEST_DIALECTS)",
}, () => {
  const schema = testSchema("rainodes");
  let a: TestServer;
  let b: TestServer;
  let armToken: string;
  let token: string;

  before(async () => {
    a = await startServer({ env: sharedSchemaEnv(schema) });
    b = await startNodeBeside(a, sharedSchemaEnv(schema, NOTIFIED_ONLY));
    const tokens = await adminTokens(a.facts);
    armToken = tokens.arm;
    ({ token } = await demoAccountApp(a.facts, "filter-nodes-app", { tokens }));
  });
  after(async () => {
    await b?.stop();
    await a?.stop();
    a?.cleanup();
  });

  const arm = (method: string, path: string, body?: unknown) =>
    call(method, `${a.facts.url}${accountIdOf(a.facts)}${path}?api-version=2024-10-01`, armToken, body);
  const chat = (content: string) =>
    call("POST", `${b.facts.url}/accounts/${b.facts.demo!.account}/openai/v1/chat/completions`, token, {
      model: "guarded",
      messages: [{ role: "user", content }],
    });

  test("a blocklist item added on node A is enforced by node B on its next calls, within a second", async () => {
    assert.equal((await arm("PUT", "/raiBlocklists/words", { properties: {} })).status, 201);
    assert.equal((await arm("PUT", "/raiBlocklists/words/raiBlocklistItems/kestrel", { properties: { pattern: "kestrel" } })).status, 201);
    const policy = await arm("PUT", "/raiPolicies/guarded", {
      properties: { customBlocklists: [{ blocklistName: "words", blocking: true, source: "Prompt" }] },
    });
    assert.equal(policy.status, 201, JSON.stringify(policy.body));
    const deployment = await arm("PUT", "/deployments/guarded", {
      sku: { name: "Standard", capacity: 100 },
      properties: { model: { format: "Keyless", name: "keyless-echo", version: "1" }, raiPolicyName: "guarded" },
    });
    assert.equal(deployment.status, 201, JSON.stringify(deployment.body));
    await until("node B serves the new deployment", 5000, async () => (await chat("a kestrel")).status === 400);
    assert.equal((await chat("an osprey")).status, 200, "not yet a blocked term");

    assert.equal((await arm("PUT", "/raiBlocklists/words/raiBlocklistItems/osprey", { properties: { pattern: "osprey" } })).status, 201);
    const added = await until("node B filters the new term", 5000, async () => (await chat("an osprey")).status === 400);
    const refused = await chat("an osprey");
    assert.equal(refused.body.error.code, "content_filter");
    assert.deepEqual(refused.body.error.innererror.content_filter_result.custom_blocklists.details, [{ filtered: true, id: "words" }]);

    assert.equal((await arm("DELETE", "/raiBlocklists/words/raiBlocklistItems/osprey")).status, 200);
    const removed = await until("node B lets the removed term pass", 5000, async () => (await chat("an osprey")).status === 200);
    assert.ok(added < 1000 && removed < 1000, `added ${Math.round(added)} ms, removed ${Math.round(removed)} ms on node B`);
  });
});

/** An OpenAI-compatible moderation endpoint: scores by marker words, or slow, or failing, as the test sets it. */
function moderationDouble() {
  const state = { mode: "ok" as "ok" | "slow" | "fail", requests: [] as Array<{ input: string[]; model?: string; auth?: string }> };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      const parsed = JSON.parse(body) as { input: string[]; model?: string };
      state.requests.push({ ...parsed, ...(req.headers.authorization ? { auth: req.headers.authorization } : {}) });
      if (state.mode === "fail") return void res.writeHead(500).end("{}");
      const answer = () => {
        const results = parsed.input.map((text) => ({
          flagged: text.includes("menacing"),
          categories: {},
          category_scores: { "harassment/threatening": text.includes("menacing") ? 0.93 : 0.01, hate: 0.02, "self-harm/intent": 0 },
        }));
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ id: "modr-1", model: "m", results }));
      };
      if (state.mode === "slow") setTimeout(answer, 1500);
      else answer();
    });
  });
  return { server, state };
}

// The doubles listen before the servers start (a server reads its settings once, at start).
const doubles = await Promise.all(
  [false, true].map(async (failOpen) => {
    const double = moderationDouble();
    await new Promise<void>((resolve) => double.server.listen(0, "127.0.0.1", resolve));
    return { failOpen, double, url: `http://127.0.0.1:${(double.server.address() as AddressInfo).port}/v1/moderations` };
  }),
);

for (const { failOpen, double, url } of doubles) {
  describe(`an external moderation endpoint rates the harm categories (fail ${failOpen ? "open" : "closed"})`, () => {
    const keyless = useKeyless({
      env: {
        KEYLESS_CONTENT_MODERATION_URL: url,
        KEYLESS_CONTENT_MODERATION_API_KEY: "moderation-key",
        KEYLESS_CONTENT_MODERATION_MODEL: "omni-moderation-latest",
        KEYLESS_CONTENT_MODERATION_TIMEOUT_MS: "300",
        KEYLESS_CONTENT_MODERATION_FAIL_OPEN: String(failOpen),
      },
    });
    let token: string;
    before(async () => {
      ({ token } = await demoAccountApp(keyless.facts, "filter-nodes-app"));
    });
    after(() => {
      double.server.closeAllConnections();
      double.server.close();
    });
    const chat = (content: string) =>
      call("POST", `${keyless.facts.url}/accounts/${keyless.facts.demo!.account}/openai/v1/chat/completions`, token, {
        model: "echo",
        messages: [{ role: "user", content }],
      });

    test("its scores become Azure's severities; markers still count; the endpoint gets the key and model", async () => {
      double.state.mode = "ok";
      const refused = await chat("a menacing message");
      assert.equal(refused.status, 400, JSON.stringify(refused.body));
      assert.deepEqual(refused.body.error.innererror.content_filter_result.violence, { filtered: true, severity: "high" });
      const last = double.state.requests.at(-1)!;
      assert.deepEqual(last.input, ["a menacing message"]);
      assert.equal(last.model, "omni-moderation-latest");
      assert.equal(last.auth, "Bearer moderation-key");
      const fine = await chat("a calm message");
      assert.equal(fine.status, 200);
      assert.deepEqual(fine.body.prompt_filter_results[0].content_filter_results.hate, { filtered: false, severity: "safe" });
      assert.equal((await chat("cf-jailbreak")).status, 400, "the built-in markers still apply");
    });

    test(
      failOpen
        ? "a failing or slow endpoint: the call is rated by the markers alone"
        : "a failing or slow endpoint: 503 ContentFilterUnavailable",
      async () => {
        for (const mode of ["fail", "slow"] as const) {
          double.state.mode = mode;
          const response = await chat("a menacing message");
          if (failOpen) {
            assert.equal(response.status, 200, JSON.stringify(response.body));
            assert.deepEqual(response.body.prompt_filter_results[0].content_filter_results.violence, { filtered: false, severity: "safe" });
            assert.equal((await chat("cf-violence-high")).status, 400);
          } else {
            assert.equal(response.status, 503, JSON.stringify(response.body));
            assert.equal(response.body.error.code, "ContentFilterUnavailable");
          }
        }
        double.state.mode = "ok";
      },
    );
  });
}
