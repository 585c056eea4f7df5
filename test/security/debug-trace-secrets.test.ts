import assert from "node:assert/strict";
import { test } from "node:test";
import { redactBody, redactUrl } from "../../src/client/redact.ts";

/**
 * Threat: a `--debug` log handed to someone else (a bug report, a CI log) gives away credentials — a second party
 * redeemed a victim's `device_code` from one and got their tokens. Secrets are found by key on the parsed body,
 * path secrets are masked in URLs, and a long body is cut only after redacting.
 */

const MI_SECRET = "0123456789abcdef".repeat(4);

test("device_code and every token in a JSON response are redacted, at any depth and any spacing", () => {
  const body = JSON.stringify({
    device_code: "DAQABAAEAAAD-secret-device-code",
    user_code: "ABCD-EFGH",
    verification_uri: "https://localhost/devicelogin",
    nested: { list: [{ access_token: "eyJ0eXAi.secret.sig", Refresh_Token: "rt-secret" }] },
  });
  const traced = redactBody(body);
  for (const secret of ["DAQABAAEAAAD-secret-device-code", "eyJ0eXAi", "rt-secret"])
    assert.ok(!traced.includes(secret), `${secret}: ${traced}`);
  assert.match(traced, /"user_code":"ABCD-EFGH"/, "what a user must see stays readable");
  assert.ok(!redactBody('{ "device_code" :\n "dc-secret" }').includes("dc-secret"));
});

test("a body longer than the trace limit is cut after redacting: no token prefix survives at the cut", () => {
  const token = `eyJhbGciOiJSUzI1NiJ9.${"p".repeat(400)}.sig`;
  const body = JSON.stringify({ padding: "x".repeat(1975), access_token: token });
  const traced = redactBody(body);
  assert.ok(traced.length <= 2001);
  assert.ok(!traced.includes("eyJhbGci"), traced.slice(1950));
});

test("the managed-identity path secret is masked in traced URLs; the App Service route is not a secret", () => {
  const imds = redactUrl(
    `https://localhost:8443/managed-identity/${MI_SECRET}/metadata/identity/oauth2/token?resource=x&api-version=2018-02-01`,
  );
  assert.ok(!imds.includes(MI_SECRET), imds);
  assert.match(imds, /\/managed-identity\/REDACTED\/metadata\/identity\/oauth2\/token\?resource=x/);
  assert.match(redactUrl("https://h/managed-identity/app-service?resource=x"), /\/managed-identity\/app-service\?/);
  assert.ok(!redactUrl(`https://h/x?client_secret=abc&code=xyz`).includes("abc"));
});

test("workload settings in a traced body (IDENTITY_HEADER, endpoint URLs) are masked", () => {
  const body = JSON.stringify({
    appService: ["IDENTITY_ENDPOINT=https://h/managed-identity/app-service", `IDENTITY_HEADER=${MI_SECRET}`],
    imds: [`AZURE_POD_IDENTITY_AUTHORITY_HOST=https://h/managed-identity/${MI_SECRET}`],
    azureCli: [`MSI_ENDPOINT=https://h/managed-identity/${MI_SECRET}/msi/token`],
  });
  const traced = redactBody(body);
  assert.ok(!traced.includes(MI_SECRET), traced);
  assert.match(traced, /IDENTITY_ENDPOINT=https:\/\/h\/managed-identity\/app-service/);
  assert.ok(!redactBody(`resource=x&identity_header=${MI_SECRET}`).includes(MI_SECRET));
  assert.ok(!redactBody(`some text IDENTITY_HEADER=${MI_SECRET} more`).includes(MI_SECRET));
});
