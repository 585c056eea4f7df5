import { nowIso } from "../../core/clock.ts";
import { WireError } from "../../core/errors.ts";
import { newGuid } from "../../core/ids.ts";
import type { ArmCaller } from "../arm-caller.ts";
import { requireAction } from "../arm-caller.ts";
import { armError } from "../arm-errors.ts";
import { requireSubscription } from "../readable-resources.ts";
import { secureValues } from "../templates/index.ts";
import { resourceGroupId, scopeRelation } from "../../core/scope.ts";
import { deploymentJson, operationJson } from "./deployment-json.ts";
import { type DeploymentAddress, deploymentId } from "./deployment-input.ts";
import { errorBody } from "./executor.ts";
import { hideSecureValues, whatIf } from "./what-if.ts";

import {
  CANCEL,
  DELETE,
  OPERATIONS_READ,
  READ,
  RESULT_RETENTION_MS,
  type TemplateDeploymentDeps,
  VALIDATE,
  WHAT_IF,
  WRITE,
} from "./deployment-deps.ts";
import { planOrRefuse, preflight, resolveScope } from "./deployment-preflight.ts";
import { acceptRun, isActive, newDeploymentRecord, runInBackground } from "./deployment-run.ts";

export type { PlanTemplate, TemplateDeploymentDeps } from "./deployment-deps.ts";

/**
 * `PUT …/deployments/{name}`: preflight, then the deployment is stored as Accepted and runs in the background;
 * the answer is 201 with the Accepted deployment (its `Azure-AsyncOperation` URL is the route's to build).
 */
export async function putTemplateDeployment(
  deps: TemplateDeploymentDeps,
  caller: ArmCaller,
  address: DeploymentAddress,
  body: unknown,
  templateText?: string,
) {
  const checked = await preflight(deps, caller, address, body, WRITE, templateText);
  const existing = await deps.store.getDeployment(checked.id);
  if (existing && isActive(existing.provisioningState)) throw armError("DeploymentActive", address.name);
  const record = await acceptRun(deps, caller, checked, true);
  deps.track(runInBackground(deps, caller, record, checked));
  return { record, body: deploymentJson(record, nowIso(deps.arm.clock)) };
}

/** Reads a deployment the caller may read, or DeploymentNotFound. */
async function findDeployment(deps: TemplateDeploymentDeps, caller: ArmCaller, address: DeploymentAddress, action: string) {
  const subscription = await requireSubscription(deps.arm, caller, address.subscriptionId);
  const id = deploymentId({ ...address, subscriptionId: subscription.id });
  await requireAction(deps.arm, caller, action, scopeOf(subscription.id, address), undefined, id);
  const record = await deps.store.getDeployment(id);
  if (!record) throw armError("DeploymentNotFound", address.name);
  return record;
}

export async function getTemplateDeployment(deps: TemplateDeploymentDeps, caller: ArmCaller, address: DeploymentAddress) {
  return deploymentJson(await findDeployment(deps, caller, address, READ), nowIso(deps.arm.clock));
}

/** The deployment's run status, as its `Azure-AsyncOperation` URL answers: `{status, error?}`. */
export async function templateDeploymentStatus(deps: TemplateDeploymentDeps, caller: ArmCaller, address: DeploymentAddress, runId: string) {
  const record = await findDeployment(deps, caller, address, READ);
  if (record.runId !== runId.toLowerCase()) throw armError("OperationNotFound", runId);
  const status = record.provisioningState === "Accepted" ? "Running" : record.provisioningState;
  return { status, ...(record.error ? { error: record.error } : {}) };
}

/** `GET …/deployments`: the deployments at one scope, when the caller may read deployments there. */
export async function listTemplateDeployments(
  deps: TemplateDeploymentDeps,
  caller: ArmCaller,
  subscriptionId: string,
  resourceGroup: string | null,
) {
  const subscription = await requireSubscription(deps.arm, caller, subscriptionId);
  let scope = `/subscriptions/${subscription.id}`;
  if (resourceGroup !== null) {
    const group = await deps.arm.resources.getResource(resourceGroupId(subscription.id, resourceGroup));
    if (!group) throw armError("ResourceGroupNotFound", resourceGroup);
    scope = group.id;
  }
  await requireAction(deps.arm, caller, READ, scope, undefined, `${scope}/providers/Microsoft.Resources/deployments`);
  const now = nowIso(deps.arm.clock);
  return { value: (await deps.store.listDeployments(subscription.id, resourceGroup)).map((d) => deploymentJson(d, now)) };
}

/** `DELETE …/deployments/{name}`: removes the deployment from the history (never the resources it made). */
/** Returns the id of the finished delete operation, or undefined when there was nothing to delete. */
export async function deleteTemplateDeployment(deps: TemplateDeploymentDeps, caller: ArmCaller, address: DeploymentAddress) {
  const subscription = await requireSubscription(deps.arm, caller, address.subscriptionId);
  const id = deploymentId({ ...address, subscriptionId: subscription.id });
  await requireAction(deps.arm, caller, DELETE, scopeOf(subscription.id, address), undefined, id);
  const record = await deps.store.getDeployment(id);
  if (!record) return undefined;
  if (isActive(record.provisioningState)) throw armError("DeploymentActive", address.name);
  const startedAt = nowIso(deps.arm.clock);
  await deps.store.deleteDeployment(id);
  const operationId = newGuid();
  await deps.arm.arm.insertOperation({
    id: operationId,
    subscriptionId: subscription.id,
    status: "Succeeded",
    resourceId: id,
    startedAt,
    endedAt: nowIso(deps.arm.clock),
  });
  return { operationId, subscriptionId: subscription.id };
}

/** What a deployment's actions are authorized at: its resource group, or the subscription. */
function scopeOf(subscriptionId: string, address: DeploymentAddress): string {
  const sub = `/subscriptions/${subscriptionId}`;
  return address.resourceGroup === null ? sub : `${sub}/resourceGroups/${address.resourceGroup}`;
}

/** `POST …/cancel`: an Accepted or Running deployment becomes Canceled; resources already written stay. */
export async function cancelTemplateDeployment(deps: TemplateDeploymentDeps, caller: ArmCaller, address: DeploymentAddress) {
  const record = await findDeployment(deps, caller, address, CANCEL);
  if (!isActive(record.provisioningState)) throw armError("DeploymentCannotBeCancelled", address.name, record.provisioningState);
  const at = nowIso(deps.arm.clock);
  await deps.store.updateRun(record.id, record.runId, {
    provisioningState: "Canceled",
    error: errorBody(armError("DeploymentCanceled", address.name)),
    endedAt: at,
  });
}

/** `POST …/validate`: preflight only; the answer is the deployment as it would start, with `validatedResources`. */
export async function validateTemplateDeployment(
  deps: TemplateDeploymentDeps,
  caller: ArmCaller,
  address: DeploymentAddress,
  body: unknown,
  templateText?: string,
) {
  const checked = await preflight(deps, caller, address, body, VALIDATE, templateText);
  const at = nowIso(deps.arm.clock);
  const view = deploymentJson(newDeploymentRecord(caller, checked, at, { provisioningState: "Succeeded", endedAt: at }), at);
  return { ...view, properties: { ...view.properties, validatedResources: checked.plan.resources.map((r) => ({ id: r.resourceId })) } };
}

/**
 * `POST …/whatIf`: preflight, then the predicted changes (read through ARM as the caller), secure parameter values
 * shown as `***`, stored as a result the client fetches from the answer's `Location`. Returns the result's id.
 */
export async function whatIfTemplateDeployment(
  deps: TemplateDeploymentDeps,
  caller: ArmCaller,
  address: DeploymentAddress,
  body: unknown,
  templateText?: string,
) {
  const checked = await preflight(deps, caller, address, body, WHAT_IF, templateText);
  const arm = deps.armAs(caller, newGuid());
  const existing = checked.group
    ? (await deps.arm.arm.listResourcesOfSubscription(checked.subscription.id)).filter(
        (r) => scopeRelation(r.id, checked.group!.id) === "below",
      )
    : [];
  // Secure values reach predicted bodies through properties (and nested deployments' parameters): none is kept.
  const secureParameters = [...Object.values(checked.plan.parameters)];
  const predicted = await whatIf(
    {
      arm,
      diffResource: deps.diffResource,
      mode: checked.input.mode,
      existing,
      async planNested(resource, host) {
        const nested = resource.nestedDeployment;
        if (!nested) return [];
        const address = { subscriptionId: nested.subscriptionId, resourceGroup: nested.resourceGroup ?? null, name: nested.name };
        const scope = await resolveScope(deps, caller, address, WHAT_IF, { location: checked.input.location, mode: nested.mode }).catch(
          (err: unknown) => {
            // The nested scope may not exist yet (a resource group the same template creates): nothing to compare with.
            if (err instanceof WireError && err.code === "ResourceGroupNotFound") return undefined;
            throw err;
          },
        );
        if (!scope) return [];
        const plan = await planOrRefuse(() => nested.plan(scope.context, host));
        secureParameters.push(...Object.values(plan.parameters));
        return plan.resources;
      },
    },
    checked.plan.resources,
  );
  const changes = hideSecureValues(predicted, secureValues(secureParameters));
  const id = newGuid();
  const result = { status: "Succeeded", properties: { changes } };
  await deps.store.insertResult({
    id,
    subscriptionId: checked.subscription.id,
    principalId: caller.principalId,
    body: result,
    createdAt: nowIso(deps.arm.clock),
  });
  // A client reads its result within seconds of the 202; an hour later nobody will.
  await deps.store.deleteResultsBefore(new Date(deps.arm.clock.now() - RESULT_RETENTION_MS).toISOString());
  return { id, subscriptionId: checked.subscription.id, result };
}

/** A finished what-if result, for the caller who asked for it. */
export async function getWhatIfResult(deps: TemplateDeploymentDeps, caller: ArmCaller, subscriptionId: string, id: string) {
  const subscription = await requireSubscription(deps.arm, caller, subscriptionId);
  const result = await deps.store.getResult(id.toLowerCase());
  if (!result || result.subscriptionId !== subscription.id.toLowerCase() || result.principalId !== caller.principalId)
    throw armError("OperationNotFound", id);
  return result.body;
}

/** `GET …/deployments/{name}/operations`: what the run did, one entry per resource. */
export async function listTemplateDeploymentOperations(deps: TemplateDeploymentDeps, caller: ArmCaller, address: DeploymentAddress) {
  const record = await findDeployment(deps, caller, address, OPERATIONS_READ);
  const now = nowIso(deps.arm.clock);
  return { value: (await deps.store.listOperations(record.id)).map((op) => operationJson(record.id, op, now)) };
}

export async function getTemplateDeploymentOperation(
  deps: TemplateDeploymentDeps,
  caller: ArmCaller,
  address: DeploymentAddress,
  operationId: string,
) {
  const record = await findDeployment(deps, caller, address, OPERATIONS_READ);
  const op = (await deps.store.listOperations(record.id)).find((o) => o.operationId.toLowerCase() === operationId.toLowerCase());
  if (!op) throw armError("OperationNotFound", operationId);
  return operationJson(record.id, op, nowIso(deps.arm.clock));
}

/** `POST …/exportTemplate`: the template the deployment ran. */
export async function exportDeploymentTemplate(deps: TemplateDeploymentDeps, caller: ArmCaller, address: DeploymentAddress) {
  const record = await findDeployment(deps, caller, address, READ);
  return { template: record.template };
}
