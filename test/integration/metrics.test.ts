import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { getBearerTokenProvider, type TokenCredential } from "@azure/identity";
import { OpenAI } from "openai";
import { ARM_SCOPE, adminCredential, appCredential, COGNITIVE_SCOPE, GRAPH_SCOPE, registerApp, assignRole } from "../harness/clients.ts";
import { useKeyless } from "../harness/keyless.ts";
import { parsePrometheus, total } from "../harness/prometheus-text.ts";
import { RoleIds } from "../harness/role-ids.ts";

/** A node with `metricsPort` set: known traffic, then one scrape whose counts must match that traffic exactly. */
describe("metrics", () => {
  const keyless = useKeyless({ env: { KEYLESS_METRICS_PORT: "0", KEYLESS_METRICS_PRINCIPAL_LABEL: "true" } });
  let app: { appId: string; secret: string; objectId: string };
  before(async () => {
    const { facts } = keyless;
    const admin = adminCredential(facts);
    app = await registerApp(facts, (await admin.getToken(GRAPH_SCOPE))!.token, "metrics-app");
    const accountId = `/subscriptions/${facts.subscriptionId}/resourceGroups/${facts.demo!.resourceGroup}/providers/Microsoft.CognitiveServices/accounts/${facts.demo!.account}`;
    await assignRole(facts, (await admin.getToken(ARM_SCOPE))!.token, {
      scope: accountId,
      role: RoleIds.cognitiveServicesUser,
      principalId: app.objectId,
      principalType: "ServicePrincipal",
    });
  });

  const scrape = async () => {
    const response = await fetch(keyless.facts.metricsUrl!);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/plain/);
    return parsePrometheus(await response.text());
  };

  test("the metrics listener is plain HTTP on loopback, apart from the HTTPS origin", async () => {
    assert.match(keyless.facts.metricsUrl ?? "", /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    assert.equal((await fetch(keyless.facts.metricsUrl!.replace(/\/metrics$/, "/other"))).status, 404);
    assert.equal((await fetch(`${keyless.facts.url}/metrics`)).status, 404, "the service origin does not expose metrics");
  });

  test("after known traffic, a scrape counts requests, decisions, tokens, backend calls and GenAI token usage", async () => {
    const { facts } = keyless;
    const before = await scrape();
    const client = (credential: TokenCredential = appCredential(facts, app.appId, app.secret)) =>
      new OpenAI({
        baseURL: `${facts.url}/accounts/${facts.demo!.account}/openai/v1/`,
        apiKey: getBearerTokenProvider(credential, COGNITIVE_SCOPE),
        maxRetries: 0,
      });
    const openai = client();
    let inputTokens = 0;
    let outputTokens = 0;
    for (const content of ["one", "two words", "three small words"]) {
      const completion = await openai.chat.completions.create({ model: "echo", messages: [{ role: "user", content }] });
      inputTokens += completion.usage!.prompt_tokens;
      outputTokens += completion.usage!.completion_tokens;
    }
    const stream = await openai.chat.completions.create({
      model: "echo",
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user", content: "stream it" }],
    });
    for await (const chunk of stream) {
      if (chunk.usage) {
        inputTokens += chunk.usage.prompt_tokens;
        outputTokens += chunk.usage.completion_tokens;
      }
    }
    // The administrator is Owner: actions, no data actions, so the data plane refuses it.
    await assert.rejects(
      client(adminCredential(facts)).chat.completions.create({ model: "echo", messages: [{ role: "user", content: "x" }] }),
      {
        status: 401,
      },
    );

    const after = await scrape();
    const delta = (name: string, where: Record<string, string> = {}) => total(after, name, where) - total(before, name, where);
    assert.equal(delta("keyless_http_requests_total", { surface: "data-plane", status: "200" }), 4);
    assert.equal(delta("keyless_http_requests_total", { surface: "data-plane", status: "401" }), 1);
    assert.equal(delta("keyless_http_request_duration_seconds_count", { surface: "data-plane" }), 5);
    assert.equal(delta("keyless_rbac_decisions_total", { kind: "dataAction", result: "allowed" }), 4);
    assert.equal(delta("keyless_rbac_decisions_total", { kind: "dataAction", result: "denied" }), 1);
    assert.equal(delta("keyless_tokens_issued_total", { grant: "client_credentials", result: "issued" }), 1);
    assert.equal(delta("keyless_backend_duration_seconds_count", { backend: "builtin-chat", operation: "complete" }), 3);
    assert.equal(delta("keyless_backend_duration_seconds_count", { backend: "builtin-chat", operation: "stream" }), 1);
    assert.equal(delta("keyless_backend_time_to_first_token_seconds_count"), 1);
    const usage = { gen_ai_operation_name: "chat", gen_ai_request_model: "keyless-echo", deployment: "echo", principal: app.objectId };
    assert.equal(delta("gen_ai_client_token_usage_count", { ...usage, gen_ai_token_type: "input" }), 4);
    assert.equal(delta("gen_ai_client_token_usage_sum", { ...usage, gen_ai_token_type: "input" }), inputTokens);
    assert.equal(delta("gen_ai_client_token_usage_sum", { ...usage, gen_ai_token_type: "output" }), outputTokens);
    assert.ok(total(after, "keyless_policy_generation") > 0, "the policy gauge reports the snapshot's change number");
    assert.ok(total(after, "keyless_policy_staleness_seconds") < 5, "polled once a second");
  });

  test("labels stay bounded: no request ids, raw paths or token material in any series", async () => {
    const samples = await scrape();
    for (const sample of samples) {
      for (const value of Object.values(sample.labels)) {
        assert.doesNotMatch(value, /\/subscriptions\/|\/accounts\//, `${sample.name} has a path label`);
        assert.ok(value.length < 80, `${sample.name} has a long label value ${value}`);
      }
    }
    assert.ok(new Set(samples.map((s) => s.labels.surface).filter(Boolean)).size <= 6);
  });
});
