import {
  cancelTemplateDeployment,
  deleteTemplateDeployment,
  exportDeploymentTemplate,
  getTemplateDeployment,
  getTemplateDeploymentOperation,
  getWhatIfResult,
  listTemplateDeploymentOperations,
  listTemplateDeployments,
  putTemplateDeployment,
  type TemplateDeploymentDeps,
  templateDeploymentStatus,
  validateTemplateDeployment,
  whatIfTemplateDeployment,
} from "../../arm/template-deployments/deployment-service.ts";
import type { DeploymentAddress } from "../../arm/template-deployments/deployment-input.ts";
import { DEPLOYMENTS_VERSIONS } from "../../arm/providers.ts";
import { WireError } from "../../core/errors.ts";
import type { ArmContext, ArmRoute } from "./arm-route.ts";
import { templateTextOf } from "./template-text.ts";

const SUB = "/subscriptions/([^/]+)";
const RG = `${SUB}/resourcegroups/([^/]+)`;
const DEPLOYMENTS = "/providers/Microsoft\\.Resources/deployments";
const TYPE = "Microsoft.Resources/deployments";

/** The deployment services of a request, with ARM in process on the request's origin. */
function deps(ctx: ArmContext): TemplateDeploymentDeps {
  const t = ctx.services.templateDeployments;
  return {
    arm: ctx.services.arm,
    store: t.store,
    planTemplate: t.planTemplate,
    diffResource: t.diffResource,
    armAs: (caller, correlationId) => t.armAs(caller, ctx.origin, correlationId),
    concurrency: t.concurrency,
    historyLimit: t.historyLimit,
    parallelism: t.parallelism,
    logFailure: t.logFailure,
    track: t.track,
  };
}

/** The routes of one scope: `atGroup` patterns capture subscription, group, name; the others subscription, name. */
function scopeRoutes(prefix: string, atGroup: boolean): ArmRoute[] {
  const address = (ctx: ArmContext): DeploymentAddress =>
    atGroup
      ? { subscriptionId: ctx.params[0]!, resourceGroup: ctx.params[1]!, name: ctx.params[2]! }
      : { subscriptionId: ctx.params[0]!, resourceGroup: null, name: ctx.params[1]! };
  const extra = (ctx: ArmContext) => ctx.params[atGroup ? 3 : 2]!;
  const route = (suffix: string, handlers: ArmRoute["handlers"], type = TYPE, collection = DEPLOYMENTS): ArmRoute => ({
    type,
    pattern: new RegExp(`^${prefix}${collection}${suffix}$`, "i"),
    apiVersions: DEPLOYMENTS_VERSIONS,
    handlers,
  });
  /** The URL a client polls for the run (`…/deployments/{name}/operationStatuses/{runId}`). */
  const statusUrl = (ctx: ArmContext, id: string, runId: string) =>
    `${ctx.origin}${id}/operationStatuses/${runId}?api-version=${ctx.apiVersion}`;
  return [
    route("", {
      GET: async (ctx) => ({
        body: await listTemplateDeployments(deps(ctx), await ctx.caller(), ctx.params[0]!, atGroup ? ctx.params[1]! : null),
      }),
    }),
    route("/([^/]+)", {
      async PUT(ctx) {
        const { record, body } = await putTemplateDeployment(
          deps(ctx),
          await ctx.caller(),
          address(ctx),
          ctx.body,
          templateTextOf(ctx.request),
        );
        return { status: 201, body, headers: { "azure-asyncoperation": statusUrl(ctx, record.id, record.runId), "retry-after": "1" } };
      },
      GET: async (ctx) => ({ body: await getTemplateDeployment(deps(ctx), await ctx.caller(), address(ctx)) }),
      async HEAD(ctx) {
        try {
          await getTemplateDeployment(deps(ctx), await ctx.caller(), address(ctx));
          return { status: 204 };
        } catch (err) {
          if (err instanceof WireError && err.code === "DeploymentNotFound") return { status: 404 };
          throw err;
        }
      },
      async DELETE(ctx) {
        const deleted = await deleteTemplateDeployment(deps(ctx), await ctx.caller(), address(ctx));
        if (!deleted) return { status: 204 };
        const base = `${ctx.origin}/subscriptions/${deleted.subscriptionId}`;
        return {
          status: 202,
          headers: { location: `${base}/operationresults/${deleted.operationId}?api-version=${ctx.apiVersion}`, "retry-after": "1" },
        };
      },
    }),
    route("/([^/]+)/operationStatuses/([^/]+)", {
      async GET(ctx) {
        const body = await templateDeploymentStatus(deps(ctx), await ctx.caller(), address(ctx), extra(ctx));
        // While the run goes on, say when to ask again, as ARM does: without it the SDKs' pollers wait 30 s.
        return { body, ...(body.status === "Running" ? { headers: { "retry-after": "1" } } : {}) };
      },
    }),
    route("/([^/]+)/cancel", {
      async POST(ctx) {
        await cancelTemplateDeployment(deps(ctx), await ctx.caller(), address(ctx));
        return { status: 204 };
      },
    }),
    route("/([^/]+)/validate", {
      POST: async (ctx) => ({
        body: await validateTemplateDeployment(deps(ctx), await ctx.caller(), address(ctx), ctx.body, templateTextOf(ctx.request)),
      }),
    }),
    route("/([^/]+)/whatIf", {
      async POST(ctx) {
        const { id, subscriptionId } = await whatIfTemplateDeployment(
          deps(ctx),
          await ctx.caller(),
          address(ctx),
          ctx.body,
          templateTextOf(ctx.request),
        );
        return {
          status: 202,
          headers: {
            location: `${ctx.origin}/subscriptions/${subscriptionId}/operationresults/whatif-${id}?api-version=${ctx.apiVersion}`,
            "retry-after": "1",
          },
        };
      },
    }),
    route("/([^/]+)/exportTemplate", {
      POST: async (ctx) => ({ body: await exportDeploymentTemplate(deps(ctx), await ctx.caller(), address(ctx)) }),
    }),
    route("/([^/]+)/operations", {
      GET: async (ctx) => ({ body: await listTemplateDeploymentOperations(deps(ctx), await ctx.caller(), address(ctx)) }),
    }),
    route("/([^/]+)/operations/([^/]+)", {
      GET: async (ctx) => ({ body: await getTemplateDeploymentOperation(deps(ctx), await ctx.caller(), address(ctx), extra(ctx)) }),
    }),
    // Deployment operations of a resource group are also at `…/resourcegroups/{rg}/deployments/{name}/operations`
    // (no provider segment): the path the SDKs, and so `az deployment operation group list`, use.
    ...(atGroup
      ? [
          route(
            "/([^/]+)/operations",
            { GET: async (ctx) => ({ body: await listTemplateDeploymentOperations(deps(ctx), await ctx.caller(), address(ctx)) }) },
            TYPE,
            "/deployments",
          ),
          route(
            "/([^/]+)/operations/([^/]+)",
            {
              GET: async (ctx) => ({
                body: await getTemplateDeploymentOperation(deps(ctx), await ctx.caller(), address(ctx), extra(ctx)),
              }),
            },
            TYPE,
            "/deployments",
          ),
        ]
      : []),
  ];
}

/** `Microsoft.Resources/deployments` at resource-group and subscription scope, and the what-if results. */
export const deploymentRoutes: ArmRoute[] = [
  {
    type: "Microsoft.Resources/operationresults",
    pattern: new RegExp(`^${SUB}/operationresults/whatif-([^/]+)$`, "i"),
    apiVersions: DEPLOYMENTS_VERSIONS,
    handlers: {
      GET: async (ctx) => ({ body: await getWhatIfResult(deps(ctx), await ctx.caller(), ctx.params[0]!, ctx.params[1]!) }),
    },
  },
  ...scopeRoutes(RG, true),
  ...scopeRoutes(SUB, false),
];
