import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { AZURE_CLI_CLIENT_ID, ARM_SCOPE, adminCredential, call, GRAPH_SCOPE } from "../harness/clients.ts";
import { ADMIN_PASSWORD } from "../harness/keyless-process.ts";
import { useKeyless } from "../harness/keyless.ts";

/** Threats: a page that takes a password framed by another site (clickjacking); tokens kept by an HTTP cache. */
describe("sign-in pages cannot be framed and token responses are never cached", () => {
  const keyless = useKeyless();

  const assertNotFramable = (response: Response, what: string) => {
    assert.equal(response.headers.get("x-frame-options"), "DENY", what);
    assert.match(response.headers.get("content-security-policy") ?? "", /frame-ancestors 'none'/, what);
    assert.equal(response.headers.get("cache-control"), "no-store", what);
  };
  const assertNotCached = (response: Response, what: string) => {
    assert.equal(response.headers.get("cache-control"), "no-store", what);
    assert.equal(response.headers.get("pragma"), "no-cache", what);
  };

  test("the device-login page, its result page and the authorize page carry X-Frame-Options DENY and frame-ancestors 'none'", async () => {
    assertNotFramable(await fetch(`${keyless.facts.url}/devicelogin`), "GET /devicelogin");
    const posted = await fetch(`${keyless.facts.url}/devicelogin`, {
      method: "POST",
      body: new URLSearchParams({ user_code: "NOPE", username: "nobody@example.com", password: "x" }),
    });
    assertNotFramable(posted, "POST /devicelogin");
    const authorize = new URL(`${keyless.facts.url}/${keyless.facts.tenantId}/oauth2/v2.0/authorize`);
    for (const [k, v] of Object.entries({
      client_id: AZURE_CLI_CLIENT_ID,
      redirect_uri: "http://localhost:9/callback",
      response_type: "code",
      scope: "openid",
      code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
      code_challenge_method: "S256",
    }))
      authorize.searchParams.set(k, v);
    const page = await fetch(authorize);
    assert.equal(page.status, 200);
    assertNotFramable(page, "GET authorize");
  });

  test("token responses (success and error, v1 and v2, device code) carry Cache-Control no-store and Pragma no-cache (RFC 6749 §5.1)", async () => {
    const ropc = (path: string, password: string) =>
      fetch(`${keyless.facts.url}/${keyless.facts.tenantId}${path}`, {
        method: "POST",
        body: new URLSearchParams({
          grant_type: "password",
          client_id: AZURE_CLI_CLIENT_ID,
          username: keyless.facts.adminUsername,
          password,
          scope: ARM_SCOPE,
        }),
      });
    const ok = await ropc("/oauth2/v2.0/token", ADMIN_PASSWORD);
    assert.equal(ok.status, 200);
    assertNotCached(ok, "v2 token");
    assertNotCached(await ropc("/oauth2/token", ADMIN_PASSWORD), "v1 token");
    assertNotCached(await ropc("/oauth2/v2.0/token", "wrong"), "token error");
    const device = await fetch(`${keyless.facts.url}/${keyless.facts.tenantId}/oauth2/v2.0/devicecode`, {
      method: "POST",
      body: new URLSearchParams({ client_id: AZURE_CLI_CLIENT_ID, scope: ARM_SCOPE }),
    });
    assert.equal(device.status, 200);
    assertNotCached(device, "device code");
    // Public metadata stays cacheable.
    const discovery = await fetch(`${keyless.facts.url}/${keyless.facts.tenantId}/v2.0/.well-known/openid-configuration`);
    assert.equal(discovery.headers.get("pragma"), null);
    // The credential the SDKs use still works end to end.
    assert.ok((await adminCredential(keyless.facts).getToken(GRAPH_SCOPE))?.token);
    assert.equal((await call("GET", `${keyless.facts.url}/healthz`, undefined)).status, 200);
  });
});
