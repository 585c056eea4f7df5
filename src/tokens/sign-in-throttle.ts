import type { Clock } from "../core/clock.ts";
import type { GrantStore } from "../storage/grant-store.ts";
import { oauthError } from "./oauth-errors.ts";

interface Policy {
  attempts: number;
  windowMs: number;
  lockMs: number;
}

/** Like Entra smart lockout: ten wrong passwords for one account lock it for a minute. */
export const USER_LOCKOUT: Policy = { attempts: 10, windowMs: 15 * 60_000, lockMs: 60_000 };
/** One source guessing across many accounts is locked out for five minutes. */
export const SOURCE_LOCKOUT: Policy = { attempts: 30, windowMs: 15 * 60_000, lockMs: 5 * 60_000 };

/**
 * Password-guessing throttle, per account and per source address, kept in storage so every node sees it.
 * Each attempt is counted atomically *before* the password is checked: parallel guesses cannot all slip past a
 * check made before any of them was recorded. A right password clears the account's count and gives the source its
 * attempt back. A locked key refuses even the right password until the lock ends (AADSTS50053).
 */
export function signInThrottle(grants: GrantStore, clock: Clock) {
  const keysFor = (username: string, source: string | undefined) => [
    { key: `user:${username.toLowerCase()}`, policy: USER_LOCKOUT },
    ...(source ? [{ key: `source:${source}`, policy: SOURCE_LOCKOUT }] : []),
  ];

  /** Counts the attempt on every key; throws AADSTS50053 when one of them is locked or has just run out. */
  async function admit(username: string, source: string | undefined): Promise<void> {
    const now = clock.now();
    for (const { key, policy } of keysFor(username, source)) {
      const state = await grants.countSignInAttempt(key, iso(now), iso(now - policy.windowMs));
      if (state.lockedUntil && Date.parse(state.lockedUntil) > now) throw oauthError("signInLocked");
      if (state.attempts > policy.attempts) {
        await grants.lockSignIn(key, iso(now + policy.lockMs));
        throw oauthError("signInLocked");
      }
    }
  }

  return {
    /**
     * Runs `verify` (the password check) only if this attempt fits the budget; `verify` answers the signed-in
     * principal or undefined for a wrong password.
     */
    async attempt<T>(username: string, source: string | undefined, verify: () => Promise<T | undefined>): Promise<T | undefined> {
      await admit(username, source);
      const result = await verify();
      if (result !== undefined) {
        await grants.clearSignInFailures(`user:${username.toLowerCase()}`);
        if (source) await grants.refundSignInAttempt(`source:${source}`);
      }
      return result;
    },
  };
}

const iso = (ms: number) => new Date(ms).toISOString();
