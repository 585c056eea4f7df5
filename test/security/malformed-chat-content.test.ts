import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { call } from "../harness/clients.ts";
import { type DataPlaneWorld, startDataPlaneWorld } from "../harness/data-plane-world.ts";

/**
 * Threat: malformed chat content reaching a backend and failing there (a 502 that hides the caller's mistake, or a
 * crash). Every field a backend reads is checked first: 400 invalid_type naming the field, as Azure OpenAI answers.
 */
describe("malformed chat content is a 400 naming the field, never a backend failure", () => {
  let world: DataPlaneWorld;
  before(async () => {
    world = await startDataPlaneWorld();
  });
  after(() => world?.stop());

  const chat = (body: unknown) => call("POST", world.deploymentUrl("echo", "chat/completions"), world.token, body);
  const user = { role: "user", content: "call get_weather please" };
  const tool = (parameters: unknown) => ({ type: "function", function: { name: "get_weather", parameters } });

  const cases: Array<[string, unknown, string]> = [
    ["content: [null]", { messages: [{ role: "user", content: [null] }] }, "messages[0].content[0]"],
    ["content part text: 7", { messages: [{ role: "user", content: [{ type: "text", text: 7 }] }] }, "messages[0].content[0].text"],
    ["content: 42", { messages: [{ role: "user", content: 42 }] }, "messages[0].content"],
    ["tool_calls: [null]", { messages: [{ role: "assistant", content: null, tool_calls: [null] }, user] }, "messages[0].tool_calls[0]"],
    [
      "a non-array required",
      { messages: [user], tools: [tool({ type: "object", required: "city" })] },
      "tools[0].function.parameters.required",
    ],
    ["properties: 5", { messages: [user], tools: [tool({ type: "object", properties: 5 })] }, "tools[0].function.parameters.properties"],
    ["tools: {}", { messages: [user], tools: {} }, "tools"],
    ["messages: [null]", { messages: [null] }, "messages[0]"],
    ["stop: [1]", { messages: [user], stop: [1] }, "stop[0]"],
    ["temperature: 'hot'", { messages: [user], temperature: "hot" }, "temperature"],
  ];
  for (const [name, body, param] of cases) {
    test(`${name}: 400 invalid_type on '${param}'`, async () => {
      const r = await chat(body);
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.equal(r.body.error.code, "invalid_type");
      assert.equal(r.body.error.type, "invalid_request_error");
      assert.equal(r.body.error.param, param);
      assert.match(
        r.body.error.message,
        new RegExp(`^Invalid type for '${param.replace(/[[\].]/g, "\\$&")}': expected .+, but got .+ instead\\.$`),
      );
    });
  }

  test("more than 128 tools: 400 array_above_max_length", async () => {
    const tools = Array.from({ length: 129 }, (_, i) => ({ type: "function", function: { name: `f${i}` } }));
    const r = await chat({ messages: [user], tools });
    assert.equal(r.status, 400);
    assert.equal(r.body.error.code, "array_above_max_length");
    assert.equal(r.body.error.param, "tools");
  });

  test("well-formed tools and content parts still work", async () => {
    const r = await chat({
      messages: [{ role: "user", content: [{ type: "text", text: "call get_weather" }] }],
      tools: [tool({ type: "object", properties: { city: { type: "string" } }, required: ["city"] })],
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.choices[0].finish_reason, "tool_calls");
  });
});
