import { requireAction } from "../../arm/arm-caller.ts";
import { armError } from "../../arm/arm-errors.ts";
import { INSIGHTS_EVENT_VERSIONS } from "../../arm/providers.ts";
import { requireSubscription } from "../../arm/readable-resources.ts";
import { activityJson } from "../../audit/activity-log.ts";
import { InvalidInputError } from "../../core/errors.ts";
import type { ArmRoute } from "./arm-route.ts";

/** `Microsoft.Insights`: the activity log of control-plane writes. */
export const insightsRoutes: ArmRoute[] = [
  {
    type: "Microsoft.Insights/eventtypes/values",
    pattern: /^\/subscriptions\/([^/]+)\/providers\/Microsoft\.Insights\/eventtypes\/management\/values$/i,
    apiVersions: INSIGHTS_EVENT_VERSIONS,
    handlers: {
      async GET(ctx) {
        const caller = await ctx.caller();
        const subscription = await requireSubscription(ctx.services.arm, caller, ctx.params[0]!);
        await requireAction(ctx.services.arm, caller, "Microsoft.Insights/eventtypes/values/read", `/subscriptions/${subscription.id}`);
        try {
          const events = await ctx.services.activityLog.list(subscription.id, ctx.query.$filter);
          return { body: { value: events.map(activityJson) } };
        } catch (err) {
          if (err instanceof InvalidInputError) throw armError("InvalidFilter", err.message);
          throw err;
        }
      },
    },
  },
];
