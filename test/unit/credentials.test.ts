import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ConflictError, InvalidInputError, NotFoundError } from "../../src/core/errors.ts";
import { createSealedBox } from "../../src/core/sealed-box.ts";
import { createAppCredentials } from "../../src/directory/app-credentials.ts";
import { createDirectory } from "../../src/directory/directory.ts";
import { createManagedIdentities } from "../../src/directory/managed-identities.ts";
import { createStore } from "../../src/storage/store.ts";
import { dialects, freshDatabase } from "../harness/databases.ts";
import { selfSignedCertificate } from "../harness/test-certificates.ts";

for (const dialect of dialects) {
  describe(`application credentials and managed identities on ${dialect}`, () => {
    let database: Awaited<ReturnType<typeof freshDatabase>>;
    let env: Awaited<ReturnType<typeof setup>>;
    const clock = { now: () => Date.now() };

    async function setup() {
      const store = createStore(database);
      const directory = createDirectory(store.directory, clock, createSealedBox(Buffer.alloc(32, 3)).lookupDigest);
      const tenant = await directory.createTenant("T", `t${Math.random().toString(36).slice(2, 8)}.example`);
      const { application } = await directory.createApplication(tenant.id, "app", true);
      return {
        store,
        tenant,
        application,
        credentials: createAppCredentials(store.credentials, store.directory, clock),
        identities: createManagedIdentities(store.credentials, createSealedBox(Buffer.alloc(32, 3)), clock),
      };
    }
    before(async () => {
      database = await freshDatabase(dialect);
      env = await setup();
    });
    after(() => database.close());

    test("a certificate is stored with its x5t and x5t#S256 thumbprints and validity; bad or expired ones are refused", async () => {
      const { certificatePem } = await selfSignedCertificate("unit");
      const added = await env.credentials.addKeyCredential(env.application.id, { certificatePem });
      assert.match(added.thumbprintSha1, /^[\w-]{27}$/);
      assert.match(added.thumbprintSha256, /^[\w-]{43}$/);
      assert.ok(Date.parse(added.endAt) > Date.now());
      assert.deepEqual(
        (await env.credentials.listKeyCredentials(env.application.id)).map((k) => k.keyId),
        [added.keyId],
      );
      await assert.rejects(
        env.credentials.addKeyCredential(env.application.id, { certificatePem: "not a certificate" }),
        InvalidInputError,
      );
      await assert.rejects(env.credentials.addKeyCredential(crypto.randomUUID(), { certificatePem }), NotFoundError);
      await env.credentials.removeKeyCredential(env.application.id, added.keyId);
      assert.equal((await env.credentials.listKeyCredentials(env.application.id)).length, 0);
    });

    test("federated credentials: default audience, validation, unique names per application", async () => {
      const fic = await env.credentials.addFederatedCredential(env.application.id, {
        name: "gh",
        issuer: "https://token.actions.githubusercontent.com",
        subject: "repo:o/r:ref:refs/heads/main",
      });
      assert.deepEqual(fic.audiences, ["api://AzureADTokenExchange"]);
      await assert.rejects(
        env.credentials.addFederatedCredential(env.application.id, { name: "gh", issuer: "https://x.example", subject: "s" }),
        ConflictError,
      );
      await assert.rejects(
        env.credentials.addFederatedCredential(env.application.id, { name: "plain", issuer: "http://x.example", subject: "s" }),
        InvalidInputError,
      );
      await assert.rejects(
        env.credentials.addFederatedCredential(env.application.id, {
          name: "two",
          issuer: "https://x.example",
          subject: "s",
          audiences: ["a", "b"],
        }),
        InvalidInputError,
      );
      await env.credentials.removeFederatedCredential(env.application.id, "gh");
      assert.equal((await env.credentials.listFederatedCredentials(env.application.id)).length, 0);
    });

    test("managed identities: a ManagedIdentity service principal, secret look-up, rotation, one identity per resource, delete", async () => {
      const resourceId = `/subscriptions/${crypto.randomUUID()}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1`;
      const identity = await env.identities.createManagedIdentity({ tenantId: env.tenant.id, resourceId, name: "id1" });
      const principal = await env.store.directory.getServicePrincipal(identity.principalId);
      assert.equal(principal?.servicePrincipalType, "ManagedIdentity");
      assert.equal(principal?.appId, identity.clientId);
      const secretOf = async () =>
        (await env.identities.workloadEnvironment(identity.clientId, "https://k.example")).appService[1]!.split("=")[1]!;
      const secret = await secretOf();
      assert.match(secret, /^[0-9a-f]{64}$/);
      assert.equal(
        (await env.identities.findByEndpointSecret(secret.toUpperCase()))?.clientId,
        identity.clientId,
        "IMDS clients lower- or upper-case the URL",
      );
      await env.identities.rotateEndpointSecret(resourceId.toUpperCase());
      assert.equal(await env.identities.findByEndpointSecret(secret), undefined);
      assert.equal((await env.identities.findByEndpointSecret(await secretOf()))?.principalId, identity.principalId);
      await assert.rejects(env.identities.createManagedIdentity({ tenantId: env.tenant.id, resourceId, name: "again" }), ConflictError);
      await assert.rejects(
        env.identities.createManagedIdentity({ tenantId: env.tenant.id, resourceId: "not-an-arm-id", name: "x" }),
        InvalidInputError,
      );
      await env.identities.deleteManagedIdentity(identity.clientId);
      assert.equal(await env.store.directory.getServicePrincipal(identity.principalId), undefined);
      assert.equal(await env.identities.getManagedIdentity(resourceId), undefined);
    });
  });
}
