import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { call } from "../harness/clients.ts";
import { type DataPlaneWorld, startDataPlaneWorld } from "../harness/data-plane-world.ts";

/**
 * Threat: one request that crashes or stalls the process for everyone (memory, CPU, stack). Each limit answers with
 * Azure's 400 shape before any expensive work: embeddings count, input length and dimensions; the context window;
 * body size and nesting depth.
 */
describe("data-plane exhaustion: requests too large to serve are refused up front", () => {
  let world: DataPlaneWorld;

  before(async () => {
    world = await startDataPlaneWorld({
      modelsYaml: ["models:", '  - { format: Test, name: small-context, version: "1", backend: builtin-chat, contextTokens: 4096 }'].join(
        "\n",
      ),
      deployments: [{ name: "small", model: "Test/small-context/1" }],
    });
  });
  after(() => world?.stop());

  const embeddings = (body: unknown) => call("POST", world.deploymentUrl("embed", "embeddings"), world.token, body);
  const chat = (deployment: string, body: unknown) => call("POST", world.deploymentUrl(deployment, "chat/completions"), world.token, body);

  test("more than 2,048 embeddings inputs: 400 TooManyInputs, Azure's message and type", async () => {
    const r = await embeddings({ input: Array.from({ length: 2049 }, (_, i) => `text ${i}`) });
    assert.equal(r.status, 400, JSON.stringify(r.body).slice(0, 300));
    assert.equal(r.body.error.code, "TooManyInputs");
    assert.equal(r.body.error.type, "invalid_request_error");
    assert.equal(r.body.error.param, null);
    assert.match(r.body.error.message, /^Too many inputs\. The max number of inputs is 2048\./);
    const ok = await embeddings({ input: Array.from({ length: 2048 }, (_, i) => `text ${i}`), encoding_format: "base64" });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.data.length, 2048);
  });

  test("dimensions above the model's own (keyless-embed: 1,536): 400 invalid_value on 'dimensions'", async () => {
    const r = await embeddings({ input: "hello", dimensions: 8192 });
    assert.equal(r.status, 400);
    assert.equal(r.body.error.code, "invalid_value");
    assert.equal(r.body.error.param, "dimensions");
    assert.match(r.body.error.message, /1 to 1536/);
    assert.equal((await embeddings({ input: "hello", dimensions: 1536 })).status, 200);
  });

  test("an embeddings input over 8,192 tokens: 400 InputTooLong with Azure's context-length message", async () => {
    const r = await embeddings({ input: ["short", "word ".repeat(9000)] });
    assert.equal(r.status, 400);
    assert.equal(r.body.error.code, "InputTooLong");
    assert.equal(r.body.error.type, "invalid_request_error");
    assert.match(r.body.error.message, /^This model's maximum context length is 8192 tokens, however you requested 9\d{3} tokens/);
  });

  test("a 300 KB one-word prompt over the context window: 400 context_length_exceeded, Azure's exact shape", async () => {
    const r = await chat("small", { messages: [{ role: "user", content: "a".repeat(300_000) }] });
    assert.equal(r.status, 400);
    assert.deepEqual(Object.keys(r.body.error).sort(), ["code", "message", "param", "type"]);
    assert.equal(r.body.error.code, "context_length_exceeded");
    assert.equal(r.body.error.type, "invalid_request_error");
    assert.equal(r.body.error.param, "messages");
    assert.match(
      r.body.error.message,
      /^This model's maximum context length is 4096 tokens\. However, your messages resulted in \d+ tokens\./,
    );
  });

  test("prompt plus max_tokens over the window names both parts; a prompt that fits is served", async () => {
    const r = await chat("small", { messages: [{ role: "user", content: "hello" }], max_tokens: 5000 });
    assert.equal(r.status, 400);
    assert.match(r.body.error.message, /However, you requested 50\d\d tokens \(\d+ in the messages, 5000 in the completion\)/);
    const ok = await chat("small", { messages: [{ role: "user", content: "word ".repeat(3000) }] });
    assert.equal(ok.status, 200);
  });

  test("a 300 KB one-word prompt within the window (keyless-echo, 128k) is counted and answered", async () => {
    const r = await chat("echo", { messages: [{ role: "user", content: "b".repeat(300_000) }], max_tokens: 5 });
    assert.equal(r.status, 200, JSON.stringify(r.body).slice(0, 300));
    assert.ok(r.body.usage.prompt_tokens > 2000);
    assert.equal(r.body.choices[0].finish_reason, "length");
  });

  test("a body over the route's limit (1 MiB): 413 RequestEntityTooLarge; nesting past 64: 400 JsonTooDeep", async () => {
    const big = await chat("echo", { messages: [{ role: "user", content: "x".repeat(1_100_000) }] });
    assert.equal(big.status, 413);
    assert.equal(big.body.error.code, "RequestEntityTooLarge");
    const deep = await chat("echo", `{"messages":[{"role":"user","content":"hi","extra":${"[".repeat(5000)}${"]".repeat(5000)}}]}`);
    assert.equal(deep.status, 400);
    assert.equal(deep.body.error.code, "JsonTooDeep");
  });
});
