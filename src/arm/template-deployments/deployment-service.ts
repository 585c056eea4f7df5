import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { nowIso } from "../../core/clock.ts";
import { WireError, withDetails } from "../../core/errors.ts";
import { newGuid } from "../../core/ids.ts";
import type { DeploymentStore, TemplateDeploymentRecord } from "../../storage/deployment-store.ts";
import type { ResourceRecord, SubscriptionRecord } from "../../storage/records.ts";
import type { ArmCaller } from "../arm-caller.ts";
import { requireAction } from "../arm-caller.ts";
import type { ArmDeps } from "../arm-deps.ts";
import { armError } from "../arm-errors.ts";
import { requireSubscription } from "../readable-resources.ts";
import { resourceGroupId } from "../../core/scope.ts";
import type { ArmPort } from "./arm-port.ts";
import { DEPLOYMENT_TYPE, deploymentJson, operationJson, shownParameters, templateHash, typeName } from "./deployment-json.ts";
import {
  type DeploymentAddress,
  type DeploymentInput,
  checkDeploymentName,
  deploymentId,
  parseDeploymentInput,
} from "./deployment-input.ts";
import { COMPLETE_MODE_TYPES, DEPLOYABLE_TYPES, defaultApiVersion, isDeployable } from "./resource-types.ts";
import { errorBody, executePlan, templateHost, type ResourceFailure } from "./executor.ts";
import type { DeploymentContext, PlannedResource, TemplateHost, TemplatePlan } from "./plan.ts";
import { TemplateError } from "../templates/index.ts";
import { type DiffResource, whatIf } from "./what-if.ts";

const WRITE = "Microsoft.Resources/deployments/write";
const READ = "Microsoft.Resources/deployments/read";
const DELETE = "Microsoft.Resources/deployments/delete";
const CANCEL = "Microsoft.Resources/deployments/cancel/action";
const VALIDATE = "Microsoft.Resources/deployments/validate/action";
const OPERATIONS_READ = "Microsoft.Resources/deployments/operations/read";
const WHAT_IF = "Microsoft.Resources/deployments/whatIf/action";
/** How long a what-if result stays readable at its `Location`. */
const RESULT_RETENTION_MS = 3600_000;

export type PlanTemplate = (template: unknown, parameters: Record<string, unknown>, context: DeploymentContext) => Promise<TemplatePlan>;

/** What template deployments need beyond the ARM providers: their store, the engine, ARM as a caller, limits. */
export interface TemplateDeploymentDeps {
  arm: ArmDeps;
  store: DeploymentStore;
  planTemplate: PlanTemplate;
  /** ARM in process as `caller` (the HTTP route table, injected); writes are logged under `correlationId`. */
  armAs(caller: ArmCaller, correlationId: string): ArmPort;
  /** Deployments a subscription may have accepted or running at once. */
  concurrency: number;
  /** Resources one deployment writes at once. */
  parallelism: number;
  /** Reports a failure nobody awaits (a background run); never given a parameter value. */
  logFailure(message: string, err: unknown): void;
  /** Keeps a background run, so closing the server waits for it. */
  track(run: Promise<void>): void;
  /** The engine's property-level comparison of a resource as it is and as the template would leave it. */
  diffResource: DiffResource;
}

/** A template that passed preflight: its plan, where it deploys, and the records it needs. */
interface Preflight {
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

async function resolveScope(
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
async function preflight(
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

function refuseUndeployable(plan: TemplatePlan, name: string): void {
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
async function planOrRefuse(plan: () => Promise<TemplatePlan>): Promise<TemplatePlan> {
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
  if ((await deps.store.countActive(checked.subscription.id)) >= deps.concurrency)
    throw armError("DeploymentConcurrencyLimitExceeded", deps.concurrency);
  const record = await acceptRun(deps, caller, checked);
  deps.track(runInBackground(deps, caller, record, checked));
  return { record, body: deploymentJson(record, nowIso(deps.arm.clock)) };
}

async function acceptRun(deps: TemplateDeploymentDeps, caller: ArmCaller, checked: Preflight): Promise<TemplateDeploymentRecord> {
  const at = nowIso(deps.arm.clock);
  const record: TemplateDeploymentRecord = {
    id: checked.id,
    name: checked.context.deploymentName,
    subscriptionId: checked.subscription.id,
    resourceGroup: checked.group?.name ?? null,
    location: checked.input.location,
    tags: checked.input.tags,
    runId: newGuid(),
    provisioningState: "Accepted",
    mode: checked.input.mode,
    template: checked.input.template,
    templateHash: templateHash(checked.input.template),
    parameters: shownParameters(checked.plan.parameters),
    outputs: null,
    outputResources: [],
    dependencies: dependencyList(checked.plan.resources),
    error: null,
    correlationId: newGuid(),
    createdBy: caller.principalId,
    startedAt: at,
    updatedAt: at,
    endedAt: null,
  };
  await deps.store.putDeployment(record);
  return record;
}

async function runInBackground(deps: TemplateDeploymentDeps, caller: ArmCaller, record: TemplateDeploymentRecord, checked: Preflight) {
  // The run starts after the PUT has been answered (201 Accepted), as in ARM.
  await yieldToEventLoop();
  try {
    await runDeployment(deps, caller, record, checked);
  } catch (err) {
    deps.logFailure(`template deployment ${record.id} failed unexpectedly`, err);
    await deps.store
      .updateRun(record.id, record.runId, {
        provisioningState: "Failed",
        error: errorBody(err),
        endedAt: nowIso(deps.arm.clock),
        updatedAt: nowIso(deps.arm.clock),
      })
      .catch((e: unknown) => deps.logFailure(`template deployment ${record.id}: the failure could not be recorded`, e));
  }
}

/** Runs a deployment to its end: Running, every resource in dependency order, complete mode's deletions, outputs. */
async function runDeployment(deps: TemplateDeploymentDeps, caller: ArmCaller, record: TemplateDeploymentRecord, checked: Preflight) {
  const clock = deps.arm.clock;
  await deps.store.updateRun(record.id, record.runId, { provisioningState: "Running", updatedAt: nowIso(clock) });
  const arm = deps.armAs(caller, record.correlationId);
  const result = await executePlan(
    {
      arm,
      store: deps.store,
      clock,
      deploymentId: record.id,
      parallelism: deps.parallelism,
      isCanceled: async () => (await deps.store.getDeployment(record.id))?.provisioningState === "Canceled",
      runNested: (resource, host) => runNested(deps, caller, resource, host, checked),
      logFailure: (resourceId, err) => deps.logFailure(`template deployment ${record.id}: resource ${resourceId} failed unexpectedly`, err),
    },
    checked.plan.resources,
  );
  const failures = [...result.failures];
  const written = [...result.written];
  if (!result.canceled && failures.length === 0 && checked.input.mode === "Complete" && checked.group)
    failures.push(...(await deleteUnlisted(deps, arm, record, checked)));
  const ended = nowIso(clock);
  if (result.canceled) {
    await deps.store.updateRun(record.id, record.runId, {
      outputResources: written.map((id) => ({ id })),
      endedAt: ended,
      updatedAt: ended,
    });
    return;
  }
  if (failures.length > 0) {
    await deps.store.updateRun(record.id, record.runId, {
      provisioningState: "Failed",
      outputResources: written.map((id) => ({ id })),
      error: deploymentFailedError(failures),
      endedAt: ended,
      updatedAt: ended,
    });
    return;
  }
  let outputs: Record<string, unknown>;
  try {
    outputs = await checked.plan.outputs(
      templateHost(arm, new Map(checked.plan.resources.map((r) => [r.type.toLowerCase(), r.apiVersion]))),
    );
  } catch (err) {
    const end = nowIso(clock);
    await deps.store.updateRun(record.id, record.runId, {
      provisioningState: "Failed",
      outputResources: written.map((id) => ({ id })),
      error: deploymentFailedError([{ resourceId: record.id, error: { ...errorBody(err), target: "outputs" } }]),
      endedAt: end,
      updatedAt: end,
    });
    return;
  }
  const end = nowIso(clock);
  await deps.store.updateRun(record.id, record.runId, {
    provisioningState: "Succeeded",
    outputs: shownOutputs(outputs),
    outputResources: written.map((id) => ({ id })),
    endedAt: end,
    updatedAt: end,
  });
}

/** Secure outputs are not shown, as ARM does for secureString/secureObject outputs. */
function shownOutputs(outputs: Record<string, unknown>): Record<string, unknown> {
  const shown: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(outputs)) {
    const o = raw as { type?: string; value?: unknown };
    const type = typeName(String(o.type ?? ""));
    shown[name] = /^secure/i.test(type) ? { type } : { type, value: o.value };
  }
  return shown;
}

function deploymentFailedError(failures: readonly ResourceFailure[]) {
  const top = armError("DeploymentFailed");
  return { code: top.code, message: top.message, details: failures.map((f) => f.error) };
}

/**
 * A nested `Microsoft.Resources/deployments` resource: a deployment of its own at its target scope (authorized as
 * the caller, like any deployment), planned by the engine there and run to its end before the parent carries on.
 */
async function runNested(
  deps: TemplateDeploymentDeps,
  caller: ArmCaller,
  resource: PlannedResource,
  host: TemplateHost,
  parent: Preflight,
) {
  const nested = resource.nestedDeployment;
  if (!nested) throw armError("InvalidDeploymentScope", `the nested deployment '${resource.name}' carries no template.`);
  const address = { subscriptionId: nested.subscriptionId, resourceGroup: nested.resourceGroup ?? null, name: nested.name };
  const run = { location: parent.input.location, mode: nested.mode };
  const scope = await resolveScope(deps, caller, address, WRITE, run);
  const plan = await planOrRefuse(() => nested.plan(scope.context, host));
  refuseUndeployable(plan, nested.name);
  const existing = await deps.store.getDeployment(scope.id);
  if (existing && isActive(existing.provisioningState)) throw armError("DeploymentActive", nested.name);
  const body = await resource.body(host);
  const template = ((body.properties ?? {}) as { template?: unknown }).template ?? {};
  const checked: Preflight = {
    input: { template: template as Record<string, unknown>, parameters: {}, mode: nested.mode, location: run.location, tags: {} },
    plan,
    ...scope,
  };
  const record = await acceptRun(deps, caller, checked);
  await runDeployment(deps, caller, record, checked);
  const done = await deps.store.getDeployment(record.id);
  if (done?.provisioningState !== "Succeeded") {
    const failure = done?.error ?? errorBody(armError("DeploymentFailed"));
    throw withDetails(armError("DeploymentFailed"), { details: [{ ...failure, target: record.id }] });
  }
  return { status: 200, body: deploymentJson(done, nowIso(deps.arm.clock)) };
}

/** Complete mode: deletes (as the caller) the resource group's resources of a tracked type that the template does not name. */
async function deleteUnlisted(
  deps: TemplateDeploymentDeps,
  arm: ArmPort,
  record: TemplateDeploymentRecord,
  checked: Preflight,
): Promise<ResourceFailure[]> {
  const named = new Set(checked.plan.resources.map((r) => r.resourceId.toLowerCase()));
  const prefix = `${checked.group!.id.toLowerCase()}/`;
  const types = new Set(COMPLETE_MODE_TYPES.map((t) => t.toLowerCase()));
  const inGroup = (await deps.arm.arm.listResourcesOfSubscription(checked.subscription.id)).filter(
    (r) => r.id.toLowerCase().startsWith(prefix) && types.has(r.type.toLowerCase()) && !named.has(r.id.toLowerCase()),
  );
  // A child whose parent goes too is deleted with it.
  const doomed = inGroup.filter((r) => !inGroup.some((p) => p !== r && r.id.toLowerCase().startsWith(`${p.id.toLowerCase()}/`)));
  const failures: ResourceFailure[] = [];
  let seq = 10_000;
  for (const r of doomed) {
    const operationId = newGuid().replace(/-/g, "").slice(0, 16).toUpperCase();
    const apiVersion = defaultApiVersion(r.type) ?? "";
    const base = {
      deploymentId: record.id,
      operationId,
      seq: seq++,
      provisioningOperation: "Delete",
      targetId: r.id,
      targetType: r.type,
      targetName: r.name,
      apiVersion,
      startedAt: nowIso(deps.arm.clock),
    };
    try {
      const response = await arm({ method: "DELETE", path: r.id, apiVersion });
      await deps.store.putOperation({
        ...base,
        provisioningState: "Succeeded",
        statusCode: response.status === 204 ? "NoContent" : "OK",
        statusMessage: null,
        endedAt: nowIso(deps.arm.clock),
      });
    } catch (err) {
      const error = errorBody(err);
      await deps.store.putOperation({
        ...base,
        provisioningState: "Failed",
        statusCode: err instanceof WireError ? String(err.status) : "InternalServerError",
        statusMessage: { status: "Failed", error },
        endedAt: nowIso(deps.arm.clock),
      });
      failures.push({ resourceId: r.id, error: { ...error, target: r.id } });
    }
  }
  return failures;
}

/** `/subscriptions/{s}[/resourceGroups/{rg}]/providers/Microsoft.Resources/deployments/{name}` as an address. */
export function addressOfId(id: string): DeploymentAddress | undefined {
  const m = /^\/subscriptions\/([^/]+)(?:\/resourcegroups\/([^/]+))?\/providers\/Microsoft\.Resources\/deployments\/([^/]+)$/i.exec(id);
  if (!m) return undefined;
  return { subscriptionId: m[1]!, resourceGroup: m[2] ?? null, name: m[3]! };
}

function isActive(state: string): boolean {
  return state === "Accepted" || state === "Running";
}

function dependencyList(resources: readonly PlannedResource[]) {
  return resources.map((r) => ({
    id: r.resourceId,
    resourceType: r.type,
    resourceName: r.name,
    dependsOn: r.dependsOn.map((d) => {
      const target = resources.find(
        (o) => o.resourceId.toLowerCase() === d.toLowerCase() || o.symbolicName?.toLowerCase() === d.toLowerCase(),
      );
      return target ? { id: target.resourceId, resourceType: target.type, resourceName: target.name } : { id: d };
    }),
  }));
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
    updatedAt: at,
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
  const view = deploymentJson(
    {
      id: checked.id,
      name: address.name,
      subscriptionId: checked.subscription.id,
      resourceGroup: checked.group?.name ?? null,
      location: checked.input.location,
      tags: checked.input.tags,
      runId: newGuid(),
      provisioningState: "Succeeded",
      mode: checked.input.mode,
      template: checked.input.template,
      templateHash: templateHash(checked.input.template),
      parameters: shownParameters(checked.plan.parameters),
      outputs: null,
      outputResources: [],
      dependencies: dependencyList(checked.plan.resources),
      error: null,
      correlationId: newGuid(),
      createdBy: caller.principalId,
      startedAt: at,
      updatedAt: at,
      endedAt: at,
    },
    at,
  );
  return { ...view, properties: { ...view.properties, validatedResources: checked.plan.resources.map((r) => ({ id: r.resourceId })) } };
}

/**
 * `POST …/whatIf`: preflight, then the predicted changes (read through ARM as the caller), stored as a result the
 * client fetches from the answer's `Location`. Returns the result's id.
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
    ? (await deps.arm.arm.listResourcesOfSubscription(checked.subscription.id)).filter((r) =>
        r.id.toLowerCase().startsWith(`${checked.group!.id.toLowerCase()}/`),
      )
    : [];
  const changes = await whatIf(
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
        return scope ? (await planOrRefuse(() => nested.plan(scope.context, host))).resources : [];
      },
    },
    checked.plan.resources,
  );
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

export { DEPLOYMENT_TYPE };
