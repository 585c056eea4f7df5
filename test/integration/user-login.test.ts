import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createRemoteJWKSet, decodeJwt, jwtVerify } from "jose";
import { type AzureCli, azureCli, azureCliInstalled } from "../harness/azure-cli.ts";
import { AZURE_CLI_CLIENT_ID, adminCredential, GRAPH_SCOPE, registerApp } from "../harness/clients.ts";
import { useKeyless } from "../harness/keyless.ts";
import { ADMIN_PASSWORD } from "../harness/keyless-process.ts";

const ARM_LOGIN_SCOPE = "https://management.core.windows.net//.default offline_access openid profile";

async function tokenCall(url: string, form: Record<string, string>) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("user sign-in: id tokens, refresh tokens and the Azure CLI", () => {
  const keyless = useKeyless();

  const passwordGrant = (path: string, scope = ARM_LOGIN_SCOPE) =>
    tokenCall(`${keyless.facts.url}${path}`, {
      grant_type: "password",
      client_id: AZURE_CLI_CLIENT_ID,
      username: keyless.facts.adminUsername,
      password: ADMIN_PASSWORD,
      scope,
    });

  test("ROPC on /adfs returns an id token whose iss is the ADFS discovery issuer, signed by a published key", async () => {
    const { status, body } = await passwordGrant("/adfs/oauth2/token");
    assert.equal(status, 200, JSON.stringify(body));
    const discovery = (await (await fetch(`${keyless.facts.url}/adfs/.well-known/openid-configuration`)).json()) as {
      issuer: string;
      jwks_uri: string;
    };
    const { payload } = await jwtVerify(body.id_token as string, createRemoteJWKSet(new URL(discovery.jwks_uri)), {
      issuer: discovery.issuer,
      audience: AZURE_CLI_CLIENT_ID,
    });
    assert.equal(discovery.issuer, `${keyless.facts.url}/adfs`);
    assert.equal(payload.tid, keyless.facts.tenantId);
    assert.equal(payload.preferred_username, keyless.facts.adminUsername);
    assert.equal(payload.upn, keyless.facts.adminUsername);
    assert.equal(payload.sub, payload.oid);
    assert.equal(payload.ver, "1.0");
    assert.ok(typeof body.refresh_token === "string" && (body.refresh_token as string).length > 40);
    assert.equal(body.client_info, undefined);
  });

  test("ROPC on the v2 endpoint: iss is {origin}/{tid}/v2.0; without openid/offline_access there is no id or refresh token", async () => {
    const { body } = await passwordGrant(`/${keyless.facts.tenantId}/oauth2/v2.0/token`);
    assert.equal(decodeJwt(body.id_token as string).iss, `${keyless.facts.url}/${keyless.facts.tenantId}/v2.0`);
    assert.equal(decodeJwt(body.id_token as string).ver, "2.0");
    const bare = await passwordGrant(`/${keyless.facts.tenantId}/oauth2/v2.0/token`, "https://management.core.windows.net//.default");
    assert.equal(bare.status, 200);
    assert.equal(bare.body.id_token, undefined);
    assert.equal(bare.body.refresh_token, undefined);
  });

  test("refresh tokens rotate, can switch resource, are bound to the client, and reuse revokes the family", async () => {
    const url = `${keyless.facts.url}/adfs/oauth2/token`;
    const first = (await passwordGrant("/adfs/oauth2/token")).body.refresh_token as string;
    const refresh = (token: string, clientId = AZURE_CLI_CLIENT_ID) =>
      tokenCall(url, {
        grant_type: "refresh_token",
        client_id: clientId,
        refresh_token: token,
        scope: "https://cognitiveservices.azure.com/.default offline_access openid profile",
      });

    const wrongClient = await refresh(first, "1950a258-227b-4e31-a9cf-717495945fc2");
    assert.equal(wrongClient.status, 400);
    assert.equal(wrongClient.body.error, "invalid_grant");
    assert.match(wrongClient.body.error_description as string, /^AADSTS70000:/);

    const second = await refresh(first);
    assert.equal(second.status, 200, JSON.stringify(second.body));
    assert.equal(decodeJwt(second.body.access_token as string).aud, "https://cognitiveservices.azure.com");
    assert.equal(decodeJwt(second.body.access_token as string).upn, keyless.facts.adminUsername);
    assert.notEqual(second.body.refresh_token, first);

    const reuse = await refresh(first);
    assert.equal(reuse.status, 400);
    assert.deepEqual(reuse.body.error_codes, [50173]);
    const afterReuse = await refresh(second.body.refresh_token as string);
    assert.equal(afterReuse.status, 400, "the whole family is revoked once a rotated token is replayed");
    assert.deepEqual(afterReuse.body.error_codes, [50173]);

    const garbage = await refresh("not-a-token");
    assert.equal(garbage.body.error, "invalid_grant");
    assert.deepEqual(garbage.body.error_codes, [9002313]);
    assert.match(String(garbage.body.trace_id), /./);
  });

  test("UsernamePasswordCredential (v2, client_info) still signs in", async () => {
    const token = await adminCredential(keyless.facts).getToken(GRAPH_SCOPE);
    assert.equal(decodeJwt(token!.token).upn, keyless.facts.adminUsername);
  });

  describe("Azure CLI 2.45", { skip: !azureCliInstalled && "azure-cli not installed" }, () => {
    let az: AzureCli;
    before(async () => {
      az = await azureCli(keyless.facts);
    });
    after(() => az?.cleanup());

    test("az login -u -p, az account show, and get-access-token for Cognitive Services through the refresh token", async () => {
      const subscriptions = await az.ok(["login", "-u", keyless.facts.adminUsername, "-p", ADMIN_PASSWORD]);
      assert.ok(
        subscriptions.some((s: { id: string }) => s.id === keyless.facts.subscriptionId),
        JSON.stringify(subscriptions),
      );
      const account = await az.ok(["account", "show"]);
      assert.equal(account.user.name, keyless.facts.adminUsername);
      assert.equal(account.user.type, "user");
      assert.equal(account.tenantId, keyless.facts.tenantId);

      const refreshTokensBefore = cachedRefreshTokens(az.configDir);
      assert.equal(refreshTokensBefore.length, 1);
      const token = await az.ok(["account", "get-access-token", "--resource", "https://cognitiveservices.azure.com"]);
      const claims = decodeJwt(token.accessToken);
      assert.equal(claims.aud, "https://cognitiveservices.azure.com");
      assert.equal(claims.upn, keyless.facts.adminUsername);
      assert.equal(token.tenant, keyless.facts.tenantId);
      const refreshTokensAfter = cachedRefreshTokens(az.configDir);
      assert.equal(refreshTokensAfter.length, 1);
      assert.notEqual(refreshTokensAfter[0], refreshTokensBefore[0], "the CLI redeemed and stored a rotated refresh token");
    });

    test("a wrong password prints the AADSTS50126 error and exits 1", async () => {
      const result = await az.run(["login", "-u", keyless.facts.adminUsername, "-p", "wrong-password"]);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /AADSTS50126/);
    });

    test("az login --service-principal with a secret, then a Cognitive Services token", async () => {
      const graphToken = (await adminCredential(keyless.facts).getToken(GRAPH_SCOPE))!.token;
      const app = await registerApp(keyless.facts, graphToken, "az-sp-login");
      await az.ok([
        "login",
        "--service-principal",
        "-u",
        app.appId,
        "-p",
        app.secret,
        "--tenant",
        keyless.facts.tenantId,
        "--allow-no-subscriptions",
      ]);
      const account = await az.ok(["account", "show"]);
      assert.equal(account.user.type, "servicePrincipal");
      const token = await az.ok(["account", "get-access-token", "--resource", "https://cognitiveservices.azure.com"]);
      assert.equal(decodeJwt(token.accessToken).appid, app.appId);
      assert.equal(decodeJwt(token.accessToken).oid, app.objectId);
    });
  });
});

function cachedRefreshTokens(configDir: string): string[] {
  const cache = JSON.parse(readFileSync(join(configDir, "msal_token_cache.json"), "utf8")) as {
    RefreshToken?: Record<string, { secret: string }>;
  };
  return Object.values(cache.RefreshToken ?? {}).map((t) => t.secret);
}
