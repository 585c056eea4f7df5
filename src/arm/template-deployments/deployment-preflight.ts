import { WireError, withDetails } from "../../core/errors.ts";
import { newGuid } from "../../core/ids.ts";
import type { ResourceRecord, SubscriptionRecord } from "../../storage/records.ts";
import type { ArmCaller } from "../arm-caller.ts";
import { requireAction } from "../arm-caller.ts";
import { armError } from "../arm-errors.ts";
import { requireSubscription } from "../readable-resources.ts";
import { resourceGroupId } from "../../core/scope.ts";
import {
  type DeploymentAddress,
  type DeploymentInput,
  checkDeploymentName,
  deploymentId,
  parseDeploymentInput,
} from "./deployment-input.ts";
import { DEPLOYABLE_TYPES, isDeployable } from "./resource-types.ts";
import { errorBody } from "./executor.ts";
import type { DeploymentContext, TemplatePlan } from "./plan.ts";
import { TemplateError } from "../templates/index.ts";

import { type TemplateDeploymentDeps } from "./deployment-deps.ts";

/** A template that passed preflight: its plan, where it deploys, and the records it needs. */
export interface Preflight {
  input: DeploymentInput;
  plan: TemplatePlan;
  context: DeploymentContext;
  subscription: SubscriptionRecord;
  group: ResourceRecord | undefined;
  id: string;
}

/** Where a deployment runs: its subscription and group (which must exist), its id and the engine's context. */
interface DeploymentScope {
  subscription: SubscriptionRecord;
  group: ResourceRecord | undefined;
  id: string;
  context: DeploymentContext;
}

export async function resolveScope(
  deps: TemplateDeploymentDeps,
  caller: ArmCaller,
  address: DeploymentAddress,
  action: string,
  run: { location: string | null; mode: "Incremental" | "Complete" },
): Promise<DeploymentScope> {
  checkDeploymentName(address.name);
  const subscription = await requireSubscription(deps.arm, caller, address.subscriptionId);
  let group: ResourceRecord | undefined;
  if (address.resourceGroup !== null) {
    group = await deps.arm.resources.getResource(resourceGroupId(subscription.id, address.resourceGroup));
    if (!group) throw armError("ResourceGroupNotFound", address.resourceGroup);
  }
  const id = deploymentId({ ...address, subscriptionId: subscription.id, resourceGroup: group?.name ?? null });
  await requireAction(deps.arm, caller, action, group?.id ?? `/subscriptions/${subscription.id}`, undefined, id);
  const context: DeploymentContext = {
    tenantId: subscription.tenantId,
    subscriptionId: subscription.id,
    subscriptionDisplayName: subscription.displayName,
    deploymentName: address.name,
    scope: group ? "resourceGroup" : "subscription",
    mode: run.mode,
    ...(run.location ? { location: run.location } : {}),
    ...(group ? { resourceGroup: { name: group.name, id: group.id, location: group.location, tags: group.tags } } : {}),
  };
  return { subscription, group, id, context };
}

/**
 * Parses the body, finds the scope, authorizes `action` on the deployment and plans the template. A template the
 * engine refuses is `InvalidTemplate`; a resource type Keyless cannot deploy is `InvalidTemplateDeployment` with
 * one detail per such resource. Nothing is written.
 */
export async function preflight(
  deps: TemplateDeploymentDeps,
  caller: ArmCaller,
  address: DeploymentAddress,
  body: unknown,
  action: string,
  templateText?: string,
): Promise<Preflight> {
  const input = parseDeploymentInput(body, address.resourceGroup === null ? "subscription" : "resourceGroup");
  const scope = await resolveScope(deps, caller, address, action, input);
  // Planned from its text when the body's own text is known, so a fault names its line and column.
  const plan = await planOrRefuse(() => deps.planTemplate(templateText ?? input.template, input.parameters, scope.context));
  refuseUndeployable(plan, address.name);
  return { input, plan, ...scope };
}

export function refuseUndeployable(plan: TemplatePlan, name: string): void {
  const unsupported = plan.resources.filter((r) => !isDeployable(r.type));
  if (unsupported.length === 0) return;
  throw withDetails(armError("InvalidTemplateDeployment", name, newGuid()), {
    details: unsupported.map((r) => ({
      ...errorBody(armError("NoRegisteredProviderFound", r.type, DEPLOYABLE_TYPES.join(", "))),
      target: r.resourceId,
    })),
  });
}

/** The engine's TemplateError becomes ARM's error of the same code, with the JSON path of the fault as `target`. */
export async function planOrRefuse(plan: () => Promise<TemplatePlan>): Promise<TemplatePlan> {
  try {
    return await plan();
  } catch (err) {
    if (err instanceof TemplateError) {
      const error = new WireError(400, err.code, err.message);
      throw err.target ? withDetails(error, { target: err.target }) : error;
    }
    throw err;
  }
}
