import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import {
  ARM_SCOPE,
  COGNITIVE_SCOPE,
  GRAPH_SCOPE,
  adminCredential,
  appCredential,
  assignRole,
  call,
  registerApp,
} from "../harness/clients.ts";
import { RoleIds } from "../harness/role-ids.ts";
import { startServer, type TestServer } from "../harness/keyless.ts";

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: { key: string; value: { stringValue?: string; intValue?: string | number } }[];
}

/** An in-test OTLP/HTTP receiver: collects the spans of every `POST /v1/traces` (JSON) and says when new ones came. */
let receiver: Server;
const spans: OtlpSpan[] = [];
let arrived: () => void = () => undefined;
let keyless: TestServer;
let output = "";

before(async () => {
  receiver = createServer((request, response) => {
    let body = "";
    request.on("data", (d) => (body += d));
    request.on("end", () => {
      assert.equal(request.url, "/v1/traces");
      const parsed = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] };
      for (const resource of parsed.resourceSpans) for (const scope of resource.scopeSpans) spans.push(...scope.spans);
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
      arrived();
    });
  });
  receiver.listen(0, "127.0.0.1");
  await once(receiver, "listening");
  // A child process: the log line naming the trace is read from its output.
  keyless = await startServer({
    process: true,
    env: { KEYLESS_OTLP_ENDPOINT: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`, KEYLESS_LOG_LEVEL: "info" },
    onOutput: (chunk) => {
      output += chunk;
    },
  });
});
after(async () => {
  await keyless?.stop();
  keyless?.cleanup();
  receiver?.close();
});

/** Resolves once the receiver holds spans of `traceId` named `names` (spans come in batches, half a second apart). */
async function spansOf(traceId: string, names: string[]): Promise<OtlpSpan[]> {
  for (;;) {
    const found = spans.filter((s) => s.traceId === traceId);
    if (names.every((n) => found.some((s) => s.name === n))) return found;
    await new Promise<void>((resolve) => {
      arrived = resolve;
    });
  }
}

test("a data-plane call is one server span continuing the caller's traceparent, with authenticate, authorize and backend children", async () => {
  const { facts } = keyless;
  const admin = adminCredential(facts);
  const app = await registerApp(facts, (await admin.getToken(GRAPH_SCOPE))!.token, "traced-app");
  const accountId = `/subscriptions/${facts.subscriptionId}/resourceGroups/${facts.demo!.resourceGroup}/providers/Microsoft.CognitiveServices/accounts/${facts.demo!.account}`;
  const arm = (await admin.getToken(ARM_SCOPE))!.token;
  await assignRole(facts, arm, {
    scope: accountId,
    role: RoleIds.cognitiveServicesUser,
    principalId: app.objectId,
    principalType: "ServicePrincipal",
  });

  const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
  const clientSpanId = "00f067aa0ba902b7";
  const token = (await appCredential(facts, app.appId, app.secret).getToken(COGNITIVE_SCOPE))!.token;
  const response = await fetch(`${facts.url}/accounts/${facts.demo!.account}/openai/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", traceparent: `00-${traceId}-${clientSpanId}-01` },
    body: JSON.stringify({ model: "echo", messages: [{ role: "user", content: "trace me" }] }),
  });
  assert.equal(response.status, 200);
  const usage = ((await response.json()) as { usage: { prompt_tokens: number; completion_tokens: number } }).usage;

  const found = await spansOf(traceId, [
    "POST /openai/v1/chat/completions",
    "keyless.authenticate",
    "keyless.authorize",
    "keyless.backend",
  ]);
  const root = found.find((s) => s.name === "POST /openai/v1/chat/completions")!;
  assert.equal(root.parentSpanId, clientSpanId, "the server span continues the client's trace");
  for (const name of ["keyless.authenticate", "keyless.authorize", "keyless.backend"])
    assert.equal(found.find((s) => s.name === name)!.parentSpanId, root.spanId, `${name} is a child of the call`);
  const attribute = (key: string) => {
    const value = root.attributes.find((a) => a.key === key)?.value;
    return value?.stringValue ?? (value?.intValue === undefined ? undefined : Number(value.intValue));
  };
  assert.equal(attribute("http.response.status_code"), 200);
  assert.equal(attribute("enduser.id"), app.objectId);
  assert.equal(attribute("keyless.deployment"), "echo");
  assert.equal(attribute("gen_ai.usage.input_tokens"), usage.prompt_tokens);
  assert.equal(attribute("gen_ai.usage.output_tokens"), usage.completion_tokens);

  // The trace id is in the call log and on the request's log lines.
  const calls = await call("GET", `${facts.url}${accountId}/calls?api-version=2023-05-01&principalId=${app.objectId}`, arm);
  assert.equal(calls.status, 200, JSON.stringify(calls.body));
  assert.equal(calls.body.value[0].properties.traceId, traceId);
  assert.ok(output.includes(`"traceId":"${traceId}"`), "a log line of the request names its trace");
});
