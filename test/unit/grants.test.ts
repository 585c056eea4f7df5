import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { WireError } from "../../src/core/errors.ts";
import { createStore } from "../../src/storage/store.ts";
import { decideDeviceCode, redeemDeviceCode, startDeviceCode } from "../../src/tokens/device-codes.ts";
import { REFRESH_TOKEN_LIFETIME_SECONDS, refreshTokens } from "../../src/tokens/refresh-tokens.ts";
import { dialects, freshDatabase } from "../harness/databases.ts";

const TENANT = "11111111-1111-4111-8111-111111111111";
const CLIENT = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
const USER = { id: "22222222-2222-4222-8222-222222222222", tenantId: TENANT };

let database: Awaited<ReturnType<typeof freshDatabase>>;

/** One database per dialect, shared by the tests (each uses fresh codes and tokens); a clock per test. */
async function fixture() {
  const store = createStore(database);
  let now = Date.parse("2026-06-01T00:00:00Z");
  return { grants: store.grants, clock: { now: () => now }, advance: (ms: number) => (now += ms) };
}

const oauthCode = (code: number) => (e: unknown) => e instanceof WireError && (e.details.error_codes as number[])[0] === code;

for (const which of dialects) {
  describe(`grants on ${which}`, () => {
    before(async () => {
      database = await freshDatabase(which);
    });
    after(() => database.close());

    describe("device codes", () => {
      test("pending, then approved once; a second poll after redemption is refused", async () => {
        const f = await fixture();
        const started = await startDeviceCode(f.grants, f.clock, {
          tenantId: TENANT,
          clientId: CLIENT,
          scope: "https://management.core.windows.net//.default openid",
          verificationUri: "https://x/devicelogin",
        });
        assert.match(started.message, new RegExp(started.user_code));
        await assert.rejects(redeemDeviceCode(f.grants, f.clock, started.device_code, CLIENT, TENANT), oauthCode(70016));
        assert.equal(await decideDeviceCode(f.grants, f.clock, started.user_code.toLowerCase(), USER, true), "approved");
        assert.equal(await decideDeviceCode(f.grants, f.clock, started.user_code, USER, false), "already-decided");
        await assert.rejects(
          redeemDeviceCode(f.grants, f.clock, started.device_code, "1950a258-227b-4e31-a9cf-717495945fc2", TENANT),
          oauthCode(70000),
        );
        const redeemed = await redeemDeviceCode(f.grants, f.clock, started.device_code, CLIENT, TENANT);
        assert.deepEqual(redeemed, { userId: USER.id, scope: "https://management.core.windows.net//.default openid" });
        await assert.rejects(redeemDeviceCode(f.grants, f.clock, started.device_code, CLIENT, TENANT), oauthCode(70019));
      });

      test("expired and declined codes get expired_token and authorization_declined", async () => {
        const f = await fixture();
        const start = () =>
          startDeviceCode(f.grants, f.clock, {
            tenantId: TENANT,
            clientId: CLIENT,
            scope: "https://management.core.windows.net//.default",
            verificationUri: "https://x/devicelogin",
          });
        const declined = await start();
        assert.equal(await decideDeviceCode(f.grants, f.clock, declined.user_code, USER, false), "denied");
        await assert.rejects(
          redeemDeviceCode(f.grants, f.clock, declined.device_code, CLIENT, TENANT),
          (e) => e instanceof WireError && e.code === "authorization_declined",
        );
        const late = await start();
        f.advance(901_000);
        await assert.rejects(
          redeemDeviceCode(f.grants, f.clock, late.device_code, CLIENT, TENANT),
          (e) => e instanceof WireError && e.code === "expired_token",
        );
        assert.equal(await decideDeviceCode(f.grants, f.clock, late.user_code, USER, true), "expired");
        assert.equal(await decideDeviceCode(f.grants, f.clock, "BCDFGHJKL", USER, true), "unknown");
        assert.equal(
          await decideDeviceCode(f.grants, f.clock, (await start()).user_code, { id: USER.id, tenantId: "other" }, true),
          "wrong-tenant",
        );
      });
    });

    describe("refresh tokens", () => {
      const binding = { tenantId: TENANT, userId: USER.id, clientId: CLIENT, authMethods: ["pwd"] };

      test("only a hash is stored, and the token expires after its lifetime", async () => {
        const f = await fixture();
        const tokens = refreshTokens(f.grants, f.clock);
        const token = await tokens.issue(binding);
        f.advance(REFRESH_TOKEN_LIFETIME_SECONDS * 1000 + 1);
        await assert.rejects(tokens.redeem(token, CLIENT, TENANT), oauthCode(700082));
      });

      test("tokens of another tenant are unknown there; revoking a user ends every family", async () => {
        const f = await fixture();
        const tokens = refreshTokens(f.grants, f.clock);
        const token = await tokens.issue(binding);
        await assert.rejects(tokens.redeem(token, CLIENT, "33333333-3333-4333-8333-333333333333"), oauthCode(9002313));
        await tokens.revokeUser(USER.id);
        await assert.rejects(tokens.redeem(token, CLIENT, TENANT), oauthCode(50173));
      });

      test("two concurrent redemptions of one token: one wins, the other revokes the family", async () => {
        const f = await fixture();
        const tokens = refreshTokens(f.grants, f.clock);
        const token = await tokens.issue(binding);
        const results = await Promise.allSettled([tokens.redeem(token, CLIENT, TENANT), tokens.redeem(token, CLIENT, TENANT)]);
        assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
        const next = await tokens.issue(
          binding,
          (results.find((r) => r.status === "fulfilled") as PromiseFulfilledResult<{ familyId: string }>).value.familyId,
        );
        await assert.rejects(tokens.redeem(next, CLIENT, TENANT), oauthCode(50173));
      });
    });
  });
}
