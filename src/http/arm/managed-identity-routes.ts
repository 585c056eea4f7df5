import { IDENTITY_VERSIONS } from "../../arm/providers.ts";
import {
  deleteIdentity,
  getIdentity,
  type IdentityAddress,
  listIdentities,
  listWorkloadEnvironment,
  putIdentity,
  rotateSecret,
} from "../../arm/user-assigned-identities.ts";
import type { ArmContext, ArmRoute } from "./arm-route.ts";

const SUB = "/subscriptions/([^/]+)";
const TYPE = "Microsoft.ManagedIdentity/userAssignedIdentities";
const address = (ctx: ArmContext): IdentityAddress => ({
  subscriptionId: ctx.params[0]!,
  resourceGroup: ctx.params[1]!,
  name: ctx.params[2]!,
});

/** `Microsoft.ManagedIdentity/userAssignedIdentities` (`az identity create|show|list|delete`). */
export const managedIdentityRoutes: ArmRoute[] = [
  {
    type: TYPE,
    pattern: new RegExp(`^${SUB}/providers/Microsoft\\.ManagedIdentity/userAssignedIdentities$`, "i"),
    apiVersions: IDENTITY_VERSIONS,
    handlers: { GET: async (ctx) => ({ body: await listIdentities(ctx.services.arm, await ctx.caller(), ctx.params[0]!, undefined) }) },
  },
  {
    type: TYPE,
    pattern: new RegExp(`^${SUB}/resourcegroups/([^/]+)/providers/Microsoft\\.ManagedIdentity/userAssignedIdentities$`, "i"),
    apiVersions: IDENTITY_VERSIONS,
    handlers: {
      GET: async (ctx) => ({ body: await listIdentities(ctx.services.arm, await ctx.caller(), ctx.params[0]!, ctx.params[1]!) }),
    },
  },
  {
    type: TYPE,
    pattern: new RegExp(`^${SUB}/resourcegroups/([^/]+)/providers/Microsoft\\.ManagedIdentity/userAssignedIdentities/([^/]+)$`, "i"),
    apiVersions: IDENTITY_VERSIONS,
    handlers: {
      async PUT(ctx) {
        const { created, body } = await putIdentity(ctx.services.arm, await ctx.caller(), address(ctx), ctx.body);
        return { status: created ? 201 : 200, body };
      },
      GET: async (ctx) => ({ body: await getIdentity(ctx.services.arm, await ctx.caller(), address(ctx)) }),
      DELETE: async (ctx) => ({ status: (await deleteIdentity(ctx.services.arm, await ctx.caller(), address(ctx))) ? 200 : 204 }),
    },
  },
  {
    type: `${TYPE}/listWorkloadEnvironment`,
    pattern: new RegExp(
      `^${SUB}/resourcegroups/([^/]+)/providers/Microsoft\\.ManagedIdentity/userAssignedIdentities/([^/]+)/listWorkloadEnvironment$`,
      "i",
    ),
    apiVersions: IDENTITY_VERSIONS,
    handlers: {
      POST: async (ctx) => ({ body: await listWorkloadEnvironment(ctx.services.arm, await ctx.caller(), address(ctx), ctx.origin) }),
    },
  },
  {
    type: `${TYPE}/rotateSecret`,
    pattern: new RegExp(
      `^${SUB}/resourcegroups/([^/]+)/providers/Microsoft\\.ManagedIdentity/userAssignedIdentities/([^/]+)/rotateSecret$`,
      "i",
    ),
    apiVersions: IDENTITY_VERSIONS,
    handlers: {
      POST: async (ctx) => ({ body: await rotateSecret(ctx.services.arm, await ctx.caller(), address(ctx), ctx.origin) }),
    },
  },
];
