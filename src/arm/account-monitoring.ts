import { callFilter, callLogOf } from "./account-calls.ts";
import type { AccountAddress } from "./accounts.ts";
import type { ArmCaller } from "./arm-caller.ts";
import type { ArmDeps } from "./arm-deps.ts";
import { metricDefinitions, metricsResponse } from "./monitor-metrics.ts";
import { parseMetricsQuery } from "./monitor-query.ts";

const METRICS_READ = "Microsoft.Insights/metrics/read";
const DEFINITIONS_READ = "Microsoft.Insights/metricDefinitions/read";
const USAGE_READ = "Microsoft.CognitiveServices/accounts/callUsage/read";

/** `GET {accountId}/callUsage`: calls and tokens per UTC day × principal × deployment, from the call log. */
export async function accountUsage(deps: ArmDeps, caller: ArmCaller, address: AccountAddress, query: Record<string, string | undefined>) {
  const { account, callLog } = await callLogOf(deps, caller, address, USAGE_READ);
  const rows = await callLog.usage(callFilter(query, account.name));
  return { value: rows };
}

/** `GET {accountId}/providers/Microsoft.Insights/metricDefinitions`. */
export async function accountMetricDefinitions(deps: ArmDeps, caller: ArmCaller, address: AccountAddress) {
  const { account } = await callLogOf(deps, caller, address, DEFINITIONS_READ);
  return metricDefinitions(account.id);
}

/** `GET {accountId}/providers/Microsoft.Insights/metrics`: Azure Monitor's answer, computed from the call log. */
export async function accountMetrics(deps: ArmDeps, caller: ArmCaller, address: AccountAddress, query: Record<string, string | undefined>) {
  const metricsQuery = parseMetricsQuery(query, deps.clock.now());
  const { account, callLog } = await callLogOf(deps, caller, address, METRICS_READ);
  const points = await callLog.points({
    account: account.name,
    from: new Date(metricsQuery.from).toISOString(),
    to: new Date(metricsQuery.to).toISOString(),
  });
  return metricsResponse(account.id, account.location, metricsQuery, points);
}
