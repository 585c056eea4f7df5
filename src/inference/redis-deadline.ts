import type { Redis } from "ioredis";

/**
 * Deadlines on Redis's own clock, so a Lua script can tell that its caller has given up. A command that timed out
 * on this node is not withdrawn: it waits in Redis's input (a stalled or paused server, a slow link) and runs
 * later, when the node has long since answered the call from its fallback. A script given the caller's deadline
 * refuses to change anything past it, so a stall does not drain a bucket or double a quota afterwards.
 *
 * Nodes and Redis need not share a clock: the offset between this node's clock and Redis's `TIME` is measured at
 * connect and refreshed from every quick answer (scripts return Redis's time), to within half a round trip.
 */
interface RedisDeadlines {
  /** Measures the offset (`TIME`); until it is known, `deadline` is 0: no deadline, the behaviour without one. */
  sync(): Promise<void>;
  /** Redis's clock (ms) at which a command sent now is given up: `timeoutMs` from now, less a margin for the reply's way back. */
  deadline(timeoutMs: number): number;
  /** A script's answer carried Redis's time (ms): refines the offset when the round trip was quick. */
  observe(sentAt: number, redisNowMs: number): void;
}

/** Only round trips this short refine the offset (its error is at most half of one). */
const QUICK_ROUND_TRIP_MS = 50;

/** Lua: Redis's clock in ms, and whether the caller's deadline (ARGV[n], 0 = none) has passed. */
export const REDIS_NOW_LUA = `
local function redis_now()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end
local function past(deadline, now)
  return deadline > 0 and now > deadline
end
`;

export function redisDeadlines(redis: Redis, localNow: () => number = Date.now): RedisDeadlines {
  let offset: number | undefined;
  const take = (sentAt: number, receivedAt: number, redisNow: number) => {
    if (receivedAt - sentAt > QUICK_ROUND_TRIP_MS) return;
    const sample = redisNow - (sentAt + receivedAt) / 2;
    offset = offset === undefined ? sample : offset * 0.8 + sample * 0.2;
  };
  return {
    async sync() {
      try {
        const sentAt = localNow();
        const [seconds, micros] = await redis.time();
        take(sentAt, localNow(), Number(seconds) * 1000 + Math.floor(Number(micros) / 1000));
      } catch {
        // Not reachable yet: the first quick script answer measures it.
      }
    },
    deadline(timeoutMs) {
      if (offset === undefined) return 0;
      // The reply needs time to come back before the node's own timeout fires: give the script 80% of it.
      return Math.floor(localNow() + offset + timeoutMs * 0.8);
    },
    observe(sentAt, redisNowMs) {
      take(sentAt, localNow(), redisNowMs);
    },
  };
}
