import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { base64url, decodeJwt, generateKeyPair, SignJWT } from "jose";
import { systemClock } from "../../src/core/clock.ts";
import { mintAccessToken } from "../../src/tokens/mint.ts";
import { ARM_SCOPE, AZURE_CLI_CLIENT_ID, adminCredential, call } from "../harness/clients.ts";
import { directoryAccess } from "../harness/directory-access.ts";
import { useKeyless } from "../harness/keyless.ts";
import { ADMIN_PASSWORD } from "../harness/keyless-process.ts";
import { managedIdentityFixture } from "../harness/managed-identity-fixture.ts";

const ARM = "https://management.core.windows.net/";

describe("token attack suite: every forged or stale token gets 401, and password guessing is throttled", () => {
  const keyless = useKeyless();
  let directory: Awaited<ReturnType<typeof directoryAccess>>;
  let adminToken: string;
  before(async () => {
    directory = await directoryAccess(keyless);
    adminToken = (await adminCredential(keyless.facts).getToken(ARM_SCOPE))!.token;
  });
  after(async () => {
    await directory?.close();
  });

  const arm = (token: string | undefined) => call("GET", `${keyless.facts.url}/subscriptions?api-version=2022-12-01`, token);
  const dataPlane = (token: string) => call("GET", `${keyless.facts.demo!.endpoint}/info?api-version=2024-05-01-preview`, token);
  const graph = (token: string) => call("POST", `${keyless.facts.url}/graph/v1.0/applications`, token, { displayName: "must-not-exist" });
  const adminClaims = () => decodeJwt(adminToken);
  /** A token signed with the server's real key but with chosen claims. */
  const mintReal = async (overrides: {
    audience?: string;
    tenantId?: string;
    issuer?: string;
    lifetimeSeconds?: number;
    nowOffsetMs?: number;
    objectId?: string;
  }) => {
    const claims = adminClaims();
    const tenantId = overrides.tenantId ?? keyless.facts.tenantId;
    const clock = { now: () => systemClock.now() + (overrides.nowOffsetMs ?? 0) };
    const minted = await mintAccessToken(directory.keys, clock, {
      issuer: overrides.issuer ?? `${keyless.facts.url}/${tenantId}/`,
      tenantId,
      audience: overrides.audience ?? ARM,
      scopes: [],
      lifetimeSeconds: overrides.lifetimeSeconds ?? 3600,
      subject: {
        kind: "user",
        objectId: overrides.objectId ?? (claims.oid as string),
        userPrincipalName: claims.upn as string,
        displayName: "x",
        clientAppId: AZURE_CLI_CLIENT_ID,
        authMethods: ["pwd"],
      },
    });
    return minted.token;
  };

  test("the genuine token works (the control)", async () => {
    assert.equal((await arm(adminToken)).status, 200);
  });

  test("alg none, HS256 keyed with our public key, unknown kid, tampered payload: 401 on ARM, Graph and the data plane", async () => {
    const [header, payload] = adminToken.split(".");
    const tamperedPayload = base64url.encode(JSON.stringify({ ...adminClaims(), oid: crypto.randomUUID() }));
    const jwks = (await (await fetch(`${keyless.facts.url}/adfs/discovery/keys`)).json()) as { keys: { kid: string; n: string }[] };
    const publicKeyAsSecret = new TextEncoder().encode(JSON.stringify(jwks.keys[0]));
    const { privateKey: strangerKey } = await generateKeyPair("RS256");
    const forged = {
      algNone: `${base64url.encode(JSON.stringify({ alg: "none", typ: "JWT", kid: jwks.keys[0]!.kid }))}.${payload}.`,
      hs256: await new SignJWT(adminClaims()).setProtectedHeader({ alg: "HS256", kid: jwks.keys[0]!.kid }).sign(publicKeyAsSecret),
      unknownKid: await new SignJWT(adminClaims()).setProtectedHeader({ alg: "RS256", kid: "not-our-key" }).sign(strangerKey),
      ourKidStrangerKey: await new SignJWT(adminClaims()).setProtectedHeader({ alg: "RS256", kid: jwks.keys[0]!.kid }).sign(strangerKey),
      tampered: `${header}.${tamperedPayload}.${adminToken.split(".")[2]}`,
      malformed: "eyJhbGciOi.not-a-jwt",
      oversized: `${header}.${"A".repeat(13_000)}.${adminToken.split(".")[2]}`,
    };
    for (const [name, token] of Object.entries(forged)) {
      const response = await arm(token);
      assert.equal(response.status, 401, `${name}: ${JSON.stringify(response.body)}`);
      assert.equal(response.body.error.code, "InvalidAuthenticationToken", name);
      assert.ok(!JSON.stringify(response.body).includes(token.slice(0, 40)), `${name}: the token is not echoed`);
      assert.equal((await graph(token)).status, 401, `${name} on Graph`);
      assert.equal((await dataPlane(token)).status, 401, `${name} on the data plane`);
    }
  });

  test("expired, not yet valid, wrong audience, wrong issuer or tenant: 401 even with our real signature", async () => {
    const expired = await arm(await mintReal({ lifetimeSeconds: 600, nowOffsetMs: -3600_000 }));
    assert.equal(expired.status, 401);
    assert.equal(expired.body.error.code, "ExpiredAuthenticationToken");
    assert.equal((await arm(await mintReal({ nowOffsetMs: 3600_000 }))).status, 401, "nbf an hour ahead");
    const wrongAudience = await arm(await mintReal({ audience: "https://cognitiveservices.azure.com" }));
    assert.equal(wrongAudience.status, 401);
    assert.equal(wrongAudience.body.error.code, "InvalidAuthenticationTokenAudience");
    assert.equal(
      (await arm(await mintReal({ issuer: `https://evil.example/${keyless.facts.tenantId}/` }))).status,
      200,
      "the issuer host follows the request origin, only its tenant is bound",
    );
    assert.equal(
      (await arm(await mintReal({ issuer: `${keyless.facts.url}/${crypto.randomUUID()}/` }))).status,
      401,
      "issuer of another tenant",
    );
    assert.equal((await arm(await mintReal({ issuer: `${keyless.facts.url}/adfs` }))).status, 401, "an id-token style issuer");
    assert.equal((await arm(await mintReal({ objectId: crypto.randomUUID() }))).status, 401, "a principal that does not exist");
    assert.equal((await arm(undefined)).status, 401);
  });

  test("a disabled user's token and a deleted managed identity's token are refused; the disabled user cannot get new ones", async () => {
    const user = await directory.directory.createUser(keyless.facts.tenantId, {
      userPrincipalName: `victim@${keyless.facts.adminUsername.split("@")[1]}`,
      displayName: "Victim",
      password: "Victim-Password-1",
    });
    const login = (password: string) =>
      fetch(`${keyless.facts.url}/adfs/oauth2/token`, {
        method: "POST",
        body: new URLSearchParams({
          grant_type: "password",
          client_id: AZURE_CLI_CLIENT_ID,
          username: user.userPrincipalName,
          password,
          scope: `${ARM}/.default offline_access`,
        }),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
    const signedIn = await login("Victim-Password-1");
    assert.equal((await arm(signedIn.body.access_token as string)).status, 200);
    await directory.disableUser(user.id);
    await new Promise((resolve) => setTimeout(resolve, 5200)); // the validator re-reads principal status every 5 s
    assert.equal((await arm(signedIn.body.access_token as string)).status, 401);
    assert.deepEqual((await login("Victim-Password-1")).body.error_codes, [50057]);
    const refreshed = await fetch(`${keyless.facts.url}/adfs/oauth2/token`, {
      method: "POST",
      body: new URLSearchParams({
        grant_type: "refresh_token",
        client_id: AZURE_CLI_CLIENT_ID,
        refresh_token: signedIn.body.refresh_token as string,
        scope: `${ARM}/.default`,
      }),
    }).then((r) => r.json() as Promise<Record<string, unknown>>);
    assert.deepEqual(refreshed.error_codes, [50057]);

    const mi = await managedIdentityFixture(keyless, "to-be-deleted");
    const miToken = await fetch(`${mi.appServiceEnv.IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=${encodeURIComponent(ARM)}`, {
      headers: { "x-identity-header": mi.appServiceEnv.IDENTITY_HEADER! },
    }).then((r) => r.json() as Promise<{ access_token: string }>);
    assert.equal((await arm(miToken.access_token)).status, 200);
    await mi.delete();
    await new Promise((resolve) => setTimeout(resolve, 5200));
    assert.equal((await arm(miToken.access_token)).status, 401);
  });

  test("ten wrong passwords lock the account (AADSTS50053) even for the right password; errors carry timestamp, trace and correlation ids", async () => {
    const user = await directory.directory.createUser(keyless.facts.tenantId, {
      userPrincipalName: `guessed@${keyless.facts.adminUsername.split("@")[1]}`,
      displayName: "Guessed",
      password: "Guessed-Password-1",
    });
    const attempt = (password: string) =>
      fetch(`${keyless.facts.url}/adfs/oauth2/token`, {
        method: "POST",
        headers: { "client-request-id": "5d1c0bd2-56a1-4a5e-9d6c-3e5f1d1f0c11" },
        body: new URLSearchParams({
          grant_type: "password",
          client_id: AZURE_CLI_CLIENT_ID,
          username: user.userPrincipalName,
          password,
          scope: `${ARM}/.default`,
        }),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
    for (let i = 0; i < 10; i++) {
      const wrong = await attempt(`wrong-${i}`);
      assert.deepEqual(wrong.body.error_codes, [50126], `attempt ${i}`);
    }
    const locked = await attempt("Guessed-Password-1");
    assert.equal(locked.status, 400);
    assert.equal(locked.body.error, "invalid_grant");
    assert.match(locked.body.error_description as string, /^AADSTS50053: /);
    assert.match(locked.body.timestamp as string, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
    assert.match(locked.body.trace_id as string, /./);
    assert.equal(locked.body.correlation_id, "5d1c0bd2-56a1-4a5e-9d6c-3e5f1d1f0c11");
    assert.ok(!JSON.stringify(locked.body).includes("Guessed-Password-1"));
  });

  test("one source guessing across many accounts is locked out, whoever it tries next (run last: it locks this address)", async () => {
    const attempt = (username: string, password: string) =>
      fetch(`${keyless.facts.url}/adfs/oauth2/token`, {
        method: "POST",
        body: new URLSearchParams({ grant_type: "password", client_id: AZURE_CLI_CLIENT_ID, username, password, scope: `${ARM}/.default` }),
      }).then((r) => r.json() as Promise<Record<string, unknown>>);
    for (let i = 0; i < 30; i++) await attempt(`nobody-${i}@example.com`, "guess");
    assert.deepEqual((await attempt(keyless.facts.adminUsername, ADMIN_PASSWORD)).error_codes, [50053]);
  });
});
