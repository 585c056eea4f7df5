import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { WireError } from "../../src/core/errors.ts";
import { createStore } from "../../src/storage/store.ts";
import { SOURCE_LOCKOUT, signInThrottle, USER_LOCKOUT } from "../../src/tokens/sign-in-throttle.ts";
import { dialects, freshDatabase } from "../harness/databases.ts";

const locked = (e: unknown) => e instanceof WireError && (e.details.error_codes as number[])[0] === 50053;

for (const which of dialects) {
  describe(`sign-in throttle on ${which}`, () => {
    let database: Awaited<ReturnType<typeof freshDatabase>>;
    before(async () => {
      database = await freshDatabase(which);
    });
    after(() => database.close());

    const fixture = () => {
      let now = Date.parse("2026-06-01T00:00:00Z");
      const clock = { now: () => now };
      return { throttle: signInThrottle(createStore(database).grants, clock), advance: (ms: number) => (now += ms) };
    };
    const wrong = async () => undefined;
    const right = async () => "user";

    test("parallel attempts: exactly the policy's number reach the password check; the lock ends after its time", async () => {
      const f = fixture();
      let checked = 0;
      const results = await Promise.allSettled(
        Array.from({ length: 40 }, () =>
          f.throttle.attempt("a@x", undefined, async () => {
            checked++;
            return undefined;
          }),
        ),
      );
      assert.equal(checked, USER_LOCKOUT.attempts);
      assert.ok(results.filter((r) => r.status === "rejected").every((r) => locked(r.reason)));
      await assert.rejects(f.throttle.attempt("a@x", undefined, right), locked);
      f.advance(USER_LOCKOUT.lockMs + 1);
      assert.equal(await f.throttle.attempt("a@x", undefined, right), "user");
    });

    test("a right password clears the account's count and gives the source its attempt back", async () => {
      const f = fixture();
      for (let i = 0; i < USER_LOCKOUT.attempts - 1; i++) await f.throttle.attempt("b@x", "10.0.0.1", wrong);
      assert.equal(await f.throttle.attempt("b@x", "10.0.0.1", right), "user");
      for (let i = 0; i < USER_LOCKOUT.attempts; i++) assert.equal(await f.throttle.attempt("b@x", "10.0.0.1", wrong), undefined);
      // 9 + 10 failures counted for the source, the success refunded: under the source's 30.
      for (let i = 0; i < SOURCE_LOCKOUT.attempts - 19; i++) await f.throttle.attempt(`other${i}@x`, "10.0.0.1", wrong);
      await assert.rejects(f.throttle.attempt("c@x", "10.0.0.1", right), locked);
    });

    test("the window: old failures stop counting", async () => {
      const f = fixture();
      for (let i = 0; i < USER_LOCKOUT.attempts; i++) await f.throttle.attempt("d@x", undefined, wrong);
      f.advance(USER_LOCKOUT.windowMs + 1);
      assert.equal(await f.throttle.attempt("d@x", undefined, right), "user");
    });
  });
}
