import type { Clock } from "../core/clock.ts";
import { oauthError } from "./oauth-errors.ts";

interface ClientAuthLimits {
  /** Failed client authentications one source address may make per minute, across all clients. */
  failuresPerSource: number;
  /** Failed authentications per minute for one client before unfamiliar sources are refused for it. */
  failuresPerClient: number;
}

const WINDOW_MS = 60_000;
/** Sources that recently proved a client's credential; they keep being served while that client is under attack. */
const FAMILIAR_SOURCES = 16;
/** Counters kept per node; past this many keys the oldest window is dropped wholesale. */
const MAX_KEYS = 100_000;

/**
 * Throttles failed client authentications (wrong secrets, bad assertions), per source and per client, in memory on
 * each node. A source over its budget is refused before any verification for the rest of the minute. A client over
 * its budget (a distributed attack) keeps serving the sources that recently authenticated it — Entra's smart
 * lockout distinguishes familiar locations the same way — and refuses the others unverified, so a flood of wrong
 * secrets can neither starve nor lock out the legitimate caller.
 */
export function clientAuthThrottle(clock: Clock, limits: ClientAuthLimits) {
  const failures = new Map<string, { windowStart: number; count: number }>();
  const familiar = new Map<string, string[]>();

  const current = (key: string) => {
    const entry = failures.get(key);
    return entry && clock.now() - entry.windowStart < WINDOW_MS ? entry.count : 0;
  };
  const bump = (key: string) => {
    const entry = failures.get(key);
    if (entry && clock.now() - entry.windowStart < WINDOW_MS) entry.count++;
    else {
      if (failures.size >= MAX_KEYS) failures.clear();
      failures.set(key, { windowStart: clock.now(), count: 1 });
    }
  };

  return {
    /** Throws before verification when the source, or the client for an unfamiliar source, is over its budget. */
    admit(clientId: string, source: string | undefined): void {
      const client = clientId.toLowerCase();
      if (source && current(`source:${source}`) >= limits.failuresPerSource) throw oauthError("clientAuthThrottled", "this source address");
      if (current(`client:${client}`) >= limits.failuresPerClient && !(source && familiar.get(client)?.includes(source)))
        throw oauthError("clientAuthThrottled", `client '${clientId}'`);
    },
    failed(clientId: string, source: string | undefined): void {
      bump(`client:${clientId.toLowerCase()}`);
      if (source) bump(`source:${source}`);
    },
    succeeded(clientId: string, source: string | undefined): void {
      if (!source) return;
      const client = clientId.toLowerCase();
      const known = familiar.get(client) ?? [];
      if (known.includes(source)) return;
      if (familiar.size >= MAX_KEYS) familiar.clear();
      familiar.set(client, [source, ...known].slice(0, FAMILIAR_SOURCES));
    },
  };
}

export type ClientAuthThrottle = ReturnType<typeof clientAuthThrottle>;
