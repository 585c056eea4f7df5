import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { dataPlaneError, publicFailure } from "../../src/inference/data-plane-errors.ts";
import { parseResponseRequest, type ResponseObject, responseShell, toChatRequest } from "../../src/inference/responses.ts";
import { type ResponseEvent, responseEvents } from "../../src/inference/responses-stream.ts";

const limits = { retentionDays: 30, maxConversationBytes: 1_000_000, maxInputItems: 10 };
const shell = responseShell("resp_x", parseResponseRequest({ model: "m", input: "hi" }, limits), "m", 0);

async function* chunks(list: unknown[], failAfter?: number): AsyncGenerator<string> {
  for (const [i, c] of list.entries()) {
    if (failAfter === i) throw dataPlaneError("BackendTimeout");
    yield JSON.stringify(c);
  }
}
const chunk = (delta: unknown, finish: string | null = null) => ({ choices: [{ index: 0, delta, finish_reason: finish }] });

async function collect(source: AsyncIterable<string>) {
  const events: ResponseEvent[] = [];
  let done: ResponseObject | undefined;
  const failures: unknown[] = [];
  for await (const e of responseEvents(
    source,
    shell,
    (r) => {
      done = r;
    },
    (err) => {
      failures.push(err);
      return publicFailure(err, "req-1");
    },
  ))
    events.push(e);
  return { events, done, failures };
}

describe("chat chunks to Responses API events", () => {
  test("an upstream's tool call split over chunks (id and name first, arguments in pieces), then text, then usage", async () => {
    const { events, done } = await collect(
      chunks([
        chunk({ role: "assistant", content: "" }),
        chunk({ tool_calls: [{ index: 0, id: "call_a", type: "function", function: { name: "f", arguments: "" } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '{"x":' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: "1}" } }] }),
        chunk({ tool_calls: [{ index: 1, id: "call_b", type: "function", function: { name: "g", arguments: "{}" } }] }),
        chunk({}, "tool_calls"),
        { choices: [], usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } },
      ]),
    );
    assert.deepEqual(
      events.map((e) => e.sequence_number),
      events.map((_, i) => i),
    );
    assert.deepEqual(
      events.map((e) => e.type),
      [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.function_call_arguments.delta",
        "response.function_call_arguments.delta",
        "response.function_call_arguments.done",
        "response.output_item.done",
        "response.output_item.added",
        "response.function_call_arguments.delta",
        "response.function_call_arguments.done",
        "response.output_item.done",
        "response.completed",
      ],
    );
    assert.deepEqual(
      done!.output.map((o) => (o.type === "function_call" ? [o.call_id, o.name, o.arguments, o.status] : [])),
      [
        ["call_a", "f", '{"x":1}', "completed"],
        ["call_b", "g", "{}", "completed"],
      ],
    );
    assert.equal(done!.usage!.total_tokens, 7);
  });

  test("length finish is response.incomplete; a failure after the first chunk is response.failed", async () => {
    const cut = await collect(chunks([chunk({ content: "a" }), chunk({}, "length")]));
    assert.equal(cut.events.at(-1)!.type, "response.incomplete");
    assert.equal(cut.done!.status, "incomplete");

    const failed = await collect(chunks([chunk({ content: "a" }), chunk({ content: "b" })], 1));
    const last = failed.events.at(-1)!;
    assert.equal(last.type, "response.failed");
    assert.equal((last.response as ResponseObject).error!.code, "BackendTimeout");
    assert.equal(failed.done, undefined);
    assert.equal(failed.failures.length, 1);
  });

  test("a failure of the service's own mid-stream is response.failed with a 500 naming the request id, not the cause", async () => {
    async function* broken(): AsyncGenerator<string> {
      yield JSON.stringify(chunk({ content: "a" }));
      throw new TypeError("secret internal detail");
    }
    const failed = await collect(broken());
    const error = (failed.events.at(-1)!.response as ResponseObject).error!;
    assert.equal(error.code, "InternalServerError");
    assert.match(error.message, /request id: req-1\.$/);
    assert.doesNotMatch(error.message, /secret/);
    assert.equal(failed.failures.length, 1);
  });

  test("a failure before the first chunk is thrown (the caller gets a JSON error, no stream)", async () => {
    await assert.rejects(
      collect(chunks([chunk({ content: "a" })], 0)),
      (err: unknown) => (err as { code: string }).code === "BackendTimeout",
    );
  });
});

describe("Responses input to chat messages", () => {
  test("instructions first, consecutive function calls join one assistant message, outputs become tool messages", () => {
    const request = parseResponseRequest(
      {
        model: "m",
        instructions: "sys",
        input: [
          { role: "user", content: "q" },
          { type: "function_call", call_id: "c1", name: "f", arguments: "{}" },
          { type: "function_call", call_id: "c2", name: "g", arguments: "{}" },
          { type: "function_call_output", call_id: "c1", output: "1" },
          { type: "function_call_output", call_id: "c2", output: [{ type: "input_text", text: "2" }] },
        ],
        tools: [{ type: "function", name: "f" }],
        tool_choice: { type: "function", name: "f" },
        max_output_tokens: 5,
      },
      limits,
    );
    const chat = toChatRequest(request, []);
    assert.deepEqual(
      chat.messages.map((m) => [m.role, m.content, m.tool_calls?.map((c) => c.id), m.tool_call_id]),
      [
        ["system", "sys", undefined, undefined],
        ["user", "q", undefined, undefined],
        ["assistant", null, ["c1", "c2"], undefined],
        ["tool", "1", undefined, "c1"],
        ["tool", "2", undefined, "c2"],
      ],
    );
    assert.deepEqual(chat.tool_choice, { type: "function", function: { name: "f" } });
    assert.equal(chat.max_completion_tokens, 5);
  });

  test("too many input items, background mode and unknown item types are refused", () => {
    const items = Array.from({ length: 11 }, () => ({ role: "user", content: "x" }));
    assert.throws(() => parseResponseRequest({ model: "m", input: items }, limits), /array too long/);
    assert.throws(() => parseResponseRequest({ model: "m", input: "x", background: true }, limits), /background/);
    assert.throws(() => parseResponseRequest({ model: "m", input: [{ type: "image_generation_call" }] }, limits), /not supported/);
  });
});

describe("grouped response saves", () => {
  test("saves of one turn, and those queued behind a write in flight, go together in one statement; each resolves once written", async () => {
    const { responseStoreOver } = await import("../../src/inference/responses.ts");
    const statements: number[] = [];
    let release = () => {};
    const rows = {
      saveMany: async (batch: readonly unknown[]) => {
        statements.push(batch.length);
        if (statements.length === 1) await new Promise<void>((resolve) => (release = resolve));
      },
      find: async () => undefined,
      delete: async () => false,
      deleteExpired: async () => 0,
    };
    const store = responseStoreOver(rows, 3);
    const record = (id: string) => ({
      id,
      accountId: "a",
      principalId: "p",
      createdAt: "",
      expiresAt: "",
      response: shell,
      inputItems: [],
      conversation: [],
    });
    const first = store.save(record("r0"));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(statements, [1]);
    const rest = Array.from({ length: 5 }, (_, i) => store.save(record(`r${i + 1}`)));
    release();
    await Promise.all([first, ...rest]);
    assert.deepEqual(statements, [1, 3, 2]);
    // Saves made in the same turn share the next statement.
    await Promise.all([store.save(record("s1")), store.save(record("s2"))]);
    assert.deepEqual(statements, [1, 3, 2, 2]);
  });
});
