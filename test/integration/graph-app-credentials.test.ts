import assert from "node:assert/strict";
import { createHash, X509Certificate } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { ClientCertificateCredential, UsernamePasswordCredential } from "@azure/identity";
import { decodeJwt } from "jose";
import { AZURE_CLI_CLIENT_ID, adminCredential, COGNITIVE_SCOPE, call, GRAPH_SCOPE, registerApp } from "../harness/clients.ts";
import { certificateKey } from "../harness/graph-credentials.ts";
import { useKeyless } from "../harness/keyless.ts";
import { selfSignedCertificate } from "../harness/test-certificates.ts";

describe("Graph: application certificates (keyCredentials) and federated identity credentials", () => {
  const keyless = useKeyless();
  let graph: string;
  let admin: string;
  let app: Awaited<ReturnType<typeof registerApp>>;
  const appUrl = () => `${graph}/applications/${app.applicationId}`;
  const keyCredentials = async () => (await call("GET", appUrl(), admin)).body.keyCredentials as Record<string, unknown>[];
  const newKey = (pem: string, extra: Record<string, unknown> = {}) => ({
    type: "AsymmetricX509Cert",
    usage: "Verify",
    key: certificateKey(pem),
    displayName: "ci",
    ...extra,
  });

  before(async () => {
    graph = `${keyless.facts.url}/graph/v1.0`;
    admin = (await adminCredential(keyless.facts).getToken(GRAPH_SCOPE))!.token;
    app = await registerApp(keyless.facts, admin, "credentials-app");
  });

  test("PATCH keyCredentials adds a certificate; GET shows its SHA-1 thumbprint and validity, never the key; it signs the app in", async () => {
    const certificate = await selfSignedCertificate("graph-cert");
    const patch = await call("PATCH", appUrl(), admin, { keyCredentials: [newKey(certificate.certificatePem)] });
    assert.equal(patch.status, 204, JSON.stringify(patch.body));
    const x509 = new X509Certificate(certificate.certificatePem);
    const [shown] = await keyCredentials();
    assert.equal(shown!.customKeyIdentifier, createHash("sha1").update(x509.raw).digest("hex").toUpperCase());
    assert.equal(shown!.key, null);
    assert.equal(shown!.type, "AsymmetricX509Cert");
    assert.equal(shown!.usage, "Verify");
    assert.equal(shown!.displayName, "ci");
    assert.equal(shown!.startDateTime, new Date(x509.validFrom).toISOString());
    assert.equal(shown!.endDateTime, new Date(x509.validTo).toISOString());
    assert.ok(
      !JSON.stringify(await call("GET", `${graph}/applications`, admin)).includes(certificateKey(certificate.certificatePem).slice(0, 40)),
    );

    const path = join(keyless.dataDir, "graph-cert.pem");
    writeFileSync(path, certificate.privateKeyPem + certificate.certificatePem);
    const token = await new ClientCertificateCredential(
      keyless.facts.tenantId,
      app.appId,
      { certificatePath: path },
      { authorityHost: keyless.facts.url, disableInstanceDiscovery: true },
    ).getToken(COGNITIVE_SCOPE);
    assert.equal(decodeJwt(token!.token).appidacr, "2");
  });

  test("the list replaces the whole collection: kept by keyId, added by key, dropped when left out", async () => {
    const first = (await keyCredentials())[0]!;
    const second = await selfSignedCertificate("second");
    assert.equal(
      (await call("PATCH", appUrl(), admin, { keyCredentials: [{ keyId: first.keyId, key: null }, newKey(second.certificatePem)] })).status,
      204,
    );
    const both = await keyCredentials();
    assert.equal(both.length, 2);
    assert.ok(both.some((k) => k.keyId === first.keyId));
    // The same certificate sent again (as `az ad app credential reset --append` does) is kept, not duplicated.
    assert.equal(
      (await call("PATCH", appUrl(), admin, { keyCredentials: [...both.map((k) => ({ ...k, key: null })), newKey(second.certificatePem)] }))
        .status,
      204,
    );
    assert.equal((await keyCredentials()).length, 2);
    assert.equal((await call("PATCH", appUrl(), admin, { keyCredentials: [{ keyId: first.keyId }] })).status, 204);
    assert.deepEqual(
      (await keyCredentials()).map((k) => k.keyId),
      [first.keyId],
    );
  });

  test("bad certificates are refused with Request_BadRequest and change nothing", async () => {
    const before = await keyCredentials();
    const expired = await selfSignedCertificate("expired", -1);
    const cases: [unknown, RegExp][] = [
      [
        [
          newKey((await selfSignedCertificate("ok")).certificatePem),
          { type: "AsymmetricX509Cert", usage: "Verify", key: "bm90IGEgY2VydA==" },
        ],
        /base64-encoded DER X\.509 certificate/,
      ],
      [[newKey(expired.certificatePem)], /expired/],
      [[{ ...newKey((await selfSignedCertificate("sym")).certificatePem), type: "Symmetric" }], /must be 'AsymmetricX509Cert'/],
      [[{ ...newKey((await selfSignedCertificate("sign")).certificatePem), usage: "Sign" }], /must be 'Verify'/],
      [[{ keyId: crypto.randomUUID() }], /no certificate with keyId/],
      ["not-a-list", /must be a list/],
    ];
    for (const [keyCredentialsBody, message] of cases) {
      const refused = await call("PATCH", appUrl(), admin, { keyCredentials: keyCredentialsBody });
      assert.equal(refused.status, 400, JSON.stringify(refused.body));
      assert.equal(refused.body.error.code, "Request_BadRequest");
      assert.match(refused.body.error.message, message);
      assert.deepEqual(await keyCredentials(), before);
    }
  });

  test("federated identity credentials: create with the default audience, list, get by id or name, delete", async () => {
    const base = `${appUrl()}/federatedIdentityCredentials`;
    const body = {
      name: "github-main",
      issuer: "https://token.actions.githubusercontent.com",
      subject: "repo:contoso/app:ref:refs/heads/main",
      description: "deploys",
    };
    const created = await call("POST", base, admin, body);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual(created.body.audiences, ["api://AzureADTokenExchange"]);
    assert.match(created.body["@odata.context"], /\$metadata#applications\('[0-9a-f-]{36}'\)\/federatedIdentityCredentials\/\$entity$/);
    assert.deepEqual(
      { ...created.body, "@odata.context": undefined, id: undefined },
      { ...body, audiences: ["api://AzureADTokenExchange"], "@odata.context": undefined, id: undefined },
    );

    const duplicate = await call("POST", base, admin, body);
    assert.equal(duplicate.status, 400);
    assert.equal(duplicate.body.error.code, "Request_MultipleObjectsWithSameKeyValue");
    const badIssuer = await call("POST", base, admin, { ...body, name: "x", issuer: "http://insecure.example" });
    assert.equal(badIssuer.body.error.code, "Request_BadRequest");
    const twoAudiences = await call("POST", base, admin, { ...body, name: "y", audiences: ["a", "b"] });
    assert.match(twoAudiences.body.error.message, /exactly one audience/);

    const list = await call("GET", base, admin);
    assert.deepEqual(
      list.body.value.map((f: { name: string }) => f.name),
      ["github-main"],
    );
    assert.equal((await call("GET", `${base}/github-main`, admin)).body.id, created.body.id);
    assert.equal((await call("GET", `${base}/${created.body.id}`, admin)).body.name, "github-main");
    assert.equal((await call("DELETE", `${base}/github-main`, admin)).status, 204);
    const gone = await call("GET", `${base}/${created.body.id}`, admin);
    assert.equal(gone.status, 404);
    assert.equal(gone.body.error.code, "Request_ResourceNotFound");
    assert.equal((await call("DELETE", `${base}/github-main`, admin)).status, 404);
  });

  test("a member without Application Administrator can read credentials but not change them", async () => {
    const created = await call("POST", `${graph}/users`, admin, {
      accountEnabled: true,
      displayName: "member",
      mailNickname: "member",
      userPrincipalName: "member@keyless.local",
      passwordProfile: { password: "Member-Passw0rd!", forceChangePasswordNextSignIn: false },
    });
    assert.equal(created.status, 201);
    const member = (await new UsernamePasswordCredential(
      keyless.facts.tenantId,
      AZURE_CLI_CLIENT_ID,
      "member@keyless.local",
      "Member-Passw0rd!",
      { authorityHost: keyless.facts.url, disableInstanceDiscovery: true },
    ).getToken(GRAPH_SCOPE))!.token;
    const before = await keyCredentials();
    const patch = await call("PATCH", appUrl(), member, {
      keyCredentials: [newKey((await selfSignedCertificate("intruder")).certificatePem)],
    });
    assert.equal(patch.status, 403);
    assert.equal(patch.body.error.code, "Authorization_RequestDenied");
    assert.deepEqual(await keyCredentials(), before);
    const post = await call("POST", `${appUrl()}/federatedIdentityCredentials`, member, {
      name: "sneaky",
      issuer: "https://issuer.example",
      subject: "me",
    });
    assert.equal(post.status, 403);
    assert.equal((await call("GET", `${appUrl()}/federatedIdentityCredentials`, member)).status, 200);
  });
});
