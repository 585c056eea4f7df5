import type { JWTPayload } from "jose";

/**
 * Whether a token someone else issued lives longer than we accept: its `exp` more than `maxSeconds` after its
 * `nbf` (or `iat`), or more than `maxSeconds` from now. A stolen token valid until 2100 is a credential for life.
 */
export function outlives(payload: JWTPayload, maxSeconds: number, nowMs: number): boolean {
  if (payload.exp === undefined) return false;
  const now = Math.floor(nowMs / 1000);
  const start = payload.nbf ?? payload.iat ?? now;
  return payload.exp - start > maxSeconds || payload.exp - now > maxSeconds;
}
