import { listAccountCalls } from "../../arm/account-calls.ts";
import { accountMetricDefinitions, accountMetrics, accountUsage } from "../../arm/account-monitoring.ts";
import type { AccountAddress } from "../../arm/accounts.ts";
import { deletePrincipalQuota, getPrincipalQuota, listPrincipalQuotas, putPrincipalQuota } from "../../arm/principal-quotas.ts";
import { COGNITIVE_VERSIONS, INSIGHTS_METRICS_VERSIONS } from "../../arm/providers.ts";
import type { ArmContext, ArmRoute } from "./arm-route.ts";

const ACCOUNT = "^/subscriptions/([^/]+)/resourcegroups/([^/]+)/providers/Microsoft\\.CognitiveServices/accounts/([^/]+)";

const address = (ctx: ArmContext): AccountAddress => ({
  subscriptionId: ctx.params[0]!,
  resourceGroup: ctx.params[1]!,
  name: ctx.params[2]!,
});

/** An account's call log (Keyless extensions `calls`, `callUsage`, `principalQuotas`) and Azure Monitor metrics computed from it. */
export const monitoringRoutes: ArmRoute[] = [
  {
    type: "Microsoft.CognitiveServices/accounts/principalQuotas",
    pattern: new RegExp(`${ACCOUNT}/principalQuotas$`, "i"),
    apiVersions: COGNITIVE_VERSIONS,
    handlers: { GET: async (ctx) => ({ body: await listPrincipalQuotas(ctx.services.arm, await ctx.caller(), address(ctx)) }) },
  },
  {
    type: "Microsoft.CognitiveServices/accounts/principalQuotas",
    pattern: new RegExp(`${ACCOUNT}/principalQuotas/([^/]+)$`, "i"),
    apiVersions: COGNITIVE_VERSIONS,
    handlers: {
      async PUT(ctx) {
        const { created, body } = await putPrincipalQuota(ctx.services.arm, await ctx.caller(), address(ctx), ctx.params[3]!, ctx.body);
        return { status: created ? 201 : 200, body };
      },
      GET: async (ctx) => ({ body: await getPrincipalQuota(ctx.services.arm, await ctx.caller(), address(ctx), ctx.params[3]!) }),
      DELETE: async (ctx) => ({
        status: (await deletePrincipalQuota(ctx.services.arm, await ctx.caller(), address(ctx), ctx.params[3]!)) ? 200 : 204,
      }),
    },
  },
  {
    type: "Microsoft.CognitiveServices/accounts/calls",
    pattern: new RegExp(`${ACCOUNT}/calls$`, "i"),
    apiVersions: COGNITIVE_VERSIONS,
    handlers: {
      // The handler pages the log itself (`$top`, a keyset `$skiptoken`, `nextLink`): not sliced again by the surface.
      GET: async (ctx) => ({
        body: await listAccountCalls(ctx.services.arm, await ctx.caller(), address(ctx), ctx.query, `${ctx.origin}${ctx.url}`),
        paged: true,
      }),
    },
  },
  {
    type: "Microsoft.CognitiveServices/accounts/callUsage",
    pattern: new RegExp(`${ACCOUNT}/callUsage$`, "i"),
    apiVersions: COGNITIVE_VERSIONS,
    handlers: { GET: async (ctx) => ({ body: await accountUsage(ctx.services.arm, await ctx.caller(), address(ctx), ctx.query) }) },
  },
  {
    type: "Microsoft.Insights/metricDefinitions",
    pattern: new RegExp(`${ACCOUNT}/providers/Microsoft\\.Insights/metricDefinitions$`, "i"),
    apiVersions: INSIGHTS_METRICS_VERSIONS,
    handlers: { GET: async (ctx) => ({ body: await accountMetricDefinitions(ctx.services.arm, await ctx.caller(), address(ctx)) }) },
  },
  {
    type: "Microsoft.Insights/metrics",
    pattern: new RegExp(`${ACCOUNT}/providers/Microsoft\\.Insights/metrics$`, "i"),
    apiVersions: INSIGHTS_METRICS_VERSIONS,
    handlers: { GET: async (ctx) => ({ body: await accountMetrics(ctx.services.arm, await ctx.caller(), address(ctx), ctx.query) }) },
  },
];
