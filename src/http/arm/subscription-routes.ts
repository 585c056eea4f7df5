import { getSubscription, listSubscriptions, listTenants } from "../../arm/subscriptions.ts";
import type { ArmRoute } from "./arm-route.ts";

const RESOURCES_VERSIONS = ["2022-12-01", "2022-09-01", "2021-04-01", "2021-01-01", "2020-01-01", "2019-11-01", "2019-06-01", "2016-06-01", "2016-01-01", "2015-01-01", "2014-04-01"];

/** Tenants and subscriptions: what `az login` reads. */
export const subscriptionRoutes: ArmRoute[] = [
  {
    type: "Microsoft.Resources/tenants",
    pattern: /^\/tenants$/i,
    apiVersions: RESOURCES_VERSIONS,
    handlers: { GET: async (ctx) => ({ body: await listTenants(ctx.services.subscriptions, await ctx.caller()) }) },
  },
  {
    type: "Microsoft.Resources/subscriptions",
    pattern: /^\/subscriptions$/i,
    apiVersions: RESOURCES_VERSIONS,
    handlers: { GET: async (ctx) => ({ body: await listSubscriptions(ctx.services.subscriptions, await ctx.caller()) }) },
  },
  {
    type: "Microsoft.Resources/subscriptions",
    pattern: /^\/subscriptions\/([^/]+)$/i,
    apiVersions: RESOURCES_VERSIONS,
    handlers: { GET: async (ctx) => ({ body: await getSubscription(ctx.services.subscriptions, await ctx.caller(), ctx.params[0]!) }) },
  },
];
