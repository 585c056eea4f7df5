import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ARM_SCOPE, adminCredential, call } from "../harness/clients.ts";
import { useKeyless } from "../harness/keyless.ts";
import { managedIdentityFixture } from "../harness/managed-identity-fixture.ts";
import { rawRequest } from "../harness/raw-request.ts";
import { recordingTransport, runInProcess, signedInConfigDir } from "../harness/cli.ts";

/**
 * Threat: a managed identity's endpoint secret (a path segment for IMDS and MSI clients) reaches the server log —
 * through the 404 message of an unknown route, or through spellings the router accepts but the mask did not
 * (`//managed-identity/…`, `/%6danaged-identity/…`) — and, once leaked, could only be revoked by recreating the
 * identity (new ids, role assignments lost).
 */
describe("managed-identity path secrets never reach the log, and can be rotated in place", () => {
  let output = "";
  // A child process: its log output is what this test reads.
  const keyless = useKeyless({ process: true, env: { KEYLESS_LOG_LEVEL: "info" }, onOutput: (chunk) => (output += chunk) });

  test("unknown routes and other spellings of the path are normalised before routing and masking", async () => {
    const mi = await managedIdentityFixture(keyless, "leak-check");
    const secret = mi.imdsEnv.AZURE_POD_IDENTITY_AUTHORITY_HOST!.split("/").pop()!;
    const imds = "metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com/";
    const base = keyless.facts.url;
    const spellings = [
      `${base}//managed-identity/${secret}/${imds}`,
      `${base}/%6danaged-identity/${secret}/${imds}`,
      `${base}/managed-identity/%${secret.charCodeAt(0).toString(16)}${secret.slice(1)}/${imds}`,
      `${base}/MANAGED-IDENTITY/${secret}/${imds}`,
    ];
    for (const url of spellings) {
      const response = await rawRequest(url, { headers: { Metadata: "true" } });
      assert.equal(response.status, 200, `${url.replace(secret, "…")}: ${response.text}`);
    }
    const unknown = await rawRequest(`${base}/managed-identity/${secret}/no/such/route`);
    assert.equal(unknown.status, 404);
    assert.ok(!unknown.text.includes(secret), "the 404 body does not echo the secret");
    const unknownOdd = await rawRequest(`${base}//%6danaged-identity/${secret}/no/such/route`);
    assert.equal(unknownOdd.status, 404);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.match(output, /managed-identity\/\[redacted\]\/metadata/, "the calls are logged, masked");
    assert.ok(!output.includes(secret), "the secret is not in the log");
    assert.ok(!output.includes(secret.slice(1)), "not even percent-encoded");
  });

  test("rotateSecret replaces the secret in place: the old one stops working, the identity and its roles stay", async () => {
    const mi = await managedIdentityFixture(keyless, "rotate-check");
    const armToken = (await adminCredential(keyless.facts).getToken(ARM_SCOPE))!.token;
    const token = (env: Record<string, string>) =>
      rawRequest(`${env.IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=https://management.azure.com/`, {
        headers: { "x-identity-header": env.IDENTITY_HEADER! },
      });
    assert.equal((await token(mi.appServiceEnv)).status, 200);
    const rotated = await call("POST", `${keyless.facts.url}${mi.resourceId}/rotateSecret?api-version=2023-01-31`, armToken);
    assert.equal(rotated.status, 200);
    const fresh = Object.fromEntries(
      (rotated.body.appService as string[]).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    );
    assert.notEqual(fresh.IDENTITY_HEADER, mi.appServiceEnv.IDENTITY_HEADER);
    assert.equal((await token(mi.appServiceEnv)).status, 401, "the old secret is refused at once");
    const issued = await token(fresh);
    assert.equal(issued.status, 200);
    const claims = JSON.parse(Buffer.from(JSON.parse(issued.text).access_token.split(".")[1], "base64url").toString());
    assert.equal(claims.oid, mi.identity.principalId, "same identity, so its role assignments still apply");
    const identity = await call("GET", `${keyless.facts.url}${mi.resourceId}?api-version=2023-01-31`, armToken);
    assert.equal(identity.body.properties.clientId, mi.identity.clientId);
  });
});

test("keyless identity rotate-secret posts rotateSecret and prints the new workload lines", async () => {
  const env = {
    appService: ["IDENTITY_ENDPOINT=https://keyless.test/managed-identity/app-service", "IDENTITY_HEADER=new-secret"],
    imds: ["AZURE_POD_IDENTITY_AUTHORITY_HOST=https://keyless.test/managed-identity/new-secret"],
    azureCli: ["MSI_ENDPOINT=https://keyless.test/managed-identity/new-secret/msi/token"],
  };
  const transport = recordingTransport((req) => (req.method === "POST" && req.url.includes("/rotateSecret?") ? { body: env } : undefined));
  const run = await runInProcess(["identity", "rotate-secret", "-n", "app-id", "-g", "rg-ai", "--workload-env"], {
    env: { KEYLESS_CONFIG_DIR: signedInConfigDir() },
    transport,
  });
  assert.equal(run.code, 0, run.stderr);
  const url = new URL(transport.requests[0]!.url);
  assert.equal(transport.requests[0]!.method, "POST");
  assert.match(
    url.pathname,
    /\/resourcegroups\/rg-ai\/providers\/Microsoft\.ManagedIdentity\/userAssignedIdentities\/app-id\/rotateSecret$/,
  );
  assert.ok(url.searchParams.get("api-version"));
  assert.match(run.stdout, /^export IDENTITY_HEADER=new-secret$/m);
  assert.match(run.stdout, /^export MSI_ENDPOINT=https:\/\/keyless.test\/managed-identity\/new-secret\/msi\/token$/m);
});
