import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { builtinChat } from "../../src/inference/backends/builtin/chat.ts";

const signal = new AbortController().signal;
const ask = (content: string, extra: Record<string, unknown> = {}) =>
  builtinChat.complete!({ messages: [{ role: "user", content }], ...extra }, "keyless-echo", signal);

describe("built-in deterministic chat model", () => {
  test("answers the same messages the same way", async () => {
    const a = await ask("hello world");
    const b = await ask("hello world");
    assert.equal(a.choices[0]!.message.content, 'You said: "hello world"');
    assert.equal(a.id, b.id);
    assert.equal(a.choices[0]!.finish_reason, "stop");
  });

  test("max_tokens truncates at a token boundary with finish_reason length", async () => {
    const r = await ask("one two three four five", { max_tokens: 5 });
    assert.equal(r.choices[0]!.message.content, 'You said: "one');
    assert.equal(r.choices[0]!.finish_reason, "length");
    assert.equal(r.usage.completion_tokens, 5);
  });

  test("stop cuts at the first stop sequence", async () => {
    const r = await ask("alpha beta gamma", { stop: [" gamma", "beta"] });
    assert.equal(r.choices[0]!.message.content, 'You said: "alpha ');
  });

  test("streams the same text it answers", async () => {
    let text = "";
    for await (const chunk of builtinChat.stream!({ messages: [{ role: "user", content: "stream me" }] }, "keyless-echo", signal)) {
      text += JSON.parse(chunk).choices[0]?.delta.content ?? "";
    }
    assert.equal(text, 'You said: "stream me"');
  });

  test("calls the tool named in the last user message, filling required parameters deterministically", async () => {
    const tools = [
      {
        type: "function" as const,
        function: {
          name: "get_weather",
          parameters: { type: "object", properties: { city: { type: "string" }, days: { type: "integer" } }, required: ["city", "days"] },
        },
      },
    ];
    const r = await builtinChat.complete!({ messages: [{ role: "user", content: "please get_weather" }], tools }, "keyless-echo", signal);
    assert.equal(r.choices[0]!.finish_reason, "tool_calls");
    const call = r.choices[0]!.message.tool_calls![0]!;
    assert.equal(call.function.name, "get_weather");
    assert.deepEqual(JSON.parse(call.function.arguments), { city: "please get_weather", days: 0 });
    const after = await builtinChat.complete!(
      {
        messages: [
          { role: "user", content: "please get_weather" },
          { role: "assistant", content: null, tool_calls: [call] },
          { role: "tool", tool_call_id: call.id, content: "sunny" },
        ],
        tools,
      },
      "keyless-echo",
      signal,
    );
    assert.equal(after.choices[0]!.message.content, "Tool get_weather returned: sunny");
  });

  test("tool_choice none never calls; required calls the first tool", async () => {
    const tools = [{ type: "function" as const, function: { name: "lookup" } }];
    const none = await builtinChat.complete!({ messages: [{ role: "user", content: "lookup" }], tools, tool_choice: "none" }, "m", signal);
    assert.equal(none.choices[0]!.finish_reason, "stop");
    const required = await builtinChat.complete!(
      { messages: [{ role: "user", content: "hi" }], tools, tool_choice: "required" },
      "m",
      signal,
    );
    assert.equal(required.choices[0]!.message.tool_calls![0]!.function.name, "lookup");
  });

  test("usage is counted with the o200k tokenizer", async () => {
    const r = await ask("hello world");
    // 'You said: "hello world"' is 7 o200k tokens (You, said, :, ␠", hello, ␠world, "); one user message is 3 + 2 + 3 prompt tokens.
    assert.equal(r.usage.completion_tokens, 7);
    assert.equal(r.usage.prompt_tokens, 8);
  });
});
