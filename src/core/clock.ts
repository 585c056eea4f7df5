/** Time source, injected so tests can move time (token expiry, rate windows). */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** The clock's current time as an ISO 8601 timestamp, the form every stored `…At`/`…On` field takes. */
export function nowIso(clock: Clock): string {
  return new Date(clock.now()).toISOString();
}
