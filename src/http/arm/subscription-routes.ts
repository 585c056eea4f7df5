import { RESOURCES_VERSIONS } from "../../arm/providers.ts";
import { getSubscription, listSubscriptions, listTenants } from "../../arm/subscriptions.ts";
import { putSubscription } from "../../arm/subscription-admin.ts";
import type { ArmRoute } from "./arm-route.ts";

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
    handlers: {
      GET: async (ctx) => ({ body: await getSubscription(ctx.services.subscriptions, await ctx.caller(), ctx.params[0]!) }),
      async PUT(ctx) {
        const { created, body } = await putSubscription(ctx.services.arm, await ctx.caller(), ctx.params[0]!, ctx.body);
        return { status: created ? 201 : 200, body };
      },
    },
  },
];
