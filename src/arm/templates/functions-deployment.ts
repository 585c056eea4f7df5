/** Deployment and resource functions: what the template sees of its deployment, and reads of deployed resources. */
import { copyIndexOf, type EvalEnv, type FunctionSpec } from "./evaluator.ts";
import { fail, int, str } from "./function-args.ts";
import { extensionId, resourceGroupLevelId, subscriptionLevelId, tenantLevelId } from "./resource-ids.ts";

const MANY = Number.POSITIVE_INFINITY;

function strings(fn: string, args: unknown[]): string[] {
  return args.map((_, i) => str(fn, args, i));
}

/** The index of the resource type argument: the first (of at most three) that holds a `/`. */
function typeIndex(fn: string, args: string[], maxPrefix: number): number {
  const index = args.findIndex((a, i) => i <= maxPrefix && a.includes("/"));
  if (index < 0) {
    fail(
      `Unable to evaluate template language function '${fn}': function requires exactly one multi-segmented argument which must be resource type including resource provider namespace. Current function arguments '${args.join(",")}'.`,
    );
  }
  return index;
}

function resourceId(args: unknown[], env: EvalEnv): string {
  const a = strings("resourceId", args);
  const t = typeIndex("resourceId", a, 2);
  const type = a[t]!;
  const names = a.slice(t + 1);
  const { context } = env;
  if (t === 2) return resourceGroupLevelId(a[0]!, a[1]!, type, names, "resourceId");
  if (t === 1) return resourceGroupLevelId(context.subscriptionId, a[0]!, type, names, "resourceId");
  if (context.resourceGroup) return resourceGroupLevelId(context.subscriptionId, context.resourceGroup.name, type, names, "resourceId");
  return subscriptionLevelId(context.subscriptionId, type, names, "resourceId");
}

function notHere(fn: string): never {
  return fail(`The template function '${fn}' is not expected at this location. Please see https://aka.ms/arm-functions for usage details.`);
}

/** The resource a `reference`/`list*` argument names: a symbolic name, a resource of this template by name, or an id. */
function target(env: EvalEnv, fn: string, arg: string): { id: string; apiVersion: string | undefined } {
  const known = env.resolveResource(arg);
  if (known) return { id: known.resourceId, apiVersion: known.apiVersion };
  if (arg.startsWith("/")) return { id: arg, apiVersion: undefined };
  return fail(
    `The template function '${fn}' refers to the resource '${arg}', which is not defined in the template. Give a resource id or the name of a resource of this template.`,
  );
}

export const DEPLOYMENT_FUNCTIONS: Record<string, FunctionSpec> = {
  parameters: { minArgs: 1, maxArgs: 1, run: (a, env) => env.parameter(str("parameters", a, 0)) },
  variables: { minArgs: 1, maxArgs: 1, run: (a, env) => env.variable(str("variables", a, 0)) },
  copyindex: {
    minArgs: 0,
    maxArgs: 2,
    run: (a, env) => {
      let name: string | undefined;
      let offset = 0;
      if (typeof a[0] === "string") {
        name = a[0];
        if (a.length > 1) offset = int("copyIndex", a, 1);
      } else if (a.length === 1) {
        offset = int("copyIndex", a, 0);
      } else if (a.length > 1) {
        fail("The template language function 'copyIndex' expects a loop name first when given two parameters.");
      }
      return copyIndexOf(env.loops, name) + offset;
    },
  },
  deployment: {
    minArgs: 0,
    maxArgs: 0,
    run: (_a, env) => ({
      name: env.context.deploymentName,
      ...(env.context.location === undefined ? {} : { location: env.context.location }),
      properties: {
        template: {
          contentVersion: env.templateInfo.contentVersion,
          ...(env.templateInfo.metadata ? { metadata: env.templateInfo.metadata } : {}),
        },
        templateHash: env.templateInfo.templateHash,
        mode: env.context.mode ?? "Incremental",
        provisioningState: "Accepted",
      },
    }),
  },
  resourcegroup: {
    minArgs: 0,
    maxArgs: 0,
    run: (_a, env) => {
      const rg = env.context.resourceGroup;
      if (!rg)
        return fail(
          "The template function 'resourceGroup' is not expected at this location: a subscription-scope deployment has no resource group.",
        );
      return {
        id: rg.id,
        name: rg.name,
        type: "Microsoft.Resources/resourceGroups",
        location: rg.location,
        ...(rg.managedBy === undefined ? {} : { managedBy: rg.managedBy }),
        tags: { ...(rg.tags ?? {}) },
        properties: { provisioningState: "Succeeded" },
      };
    },
  },
  subscription: {
    minArgs: 0,
    maxArgs: 0,
    run: (_a, env) => ({
      id: `/subscriptions/${env.context.subscriptionId}`,
      subscriptionId: env.context.subscriptionId,
      tenantId: env.context.tenantId,
      displayName: env.context.subscriptionDisplayName ?? env.context.subscriptionId,
    }),
  },
  tenant: { minArgs: 0, maxArgs: 0, run: (_a, env) => ({ id: `/tenants/${env.context.tenantId}`, tenantId: env.context.tenantId }) },
  environment: {
    minArgs: 0,
    maxArgs: 0,
    run: (_a, env) => env.context.environment ?? { name: "Keyless", suffixes: {}, authentication: {} },
  },
  resourceid: { minArgs: 2, maxArgs: MANY, run: (a, env) => resourceId(a, env) },
  subscriptionresourceid: {
    minArgs: 2,
    maxArgs: MANY,
    run: (a, env) => {
      const s = strings("subscriptionResourceId", a);
      const t = typeIndex("subscriptionResourceId", s, 1);
      return subscriptionLevelId(t === 1 ? s[0]! : env.context.subscriptionId, s[t]!, s.slice(t + 1), "subscriptionResourceId");
    },
  },
  tenantresourceid: {
    minArgs: 2,
    maxArgs: MANY,
    run: (a) => {
      const s = strings("tenantResourceId", a);
      return tenantLevelId(s[0]!, s.slice(1), "tenantResourceId");
    },
  },
  extensionresourceid: {
    minArgs: 3,
    maxArgs: MANY,
    run: (a) => {
      const s = strings("extensionResourceId", a);
      return extensionId(s[0]!, s[1]!, s.slice(2), "extensionResourceId");
    },
  },
  resourceinfo: {
    minArgs: 1,
    maxArgs: 1,
    run: (a, env) => {
      const ref = env.resolveResource(str("resourceInfo", a, 0));
      if (!ref)
        return fail(`The template function 'resourceInfo' refers to '${a[0] as string}', which is not a symbolic name of this template.`);
      return { id: ref.resourceId, name: ref.name, type: ref.type, apiVersion: ref.apiVersion };
    },
  },
  reference: {
    minArgs: 1,
    maxArgs: 3,
    run: async (a, env) => {
      const { id, apiVersion } = target(env, "reference", str("reference", a, 0));
      const given = a.length > 1 && a[1] !== null ? str("reference", a, 1) : undefined;
      const full = a.length > 2 && str("reference", a, 2).toLowerCase() === "full";
      env.onReference?.(id);
      if (!env.host) return notHere("reference");
      return env.host.reference(id, given ?? apiVersion, full);
    },
  },
  listkeys: {
    minArgs: 2,
    maxArgs: 3,
    run: async (a, env, name) => {
      if (name.toLowerCase() !== "listkeys") return fail(`The template function '${name}' is not supported by Keyless; 'listKeys' is.`);
      const { id } = target(env, name, str(name, a, 0));
      const apiVersion = str(name, a, 1);
      env.onReference?.(id);
      if (!env.host) return notHere(name);
      return env.host.listKeys(id, apiVersion);
    },
  },
};
