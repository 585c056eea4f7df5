import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { decodeJwt } from "jose";
import { stringify } from "yaml";
import { adminCredential, ARM_SCOPE, call, COGNITIVE_SCOPE, GRAPH_SCOPE, registerApp } from "../harness/clients.ts";
import { addFederatedCredential } from "../harness/graph-credentials.ts";
import { startServer, type TestServer } from "../harness/keyless.ts";
import { startOidcIssuer } from "../harness/oidc-issuer.ts";

const SUBJECT = "system:serviceaccount:default:worker";
const EXCHANGE = "api://AzureADTokenExchange";
/** A token that expires in 2100: a stolen copy would be a credential for life. */
const UNTIL_2100 = Math.floor(Date.parse("2100-01-01T00:00:00Z") / 1000) - Math.floor(Date.now() / 1000);

/**
 * Threats: workload-identity assertions and federated tokens that never expire; anonymous token requests that make
 * the server fetch a discovery URL it was not told to trust (the timing reveals open internal ports).
 */
describe("federated tokens: bounded lifetimes, and only the operator's issuers are ever fetched", () => {
  const dir = mkdtempSync(join(tmpdir(), "keyless-federated-"));
  let keyless: TestServer;
  let allowed: Awaited<ReturnType<typeof startOidcIssuer>>;
  let unlisted: Awaited<ReturnType<typeof startOidcIssuer>>;
  let federated: Awaited<ReturnType<typeof startOidcIssuer>>;
  let app: Awaited<ReturnType<typeof registerApp>>;

  before(async () => {
    [allowed, unlisted, federated] = await Promise.all([startOidcIssuer(), startOidcIssuer(), startOidcIssuer()]);
    const probe = await startServer();
    const adminObjectId = decodeJwt((await adminCredential(probe.facts).getToken(ARM_SCOPE))!.token).oid as string;
    await probe.stop();
    writeFileSync(
      join(dir, "federation.yaml"),
      stringify({
        issuers: [{ issuer: federated.issuer, audiences: { "api://keyless": "arm" }, principals: { "alice@corp": adminObjectId } }],
      }),
    );
    keyless = await startServer({
      dataDir: probe.dataDir,
      env: { KEYLESS_FEDERATED_ISSUERS: allowed.issuer, KEYLESS_FEDERATION_FILE: join(dir, "federation.yaml") },
    });
    const admin = (await adminCredential(keyless.facts).getToken(GRAPH_SCOPE))!.token;
    app = await registerApp(keyless.facts, admin, "workload");
    // Both issuers are registered on the application (an application administrator can do that); only one is allowed.
    for (const issuer of [allowed, unlisted])
      await addFederatedCredential(keyless.facts, admin, app.applicationId, {
        name: `trust-${issuer.issuer.split(":").pop()}`,
        issuer: issuer.issuer,
        subject: SUBJECT,
      });
  });
  after(async () => {
    await Promise.all([allowed?.close(), unlisted?.close(), federated?.close()]);
    await keyless?.stop();
    keyless?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  /** An anonymous token request: anyone may send one, naming any client id and any assertion. */
  const exchange = async (assertion: string) => {
    const response = await fetch(`${keyless.facts.url}/${keyless.facts.tenantId}/oauth2/v2.0/token`, {
      method: "POST",
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: app.appId,
        scope: COGNITIVE_SCOPE,
        client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        client_assertion: assertion,
      }),
    });
    return { status: response.status, body: (await response.json()) as { error_codes?: number[]; error_description?: string } };
  };

  test("an issuer registered on the application but not on the operator's list is refused without a single fetch", async () => {
    const refused = await exchange(await unlisted.mint(SUBJECT, EXCHANGE));
    assert.equal(refused.status, 401);
    assert.deepEqual(refused.body.error_codes, [700211]);
    assert.match(refused.body.error_description ?? "", /federatedIssuers/);
    assert.deepEqual(unlisted.requests, [], "the unlisted issuer's discovery document was fetched");
  });

  test("an issuer registered nowhere is refused without a fetch either", async () => {
    const stranger = await startOidcIssuer();
    try {
      assert.deepEqual((await exchange(await stranger.mint(SUBJECT, EXCHANGE))).body.error_codes, [700211]);
      assert.deepEqual(stranger.requests, []);
    } finally {
      await stranger.close();
    }
  });

  test("a workload-identity assertion that expires in 2100 is refused (AADSTS700024); an hour-long one works", async () => {
    const forever = await exchange(await allowed.mint(SUBJECT, EXCHANGE, UNTIL_2100));
    assert.equal(forever.status, 401);
    assert.deepEqual(forever.body.error_codes, [700024]);
    assert.match(forever.body.error_description ?? "", /86400 seconds/);
    assert.equal((await exchange(await allowed.mint(SUBJECT, EXCHANGE, 3600))).status, 200);
  });

  test("a federation-file issuer's token that expires in 2100 is refused with 401; a ten-minute one works", async () => {
    const arm = (token: string) => call("GET", `${keyless.facts.url}/subscriptions?api-version=2022-12-01`, token);
    assert.equal((await arm(await federated.mint("alice@corp", "api://keyless", UNTIL_2100))).status, 401);
    assert.equal((await arm(await federated.mint("alice@corp", "api://keyless", 600))).status, 200);
  });
});
