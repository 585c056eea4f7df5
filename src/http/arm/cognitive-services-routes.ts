import { listAccountKeys, regenerateAccountKey } from "../../arm/account-keys.ts";
import { accountSkus, accountUsages, locationUsages, subscriptionSkus } from "../../arm/account-skus.ts";
import { type AccountAddress, accountId, deleteAccount, getAccount, listAccounts, patchAccount, putAccount } from "../../arm/accounts.ts";
import {
  accountModels,
  deleteDeployment,
  getDeployment,
  listDeployments,
  locationModelsJson,
  patchDeployment,
  putDeployment,
} from "../../arm/deployments.ts";
import { COGNITIVE_VERSIONS } from "../../arm/providers.ts";
import { requireSubscription } from "../../arm/readable-resources.ts";
import type { ArmContext, ArmRoute } from "./arm-route.ts";

const SUB = "/subscriptions/([^/]+)";
const ACCOUNT = `${SUB}/resourcegroups/([^/]+)/providers/Microsoft\\.CognitiveServices/accounts/([^/]+)`;
const ACCOUNT_TYPE = "Microsoft.CognitiveServices/accounts";
const DEPLOYMENT_TYPE = "Microsoft.CognitiveServices/accounts/deployments";

const address = (ctx: ArmContext): AccountAddress => ({
  subscriptionId: ctx.params[0]!,
  resourceGroup: ctx.params[1]!,
  name: ctx.params[2]!,
});

/** `Microsoft.CognitiveServices`: accounts, keys, deployments and the model catalog. */
export const cognitiveServicesRoutes: ArmRoute[] = [
  {
    type: ACCOUNT_TYPE,
    pattern: new RegExp(`^${SUB}/providers/Microsoft\\.CognitiveServices/accounts$`, "i"),
    apiVersions: COGNITIVE_VERSIONS,
    handlers: {
      GET: async (ctx) => ({ body: await listAccounts(ctx.services.arm, await ctx.caller(), ctx.params[0]!, undefined, ctx.origin) }),
    },
  },
  {
    type: ACCOUNT_TYPE,
    pattern: new RegExp(`^${SUB}/resourcegroups/([^/]+)/providers/Microsoft\\.CognitiveServices/accounts$`, "i"),
    apiVersions: COGNITIVE_VERSIONS,
    handlers: {
      GET: async (ctx) => ({ body: await listAccounts(ctx.services.arm, await ctx.caller(), ctx.params[0]!, ctx.params[1]!, ctx.origin) }),
    },
  },
  {
    type: ACCOUNT_TYPE,
    pattern: new RegExp(`^${ACCOUNT}$`, "i"),
    apiVersions: COGNITIVE_VERSIONS,
    handlers: {
      async PUT(ctx) {
        const { created, body } = await putAccount(ctx.services.arm, await ctx.caller(), address(ctx), ctx.body, ctx.origin);
        return { status: created ? 201 : 200, body };
      },
      GET: async (ctx) => ({ body: await getAccount(ctx.services.arm, await ctx.caller(), address(ctx), ctx.origin) }),
      PATCH: async (ctx) => ({ body: await patchAccount(ctx.services.arm, await ctx.caller(), address(ctx), ctx.body, ctx.origin) }),
      DELETE: async (ctx) => ({ status: (await deleteAccount(ctx.services.arm, await ctx.caller(), address(ctx))) ? 200 : 204 }),
    },
  },
  {
    type: `${ACCOUNT_TYPE}/listKeys`,
    pattern: new RegExp(`^${ACCOUNT}/listKeys$`, "i"),
    apiVersions: COGNITIVE_VERSIONS,
    handlers: { POST: async (ctx) => ({ body: await listAccountKeys(ctx.services.arm, await ctx.caller(), accountId(address(ctx))) }) },
  },
  {
    type: `${ACCOUNT_TYPE}/regenerateKey`,
    pattern: new RegExp(`^${ACCOUNT}/regenerateKey$`, "i"),
    apiVersions: COGNITIVE_VERSIONS,
    handlers: {
      POST: async (ctx) => ({ body: await regenerateAccountKey(ctx.services.arm, await ctx.caller(), accountId(address(ctx)), ctx.body) }),
    },
  },
  {
    type: `${ACCOUNT_TYPE}/models`,
    pattern: new RegExp(`^${ACCOUNT}/models$`, "i"),
    apiVersions: COGNITIVE_VERSIONS,
    handlers: { GET: async (ctx) => ({ body: await accountModels(ctx.services.arm, await ctx.caller(), address(ctx)) }) },
  },
  {
    type: DEPLOYMENT_TYPE,
    pattern: new RegExp(`^${ACCOUNT}/deployments$`, "i"),
    apiVersions: COGNITIVE_VERSIONS,
    handlers: { GET: async (ctx) => ({ body: await listDeployments(ctx.services.arm, await ctx.caller(), address(ctx)) }) },
  },
  {
    type: DEPLOYMENT_TYPE,
    pattern: new RegExp(`^${ACCOUNT}/deployments/([^/]+)$`, "i"),
    apiVersions: COGNITIVE_VERSIONS,
    handlers: {
      async PUT(ctx) {
        const { created, body } = await putDeployment(ctx.services.arm, await ctx.caller(), address(ctx), ctx.params[3]!, ctx.body);
        return { status: created ? 201 : 200, body };
      },
      GET: async (ctx) => ({ body: await getDeployment(ctx.services.arm, await ctx.caller(), address(ctx), ctx.params[3]!) }),
      PATCH: async (ctx) => ({ body: await patchDeployment(ctx.services.arm, await ctx.caller(), address(ctx), ctx.params[3]!, ctx.body) }),
      DELETE: async (ctx) => ({
        status: (await deleteDeployment(ctx.services.arm, await ctx.caller(), address(ctx), ctx.params[3]!)) ? 200 : 204,
      }),
    },
  },
  {
    type: `${ACCOUNT_TYPE}/skus`,
    pattern: new RegExp(`^${ACCOUNT}/skus$`, "i"),
    apiVersions: COGNITIVE_VERSIONS,
    handlers: { GET: async (ctx) => ({ body: await accountSkus(ctx.services.arm, await ctx.caller(), address(ctx)) }) },
  },
  {
    type: `${ACCOUNT_TYPE}/usages`,
    pattern: new RegExp(`^${ACCOUNT}/usages$`, "i"),
    apiVersions: COGNITIVE_VERSIONS,
    handlers: { GET: async (ctx) => ({ body: await accountUsages(ctx.services.arm, await ctx.caller(), address(ctx)) }) },
  },
  {
    type: "Microsoft.CognitiveServices/skus",
    pattern: new RegExp(`^${SUB}/providers/Microsoft\\.CognitiveServices/skus$`, "i"),
    apiVersions: COGNITIVE_VERSIONS,
    handlers: { GET: async (ctx) => ({ body: await subscriptionSkus(ctx.services.arm, await ctx.caller(), ctx.params[0]!) }) },
  },
  {
    type: "Microsoft.CognitiveServices/locations/usages",
    pattern: new RegExp(`^${SUB}/providers/Microsoft\\.CognitiveServices/locations/([^/]+)/usages$`, "i"),
    apiVersions: COGNITIVE_VERSIONS,
    handlers: {
      GET: async (ctx) => ({ body: await locationUsages(ctx.services.arm, await ctx.caller(), ctx.params[0]!, ctx.params[1]!) }),
    },
  },
  {
    type: "Microsoft.CognitiveServices/locations/models",
    pattern: new RegExp(`^${SUB}/providers/Microsoft\\.CognitiveServices/locations/([^/]+)/models$`, "i"),
    apiVersions: COGNITIVE_VERSIONS,
    handlers: {
      async GET(ctx) {
        await requireSubscription(ctx.services.arm, await ctx.caller(), ctx.params[0]!);
        return { body: locationModelsJson(ctx.services.arm.models.list()) };
      },
    },
  },
];
