import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { ARM_SCOPE, type App, adminTokens, appCredential, COGNITIVE_SCOPE, call, demoAccountApp } from "../harness/clients.ts";
import { RoleIds } from "../harness/role-ids.ts";
import { useKeyless } from "../harness/keyless.ts";

/** Bad input gets a clear, Azure-shaped error and changes nothing. */
describe("bad input on the data plane, ARM and the token service", () => {
  const keyless = useKeyless();
  let appToken: string;
  let armToken: string;
  let app: App;
  let chatUrl: (account?: string, version?: string) => string;

  before(async () => {
    const tokens = await adminTokens(keyless.facts);
    armToken = tokens.arm;
    const user = await demoAccountApp(keyless.facts, "bad-input-app", { tokens });
    app = user;
    appToken = user.token;
    chatUrl = (account = keyless.facts.demo!.account, version = "2024-05-01-preview") =>
      `${keyless.facts.url}/accounts/${account}/models/chat/completions?api-version=${version}`;
  });

  const body = { model: "echo", messages: [{ role: "user", content: "hi" }] };

  test("missing token: 401 Unauthorized", async () => {
    const r = await call("POST", chatUrl(), undefined, body);
    assert.equal(r.status, 401);
    assert.equal(r.body.error.code, "Unauthorized");
    assert.match(r.body.error.message, /No access token/);
  });

  test("a bearer that is not a JWT is read as an account key (as Foundry does): 401 with Azure's key message", async () => {
    const r = await call("POST", chatUrl(), "not-a-jwt", body);
    assert.equal(r.status, 401);
    assert.equal(r.body.error.code, "InvalidSubscriptionKey");
    assert.match(r.body.error.message, /invalid subscription key/);
    assert.match(r.body.error.explanation, /bearer that is not a JWT/);
  });

  test("garbled JWT: 401 Unauthorized", async () => {
    const r = await call("POST", chatUrl(), "a.b.c", body);
    assert.equal(r.status, 401);
    assert.equal(r.body.error.code, "Unauthorized");
  });

  test("tampered token: 401 Unauthorized (signature)", async () => {
    const [h, p] = appToken.split(".");
    const r = await call("POST", chatUrl(), `${h}.${p}.${"A".repeat(342)}`, body);
    assert.equal(r.status, 401);
    assert.match(r.body.error.message, /signature/);
  });

  test("wrong audience (an ARM token on the data plane): 401 Unauthorized naming the audience", async () => {
    const r = await call("POST", chatUrl(), armToken, body);
    assert.equal(r.status, 401);
    assert.match(r.body.error.message, /management\.core\.windows\.net/);
  });

  test("wrong audience on ARM: 401 InvalidAuthenticationTokenAudience", async () => {
    const r = await call(
      "GET",
      `${keyless.facts.url}/subscriptions/${keyless.facts.subscriptionId}/providers/Microsoft.Authorization/roleAssignments/${crypto.randomUUID()}?api-version=2022-04-01`,
      appToken,
    );
    assert.equal(r.status, 401);
    assert.equal(r.body.error.code, "InvalidAuthenticationTokenAudience");
  });

  test("unknown account: 404 AccountNotFound", async () => {
    const r = await call("POST", chatUrl("no-such-account"), appToken, body);
    assert.equal(r.status, 404);
    assert.equal(r.body.error.code, "AccountNotFound");
  });

  test("unknown deployment: 404 DeploymentNotFound", async () => {
    const r = await call("POST", chatUrl(), appToken, { ...body, model: "no-such-deployment" });
    assert.equal(r.status, 404);
    assert.equal(r.body.error.code, "DeploymentNotFound");
  });

  test("malformed JSON: 400 InvalidJson", async () => {
    const r = await call("POST", chatUrl(), appToken, '{"model": "echo", "messages": [');
    assert.equal(r.status, 400);
    assert.equal(r.body.error.code, "InvalidJson");
  });

  test("missing messages: 400 missing_required_parameter naming the param, as Azure OpenAI answers", async () => {
    const r = await call("POST", chatUrl(), appToken, { model: "echo" });
    assert.equal(r.status, 400);
    assert.equal(r.body.error.code, "missing_required_parameter");
    assert.equal(r.body.error.param, "messages");
  });

  test("unknown or missing api-version: 400 with the supported versions", async () => {
    const unknown = await call("POST", chatUrl(undefined, "1999-01-01"), appToken, body);
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.error.code, "UnsupportedApiVersion");
    assert.match(unknown.body.error.message, /2024-05-01-preview/);
    const missing = await call("POST", `${keyless.facts.url}/accounts/keyless-demo/models/chat/completions`, appToken, body);
    assert.equal(missing.body.error.code, "MissingApiVersion");
  });

  test("ARM: non-GUID assignment name, unknown role, unknown principal; nothing is created", async () => {
    const base = `${keyless.facts.url}/subscriptions/${keyless.facts.subscriptionId}/providers/Microsoft.Authorization/roleAssignments`;
    const notGuid = await call("PUT", `${base}/not-a-guid?api-version=2022-04-01`, armToken, {
      properties: { roleDefinitionId: RoleIds.cognitiveServicesUser, principalId: app.objectId },
    });
    assert.equal(notGuid.body.error.code, "InvalidRoleAssignmentId");
    const name = crypto.randomUUID();
    const badRole = await call("PUT", `${base}/${name}?api-version=2022-04-01`, armToken, {
      properties: { roleDefinitionId: crypto.randomUUID(), principalId: app.objectId },
    });
    assert.equal(badRole.body.error.code, "RoleDefinitionDoesNotExist");
    const badPrincipal = await call("PUT", `${base}/${name}?api-version=2022-04-01`, armToken, {
      properties: { roleDefinitionId: RoleIds.cognitiveServicesUser, principalId: crypto.randomUUID() },
    });
    assert.equal(badPrincipal.status, 400);
    assert.equal(badPrincipal.body.error.code, "PrincipalNotFound");
    const get = await call("GET", `${base}/${name}?api-version=2022-04-01`, armToken);
    assert.equal(get.status, 404);
    const noVersion = await call("GET", `${base}/${name}`, armToken);
    assert.equal(noVersion.body.error.code, "MissingApiVersionParameter");
  });

  test("ARM: a principal without roleAssignments/write gets 403 AuthorizationFailed", async () => {
    const spArmToken = (await appCredential(keyless.facts, app.appId, app.secret).getToken(ARM_SCOPE))!.token;
    const r = await call(
      "PUT",
      `${keyless.facts.url}/subscriptions/${keyless.facts.subscriptionId}/providers/Microsoft.Authorization/roleAssignments/${crypto.randomUUID()}?api-version=2022-04-01`,
      spArmToken,
      {
        properties: { roleDefinitionId: RoleIds.owner, principalId: app.objectId },
      },
    );
    assert.equal(r.status, 403);
    assert.equal(r.body.error.code, "AuthorizationFailed");
    assert.match(r.body.error.message, /Microsoft\.Authorization\/roleAssignments\/write/);
  });

  test("token service: a wrong secret gets invalid_client AADSTS7000215", async () => {
    const form = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: app.appId,
      client_secret: "wrong",
      scope: COGNITIVE_SCOPE,
    });
    const r = await fetch(`${keyless.facts.url}/${keyless.facts.tenantId}/oauth2/v2.0/token`, { method: "POST", body: form });
    const json = (await r.json()) as { error: string; error_codes: number[] };
    assert.equal(r.status, 401);
    assert.equal(json.error, "invalid_client");
    assert.deepEqual(json.error_codes, [7000215]);
  });

  test("token service: an unknown resource gets invalid_resource AADSTS500011", async () => {
    const form = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: app.appId,
      client_secret: app.secret,
      scope: "https://example.com/.default",
    });
    const r = await fetch(`${keyless.facts.url}/${keyless.facts.tenantId}/oauth2/v2.0/token`, { method: "POST", body: form });
    assert.equal(((await r.json()) as { error_codes: number[] }).error_codes[0], 500011);
  });

  test("streaming: SSE chunks, a usage chunk when asked, then [DONE]", async () => {
    const response = await fetch(chatUrl(), {
      method: "POST",
      headers: { authorization: `Bearer ${appToken}`, "content-type": "application/json" },
      body: JSON.stringify({ ...body, stream: true, stream_options: { include_usage: true } }),
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /text\/event-stream/);
    const events = (await response.text())
      .split("\n\n")
      .filter((e) => e.startsWith("data: "))
      .map((e) => e.slice(6));
    assert.equal(events.at(-1), "[DONE]");
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
    const text = chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("");
    assert.equal(text, 'You said: "hi"');
    assert.equal(chunks.at(-1).choices.length, 0);
    assert.ok(chunks.at(-1).usage.total_tokens > 0);
  });

  test("health endpoints answer without authentication", async () => {
    assert.equal((await call("GET", `${keyless.facts.url}/healthz`, undefined)).status, 200);
    assert.equal((await call("GET", `${keyless.facts.url}/readyz`, undefined)).body.status, "ready");
  });
});
