import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { ManagedIdentityCredential } from "@azure/identity";
import { decodeJwt } from "jose";
import { COGNITIVE_SCOPE } from "../harness/clients.ts";
import { useKeyless } from "../harness/keyless.ts";
import { managedIdentityFixture } from "../harness/managed-identity-fixture.ts";

// A file of its own: ManagedIdentityCredential caches its endpoint choice per process.
describe("managed identity: the IMDS path through AZURE_POD_IDENTITY_AUTHORITY_HOST", () => {
  const keyless = useKeyless();
  let mi: Awaited<ReturnType<typeof managedIdentityFixture>>;
  before(async () => {
    mi = await managedIdentityFixture(keyless, "imds-identity");
  });

  test("ManagedIdentityCredential (IMDS, system-assigned style, no client id) gets the identity's token", async () => {
    process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST = mi.imdsEnv.AZURE_POD_IDENTITY_AUTHORITY_HOST;
    try {
      const token = await new ManagedIdentityCredential().getToken(COGNITIVE_SCOPE);
      const claims = decodeJwt(token!.token);
      assert.equal(claims.oid, mi.identity.principalId);
      assert.equal(claims.xms_mirid, mi.resourceId);
      assert.equal(claims.aud, "https://cognitiveservices.azure.com");
    } finally {
      delete process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST;
    }
  });
});
