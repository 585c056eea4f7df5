import assert from "node:assert/strict";
import { createHash, X509Certificate } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ClientAssertionCredential, ClientCertificateCredential } from "@azure/identity";
import { decodeJwt } from "jose";
import { type AzureCli, azureCli, azureCliInstalled } from "../harness/azure-cli.ts";
import { COGNITIVE_SCOPE, GRAPH_SCOPE, adminCredential, grantDirectoryRole, registerApp } from "../harness/clients.ts";
import { useKeyless } from "../harness/keyless.ts";
import { startOidcIssuer } from "../harness/oidc-issuer.ts";
import { selfSignedCertificate } from "../harness/test-certificates.ts";
import { DirectoryRoleIds } from "../harness/role-ids.ts";

const skip = !azureCliInstalled && "azure-cli not installed";

/** `az ad app credential reset --cert` and `az ad app federated-credential` (Azure CLI 2.45) against the Graph subset. */
describe("az ad app certificates and federated credentials (Azure CLI 2.45)", { skip }, () => {
  let issuer: Awaited<ReturnType<typeof startOidcIssuer>>;
  before(async () => {
    issuer = await startOidcIssuer();
  });
  // The operator allows this issuer's keys to be fetched (nothing else is).
  const keyless = useKeyless(() => ({ env: { KEYLESS_FEDERATED_ISSUERS: issuer.issuer } }));
  let az: AzureCli;
  let appId: string;
  const options = () => ({ authorityHost: keyless.facts.url, disableInstanceDiscovery: true });

  before(async () => {
    const admin = (await adminCredential(keyless.facts).getToken(GRAPH_SCOPE))!.token;
    const operator = await registerApp(keyless.facts, admin, "az-credentials-operator");
    await grantDirectoryRole(keyless.facts, admin, DirectoryRoleIds.applicationAdministrator, operator.objectId);
    az = await azureCli(keyless.facts);
    await az.loginServicePrincipal(operator, { allowNoSubscriptions: true });
    appId = (await az.ok(["ad", "app", "create", "--display-name", "az-cert-app"])).appId;
    await az.ok(["ad", "sp", "create", "--id", appId]);
  });
  after(async () => {
    await az?.cleanup();
    await issuer?.close();
  });

  test("credential reset --cert @file, --append, list --cert and delete --cert; the certificate signs the app in", async () => {
    const first = await selfSignedCertificate("az-first");
    const second = await selfSignedCertificate("az-second");
    const firstFile = join(az.configDir, "first.pem");
    const secondFile = join(az.configDir, "second.pem");
    writeFileSync(firstFile, first.certificatePem);
    writeFileSync(secondFile, second.certificatePem);

    const reset = await az.ok(["ad", "app", "credential", "reset", "--id", appId, "--cert", `@${firstFile}`]);
    assert.equal(reset.appId, appId);
    await az.ok(["ad", "app", "credential", "reset", "--id", appId, "--cert", `@${secondFile}`, "--append"]);
    const listed = (await az.ok(["ad", "app", "credential", "list", "--id", appId, "--cert"])) as {
      customKeyIdentifier: string;
      keyId: string;
      key: unknown;
    }[];
    const thumbprint = (pem: string) => createHash("sha1").update(new X509Certificate(pem).raw).digest("hex").toUpperCase();
    assert.deepEqual(
      listed.map((k) => k.customKeyIdentifier).sort(),
      [thumbprint(first.certificatePem), thumbprint(second.certificatePem)].sort(),
    );
    assert.ok(listed.every((k) => k.key === null));

    const pemFile = join(az.configDir, "second-with-key.pem");
    writeFileSync(pemFile, second.privateKeyPem + second.certificatePem);
    const token = await new ClientCertificateCredential(keyless.facts.tenantId, appId, { certificatePath: pemFile }, options()).getToken(
      COGNITIVE_SCOPE,
    );
    assert.equal(decodeJwt(token!.token).appid, appId);

    const firstKey = listed.find((k) => k.customKeyIdentifier === thumbprint(first.certificatePem))!.keyId;
    await az.ok(["ad", "app", "credential", "delete", "--id", appId, "--key-id", firstKey, "--cert"]);
    const remaining = (await az.ok(["ad", "app", "credential", "list", "--id", appId, "--cert"])) as { customKeyIdentifier: string }[];
    assert.deepEqual(
      remaining.map((k) => k.customKeyIdentifier),
      [thumbprint(second.certificatePem)],
    );

    // Without --append a reset replaces every certificate, as in Entra.
    await az.ok(["ad", "app", "credential", "reset", "--id", appId, "--cert", `@${firstFile}`]);
    const replaced = (await az.ok(["ad", "app", "credential", "list", "--id", appId, "--cert"])) as { customKeyIdentifier: string }[];
    assert.deepEqual(
      replaced.map((k) => k.customKeyIdentifier),
      [thumbprint(first.certificatePem)],
    );
  });

  test("credential reset --create-cert writes a PEM with the private key that signs the app in", async () => {
    const created = await az.ok(["ad", "app", "credential", "reset", "--id", appId, "--create-cert", "--append"]);
    const pemFile = created.fileWithCertAndPrivateKey as string;
    assert.match(readFileSync(pemFile, "utf8"), /BEGIN PRIVATE KEY/);
    const token = await new ClientCertificateCredential(keyless.facts.tenantId, appId, { certificatePath: pemFile }, options()).getToken(
      COGNITIVE_SCOPE,
    );
    assert.equal(decodeJwt(token!.token).appidacr, "2");
  });

  test("app create --key-value registers the certificate with the application", async () => {
    const certificate = await selfSignedCertificate("az-create");
    const der = new X509Certificate(certificate.certificatePem).raw;
    const created = await az.ok([
      "ad",
      "app",
      "create",
      "--display-name",
      "az-created-with-cert",
      "--key-value",
      der.toString("base64"),
      "--key-display-name",
      "from create",
    ]);
    const [key] = created.keyCredentials as { customKeyIdentifier: string; displayName: string }[];
    assert.equal(key!.customKeyIdentifier, createHash("sha1").update(der).digest("hex").toUpperCase());
    assert.equal(key!.displayName, "from create");
  });

  test("federated-credential create / list / show / delete, and the credential admits a workload token", async () => {
    const parameters = {
      name: "k8s-worker",
      issuer: issuer.issuer,
      subject: "system:serviceaccount:default:az-worker",
      description: "from az",
      audiences: ["api://AzureADTokenExchange"],
    };
    const created = await az.ok(["ad", "app", "federated-credential", "create", "--id", appId, "--parameters", JSON.stringify(parameters)]);
    assert.equal(created.name, "k8s-worker");
    assert.equal(created.subject, parameters.subject);
    const listed = (await az.ok(["ad", "app", "federated-credential", "list", "--id", appId])) as { id: string }[];
    assert.deepEqual(
      listed.map((f) => f.id),
      [created.id],
    );
    assert.equal(
      (await az.ok(["ad", "app", "federated-credential", "show", "--id", appId, "--federated-credential-id", "k8s-worker"])).id,
      created.id,
    );

    const credential = new ClientAssertionCredential(
      keyless.facts.tenantId,
      appId,
      () => issuer.mint(parameters.subject, "api://AzureADTokenExchange"),
      options(),
    );
    assert.equal(decodeJwt((await credential.getToken(COGNITIVE_SCOPE))!.token).appid, appId);

    const duplicate = await az.run([
      "ad",
      "app",
      "federated-credential",
      "create",
      "--id",
      appId,
      "--parameters",
      JSON.stringify(parameters),
    ]);
    assert.notEqual(duplicate.code, 0);
    assert.match(duplicate.stderr, /already exists/);

    await az.ok(["ad", "app", "federated-credential", "delete", "--id", appId, "--federated-credential-id", created.id]);
    assert.deepEqual(await az.ok(["ad", "app", "federated-credential", "list", "--id", appId]), []);
    await assert.rejects(
      new ClientAssertionCredential(
        keyless.facts.tenantId,
        appId,
        () => issuer.mint(parameters.subject, "api://AzureADTokenExchange"),
        options(),
      ).getToken(COGNITIVE_SCOPE),
    );
  });
});
