import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ManagedIdentityCredential } from "@azure/identity";
import { decodeJwt } from "jose";
import { type AzureCli, azureCli, azureCliInstalled } from "../harness/azure-cli.ts";
import { COGNITIVE_SCOPE } from "../harness/clients.ts";
import { useKeyless } from "../harness/keyless.ts";
import { managedIdentityFixture } from "../harness/managed-identity-fixture.ts";

describe("managed identity: App Service endpoint and MSI_ENDPOINT", () => {
  const keyless = useKeyless();
  let mi: Awaited<ReturnType<typeof managedIdentityFixture>>;
  before(async () => {
    mi = await managedIdentityFixture(keyless, "worker-identity");
  });

  test("workload settings name our endpoints; the secret is not guessable from the client id", () => {
    assert.equal(mi.appServiceEnv.IDENTITY_ENDPOINT, `${keyless.facts.url}/managed-identity/app-service`);
    assert.ok(mi.appServiceEnv.IDENTITY_HEADER!.length >= 40);
    assert.ok(!mi.appServiceEnv.IDENTITY_HEADER!.includes(mi.identity.clientId));
    assert.equal(mi.imdsEnv.AZURE_POD_IDENTITY_AUTHORITY_HOST, `${keyless.facts.url}/managed-identity/${mi.appServiceEnv.IDENTITY_HEADER}`);
  });

  test("ManagedIdentityCredential (App Service, user-assigned client id) gets a token with xms_mirid", async () => {
    process.env.IDENTITY_ENDPOINT = mi.appServiceEnv.IDENTITY_ENDPOINT;
    process.env.IDENTITY_HEADER = mi.appServiceEnv.IDENTITY_HEADER;
    try {
      const token = await new ManagedIdentityCredential({ clientId: mi.identity.clientId }).getToken(COGNITIVE_SCOPE);
      const claims = decodeJwt(token!.token);
      assert.equal(claims.oid, mi.identity.principalId);
      assert.equal(claims.appid, mi.identity.clientId);
      assert.equal(claims.xms_mirid, mi.resourceId);
      assert.equal(claims.tid, keyless.facts.tenantId);
      assert.ok(token!.expiresOnTimestamp > Date.now() + 3000_000, "expires_on was read as epoch seconds");
    } finally {
      delete process.env.IDENTITY_ENDPOINT;
      delete process.env.IDENTITY_HEADER;
    }
  });

  test("nothing is handed out without the secret, for another identity, or to IMDS/MSI calls without Metadata: true", async () => {
    const base = `${keyless.facts.url}/managed-identity`;
    const resource = "resource=https%3A%2F%2Fcognitiveservices.azure.com";
    const noSecret = await fetch(`${base}/app-service?api-version=2019-08-01&${resource}`);
    assert.equal(noSecret.status, 401);
    const wrongSecret = await fetch(`${base}/app-service?api-version=2019-08-01&${resource}`, {
      headers: { "x-identity-header": "x".repeat(43) },
    });
    assert.equal(wrongSecret.status, 401);
    const otherIdentity = await fetch(`${base}/app-service?api-version=2019-08-01&${resource}&client_id=${crypto.randomUUID()}`, {
      headers: { "x-identity-header": mi.appServiceEnv.IDENTITY_HEADER! },
    });
    assert.equal(otherIdentity.status, 400);
    assert.match(((await otherIdentity.json()) as { error_description: string }).error_description, /Identity not found/);
    const noMetadata = await fetch(
      `${mi.imdsEnv.AZURE_POD_IDENTITY_AUTHORITY_HOST}/metadata/identity/oauth2/token?api-version=2018-02-01&${resource}`,
    );
    assert.equal(noMetadata.status, 400);
    const unknownResource = await fetch(`${base}/app-service?api-version=2019-08-01&resource=https%3A%2F%2Fvault.azure.net`, {
      headers: { "x-identity-header": mi.appServiceEnv.IDENTITY_HEADER! },
    });
    assert.equal(unknownResource.status, 400);
  });

  test("a deleted identity's secret stops working", async () => {
    const doomed = await managedIdentityFixture(keyless, "short-lived");
    const get = () =>
      fetch(`${doomed.appServiceEnv.IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=https://management.azure.com/`, {
        headers: { "x-identity-header": doomed.appServiceEnv.IDENTITY_HEADER! },
      });
    assert.equal((await get()).status, 200);
    await doomed.delete();
    assert.equal((await get()).status, 401);
  });

  describe("Azure CLI 2.45", { skip: !azureCliInstalled && "azure-cli not installed" }, () => {
    let az: AzureCli;
    before(async () => {
      az = await azureCli(keyless.facts);
    });
    after(() => az?.cleanup());

    test("az login --identity with MSI_ENDPOINT, then account show and a Cognitive Services token", async () => {
      const msi = { MSI_ENDPOINT: mi.azureCliEnv.MSI_ENDPOINT! };
      const subscriptions = await az.ok(["login", "--identity"], msi);
      assert.ok(
        subscriptions.some((s: { id: string }) => s.id === keyless.facts.subscriptionId),
        JSON.stringify(subscriptions),
      );
      const account = await az.ok(["account", "show"], msi);
      assert.equal(account.user.type, "servicePrincipal");
      assert.equal(account.user.assignedIdentityInfo, "MSI");
      const token = await az.ok(["account", "get-access-token", "--resource", "https://cognitiveservices.azure.com"], msi);
      assert.equal(decodeJwt(token.accessToken).xms_mirid, mi.resourceId);
    });
  });
});
