import type { AccountAddress } from "../../arm/accounts.ts";
import { RAI_BLOCKLIST_ITEM_TYPE, RAI_BLOCKLIST_TYPE, RAI_POLICY_TYPE } from "../../arm/cognitive-services.ts";
import { RAI_VERSIONS } from "../../arm/providers.ts";
import {
  batchAddRaiBlocklistItems,
  batchDeleteRaiBlocklistItems,
  deleteRaiBlocklist,
  deleteRaiBlocklistItem,
  getRaiBlocklist,
  getRaiBlocklistItem,
  listRaiBlocklistItems,
  listRaiBlocklists,
  putRaiBlocklist,
  putRaiBlocklistItem,
} from "../../arm/rai-blocklists.ts";
import { deleteRaiPolicy, getRaiPolicy, listRaiPolicies, putRaiPolicy } from "../../arm/rai-policies.ts";
import type { ArmContext, ArmRoute } from "./arm-route.ts";

const ACCOUNT = "/subscriptions/([^/]+)/resourcegroups/([^/]+)/providers/Microsoft\\.CognitiveServices/accounts/([^/]+)";
const route = (suffix: string) => new RegExp(`^${ACCOUNT}${suffix}$`, "i");

const address = (ctx: ArmContext): AccountAddress => ({
  subscriptionId: ctx.params[0]!,
  resourceGroup: ctx.params[1]!,
  name: ctx.params[2]!,
});

/** Content filtering: `accounts/raiPolicies`, `accounts/raiBlocklists` and their `raiBlocklistItems`. */
export const raiRoutes: ArmRoute[] = [
  {
    type: RAI_POLICY_TYPE,
    pattern: route("/raiPolicies"),
    apiVersions: RAI_VERSIONS,
    handlers: { GET: async (ctx) => ({ body: await listRaiPolicies(ctx.services.arm, await ctx.caller(), address(ctx)) }) },
  },
  {
    type: RAI_POLICY_TYPE,
    pattern: route("/raiPolicies/([^/]+)"),
    apiVersions: RAI_VERSIONS,
    handlers: {
      async PUT(ctx) {
        const { created, body } = await putRaiPolicy(ctx.services.arm, await ctx.caller(), address(ctx), ctx.params[3]!, ctx.body);
        return { status: created ? 201 : 200, body };
      },
      GET: async (ctx) => ({ body: await getRaiPolicy(ctx.services.arm, await ctx.caller(), address(ctx), ctx.params[3]!) }),
      DELETE: async (ctx) => ({
        status: (await deleteRaiPolicy(ctx.services.arm, await ctx.caller(), address(ctx), ctx.params[3]!)) ? 200 : 204,
      }),
    },
  },
  {
    type: RAI_BLOCKLIST_TYPE,
    pattern: route("/raiBlocklists"),
    apiVersions: RAI_VERSIONS,
    handlers: { GET: async (ctx) => ({ body: await listRaiBlocklists(ctx.services.arm, await ctx.caller(), address(ctx)) }) },
  },
  {
    type: RAI_BLOCKLIST_TYPE,
    pattern: route("/raiBlocklists/([^/]+)"),
    apiVersions: RAI_VERSIONS,
    handlers: {
      async PUT(ctx) {
        const { created, body } = await putRaiBlocklist(ctx.services.arm, await ctx.caller(), address(ctx), ctx.params[3]!, ctx.body);
        return { status: created ? 201 : 200, body };
      },
      GET: async (ctx) => ({ body: await getRaiBlocklist(ctx.services.arm, await ctx.caller(), address(ctx), ctx.params[3]!) }),
      DELETE: async (ctx) => ({
        status: (await deleteRaiBlocklist(ctx.services.arm, await ctx.caller(), address(ctx), ctx.params[3]!)) ? 200 : 204,
      }),
    },
  },
  {
    type: `${RAI_BLOCKLIST_TYPE}/addRaiBlocklistItems`,
    pattern: route("/raiBlocklists/([^/]+)/addRaiBlocklistItems"),
    apiVersions: RAI_VERSIONS,
    handlers: {
      POST: async (ctx) => ({
        body: await batchAddRaiBlocklistItems(ctx.services.arm, await ctx.caller(), address(ctx), ctx.params[3]!, ctx.body),
      }),
    },
  },
  {
    type: `${RAI_BLOCKLIST_TYPE}/deleteRaiBlocklistItems`,
    pattern: route("/raiBlocklists/([^/]+)/deleteRaiBlocklistItems"),
    apiVersions: RAI_VERSIONS,
    handlers: {
      async POST(ctx) {
        await batchDeleteRaiBlocklistItems(ctx.services.arm, await ctx.caller(), address(ctx), ctx.params[3]!, ctx.body);
        return { status: 204 };
      },
    },
  },
  {
    type: RAI_BLOCKLIST_ITEM_TYPE,
    pattern: route("/raiBlocklists/([^/]+)/raiBlocklistItems"),
    apiVersions: RAI_VERSIONS,
    handlers: {
      GET: async (ctx) => ({ body: await listRaiBlocklistItems(ctx.services.arm, await ctx.caller(), address(ctx), ctx.params[3]!) }),
    },
  },
  {
    type: RAI_BLOCKLIST_ITEM_TYPE,
    pattern: route("/raiBlocklists/([^/]+)/raiBlocklistItems/([^/]+)"),
    apiVersions: RAI_VERSIONS,
    handlers: {
      async PUT(ctx) {
        const { created, body } = await putRaiBlocklistItem(
          ctx.services.arm,
          await ctx.caller(),
          address(ctx),
          ctx.params[3]!,
          ctx.params[4]!,
          ctx.body,
        );
        return { status: created ? 201 : 200, body };
      },
      GET: async (ctx) => ({
        body: await getRaiBlocklistItem(ctx.services.arm, await ctx.caller(), address(ctx), ctx.params[3]!, ctx.params[4]!),
      }),
      DELETE: async (ctx) => ({
        status: (await deleteRaiBlocklistItem(ctx.services.arm, await ctx.caller(), address(ctx), ctx.params[3]!, ctx.params[4]!))
          ? 200
          : 204,
      }),
    },
  },
];
