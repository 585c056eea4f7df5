import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { getBearerTokenProvider } from "@azure/identity";
import { AzureOpenAI, NotFoundError, OpenAI } from "openai";
import {
  ARM_SCOPE,
  adminCredential,
  appCredential,
  assignRole,
  COGNITIVE_SCOPE,
  demoAccountId,
  GRAPH_SCOPE,
  registerApp,
} from "../harness/clients.ts";
import { useKeyless } from "../harness/keyless.ts";
import { RoleIds } from "../harness/role-ids.ts";

type App = { appId: string; secret: string; objectId: string };

const weatherTool = {
  type: "function" as const,
  name: "get_weather",
  description: "The weather in a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  strict: true,
};

/** The OpenAI Responses API through the unmodified `openai` SDK (`client.responses`), over the built-in echo model. */
describe("Responses API with the openai SDK", () => {
  const keyless = useKeyless();
  let alice: App;
  let bob: App;
  let openAiUser: App;
  let outsider: App;

  before(async () => {
    const admin = adminCredential(keyless.facts);
    const graphToken = (await admin.getToken(GRAPH_SCOPE))!.token;
    const armToken = (await admin.getToken(ARM_SCOPE))!.token;
    [alice, bob, openAiUser, outsider] = await Promise.all(
      ["responses-alice", "responses-bob", "responses-openai-user", "responses-outsider"].map((n) =>
        registerApp(keyless.facts, graphToken, n),
      ),
    );
    const scope = demoAccountId(keyless.facts);
    for (const app of [alice, bob])
      await assignRole(keyless.facts, armToken, { scope, role: RoleIds.cognitiveServicesUser, principalId: app.objectId });
    await assignRole(keyless.facts, armToken, { scope, role: RoleIds.cognitiveServicesOpenAIUser, principalId: openAiUser.objectId });
  });

  const v1 = (app: App) =>
    new OpenAI({
      baseURL: `${keyless.facts.url}/accounts/${keyless.facts.demo!.account}/openai/v1/`,
      apiKey: getBearerTokenProvider(appCredential(keyless.facts, app.appId, app.secret), COGNITIVE_SCOPE),
      maxRetries: 0,
    });

  test("create, retrieve, list input items and delete a response", async () => {
    const client = v1(alice);
    const created = await client.responses.create({ model: "echo", input: "hello responses", instructions: "Be brief." });
    assert.match(created.id, /^resp_[0-9a-f]{48}$/);
    assert.equal(created.object, "response");
    assert.equal(created.status, "completed");
    assert.equal(created.model, "echo");
    assert.equal(created.instructions, "Be brief.");
    assert.equal(created.output_text, 'You said: "hello responses"');
    const message = created.output[0]!;
    assert.equal(message.type, "message");
    assert.ok(created.usage && created.usage.input_tokens > 0 && created.usage.output_tokens > 0);
    assert.equal(created.usage.total_tokens, created.usage.input_tokens + created.usage.output_tokens);

    const retrieved = await client.responses.retrieve(created.id);
    assert.deepEqual(retrieved.output, created.output);
    assert.equal(retrieved.output_text, created.output_text);

    const items = await client.responses.inputItems.list(created.id);
    assert.equal(items.data.length, 1);
    const item = items.data[0]!;
    assert.ok(item.type === "message" && item.role === "user");
    assert.deepEqual(item.content, [{ type: "input_text", text: "hello responses" }]);

    await client.responses.delete(created.id);
    await assert.rejects(client.responses.retrieve(created.id), (err) => err instanceof NotFoundError);
    await assert.rejects(client.responses.delete(created.id), (err) => err instanceof NotFoundError);
  });

  test("a function tool is called deterministically; its output continues the chain through previous_response_id", async () => {
    const client = v1(alice);
    const first = await client.responses.create({ model: "echo", input: "Use get_weather for Paris", tools: [weatherTool] });
    const call = first.output.find((o) => o.type === "function_call");
    assert.ok(call && call.type === "function_call", JSON.stringify(first.output));
    assert.equal(call.name, "get_weather");
    assert.deepEqual(JSON.parse(call.arguments), { city: "Use get_weather for Paris" });
    assert.match(call.call_id, /^call_/);

    // Only the chain knows which tool `call_id` was: the model names it from the stored conversation.
    const second = await client.responses.create({
      model: "echo",
      previous_response_id: first.id,
      input: [{ type: "function_call_output", call_id: call.call_id, output: "sunny, 21 C" }],
      tools: [weatherTool],
    });
    assert.equal(second.previous_response_id, first.id);
    assert.equal(second.output_text, "Tool get_weather returned: sunny, 21 C");
    const items = await client.responses.inputItems.list(second.id, { order: "asc" });
    assert.deepEqual(
      items.data.map((i) => i.type),
      ["function_call_output"],
    );

    const third = await client.responses.create({ model: "echo", previous_response_id: second.id, input: "and now?" });
    assert.equal(third.output_text, 'You said: "and now?"');
    // The whole chain reached the model: the usage counts every turn's input.
    assert.ok(third.usage!.input_tokens > second.usage!.input_tokens);
  });

  test("another principal can neither read, chain, list nor delete a response", async () => {
    const mine = await v1(alice).responses.create({ model: "echo", input: "private" });
    const other = v1(bob);
    await assert.rejects(other.responses.retrieve(mine.id), (err) => err instanceof NotFoundError);
    await assert.rejects(other.responses.inputItems.list(mine.id), (err) => err instanceof NotFoundError);
    await assert.rejects(other.responses.delete(mine.id), (err) => err instanceof NotFoundError);
    await assert.rejects(
      other.responses.create({ model: "echo", input: "x", previous_response_id: mine.id }),
      (err) => err instanceof NotFoundError && (err as NotFoundError).param === "previous_response_id",
    );
    // Still there for its owner.
    assert.equal((await v1(alice).responses.retrieve(mine.id)).id, mine.id);
  });

  test("store: false keeps nothing", async () => {
    const client = v1(alice);
    const unstored = await client.responses.create({ model: "echo", input: "forget me", store: false });
    assert.equal((unstored as unknown as { store: boolean }).store, false);
    assert.equal(unstored.output_text, 'You said: "forget me"');
    await assert.rejects(client.responses.retrieve(unstored.id), (err) => err instanceof NotFoundError);
    await assert.rejects(client.responses.create({ model: "echo", input: "x", previous_response_id: unstored.id }), NotFoundError);
  });

  test("max_output_tokens cuts the answer: status incomplete", async () => {
    const response = await v1(alice).responses.create({
      model: "echo",
      input: "a long sentence with quite a few words in it",
      max_output_tokens: 3,
    });
    assert.equal(response.status, "incomplete");
    assert.deepEqual(response.incomplete_details, { reason: "max_output_tokens" });
    assert.equal(response.usage!.output_tokens, 3);
  });

  test("text.format json_schema is accepted and echoed on the response", async () => {
    const format = {
      type: "json_schema" as const,
      name: "answer",
      schema: { type: "object", properties: { a: { type: "string" } } },
      strict: true,
    };
    const response = await v1(alice).responses.create({ model: "echo", input: "x", text: { format } });
    assert.equal(response.text?.format?.type, "json_schema");
  });

  test("Cognitive Services OpenAI User may use responses; a principal without the data action is refused", async () => {
    const allowed = await v1(openAiUser).responses.create({ model: "echo", input: "ok" });
    assert.equal(allowed.status, "completed");
    await assert.rejects(v1(outsider).responses.create({ model: "echo", input: "no" }), (err: unknown) => {
      const e = err as { status: number; code: string; message: string };
      assert.equal(e.status, 401);
      assert.equal(e.code, "PermissionDenied");
      assert.match(e.message, /Microsoft\.CognitiveServices\/accounts\/OpenAI\/responses\/write/);
      return true;
    });
    await assert.rejects(v1(outsider).responses.retrieve(allowed.id), (err: unknown) => {
      assert.match((err as Error).message, /OpenAI\/responses\/read/);
      return true;
    });
  });

  test("unsupported tools and malformed input are 400 naming the parameter; nothing is stored", async () => {
    const client = v1(alice);
    await assert.rejects(
      client.responses.create({ model: "echo", input: "x", tools: [{ type: "web_search" }] }),
      (err: unknown) => (err as { status: number; param: string }).status === 400 && (err as { param: string }).param === "tools[0].type",
    );
    await assert.rejects(
      client.responses.create({ model: "echo", input: [{ role: "user", content: [{ type: "input_text", text: 5 as never }] }] }),
      (err: unknown) => (err as { status: number }).status === 400,
    );
    await assert.rejects(
      client.responses.create({ model: "nope", input: "x" }),
      (err: unknown) => (err as { status: number }).status === 404,
    );
  });

  test("streaming: the SDK's ResponseStream sees Azure/OpenAI's event sequence and the final response", async () => {
    const client = v1(alice);
    const stream = client.responses.stream({ model: "echo", input: "stream me please" });
    const types: string[] = [];
    const sequence: number[] = [];
    let deltas = "";
    for await (const event of stream) {
      types.push(event.type);
      sequence.push(event.sequence_number);
      if (event.type === "response.output_text.delta") deltas += event.delta;
    }
    const final = await stream.finalResponse();
    assert.equal(final.output_text, 'You said: "stream me please"');
    assert.equal(deltas, final.output_text);
    assert.deepEqual(
      sequence,
      types.map((_, i) => i),
    );
    const unique = types.filter((t, i) => t !== types[i - 1]);
    assert.deepEqual(unique, [
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    assert.ok(final.usage && final.usage.total_tokens > 0);
    // A streamed response is stored like any other.
    const retrieved = await client.responses.retrieve(final.id);
    assert.equal(retrieved.output_text, final.output_text);
    assert.equal(retrieved.status, "completed");
  });

  test("streaming a function call: argument delta events, then a chained answer with create({stream: true})", async () => {
    const client = v1(alice);
    const events = await client.responses.create({ model: "echo", input: "call get_weather now", tools: [weatherTool], stream: true });
    const types: string[] = [];
    let completed: OpenAI.Responses.Response | undefined;
    let args = "";
    for await (const event of events) {
      types.push(event.type);
      if (event.type === "response.function_call_arguments.delta") args += event.delta;
      if (event.type === "response.completed") completed = event.response;
    }
    assert.deepEqual(types, [
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.function_call_arguments.delta",
      "response.function_call_arguments.done",
      "response.output_item.done",
      "response.completed",
    ]);
    const call = completed!.output[0]!;
    assert.ok(call.type === "function_call");
    assert.equal(call.arguments, args);
    const answer = await client.responses.create({
      model: "echo",
      previous_response_id: completed!.id,
      input: [{ type: "function_call_output", call_id: call.call_id, output: "rain" }],
    });
    assert.equal(answer.output_text, "Tool get_weather returned: rain");
  });

  test("the deployment's content filter screens the conversation: a harmful input is 400 content_filter, streamed or not", async () => {
    const client = v1(alice);
    for (const stream of [false, true]) {
      await assert.rejects(client.responses.create({ model: "echo", input: "tell me cf-violence-high", stream }), (err: unknown) => {
        const e = err as { status: number; code: string; error: { innererror: { content_filter_result: { violence: unknown } } } };
        assert.equal(e.status, 400);
        assert.equal(e.code, "content_filter");
        assert.deepEqual(e.error.innererror.content_filter_result.violence, { filtered: true, severity: "high" });
        return true;
      });
    }
    // A follow-up in a chain is screened too.
    const first = await client.responses.create({ model: "echo", input: "fine", store: true });
    await assert.rejects(
      client.responses.create({ model: "echo", previous_response_id: first.id, input: "cf-jailbreak now" }),
      (err: unknown) => (err as { code: string }).code === "content_filter",
    );
  });

  test("AzureOpenAI: /openai/responses?api-version=… with a bearer token provider", async () => {
    const client = new AzureOpenAI({
      endpoint: `${keyless.facts.url}/accounts/${keyless.facts.demo!.account}`,
      apiVersion: "2025-04-01-preview",
      azureADTokenProvider: getBearerTokenProvider(appCredential(keyless.facts, alice.appId, alice.secret), COGNITIVE_SCOPE),
      maxRetries: 0,
    });
    const created = await client.responses.create({ model: "echo", input: "from azure" });
    assert.equal(created.output_text, 'You said: "from azure"');
    assert.equal((await client.responses.retrieve(created.id)).id, created.id);
    // The same store behind both route families.
    assert.equal((await v1(alice).responses.retrieve(created.id)).output_text, 'You said: "from azure"');
    const stream = client.responses.stream({ model: "echo", input: "azure stream" });
    assert.equal((await stream.finalResponse()).output_text, 'You said: "azure stream"');
    await client.responses.delete(created.id);
  });
});
