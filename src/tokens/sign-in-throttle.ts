import { type Clock, nowIso } from "../core/clock.ts";
import type { GrantStore } from "../storage/grant-store.ts";
import { oauthError } from "./oauth-errors.ts";

interface Policy {
  failures: number;
  windowMs: number;
  lockMs: number;
}

/** Like Entra smart lockout: ten wrong passwords for one account lock it for a minute. */
export const USER_LOCKOUT: Policy = { failures: 10, windowMs: 15 * 60_000, lockMs: 60_000 };
/** One source guessing across many accounts is locked out for five minutes. */
export const SOURCE_LOCKOUT: Policy = { failures: 30, windowMs: 15 * 60_000, lockMs: 5 * 60_000 };

/**
 * Password-guessing throttle, per account and per source address, kept in storage so every node sees it.
 * A locked key refuses even the right password until the lock ends (AADSTS50053).
 */
export function signInThrottle(grants: GrantStore, clock: Clock) {
  const keysFor = (username: string, source: string | undefined) => [
    { key: `user:${username.toLowerCase()}`, policy: USER_LOCKOUT },
    ...(source ? [{ key: `source:${source}`, policy: SOURCE_LOCKOUT }] : []),
  ];

  return {
    /** Throws AADSTS50053 while the account or the source is locked. */
    async guard(username: string, source: string | undefined): Promise<void> {
      for (const { key } of keysFor(username, source)) {
        const state = await grants.getSignInFailures(key);
        if (state?.lockedUntil && Date.parse(state.lockedUntil) > clock.now()) throw oauthError("signInLocked");
      }
    },
    async recordFailure(username: string, source: string | undefined): Promise<void> {
      for (const { key, policy } of keysFor(username, source)) {
        const state = await grants.getSignInFailures(key);
        const fresh = !state || clock.now() - Date.parse(state.windowStart) > policy.windowMs;
        const failures = fresh ? 1 : state.failures + 1;
        const windowStart = fresh ? nowIso(clock) : state.windowStart;
        const lockedUntil = failures >= policy.failures ? new Date(clock.now() + policy.lockMs).toISOString() : null;
        // A lock starts a new count, so the next lock needs another full run of failures.
        await grants.putSignInFailures(
          key,
          lockedUntil ? { failures: 0, windowStart, lockedUntil } : { failures, windowStart, lockedUntil: state?.lockedUntil ?? null },
        );
      }
    },
    async recordSuccess(username: string): Promise<void> {
      await grants.clearSignInFailures(`user:${username.toLowerCase()}`);
    },
  };
}
