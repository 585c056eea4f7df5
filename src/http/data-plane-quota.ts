import { withHeaders } from "../core/errors.ts";
import { dataPlaneError } from "../inference/data-plane-errors.ts";
import type { AccountView, DeploymentView } from "../inference/data-plane.ts";
import { quotasFor, windowOf } from "../inference/quotas.ts";
import type { CallContext } from "./data-plane-call.ts";
import type { Services } from "./services.ts";

/**
 * Refuses the call (403 QuotaExceeded, with when the quota resets) when a quota of the caller or of one of its
 * groups on this deployment is spent; otherwise notes the quota windows, which the call's tokens are charged to
 * when it ends. Key callers have no principal, so no quota.
 */
export async function enforceQuotas(
  services: Services,
  account: AccountView,
  deployment: DeploymentView,
  call: CallContext,
): Promise<void> {
  const quotas = services.dataPlane.quotas;
  if (!quotas || call.via !== "token") return;
  const applicable = quotasFor(await quotas.find(account), [call.principalId, ...quotas.groupsOf(call.principalId)], deployment.name);
  if (applicable.length === 0) return;
  const now = Date.now();
  const windows = applicable.map((quota) => ({ quota, window: windowOf(quota, now) }));
  const spent = await Promise.all(windows.map(({ window }) => quotas.counter.spent(window)));
  const over = windows.findIndex(({ quota }, i) => spent[i]! >= quota.tokens);
  if (over >= 0) {
    const { quota, window } = windows[over]!;
    const resetsAt = new Date(window.resetsAt).toISOString();
    const seconds = Math.max(1, Math.ceil((window.resetsAt - now) / 1000));
    services.metrics?.quotaRejections.inc({ account: account.name, deployment: deployment.name });
    throw withHeaders(
      dataPlaneError("QuotaExceeded", quota.principalId, quota.deployment, spent[over]!, quota.tokens, quota.period, resetsAt),
      {
        "retry-after": String(seconds),
        "x-keyless-quota-resets-at": resetsAt,
      },
    );
  }
  call.quotaWindows = windows.map(({ window }) => window);
}
