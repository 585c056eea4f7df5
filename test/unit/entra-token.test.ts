import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type AccessToken, cachedToken } from "../../src/inference/backends/entra-token.ts";
import { checkModelsFile, ModelsFileError } from "../../src/inference/model-config.ts";

/** An identity provider stand-in that counts requests and can be held or made to fail (the acquisition is a port). */
function provider(now: () => number, lifetimeMs = 3_600_000) {
  let issued = 0;
  let failing = false;
  let gate: Promise<void> | undefined;
  return {
    acquire: async (): Promise<AccessToken> => {
      issued++;
      const n = issued;
      await gate;
      if (failing) throw new Error("provider down");
      return { token: `t${n}`, expiresAtMs: now() + lifetimeMs };
    },
    issued: () => issued,
    fail: (on: boolean) => {
      failing = on;
    },
    hold: () => {
      let open = () => {};
      gate = new Promise((resolve) => {
        open = resolve;
      });
      return () => {
        gate = undefined;
        open();
      };
    },
  };
}

describe("cached Entra tokens", () => {
  test("reused until refreshBeforeMs before expiry, then replaced", async () => {
    let clock = 0;
    const idp = provider(() => clock);
    const tokens = cachedToken(idp.acquire, { refreshBeforeMs: 300_000, now: () => clock });
    assert.equal(await tokens.get(), "t1");
    clock = 3_600_000 - 300_001;
    assert.equal(await tokens.get(), "t1");
    clock = 3_600_000 - 299_999;
    assert.equal(await tokens.get(), "t2");
    assert.equal(idp.issued(), 2);
  });

  test("concurrent callers share one acquisition", async () => {
    const idp = provider(() => 0);
    const tokens = cachedToken(idp.acquire, { refreshBeforeMs: 300_000, now: () => 0 });
    const open = idp.hold();
    const all = Promise.all(Array.from({ length: 20 }, () => tokens.get()));
    open();
    assert.deepEqual(new Set(await all), new Set(["t1"]));
    assert.equal(idp.issued(), 1);
  });

  test("a rejected token is replaced once, however many calls saw it rejected", async () => {
    const idp = provider(() => 0);
    const tokens = cachedToken(idp.acquire, { refreshBeforeMs: 300_000, now: () => 0 });
    assert.equal(await tokens.get(), "t1");
    const open = idp.hold();
    const both = Promise.all([tokens.get({ rejected: "t1" }), tokens.get({ rejected: "t1" })]);
    open();
    assert.deepEqual(await both, ["t2", "t2"]);
    // A late caller that saw t1 rejected gets t2, without a new request.
    assert.equal(await tokens.get({ rejected: "t1" }), "t2");
    assert.equal(idp.issued(), 2);
  });

  test("a failed refresh keeps a still-valid token; a failed first acquisition or forced refresh throws", async () => {
    let clock = 0;
    const idp = provider(() => clock);
    const failures: unknown[] = [];
    const tokens = cachedToken(idp.acquire, { refreshBeforeMs: 300_000, now: () => clock, onRefreshFailed: (e) => failures.push(e) });
    idp.fail(true);
    await assert.rejects(tokens.get(), /provider down/);
    idp.fail(false);
    assert.equal(await tokens.get(), "t2");
    clock = 3_500_000;
    idp.fail(true);
    assert.equal(await tokens.get(), "t2");
    assert.equal(failures.length, 1);
    await assert.rejects(tokens.get({ rejected: "t2" }), /provider down/);
  });
});

describe("models file: keyless upstream auth", () => {
  const file = (auth: unknown, extra: Record<string, unknown> = {}) => ({
    backends: [{ name: "up", type: "azure-openai", endpoint: "https://res.openai.azure.com", auth, ...extra }],
  });

  test("each auth type parses with its defaults", () => {
    const parsed = checkModelsFile(
      file({ type: "client-certificate", tenantId: "t", clientId: "c", certificateFile: "cert.pem" }),
      "/etc/keyless",
      "m.yaml",
    );
    const backend = parsed.backends[0]!;
    assert.ok(backend.type === "azure-openai");
    assert.equal(backend.apiVersion, "2024-10-21");
    assert.deepEqual(backend.auth, {
      type: "client-certificate",
      scope: "https://cognitiveservices.azure.com/.default",
      refreshBeforeExpirySeconds: 300,
      authorityHost: "https://login.microsoftonline.com",
      tenantId: "t",
      clientId: "c",
      certificateFile: "/etc/keyless/cert.pem",
    });
    const mi = checkModelsFile(file({ type: "managed-identity" }), "/", "m.yaml").backends[0]!;
    assert.ok(mi.type === "azure-openai" && mi.auth?.type === "managed-identity");
    assert.equal(mi.auth.endpointEnv, "IDENTITY_ENDPOINT");
  });

  test("bad auth blocks stop start-up with a message naming the entry", () => {
    assert.throws(() => checkModelsFile(file({ type: "password" }), "/", "m.yaml"), /backends\[0\]\.auth\.type must be one of/);
    assert.throws(
      () => checkModelsFile(file({ type: "client-secret", tenantId: "t", clientId: "c" }), "/", "m.yaml"),
      /clientSecretEnv is required/,
    );
    assert.throws(
      () =>
        checkModelsFile(
          file({ type: "client-secret", tenantId: "t", clientId: "c", clientSecretEnv: "S", authorityHost: "http://x" }),
          "/",
          "m.yaml",
        ),
      /https URL/,
    );
    assert.throws(
      () => checkModelsFile(file({ type: "managed-identity" }, { apiKeyEnv: "K" }), "/", "m.yaml"),
      (err: unknown) => err instanceof ModelsFileError && /both apiKeyEnv and auth/.test(err.message),
    );
  });
});
