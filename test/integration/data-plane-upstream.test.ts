import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { getBearerTokenProvider } from "@azure/identity";
import { AzureOpenAI } from "openai";
import {
  ARM_SCOPE,
  adminCredential,
  appCredential,
  COGNITIVE_SCOPE,
  call,
  GRAPH_SCOPE,
  registerApp,
  assignRole,
} from "../harness/clients.ts";
import { startServer, type TestServer } from "../harness/keyless.ts";
import { RoleIds } from "../harness/role-ids.ts";
import { startUpstreamDouble } from "../harness/upstream-double.ts";

const BEHAVIOURS = ["ok", "slow", "midfail", "ratelimited", "broken", "rejects", "stall"];

/** A configured openai-compatible model in front of a vLLM/Ollama-like double: every failure path, end to end. */
describe("openai-compatible backend against an upstream double", () => {
  let keyless: TestServer;
  let upstream: Awaited<ReturnType<typeof startUpstreamDouble>>;
  let token: string;
  let account: string;
  let app: { appId: string; secret: string; objectId: string };

  before(async () => {
    upstream = await startUpstreamDouble();
    const closedPort = await freePort();
    const dir = (await import("node:fs")).mkdtempSync(join((await import("node:os")).tmpdir(), "keyless-models-"));
    const modelsFile = join(dir, "models.yaml");
    writeFileSync(
      modelsFile,
      [
        "backends:",
        "  - name: double",
        "    type: openai-compatible",
        `    baseUrl: ${upstream.url}`,
        "    apiKeyEnv: DOUBLE_API_KEY",
        "    timeouts: { connectMs: 1000, firstByteMs: 800, totalMs: 20000 }",
        "  - name: nowhere",
        "    type: openai-compatible",
        `    baseUrl: http://127.0.0.1:${closedPort}/v1`,
        "models:",
        ...BEHAVIOURS.map((b) => `  - { format: Upstream, name: ${b}, version: "1", backend: double }`),
        '  - { format: Upstream, name: embedder, version: "1", type: embeddings, backend: double, upstreamModel: "nomic-embed" }',
        '  - { format: Upstream, name: refused, version: "1", backend: nowhere }',
      ].join("\n"),
    );
    // A child process: the backend reads its API key from the environment at start (apiKeyEnv).
    keyless = await startServer({ process: true, env: { KEYLESS_MODELS_FILE: modelsFile, DOUBLE_API_KEY: "upstream-secret" } });
    const admin = adminCredential(keyless.facts);
    const graphToken = (await admin.getToken(GRAPH_SCOPE))!.token;
    const armToken = (await admin.getToken(ARM_SCOPE))!.token;
    app = await registerApp(keyless.facts, graphToken, "upstream-test-app");
    const { subscriptionId, demo } = keyless.facts;
    account = demo!.account;
    const accountId = `/subscriptions/${subscriptionId}/resourceGroups/${demo!.resourceGroup}/providers/Microsoft.CognitiveServices/accounts/${account}`;
    await assignRole(keyless.facts, armToken, {
      scope: accountId,
      role: RoleIds.cognitiveServicesUser,
      principalId: app.objectId,
      principalType: "ServicePrincipal",
    });
    for (const name of [...BEHAVIOURS, "embedder", "refused"]) {
      const deployment = await call("PUT", `${keyless.facts.url}${accountId}/deployments/${name}?api-version=2023-05-01`, armToken, {
        sku: { name: "Standard", capacity: 100 },
        properties: { model: { format: "Upstream", name, version: "1" } },
      });
      assert.equal(deployment.status, 201, JSON.stringify(deployment.body));
    }
    token = (await appCredential(keyless.facts, app.appId, app.secret).getToken(COGNITIVE_SCOPE))!.token;
  });
  after(async () => {
    await keyless?.stop();
    keyless?.cleanup();
    await upstream?.close();
  });

  const url = (deployment: string, op = "chat/completions") =>
    `${keyless.facts.url}/accounts/${account}/openai/deployments/${deployment}/${op}?api-version=2024-10-21`;
  const post = (deployment: string, body: object, init: RequestInit = {}, op?: string) =>
    fetch(url(deployment, op), {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ messages: [{ role: "user", content: "hello" }], ...body }),
      ...init,
    });
  const client = (deployment: string) =>
    new AzureOpenAI({
      endpoint: `${keyless.facts.url}/accounts/${account}`,
      deployment,
      apiVersion: "2024-10-21",
      maxRetries: 0,
      azureADTokenProvider: getBearerTokenProvider(appCredential(keyless.facts, app.appId, app.secret), COGNITIVE_SCOPE),
    });
  const seenFor = (model: string) => upstream.seen.filter((s) => s.model === model);

  test("chat and streaming pass through; the upstream gets its own model name and key, never the caller's token", async () => {
    const chat = await client("ok").chat.completions.create({ model: "ok", messages: [{ role: "user", content: "hi" }] });
    assert.equal(chat.choices[0]!.message.content, "upstream says: hi");
    const stream = await client("ok").chat.completions.create({
      model: "ok",
      stream: true,
      messages: [{ role: "user", content: "a b c" }],
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
    assert.equal(text, "upstream says: a b c");
    assert.ok(seenFor("ok").every((s) => s.authorization === "Bearer upstream-secret"));
  });

  test("embeddings map the model name and come back as base64 for the openai SDK", async () => {
    const result = await client("embedder").embeddings.create({ model: "embedder", input: ["x", "y"] });
    assert.deepEqual(
      result.data.map((d) => Array.from(d.embedding, (v) => Math.round(v * 10) / 10)),
      [
        [0.6, 0.8, 0],
        [0.6, 0.8, 1],
      ],
    );
    assert.equal(seenFor("nomic-embed").length, 1);
  });

  test("upstream 429 becomes 429 with Retry-After (and retry-after-ms for the Azure pipeline)", async () => {
    const r = await post("ratelimited", {});
    assert.equal(r.status, 429);
    assert.equal(r.headers.get("retry-after"), "7");
    assert.equal(r.headers.get("retry-after-ms"), "7000");
    assert.equal(((await r.json()) as { error: { code: string } }).error.code, "RateLimitExceeded");
  });

  test("upstream 500 becomes a generic 502 in the Azure shape, sent once: no retry after the request went out", async () => {
    await assert.rejects(
      client("broken").chat.completions.create({ model: "broken", messages: [{ role: "user", content: "x" }] }),
      (err: { status: number; code: string; message: string }) => {
        assert.equal(err.status, 502);
        assert.equal(err.code, "BackendUnavailable");
        assert.doesNotMatch(err.message, /CUDA/);
        return true;
      },
    );
    assert.equal(seenFor("broken").length, 1);
  });

  test("upstream 400 is the caller's problem: 400 with the upstream's reason", async () => {
    const r = await post("rejects", {});
    assert.equal(r.status, 400);
    assert.match(((await r.json()) as { error: { message: string } }).error.message, /maximum context length/);
  });

  test("no first byte within firstByteMs: 504", async () => {
    const started = Date.now();
    const r = await post("stall", { stream: true });
    assert.equal(r.status, 504);
    assert.equal(((await r.json()) as { error: { code: string } }).error.code, "BackendTimeout");
    assert.ok(Date.now() - started < 5000);
  });

  test("refused connection: retried (nothing was sent), then 502 before any byte of the stream", async () => {
    const r = await post("refused", { stream: true });
    assert.equal(r.status, 502);
    assert.match(r.headers.get("content-type") ?? "", /json/);
  });

  test("mid-stream failure: the chunks so far, then an SSE error event the openai SDK raises, and no [DONE]", async () => {
    const raw = await (await post("midfail", { stream: true })).text();
    assert.match(raw, /upstream/);
    assert.match(raw, /data: \{"error":\{"code":"BackendUnavailable"/);
    assert.doesNotMatch(raw, /\[DONE\]/);
    const stream = await client("midfail").chat.completions.create({
      model: "midfail",
      stream: true,
      messages: [{ role: "user", content: "x" }],
    });
    await assert.rejects(async () => {
      for await (const _ of stream) void _;
    }, /backend failed/);
  });

  test("a slow stream arrives chunk by chunk, and a client that disconnects cancels the upstream at once", async () => {
    const controller = new AbortController();
    const r = await post("slow", { stream: true }, { signal: controller.signal });
    const reader = r.body!.getReader();
    const firstChunkAt = Date.now();
    await reader.read();
    await reader.read();
    assert.ok(Date.now() - firstChunkAt < 2000, "chunks must flow before the upstream finishes (5 s)");
    const before = seenFor("slow").length;
    controller.abort();
    const abortedAt = Date.now();
    const deadline = abortedAt + 2000;
    while (!seenFor("slow")[before - 1]?.closedEarly && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    const record = seenFor("slow")[before - 1]!;
    assert.ok(record.closedEarly, "the upstream request must be cancelled");
    assert.ok(record.closedAt! - abortedAt < 500, `cancelled ${record.closedAt! - abortedAt} ms after the client left`);
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
