import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { ARM_SCOPE, adminCredential, call, GRAPH_SCOPE, type Json } from "../harness/clients.ts";
import { useKeyless } from "../harness/keyless.ts";
import { rawRequest } from "../harness/raw-request.ts";

/**
 * Threat: one hostile request crashes or stalls the service — a 4,000-deep `$filter` overflowed the parser's stack
 * (500), a million `[` or a body of many megabytes reached the handlers, a huge header reached routing. Each is
 * refused before the expensive work, with the surface's own error envelope, and the service keeps answering.
 */
describe("oversized and deeply nested requests are refused in each surface's envelope", () => {
  const keyless = useKeyless();
  let armToken: string;
  let graphToken: string;
  before(async () => {
    armToken = (await adminCredential(keyless.facts).getToken(ARM_SCOPE))!.token;
    graphToken = (await adminCredential(keyless.facts).getToken(GRAPH_SCOPE))!.token;
  });
  const graphUsers = (filter: string) => `${keyless.facts.url}/graph/v1.0/users?$filter=${encodeURIComponent(filter)}`;

  test("a 4,000-deep $filter is a 400 Request_BadRequest, not a stack overflow", async () => {
    const deep = `${"(".repeat(4000)}displayName eq 'x'${")".repeat(4000)}`;
    const response = await call("GET", graphUsers(deep.slice(0, 4000 * 2 + 20).slice(0, 4090)), graphToken);
    assert.equal(response.status, 400);
    assert.equal(response.body.error.code, "Request_BadRequest");
    assert.match(response.body.error.message, /nest deeper than 32 levels/);
    const nots = `${"not ".repeat(40)}displayName eq 'x'`;
    assert.equal((await call("GET", graphUsers(nots), graphToken)).body.error.code, "Request_BadRequest");
  });

  test("a $filter longer than graphFilterLengthLimit is refused before parsing; a deep-but-allowed one still works", async () => {
    const long = Array.from({ length: 200 }, (_, i) => `displayName eq 'user-${i}'`).join(" or ");
    const refused = await call("GET", graphUsers(long), graphToken);
    assert.equal(refused.status, 400);
    assert.match(refused.body.error.message, /the limit is 4096/);
    const allowed = await call("GET", graphUsers(`${"(".repeat(30)}displayName eq 'nobody'${")".repeat(30)}`), graphToken);
    assert.equal(allowed.status, 200);
    assert.deepEqual(allowed.body.value, []);
  });

  test("JSON nested deeper than jsonDepthLimit is a 400 on ARM, Graph and the data plane", async () => {
    const deep = `{"a":${"[".repeat(100_000)}${"]".repeat(100_000)}}`;
    const rg = `${keyless.facts.url}/subscriptions/${keyless.facts.subscriptionId}/resourceGroups/deep?api-version=2022-12-01`;
    const arm = await call("PUT", rg, armToken, deep);
    assert.equal(arm.status, 400);
    assert.equal(arm.body.error.code, "InvalidRequestContent");
    assert.match(arm.body.error.message, /deeper than 64 levels/);
    assert.equal((await call("GET", rg, armToken)).status, 404, "nothing was created");
    const graph = await call("POST", `${keyless.facts.url}/graph/v1.0/groups`, graphToken, deep);
    assert.equal(graph.status, 400);
    assert.equal(graph.body.error.code, "Request_BadRequest");
    const account = keyless.facts.demo!.account;
    const data = await call(
      "POST",
      `${keyless.facts.url}/accounts/${account}/models/chat/completions?api-version=2024-05-01-preview`,
      armToken,
      deep,
    );
    assert.equal(data.status, 400);
    assert.equal(data.body.error.code, "JsonTooDeep");
    const shallow = `{"a":${"[".repeat(60)}${"]".repeat(60)}}`;
    assert.doesNotMatch((await call("POST", `${keyless.facts.url}/graph/v1.0/groups`, graphToken, shallow)).body.error.message, /deeper/);
  });

  test("bodies over each surface's limit get 413 in its own envelope", async () => {
    const rg = `${keyless.facts.url}/subscriptions/${keyless.facts.subscriptionId}/resourceGroups/big?api-version=2022-12-01`;
    const json = (token: string) => ({ authorization: `Bearer ${token}`, "content-type": "application/json" });
    const big = 5 * 1024 * 1024;
    const arm = await rawRequest(rg, { method: "PUT", headers: json(armToken), declaredLength: big });
    assert.equal(arm.status, 413);
    assert.equal(JSON.parse(arm.text).error.code, "RequestEntityTooLarge");
    assert.equal((await call("GET", rg, armToken)).status, 404, "nothing was created");
    const graph = await rawRequest(`${keyless.facts.url}/graph/v1.0/groups`, {
      method: "POST",
      headers: json(graphToken),
      declaredLength: big,
    });
    assert.equal(graph.status, 413);
    assert.equal(JSON.parse(graph.text).error.code, "Request_EntityTooLarge");
    const token = await rawRequest(`${keyless.facts.url}/${keyless.facts.tenantId}/oauth2/v2.0/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      declaredLength: 100_000,
    });
    assert.equal(token.status, 413);
    const body = JSON.parse(token.text) as Json;
    assert.equal(body.error, "invalid_request");
    assert.match(body.error_description, /^AADSTS90023: .*65536 bytes/);
  });

  test("framework refusals on the token service are 4xx OAuth errors, not 500 server_error", async () => {
    const url = `${keyless.facts.url}/${keyless.facts.tenantId}/oauth2/v2.0/token`;
    for (const [type, body] of [
      ["application/json", "{not json"],
      ["text/xml", "<a/>"],
    ] as const) {
      const response = await fetch(url, { method: "POST", headers: { "content-type": type }, body });
      const json = (await response.json()) as Json;
      assert.ok(response.status >= 400 && response.status < 500, `${type}: ${response.status}`);
      assert.equal(json.error, "invalid_request");
    }
  });

  test("a request line and headers over headerSizeLimit get 431 with a JSON error, and the service stays up", async () => {
    const { status, text } = await rawRequest(`${keyless.facts.url}/healthz`, { headers: { "x-big": "x".repeat(20_000) } });
    assert.equal(status, 431);
    assert.equal(JSON.parse(text).error.code, "RequestHeaderFieldsTooLarge");
    assert.equal((await fetch(`${keyless.facts.url}/healthz`)).status, 200);
  });

  test("an unknown route is a 404 in the shared envelope", async () => {
    const response = await call("GET", `${keyless.facts.url}/no/such/surface`, undefined);
    assert.equal(response.status, 404);
    assert.equal(response.body.error.code, "NotFound");
  });

  // Found by test/security/fuzz.test.ts: these answered Fastify's own shape, and the 414 echoed the path.
  test("an unreadable body on an unknown route and an over-long path segment get the shared envelope", async () => {
    const empty = await rawRequest(`${keyless.facts.url}/managed-identity//msi/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "",
    });
    assert.equal(empty.status, 400);
    assert.equal(JSON.parse(empty.text).error.code, "BadRequest");
    const secretish = "s".repeat(150);
    const long = await rawRequest(`${keyless.facts.url}/managed-identity/${secretish}/msi/token`, {
      method: "POST",
      headers: { metadata: "true" },
    });
    assert.equal(long.status, 414);
    assert.equal(JSON.parse(long.text).error.code, "UriTooLong");
    assert.ok(!long.text.includes(secretish), "the path is not echoed");
  });
});
