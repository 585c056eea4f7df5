import assert from "node:assert/strict";
import { createPrivateKey, createHash, X509Certificate } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  ClientAssertionCredential,
  ClientCertificateCredential,
  DefaultAzureCredential,
  EnvironmentCredential,
  WorkloadIdentityCredential,
} from "@azure/identity";
import { decodeJwt, SignJWT } from "jose";
import { COGNITIVE_SCOPE, GRAPH_SCOPE, adminCredential, registerApp } from "../harness/clients.ts";
import { addCertificate, addFederatedCredential } from "../harness/graph-credentials.ts";
import { ADMIN_PASSWORD } from "../harness/keyless-process.ts";
import { useKeyless } from "../harness/keyless.ts";
import { startOidcIssuer } from "../harness/oidc-issuer.ts";
import { selfSignedCertificate } from "../harness/test-certificates.ts";

const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

describe("client assertions: certificates and workload identity federation", () => {
  let issuer: Awaited<ReturnType<typeof startOidcIssuer>>;
  before(async () => {
    issuer = await startOidcIssuer();
  });
  // The operator allows this issuer's keys to be fetched (nothing else is).
  const keyless = useKeyless(() => ({ env: { KEYLESS_FEDERATED_ISSUERS: issuer.issuer } }));
  let app: { appId: string; objectId: string; secret: string; applicationId: string };
  let certificate: { certificatePem: string; privateKeyPem: string };
  const workDir = mkdtempSync(join(tmpdir(), "keyless-assertions-"));

  before(async () => {
    // Registered as an administrator does it: through Graph, with the admin's token.
    const graphToken = (await adminCredential(keyless.facts).getToken(GRAPH_SCOPE))!.token;
    app = await registerApp(keyless.facts, graphToken, "assertion-app");
    certificate = await selfSignedCertificate("assertion-app");
    await addCertificate(keyless.facts, graphToken, app.applicationId, certificate.certificatePem);
    await addFederatedCredential(keyless.facts, graphToken, app.applicationId, {
      name: "workload",
      issuer: issuer.issuer,
      subject: "system:serviceaccount:default:worker",
    });
  });
  after(async () => {
    await issuer?.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  const tokenEndpoint = () => `${keyless.facts.url}/${keyless.facts.tenantId}/oauth2/v2.0/token`;
  const options = () => ({ authorityHost: keyless.facts.url, disableInstanceDiscovery: true });
  const postAssertion = async (assertion: string) => {
    const response = await fetch(tokenEndpoint(), {
      method: "POST",
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: app.appId,
        scope: COGNITIVE_SCOPE,
        client_assertion_type: JWT_BEARER,
        client_assertion: assertion,
      }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const certificateAssertion = (claims: { aud?: string; jti?: string; exp?: string; x5t?: string }, alg = "RS256", pem = certificate) => {
    const der = new X509Certificate(pem.certificatePem).raw;
    return new SignJWT({ jti: claims.jti ?? crypto.randomUUID() })
      .setProtectedHeader({ alg, typ: "JWT", x5t: claims.x5t ?? createHash("sha1").update(der).digest("base64url") })
      .setIssuer(app.appId)
      .setSubject(app.appId)
      .setAudience(claims.aud ?? tokenEndpoint())
      .setIssuedAt()
      .setExpirationTime(claims.exp ?? "10m")
      .sign(createPrivateKey(pem.privateKeyPem));
  };

  test("ClientCertificateCredential (PS256, x5t#S256) gets an app token with appidacr 2", async () => {
    const path = join(workDir, "client.pem");
    writeFileSync(path, certificate.privateKeyPem + certificate.certificatePem);
    const token = await new ClientCertificateCredential(keyless.facts.tenantId, app.appId, { certificatePath: path }, options()).getToken(
      COGNITIVE_SCOPE,
    );
    const claims = decodeJwt(token!.token);
    assert.equal(claims.oid, app.objectId);
    assert.equal(claims.appidacr, "2");
  });

  test("an RS256 assertion with x5t works once; its replay, a wrong audience, an unregistered or expired certificate are refused", async () => {
    const jti = crypto.randomUUID();
    const assertion = await certificateAssertion({ jti });
    assert.equal((await postAssertion(assertion)).status, 200);
    const replay = await postAssertion(assertion);
    assert.equal(replay.status, 401);
    assert.deepEqual(replay.body.error_codes, [700023]);

    const wrongAudience = await postAssertion(await certificateAssertion({ aud: "https://elsewhere.example/token" }));
    assert.equal(wrongAudience.status, 401);
    assert.match(wrongAudience.body.error_description as string, /^AADSTS700027: Client assertion contains an invalid audience/);

    const stranger = await selfSignedCertificate("stranger");
    const unregistered = await postAssertion(await certificateAssertion({}, "RS256", stranger));
    assert.match(unregistered.body.error_description as string, /not registered on application/);

    // A stranger's key claiming the registered certificate's thumbprint fails signature validation.
    const forged = await postAssertion(
      await certificateAssertion(
        { x5t: createHash("sha1").update(new X509Certificate(certificate.certificatePem).raw).digest("base64url") },
        "RS256",
        { ...stranger, certificatePem: certificate.certificatePem },
      ),
    );
    assert.equal(forged.status, 401);
    assert.match(forged.body.error_description as string, /^AADSTS700027: Client assertion failed signature validation/);

    const expired = await postAssertion(await certificateAssertion({ exp: "-10m" }));
    assert.deepEqual(expired.body.error_codes, [700024]);
    const hs256 = await postAssertion(
      await new SignJWT({})
        .setProtectedHeader({ alg: "HS256", x5t: "abc" })
        .setIssuer(app.appId)
        .sign(new TextEncoder().encode("k".repeat(32))),
    );
    assert.equal(hs256.status, 401);
  });

  test("ClientAssertionCredential with a token from a trusted external issuer", async () => {
    const credential = new ClientAssertionCredential(
      keyless.facts.tenantId,
      app.appId,
      () => issuer.mint("system:serviceaccount:default:worker", "api://AzureADTokenExchange"),
      options(),
    );
    const claims = decodeJwt((await credential.getToken(COGNITIVE_SCOPE))!.token);
    assert.equal(claims.oid, app.objectId);
    assert.equal(claims.aud, "https://cognitiveservices.azure.com");
  });

  test("WorkloadIdentityCredential reads the projected token file", async () => {
    const tokenFilePath = join(workDir, "sa-token");
    writeFileSync(tokenFilePath, await issuer.mint("system:serviceaccount:default:worker", "api://AzureADTokenExchange"));
    const credential = new WorkloadIdentityCredential({
      tenantId: keyless.facts.tenantId,
      clientId: app.appId,
      tokenFilePath,
      ...options(),
    });
    assert.equal(decodeJwt((await credential.getToken(COGNITIVE_SCOPE))!.token).appid, app.appId);
  });

  test("federated assertions with another subject, audience or issuer are refused with the matching AADSTS code", async () => {
    assert.deepEqual(
      (await postAssertion(await issuer.mint("system:serviceaccount:default:intruder", "api://AzureADTokenExchange"))).body.error_codes,
      [700213],
    );
    assert.deepEqual(
      (await postAssertion(await issuer.mint("system:serviceaccount:default:worker", "api://other"))).body.error_codes,
      [700212],
    );
    const rogue = await startOidcIssuer();
    try {
      assert.deepEqual(
        (await postAssertion(await rogue.mint("system:serviceaccount:default:worker", "api://AzureADTokenExchange"))).body.error_codes,
        [700211],
      );
    } finally {
      await rogue.close();
    }
    assert.deepEqual(
      (await postAssertion(await issuer.mint("system:serviceaccount:default:worker", "api://AzureADTokenExchange", -600))).body.error_codes,
      [700024],
    );
  });

  test("EnvironmentCredential and DefaultAzureCredential from environment variables only (tenant adfs): secret, then certificate", async () => {
    const path = join(workDir, "env-client.pem");
    writeFileSync(path, certificate.privateKeyPem + certificate.certificatePem);
    const base = { AZURE_TENANT_ID: "adfs", AZURE_CLIENT_ID: app.appId, AZURE_AUTHORITY_HOST: keyless.facts.url };
    const withEnv = async (vars: Record<string, string>, run: () => Promise<void>) => {
      Object.assign(process.env, vars);
      try {
        await run();
      } finally {
        for (const name of Object.keys(vars)) delete process.env[name];
      }
    };
    await withEnv({ ...base, AZURE_CLIENT_SECRET: app.secret }, async () => {
      const claims = decodeJwt((await new DefaultAzureCredential().getToken(COGNITIVE_SCOPE))!.token);
      assert.equal(claims.oid, app.objectId);
      assert.equal(claims.appidacr, "1");
    });
    await withEnv({ ...base, AZURE_CLIENT_CERTIFICATE_PATH: path }, async () => {
      const claims = decodeJwt((await new EnvironmentCredential().getToken(COGNITIVE_SCOPE))!.token);
      assert.equal(claims.oid, app.objectId);
      assert.equal(claims.appidacr, "2");
    });
  });

  test("a confidential client may sign a user in with a certificate assertion instead of a secret, and must prove itself", async () => {
    const ropc = (extra: Record<string, string>) =>
      fetch(tokenEndpoint(), {
        method: "POST",
        body: new URLSearchParams({
          grant_type: "password",
          client_id: app.appId,
          username: keyless.facts.adminUsername,
          password: ADMIN_PASSWORD,
          scope: `${COGNITIVE_SCOPE} openid`,
          ...extra,
        }),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, string> }));
    const signed = await ropc({ client_assertion_type: JWT_BEARER, client_assertion: await certificateAssertion({}) });
    assert.equal(signed.status, 200, JSON.stringify(signed.body));
    assert.equal(decodeJwt(signed.body.access_token!).appid, app.appId);
    assert.equal(decodeJwt(signed.body.id_token!).aud, app.appId);
    const anonymous = await ropc({});
    assert.equal(anonymous.status, 400);
    assert.match(anonymous.body.error_description!, /is confidential/);
  });
});
