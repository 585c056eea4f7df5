import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { AzureKeyCredential } from "@azure/core-auth";
import { createSseStream } from "@azure/core-sse";
import { getBearerTokenProvider } from "@azure/identity";
import ModelClient, { isUnexpected } from "@azure-rest/ai-inference";
import { AzureOpenAI, OpenAI } from "openai";
import { readCallLog } from "../harness/call-log-file.ts";
import {
  type App,
  adminTokens,
  appCredential,
  COGNITIVE_SCOPE,
  call,
  demoAccountApp,
  demoAccountId,
  registerApp,
} from "../harness/clients.ts";
import { useKeyless } from "../harness/keyless.ts";

/** The unmodified @azure-rest/ai-inference and openai clients against every data-plane route family. */
describe("data plane with the official SDKs", () => {
  const keyless = useKeyless();
  let app: App;
  let outsider: App;
  let account: string;
  let accountUrl: string;
  let armToken: string;

  before(async () => {
    const tokens = await adminTokens(keyless.facts);
    armToken = tokens.arm;
    app = await demoAccountApp(keyless.facts, "sdk-test-app", { tokens });
    outsider = await registerApp(keyless.facts, tokens.graph, "sdk-test-outsider");
    account = keyless.facts.demo!.account;
    accountUrl = `${keyless.facts.url}${demoAccountId(keyless.facts)}`;
  });

  const credential = () => appCredential(keyless.facts, app.appId, app.secret);
  const modelClient = () => ModelClient(keyless.facts.demo!.endpoint, credential(), { credentials: { scopes: [COGNITIVE_SCOPE] } });
  const azureOpenAi = (deployment: string) =>
    new AzureOpenAI({
      endpoint: `${keyless.facts.url}/accounts/${account}`,
      deployment,
      apiVersion: "2024-10-21",
      azureADTokenProvider: getBearerTokenProvider(credential(), COGNITIVE_SCOPE),
    });
  const openAiV1 = (cred = credential()) =>
    new OpenAI({ baseURL: `${keyless.facts.url}/accounts/${account}/openai/v1/`, apiKey: getBearerTokenProvider(cred, COGNITIVE_SCOPE) });

  test("ai-inference: chat, info and embeddings with a token credential", async () => {
    const chat = await modelClient()
      .path("/chat/completions")
      .post({ body: { model: "echo", messages: [{ role: "user", content: "hi there" }] } });
    assert.equal(chat.status, "200", JSON.stringify(chat.body));
    assert.ok(!isUnexpected(chat));
    assert.equal(chat.body.choices[0]!.message.content, 'You said: "hi there"');

    const info = await modelClient()
      .path("/info")
      .get({ queryParameters: { model: "echo" } as never });
    assert.equal(info.status, "200", JSON.stringify(info.body));
    assert.deepEqual(info.body, { model_name: "keyless-echo", model_type: "chat-completions", model_provider_name: "Keyless" });

    const embeddings = await modelClient()
      .path("/embeddings")
      .post({ body: { model: "embed", input: ["first text", "second text"], dimensions: 32 } });
    assert.equal(embeddings.status, "200", JSON.stringify(embeddings.body));
    assert.ok(!isUnexpected(embeddings));
    assert.equal(embeddings.body.data.length, 2);
    assert.equal((embeddings.body.data[0]!.embedding as number[]).length, 32);
  });

  test("ai-inference: streaming chat parsed with core-sse ends with [DONE] and carries usage", async () => {
    // A variable, not a literal: the SDK's body type lacks stream_options, which the service honours.
    const body = {
      model: "echo",
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user" as const, content: "stream this please" }],
    };
    const response = await modelClient().path("/chat/completions").post({ body }).asNodeStream();
    assert.equal(response.status, "200");
    let text = "";
    let usage: { total_tokens: number } | undefined;
    let done = false;
    for await (const event of createSseStream(response.body!)) {
      if (event.data === "[DONE]") {
        done = true;
        break;
      }
      const chunk = JSON.parse(event.data);
      text += chunk.choices[0]?.delta?.content ?? "";
      usage = chunk.usage ?? usage;
    }
    assert.ok(done);
    assert.equal(text, 'You said: "stream this please"');
    assert.ok(usage && usage.total_tokens > 0);
  });

  test("ai-inference: a token for https://ai.azure.com works too", async () => {
    const client = ModelClient(keyless.facts.demo!.endpoint, credential(), { credentials: { scopes: ["https://ai.azure.com/.default"] } });
    const chat = await client.path("/chat/completions").post({ body: { model: "echo", messages: [{ role: "user", content: "x" }] } });
    assert.equal(chat.status, "200", JSON.stringify(chat.body));
  });

  test("ai-inference with AzureKeyCredential: a wrong key gets Azure's 401; on a disableLocalAuth account 403, while tokens still work", async () => {
    const keyClient = ModelClient(keyless.facts.demo!.endpoint, new AzureKeyCredential("0123456789abcdef0123456789abcdef"));
    const denied = await keyClient.path("/chat/completions").post({ body: { model: "echo", messages: [{ role: "user", content: "x" }] } });
    assert.equal(denied.status, "401");
    assert.ok(isUnexpected(denied));
    assert.equal(denied.body.error.code, "InvalidSubscriptionKey");
    assert.match(denied.body.error.message, /Access denied due to invalid subscription key/);

    const setDisableLocalAuth = async (disabled: boolean) => {
      const patched = await call("PATCH", `${accountUrl}?api-version=2023-05-01`, armToken, { properties: { disableLocalAuth: disabled } });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
    };
    await setDisableLocalAuth(true); // takes effect on the next call: ARM writes clear the data plane's lookup cache
    try {
      const disabled = await keyClient
        .path("/chat/completions")
        .post({ body: { model: "echo", messages: [{ role: "user", content: "x" }] } });
      assert.equal(disabled.status, "403");
      assert.ok(isUnexpected(disabled));
      assert.equal(disabled.body.error.code, "AuthenticationTypeDisabled");
      const viaToken = await modelClient()
        .path("/chat/completions")
        .post({ body: { model: "echo", messages: [{ role: "user", content: "x" }] } });
      assert.equal(viaToken.status, "200");
    } finally {
      await setDisableLocalAuth(false);
    }
  });

  test("AzureOpenAI with getBearerTokenProvider: chat, streaming, embeddings in base64 (the SDK default)", async () => {
    const chat = await azureOpenAi("echo").chat.completions.create({
      model: "echo",
      messages: [{ role: "user", content: "azure openai" }],
    });
    assert.equal(chat.choices[0]!.message.content, 'You said: "azure openai"');

    const stream = await azureOpenAi("echo").chat.completions.create({
      model: "echo",
      stream: true,
      messages: [{ role: "user", content: "one two three" }],
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
    assert.equal(text, 'You said: "one two three"');

    const embeddings = await azureOpenAi("embed").embeddings.create({ model: "embed", input: "hello", dimensions: 16 });
    const vector = embeddings.data[0]!.embedding;
    assert.equal(vector.length, 16);
    assert.ok(Math.abs(vector.reduce((s, v) => s + v * v, 0) - 1) < 1e-4);

    const completion = await azureOpenAi("echo").completions.create({ model: "echo", prompt: "legacy" });
    assert.equal(completion.choices[0]!.text, 'You said: "legacy"');
  });

  test("AzureOpenAI: a missing data action is 401 PermissionDenied naming principal, action and operation", async () => {
    const client = new AzureOpenAI({
      endpoint: `${keyless.facts.url}/accounts/${account}`,
      deployment: "echo",
      apiVersion: "2024-10-21",
      azureADTokenProvider: getBearerTokenProvider(appCredential(keyless.facts, outsider.appId, outsider.secret), COGNITIVE_SCOPE),
    });
    await assert.rejects(
      client.chat.completions.create({ model: "echo", messages: [{ role: "user", content: "x" }] }),
      (err: { status: number; code: string; message: string }) => {
        assert.equal(err.status, 401);
        assert.equal(err.code, "PermissionDenied");
        assert.match(err.message, new RegExp(outsider.objectId));
        assert.match(err.message, /OpenAI\/deployments\/chat\/completions\/action/);
        assert.match(err.message, /POST \/openai\/deployments\/\{deployment-id\}\/chat\/completions/);
        return true;
      },
    );
  });

  test("OpenAI on /openai/v1/: chat, embeddings, and a model list showing only usable deployments", async () => {
    const chat = await openAiV1().chat.completions.create({ model: "echo", messages: [{ role: "user", content: "v1" }] });
    assert.equal(chat.choices[0]!.message.content, 'You said: "v1"');
    const embeddings = await openAiV1().embeddings.create({ model: "embed", input: ["a", "b"] });
    assert.equal(embeddings.data.length, 2);
    assert.equal(embeddings.data[0]!.embedding.length, 1536);

    const mine = await openAiV1().models.list();
    assert.deepEqual(mine.data.map((m) => m.id).sort(), ["echo", "embed"]);
    const theirs = await openAiV1(appCredential(keyless.facts, outsider.appId, outsider.secret)).models.list();
    assert.deepEqual(theirs.data, []);
  });

  test("per-deployment limits from capacity: the 7th call in a minute on capacity 1 is 429 with Retry-After and remaining counters", async () => {
    const tiny = await call("PUT", `${accountUrl}/deployments/tiny?api-version=2023-05-01`, armToken, {
      sku: { name: "Standard", capacity: 1 },
      properties: { model: { format: "Keyless", name: "keyless-echo", version: "1" } },
    });
    assert.equal(tiny.status, 201, JSON.stringify(tiny.body));
    const token = (await credential().getToken(COGNITIVE_SCOPE))!.token;
    const url = `${keyless.facts.url}/accounts/${account}/openai/deployments/tiny/chat/completions?api-version=2024-10-21`;
    const send = () =>
      fetch(url, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ messages: [{ role: "user", content: "x" }] }),
      });
    for (let i = 0; i < 6; i++) {
      const ok = await send();
      assert.equal(ok.status, 200);
      assert.equal(ok.headers.get("x-ratelimit-remaining-requests"), String(5 - i));
      await ok.text();
    }
    const limited = await send();
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get("retry-after")) >= 1);
    assert.equal(limited.headers.get("x-ratelimit-remaining-requests"), "0");
    assert.ok(limited.headers.get("x-ratelimit-remaining-tokens"));
    assert.match(((await limited.json()) as { error: { message: string } }).error.message, /Rate limit is exceeded/);
  });

  test("every call left one record: principal, decision, granting assignment, status, tokens, latency; no prompt text", async () => {
    await new Promise((resolve) => setTimeout(resolve, 600)); // the log is written in batches every 250 ms
    const rows = await readCallLog(keyless.dataDir);
    const chats = rows.filter(
      (r) => r.principal_id === app.objectId && r.operation === "POST /models/chat/completions" && r.status === 200,
    );
    assert.ok(chats.length >= 3);
    assert.ok(
      chats.every(
        (r) => r.decision === "allowed" && r.assignment_id && r.prompt_tokens > 0 && r.completion_tokens > 0 && r.deployment === "echo",
      ),
    );
    assert.ok(rows.some((r) => r.principal_id === outsider.objectId && r.decision === "denied" && r.status === 401));
    assert.ok(rows.some((r) => r.status === 429 && r.deployment === "tiny"));
    assert.ok(!JSON.stringify(rows).includes("stream this please"));
  });
});
