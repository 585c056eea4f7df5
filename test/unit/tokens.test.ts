import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createSealedBox } from "../../src/core/sealed-box.ts";
import { openDatabase } from "../../src/storage/database.ts";
import { createStore } from "../../src/storage/store.ts";
import { parseScopeParameter } from "../../src/tokens/audiences.ts";
import { mintAccessToken } from "../../src/tokens/mint.ts";
import { openKeyRing } from "../../src/tokens/signing-keys.ts";
import { createTokenValidator, TokenRejectedError } from "../../src/tokens/validator.ts";

async function fixture() {
  const store = createStore(await openDatabase("sqlite::memory:"));
  const keys = await openKeyRing(store.keys, createSealedBox(Buffer.alloc(32, 7)));
  let now = Date.parse("2026-06-01T00:00:00Z");
  const clock = { now: () => now };
  const mint = (audience: string, tenantId = "11111111-1111-4111-8111-111111111111") =>
    mintAccessToken(keys, clock, {
      issuer: `https://localhost:8443/${tenantId}/`,
      tenantId,
      audience,
      scopes: [],
      lifetimeSeconds: 3600,
      subject: {
        kind: "app",
        objectId: "22222222-2222-4222-8222-222222222222",
        appId: "33333333-3333-4333-8333-333333333333",
        displayName: "a",
        credential: "secret",
      },
    });
  return { store, keys, clock, mint, advance: (ms: number) => (now += ms) };
}

describe("token validation", () => {
  test("accepts a fresh token for its audience and reads its claims", async () => {
    const f = await fixture();
    const { token } = await f.mint("https://cognitiveservices.azure.com");
    const validated = await createTokenValidator(f.keys, f.clock).validate(token, ["https://cognitiveservices.azure.com"]);
    assert.equal(validated.objectId, "22222222-2222-4222-8222-222222222222");
    assert.equal(validated.kind, "app");
  });

  test("refuses an expired token, even when a valid copy was cached before", async () => {
    const f = await fixture();
    const { token } = await f.mint("https://cognitiveservices.azure.com");
    const validator = createTokenValidator(f.keys, f.clock);
    await validator.validate(token, ["https://cognitiveservices.azure.com"]);
    f.advance(3600_000 + 301_000);
    await assert.rejects(
      validator.validate(token, ["https://cognitiveservices.azure.com"]),
      (e) => e instanceof TokenRejectedError && e.reason === "expired",
    );
    await assert.rejects(
      createTokenValidator(f.keys, f.clock).validate(token, ["https://cognitiveservices.azure.com"]),
      (e) => e instanceof TokenRejectedError && e.reason === "expired",
    );
  });

  test("refuses a token for another audience", async () => {
    const f = await fixture();
    const { token } = await f.mint("https://management.azure.com/");
    await assert.rejects(
      createTokenValidator(f.keys, f.clock).validate(token, ["https://cognitiveservices.azure.com"]),
      (e) => e instanceof TokenRejectedError && e.reason === "wrong-audience" && e.audience === "https://management.azure.com/",
    );
  });

  test("signing keys survive a reopen: tokens minted before still validate", async () => {
    const f = await fixture();
    const { token } = await f.mint("https://cognitiveservices.azure.com");
    const reopened = await openKeyRing(f.store.keys, createSealedBox(Buffer.alloc(32, 7)));
    assert.equal(reopened.active().kid, f.keys.active().kid);
    await createTokenValidator(reopened, f.clock).validate(token, ["https://cognitiveservices.azure.com"]);
  });
});

describe("scope parameter", () => {
  test("maps `.default` scopes to their resource, keeping the double slash of ARM's", () => {
    assert.deepEqual(parseScopeParameter("https://management.core.windows.net//.default offline_access openid profile"), {
      resource: "https://management.core.windows.net/",
      permissions: [],
      oidc: ["offline_access", "openid", "profile"],
    });
    assert.equal(parseScopeParameter("https://a/.default https://b/.default"), "several-resources");
    assert.equal(parseScopeParameter("openid"), undefined);
  });
});

describe("token rejection records and log redaction", () => {
  test("a refused token is reported by reason and a short digest, never the token; disabled and deleted principals are refused", async () => {
    const f = await fixture();
    const { token } = await f.mint("https://cognitiveservices.azure.com");
    const events: unknown[] = [];
    let status: "active" | "disabled" | "deleted" = "disabled";
    const validator = createTokenValidator(f.keys, f.clock, { principalStatus: async () => status, onRejection: (e) => events.push(e) });
    await assert.rejects(
      validator.validate(token, ["https://cognitiveservices.azure.com"]),
      (e) => e instanceof TokenRejectedError && e.reason === "principal-disabled",
    );
    f.advance(6000);
    status = "deleted";
    await assert.rejects(
      validator.validate(token, ["https://cognitiveservices.azure.com"]),
      (e) => e instanceof TokenRejectedError && e.reason === "principal-deleted",
    );
    await assert.rejects(
      validator.validate("x".repeat(13_000), ["https://cognitiveservices.azure.com"]),
      (e) => e instanceof TokenRejectedError && e.reason === "malformed",
    );
    assert.equal(events.length, 3);
    const logged = JSON.stringify(events);
    assert.ok(!logged.includes(token.split(".")[2]!) && !logged.includes(token.split(".")[1]!.slice(0, 30)));
    assert.match(logged, /"tokenDigest":"[\w-]{12}"/);
  });

  test("managed-identity path secrets are masked in logged URLs; the App Service path is left alone", async () => {
    const { redactManagedIdentityUrl } = await import("../../src/http/managed-identity-routes.ts");
    const secret = "a".repeat(64);
    assert.equal(
      redactManagedIdentityUrl(`/managed-identity/${secret}/metadata/identity/oauth2/token?resource=x`),
      "/managed-identity/[redacted]/metadata/identity/oauth2/token?resource=x",
    );
    assert.equal(redactManagedIdentityUrl(`/managed-identity/${secret}/msi/token`), "/managed-identity/[redacted]/msi/token");
    assert.equal(redactManagedIdentityUrl("/managed-identity/app-service?resource=x"), "/managed-identity/app-service?resource=x");
  });
});

describe("signing key rotation", () => {
  test("a new key is published a day before it signs; the old one stays published until its tokens expire, then retires", async () => {
    const { rotateSigningKeys, rotationPolicy } = await import("../../src/tokens/signing-keys.ts");
    const store = createStore(await openDatabase("sqlite::memory:"));
    const box = createSealedBox(Buffer.alloc(32, 9));
    let now = Date.parse("2026-06-01T00:00:00Z");
    const clock = { now: () => now };
    const policy = rotationPolicy(30, 3600);
    const ring = await openKeyRing(store.keys, box, clock, policy);
    const first = ring.active().kid;
    const mint = () =>
      mintAccessToken(ring, clock, {
        issuer: "https://localhost:8443/11111111-1111-4111-8111-111111111111/",
        tenantId: "11111111-1111-4111-8111-111111111111",
        audience: "https://cognitiveservices.azure.com",
        scopes: [],
        lifetimeSeconds: 3600,
        subject: {
          kind: "app",
          objectId: "22222222-2222-4222-8222-222222222222",
          appId: "33333333-3333-4333-8333-333333333333",
          displayName: "a",
          credential: "secret",
        },
      });
    assert.deepEqual(await rotateSigningKeys(store.keys, box, clock, policy), { added: undefined, retired: [] }, "not due yet");
    now += 30 * 86_400_000;
    const oldToken = (await mint()).token;
    const step = await rotateSigningKeys(store.keys, box, clock, policy);
    assert.ok(step.added);
    await ring.reload();
    assert.equal(ring.jwks().keys.length, 2, "both published");
    assert.equal(ring.active().kid, first, "the new key does not sign during its publication lead");
    now += 86_400_000 + 1;
    assert.equal(ring.active().kid, step.added);
    const validator = createTokenValidator(ring, clock);
    now -= 86_400_000 - 60_000; // back inside the old token's lifetime
    await validator.validate(oldToken, ["https://cognitiveservices.azure.com"]);
    now += 86_400_000 - 60_000 + (3600 + 600) * 1000;
    const retire = await rotateSigningKeys(store.keys, box, clock, policy);
    assert.deepEqual(retire.retired, [first]);
    await ring.reload();
    assert.deepEqual(
      ring.jwks().keys.map((k) => k.kid),
      [step.added],
    );
    await assert.rejects(
      createTokenValidator(ring, clock).validate(oldToken, ["https://cognitiveservices.azure.com"]),
      (e) => e instanceof TokenRejectedError,
    );
  });
});
