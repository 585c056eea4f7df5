import { armError } from "../../arm/arm-errors.ts";
import { getProvider, getResourceById, listProviders, listResources } from "../../arm/generic-resources.ts";
import { RESOURCES_VERSIONS, apiVersionsOf } from "../../arm/providers.ts";
import {
  deleteResourceGroup,
  getOperationStatus,
  getResourceGroup,
  listResourceGroups,
  patchResourceGroup,
  putResourceGroup,
} from "../../arm/resource-groups.ts";
import { WireError } from "../../core/errors.ts";
import type { ArmRoute } from "./arm-route.ts";

const SUB = "/subscriptions/([^/]+)";

/** `Microsoft.Resources`: resource groups, providers, generic resources, finished operations. */
export const resourceRoutes: ArmRoute[] = [
  {
    type: "Microsoft.Resources/resourceGroups",
    pattern: new RegExp(`^${SUB}/resourcegroups$`, "i"),
    apiVersions: RESOURCES_VERSIONS,
    handlers: { GET: async (ctx) => ({ body: await listResourceGroups(ctx.services.arm, await ctx.caller(), ctx.params[0]!) }) },
  },
  {
    type: "Microsoft.Resources/resourceGroups",
    pattern: new RegExp(`^${SUB}/resourcegroups/([^/]+)$`, "i"),
    apiVersions: RESOURCES_VERSIONS,
    handlers: {
      async PUT(ctx) {
        const [sub, name] = ctx.params as [string, string];
        const { created, body } = await putResourceGroup(ctx.services.arm, await ctx.caller(), sub, name, ctx.body);
        return { status: created ? 201 : 200, body };
      },
      GET: async (ctx) => ({ body: await getResourceGroup(ctx.services.arm, await ctx.caller(), ctx.params[0]!, ctx.params[1]!) }),
      async HEAD(ctx) {
        try {
          await getResourceGroup(ctx.services.arm, await ctx.caller(), ctx.params[0]!, ctx.params[1]!);
          return { status: 204 };
        } catch (err) {
          if (err instanceof WireError && err.code === "ResourceGroupNotFound") return { status: 404 };
          throw err;
        }
      },
      PATCH: async (ctx) => ({
        body: await patchResourceGroup(ctx.services.arm, await ctx.caller(), ctx.params[0]!, ctx.params[1]!, ctx.body),
      }),
      async DELETE(ctx) {
        const { operationId, subscriptionId } = await deleteResourceGroup(
          ctx.services.arm,
          await ctx.caller(),
          ctx.params[0]!,
          ctx.params[1]!,
        );
        const base = `${ctx.origin}/subscriptions/${subscriptionId}`;
        return {
          status: 202,
          headers: {
            location: `${base}/operationresults/${operationId}?api-version=${ctx.apiVersion}`,
            "azure-asyncoperation": `${base}/providers/Microsoft.Resources/asyncOperations/${operationId}?api-version=${ctx.apiVersion}`,
            "retry-after": "1",
          },
        };
      },
    },
  },
  {
    type: "Microsoft.Resources/operationresults",
    pattern: new RegExp(`^${SUB}/operationresults/([^/]+)$`, "i"),
    apiVersions: RESOURCES_VERSIONS,
    handlers: {
      async GET(ctx) {
        await getOperationStatus(ctx.services.arm, await ctx.caller(), ctx.params[0]!, ctx.params[1]!);
        return { status: 200 };
      },
    },
  },
  {
    type: "Microsoft.Resources/asyncOperations",
    pattern: new RegExp(`^${SUB}/providers/Microsoft\\.Resources/asyncOperations/([^/]+)$`, "i"),
    apiVersions: RESOURCES_VERSIONS,
    handlers: {
      GET: async (ctx) => ({ body: await getOperationStatus(ctx.services.arm, await ctx.caller(), ctx.params[0]!, ctx.params[1]!) }),
    },
  },
  {
    type: "Microsoft.Resources/resources",
    pattern: new RegExp(`^${SUB}/resources$`, "i"),
    apiVersions: RESOURCES_VERSIONS,
    handlers: {
      GET: async (ctx) => ({
        body: await listResources(ctx.services.arm, await ctx.caller(), ctx.params[0]!, undefined, ctx.query.$filter),
      }),
    },
  },
  {
    type: "Microsoft.Resources/resources",
    pattern: new RegExp(`^${SUB}/resourcegroups/([^/]+)/resources$`, "i"),
    apiVersions: RESOURCES_VERSIONS,
    handlers: {
      GET: async (ctx) => ({
        body: await listResources(ctx.services.arm, await ctx.caller(), ctx.params[0]!, ctx.params[1]!, ctx.query.$filter),
      }),
    },
  },
  {
    type: "Microsoft.Resources/providers",
    pattern: new RegExp(`^${SUB}/providers$`, "i"),
    apiVersions: RESOURCES_VERSIONS,
    handlers: { GET: async (ctx) => ({ body: await listProviders(ctx.services.arm, await ctx.caller(), ctx.params[0]!) }) },
  },
  {
    type: "Microsoft.Resources/providers",
    pattern: new RegExp(`^${SUB}/providers/([^/]+)$`, "i"),
    apiVersions: RESOURCES_VERSIONS,
    handlers: { GET: async (ctx) => ({ body: await getProvider(ctx.services.arm, await ctx.caller(), ctx.params[0]!, ctx.params[1]!) }) },
  },
];

/** Last in the table: any stored resource by id, checked against its own type's api-versions. */
export const genericResourceRoute: ArmRoute = {
  type: "Microsoft.Resources/resources",
  pattern: new RegExp(`^(${SUB}/resourcegroups/[^/]+/providers/([^/]+)/([^/]+)/[^/]+(?:/[^/]+/[^/]+)*)$`, "i"),
  apiVersions: [],
  handlers: {
    async GET(ctx) {
      const [id, , namespace, type] = ctx.params as [string, string, string, string];
      const versions = apiVersionsOf(`${namespace}/${type}`);
      if (!versions) throw armError("InvalidResourceNamespace", namespace);
      if (!versions.includes(ctx.apiVersion))
        throw armError("InvalidApiVersionParameter", ctx.apiVersion, `${namespace}/${type}`, versions.join(","));
      return { body: await getResourceById(ctx.services.arm, await ctx.caller(), id) };
    },
  },
};
