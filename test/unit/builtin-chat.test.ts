import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { builtinChat } from "../../src/inference/backends/builtin-chat.ts";

const signal = new AbortController().signal;
const ask = (content: string, extra: Record<string, unknown> = {}) => builtinChat.complete({ messages: [{ role: "user", content }], ...extra }, "keyless-echo", signal);

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
    for await (const chunk of builtinChat.stream({ messages: [{ role: "user", content: "stream me" }] }, "keyless-echo", signal)) {
      text += chunk.choices[0]?.delta.content ?? "";
    }
    assert.equal(text, 'You said: "stream me"');
  });
});
