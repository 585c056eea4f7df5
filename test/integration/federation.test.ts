import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type CryptoKey, decodeJwt, exportJWK, generateKeyPair, SignJWT } from "jose";
import { stringify } from "yaml";
import { ARM_SCOPE, adminCredential, call } from "../harness/clients.ts";
import { startServer, type TestServer } from "../harness/keyless.ts";
import { startOidcIssuer } from "../harness/oidc-issuer.ts";

describe("federation: tokens from external OIDC issuers, mapped onto Keyless principals", () => {
  const dir = mkdtempSync(join(tmpdir(), "keyless-federation-"));
  const airGapped = "https://idp.airgapped.example";
  let keyless: TestServer;
  let issuer: Awaited<ReturnType<typeof startOidcIssuer>>;
  let airGappedKey: CryptoKey;
  let adminObjectId: string;
  let output = "";

  before(async () => {
    issuer = await startOidcIssuer();
    const pair = await generateKeyPair("ES256");
    airGappedKey = pair.privateKey;
    writeFileSync(
      join(dir, "airgapped-keys.json"),
      JSON.stringify({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: "ag-1", alg: "ES256", use: "sig" }] }),
    );
    // The administrator's object id is needed for the mapping, so sign in once on a plain server first.
    const probe = await startServer();
    adminObjectId = decodeJwt((await adminCredential(probe.facts).getToken(ARM_SCOPE))!.token).oid as string;
    await probe.stop();
    writeFileSync(
      join(dir, "federation.yaml"),
      stringify({
        issuers: [
          {
            issuer: issuer.issuer,
            audiences: { "api://keyless": "arm" },
            principals: { "alice@corp": adminObjectId, "ghost@corp": "0b5e7d1c-0000-4000-8000-00000000dead" },
          },
          {
            issuer: airGapped,
            jwksFile: "airgapped-keys.json",
            subjectClaim: "oid",
            audiences: { "api://keyless-ai": "cognitive", "api://keyless-arm": "arm" },
            principals: { "e1d3c7c2-0000-4000-8000-000000000001": adminObjectId },
          },
        ],
      }),
    );
    // A child process: the log lines of its refusals are read below.
    keyless = await startServer({
      process: true,
      dataDir: probe.dataDir,
      env: { KEYLESS_FEDERATION_FILE: join(dir, "federation.yaml"), KEYLESS_LOG_FORMAT: "json" },
      onOutput: (chunk) => {
        output += chunk;
      },
    });
  });
  after(async () => {
    await issuer?.close();
    await keyless?.stop();
    keyless?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const arm = (token: string) => call("GET", `${keyless.facts.url}/subscriptions?api-version=2022-12-01`, token);
  const airGappedToken = (claims: Record<string, unknown>, audience: string) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: "ES256", kid: "ag-1" })
      .setIssuer(airGapped)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime("10m")
      .sign(airGappedKey);

  test("a token from an issuer found by discovery acts as the mapped principal on ARM", async () => {
    const response = await arm(await issuer.mint("alice@corp", "api://keyless"));
    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.ok(response.body.value.some((s: { subscriptionId: string }) => s.subscriptionId === keyless.facts.subscriptionId));
  });

  test("an air-gapped issuer (JWKS file, ES256, subject in oid) is accepted for the audiences mapped to ARM only", async () => {
    assert.equal((await arm(await airGappedToken({ oid: "e1d3c7c2-0000-4000-8000-000000000001" }, "api://keyless-arm"))).status, 200);
    const cognitiveOnly = await arm(await airGappedToken({ oid: "e1d3c7c2-0000-4000-8000-000000000001" }, "api://keyless-ai"));
    assert.equal(cognitiveOnly.status, 401);
    assert.equal(cognitiveOnly.body.error.code, "InvalidAuthenticationTokenAudience");
  });

  test("an unmapped subject, or one mapped to no principal, is refused and reported as what it is", async () => {
    const unmapped = await arm(await issuer.mint("mallory@corp", "api://keyless"));
    assert.equal(unmapped.status, 401);
    assert.equal(
      unmapped.body.error.message,
      `The access token is invalid. No Keyless principal is mapped to sub 'mallory@corp' of issuer '${issuer.issuer}'.`,
    );
    const ghost = await arm(await issuer.mint("ghost@corp", "api://keyless"));
    assert.equal(ghost.status, 401);
    assert.match(
      ghost.body.error.message,
      /^The access token is invalid. The federation file maps this token's subject .* to the principal '0b5e7d1c-[^']+', which does not exist in the tenant\.$/,
    );
    // The child writes its log lines asynchronously: wait (up to 10 s) for the second refusal's line.
    const reasons = () => [...output.matchAll(/"tokenRejection":\{"reason":"(principal-[^"]+)"/g)].map((m) => m[1]);
    for (let waited = 0; reasons().length < 2 && waited < 10_000; waited += 50) await new Promise((done) => setTimeout(done, 50));
    assert.deepEqual(reasons(), ["principal-unmapped", "principal-deleted"], output);
  });

  test("unmapped subjects, unlisted audiences, unknown issuers and foreign keys are refused", async () => {
    assert.equal((await arm(await issuer.mint("mallory@corp", "api://keyless"))).status, 401);
    assert.equal((await arm(await issuer.mint("alice@corp", "api://something-else"))).status, 401);
    const rogue = await startOidcIssuer();
    try {
      assert.equal((await arm(await rogue.mint("alice@corp", "api://keyless"))).status, 401, "an issuer not in the file");
    } finally {
      await rogue.close();
    }
    const { privateKey } = await generateKeyPair("ES256");
    const foreign = await new SignJWT({ oid: "e1d3c7c2-0000-4000-8000-000000000001" })
      .setProtectedHeader({ alg: "ES256", kid: "ag-1" })
      .setIssuer(airGapped)
      .setAudience("api://keyless-arm")
      .setIssuedAt()
      .setExpirationTime("10m")
      .sign(privateKey);
    assert.equal((await arm(foreign)).status, 401, "the trusted issuer's name with someone else's key");
  });
});
