import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { builtinEmbeddings, embed } from "../../src/inference/backends/builtin/embeddings.ts";
import { createModelRegistry } from "../../src/inference/backends/registry.ts";
import { loadScript, scriptedModel } from "../../src/inference/backends/scripted/index.ts";
import { sseData } from "../../src/inference/backends/openai-compatible/sse.ts";
import { checkModelsFile, ModelsFileError } from "../../src/inference/model-config.ts";
import { createRateLimiter, limitsFromCapacity } from "../../src/inference/rate-limits.ts";

const signal = new AbortController().signal;
const cosine = (a: Float32Array, b: Float32Array) => a.reduce((sum, v, i) => sum + v * b[i]!, 0);

describe("built-in embeddings", () => {
  test("unit length, deterministic, honours dimensions, related texts are closer", async () => {
    const r = await builtinEmbeddings.embed!(
      { input: ["the cat sat", "the cat sat", "stock prices fell"], dimensions: 64 },
      "keyless-embed",
      signal,
    );
    assert.equal(r.vectors.length, 3);
    assert.equal(r.vectors[0]!.length, 64);
    assert.ok(Math.abs(cosine(r.vectors[0]!, r.vectors[0]!) - 1) < 1e-5);
    assert.deepEqual(r.vectors[0], r.vectors[1]);
    assert.ok(
      cosine(embed("the cat sat on the mat", 256), embed("a cat sat", 256)) >
        cosine(embed("the cat sat on the mat", 256), embed("stock prices fell", 256)),
    );
    assert.ok(r.usage.prompt_tokens > 0);
  });
});

describe("scripted model", () => {
  test("answers from the first matching pattern with capture groups, else the default", async () => {
    const dir = mkdtempSync(join(tmpdir(), "keyless-script-"));
    const file = join(dir, "script.yaml");
    writeFileSync(
      file,
      '- match: "weather in (\\\\w+)"\n  reply: "It is sunny in $1."\n- contains: refund\n  reply: Refunds take 5 days.\n- default: I cannot help with that.\n',
    );
    const model = scriptedModel(loadScript(file));
    const ask = async (content: string) =>
      (await model.complete!({ messages: [{ role: "user", content }] }, "faq", signal)).choices[0]!.message.content;
    assert.equal(await ask("What is the weather in Paris?"), "It is sunny in Paris.");
    assert.equal(await ask("I want a REFUND"), "Refunds take 5 days.");
    assert.equal(await ask("hello"), "I cannot help with that.");
  });
});

describe("scripted model tool calls", () => {
  test("a call rule calls an offered tool with filled arguments, then answers from the tool's output", async () => {
    const dir = mkdtempSync(join(tmpdir(), "keyless-script-"));
    const file = join(dir, "script.yaml");
    writeFileSync(
      file,
      [
        "- match: 'book a table for (\\d+)'",
        '  call: { name: book_table, arguments: { guests: "$1", confirm: true } }',
        '- match: "book a table"',
        '  reply: "Booked: $tool"',
        "- default: Sorry.",
        "",
      ].join("\n"),
    );
    const model = scriptedModel(loadScript(file));
    const tools = [{ type: "function" as const, function: { name: "book_table" } }];
    const ask = { role: "user" as const, content: "Please book a table for 4" };
    const first = (await model.complete!({ messages: [ask], tools }, "s", signal)).choices[0]!;
    assert.equal(first.finish_reason, "tool_calls");
    const call = first.message.tool_calls![0]!;
    assert.equal(call.function.name, "book_table");
    assert.deepEqual(JSON.parse(call.function.arguments), { guests: "4", confirm: true });
    const again = (await model.complete!({ messages: [ask], tools }, "s", signal)).choices[0]!;
    assert.equal(again.message.tool_calls![0]!.id, call.id, "deterministic call id");
    const answer = await model.complete!(
      {
        messages: [
          ask,
          { role: "assistant", content: null, tool_calls: [call] },
          { role: "tool", tool_call_id: call.id, content: "table 7 at 8pm" },
        ],
        tools,
      },
      "s",
      signal,
    );
    assert.equal(answer.choices[0]!.message.content, "Booked: table 7 at 8pm");
    // Without the tool offered (or with tool_choice none) the call rule is skipped.
    assert.equal((await model.complete!({ messages: [ask] }, "s", signal)).choices[0]!.message.content, "Booked: ");
    assert.equal(
      (await model.complete!({ messages: [ask], tools, tool_choice: "none" }, "s", signal)).choices[0]!.message.content,
      "Booked: ",
    );
  });
});

describe("models file", () => {
  test("declares backends and models; unknown backends and shadowed built-ins are refused", () => {
    const file = checkModelsFile(
      {
        backends: [{ name: "ollama", type: "openai-compatible", baseUrl: "http://127.0.0.1:11434/v1", timeouts: { firstByteMs: 1000 } }],
        models: [{ format: "Meta", name: "llama", version: "1", backend: "ollama", upstreamModel: "llama3.2:1b" }],
      },
      ".",
      "test",
    );
    const registry = createModelRegistry(file);
    const model = registry.findModel("meta", "LLAMA", "1")!;
    assert.equal(model.backendModel, "llama3.2:1b");
    assert.equal(model.backend.kind, "openai-compatible");
    assert.ok(registry.findModel("Keyless", "keyless-echo", "1"));
    assert.throws(() => checkModelsFile({ models: [{ format: "X", name: "y", backend: "nope" }] }, ".", "test"), ModelsFileError);
    assert.throws(
      () =>
        createModelRegistry(
          checkModelsFile({ models: [{ format: "Keyless", name: "keyless-echo", version: "1", backend: "builtin-chat" }] }, ".", "t"),
        ),
      ModelsFileError,
    );
    void registry.close();
  });
});

describe("rate limits", () => {
  test("capacity gives 6 RPM and 1000 TPM per unit; refused calls get a retry delay, then refill", () => {
    let now = 0;
    const limiter = createRateLimiter(() => now);
    const limits = limitsFromCapacity(1);
    assert.deepEqual(limits, { requestsPerMinute: 6, tokensPerMinute: 1000 });
    for (let i = 0; i < 6; i++) assert.equal(limiter.admit("d", limits, 10).admitted, true);
    const refused = limiter.admit("d", limits, 10);
    assert.equal(refused.admitted, false);
    assert.ok(!refused.admitted && refused.retryAfterSeconds === 10);
    now += 10_000;
    assert.equal(limiter.admit("d", limits, 10).admitted, true);
    assert.equal(limiter.admit("tokens", limits, 900).admitted, true);
    assert.equal(limiter.admit("tokens", limits, 900).admitted, false);
  });
});

describe("SSE pass-through parser", () => {
  test("yields data of each event across chunk boundaries and stops at [DONE]; a cut stream fails", async () => {
    async function* body(parts: string[]) {
      for (const p of parts) yield Buffer.from(p);
    }
    const got: string[] = [];
    for await (const d of sseData(body(['data: {"a":1}\n', '\ndata: {"b"', ":2}\r\n\r\n: comment\n\ndata: [DONE]\n\n", "data: late\n\n"])))
      got.push(d);
    assert.deepEqual(got, ['{"a":1}', '{"b":2}']);
    await assert.rejects(async () => {
      for await (const _ of sseData(body(['data: {"a":1}\n\n']))) void _;
    }, /backend failed/);
  });
});
