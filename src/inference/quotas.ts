/**
 * Per-principal token quotas (a Keyless extension, as API Management's `llm-token-limit`): a principal or a group
 * may spend at most `tokens` on a deployment (or on every deployment of the account, `*`) in each fixed window of
 * `period`, aligned to the Unix epoch in UTC (a day runs midnight to midnight). A group's quota is one budget shared
 * by its members. A call is refused once the window's spend has reached the quota, and charged its real tokens when
 * it ends, so calls in flight together may overshoot by what they spend.
 */
export interface QuotaView {
  id: string;
  principalId: string;
  /** A deployment name, or `*` for all of the account's deployments together. */
  deployment: string;
  tokens: number;
  period: QuotaPeriod;
}

const QUOTA_PERIODS = { PT1M: 60_000, PT1H: 3_600_000, P1D: 86_400_000, P7D: 7 * 86_400_000, P30D: 30 * 86_400_000 } as const;
export type QuotaPeriod = keyof typeof QUOTA_PERIODS;

/** The counter of one quota's current window and when that window ends. */
export interface QuotaWindow {
  key: string;
  resetsAt: number;
}

export function windowOf(quota: Pick<QuotaView, "id" | "period">, now: number): QuotaWindow {
  const width = QUOTA_PERIODS[quota.period];
  const start = Math.floor(now / width) * width;
  return { key: `${quota.id.toLowerCase()}:${start}`, resetsAt: start + width };
}

/** The quotas a call is held to: the caller's own and its groups', on this deployment or on all of them. */
export function quotasFor(quotas: readonly QuotaView[], principalIds: readonly string[], deployment: string): QuotaView[] {
  const who = new Set(principalIds.map((p) => p.toLowerCase()));
  return quotas.filter(
    (q) => who.has(q.principalId.toLowerCase()) && (q.deployment === "*" || q.deployment.toLowerCase() === deployment.toLowerCase()),
  );
}

/** Where window spend is counted: this node's memory, or Redis shared by every node. */
export interface QuotaCounter {
  spent(window: QuotaWindow): Promise<number>;
  charge(window: QuotaWindow, tokens: number): Promise<void>;
  close?(): Promise<void>;
}

export function createMemoryQuotaCounter(now: () => number = Date.now): QuotaCounter {
  const spend = new Map<string, { tokens: number; resetsAt: number }>();
  const sweep = () => {
    for (const [key, entry] of spend) if (entry.resetsAt <= now()) spend.delete(key);
  };
  return {
    async spent(window) {
      return spend.get(window.key)?.tokens ?? 0;
    },
    async charge(window, tokens) {
      sweep();
      const entry = spend.get(window.key) ?? { tokens: 0, resetsAt: window.resetsAt };
      entry.tokens += tokens;
      spend.set(window.key, entry);
    },
  };
}

/** A quota's spend in its current window and when that window resets, as ARM shows it beside the quota. */
export async function quotaSpend(counter: QuotaCounter, quota: Pick<QuotaView, "id" | "period">, now: number) {
  const window = windowOf(quota, now);
  return { spent: await counter.spent(window), resetsAt: new Date(window.resetsAt).toISOString() };
}

/** What the data plane needs to hold calls to quotas: the account's quotas, a principal's groups, the counter. */
export interface QuotaPort {
  find(account: { id: string }): Promise<readonly QuotaView[]>;
  groupsOf(principalId: string): readonly string[];
  counter: QuotaCounter;
}
