import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { nowIso } from "../../core/clock.ts";
import { scopeRelation } from "../../core/scope.ts";
import { WireError, withDetails } from "../../core/errors.ts";
import { newGuid } from "../../core/ids.ts";
import type { TemplateDeploymentRecord } from "../../storage/deployment-store.ts";
import type { ArmCaller } from "../arm-caller.ts";
import { armError } from "../arm-errors.ts";
import type { ArmPort } from "./arm-port.ts";
import { type TemplateDeploymentDeps, WRITE } from "./deployment-deps.ts";
import { deploymentJson, shownParameters, templateHash, typeName } from "./deployment-json.ts";
import { keepRunAlive } from "./deployment-leases.ts";
import { type Preflight, planOrRefuse, refuseUndeployable, resolveScope } from "./deployment-preflight.ts";
import { deploymentFailedBody, errorBody, executePlan, type ResourceFailure, templateHost } from "./executor.ts";
import type { PlannedResource, TemplateHost } from "./plan.ts";
import { COMPLETE_MODE_TYPES, defaultApiVersion } from "./resource-types.ts";

/**
 * The deployment a preflight describes, as it starts: `Accepted` and unfinished for a run, or already `Succeeded`
 * for the answer to `validate`.
 */
export function newDeploymentRecord(
  caller: ArmCaller,
  checked: Preflight,
  at: string,
  state: { provisioningState: "Accepted" | "Succeeded"; endedAt: string | null },
): TemplateDeploymentRecord {
  return {
    id: checked.id,
    name: checked.context.deploymentName,
    subscriptionId: checked.subscription.id,
    resourceGroup: checked.group?.name ?? null,
    location: checked.input.location,
    tags: checked.input.tags,
    runId: newGuid(),
    provisioningState: state.provisioningState,
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
    endedAt: state.endedAt,
  };
}

/**
 * Stores the run as Accepted within the scope's history limit and, for a top-level deployment (`counted`), the
 * subscription's concurrency limit; a nested deployment runs inside its parent's place.
 */
export async function acceptRun(
  deps: TemplateDeploymentDeps,
  caller: ArmCaller,
  checked: Preflight,
  counted = false,
): Promise<TemplateDeploymentRecord> {
  const record = newDeploymentRecord(caller, checked, nowIso(deps.arm.clock), { provisioningState: "Accepted", endedAt: null });
  const stored = await deps.store.putDeployment(record, {
    historyLimit: deps.historyLimit,
    ...(counted ? { concurrencyLimit: deps.concurrency } : {}),
  });
  if (stored.stored) return record;
  if (stored.limit === "concurrency") throw armError("DeploymentConcurrencyLimitExceeded", deps.concurrency);
  throw armError("DeploymentQuotaExceeded", record.name, deps.historyLimit, stored.count);
}

export async function runInBackground(
  deps: TemplateDeploymentDeps,
  caller: ArmCaller,
  record: TemplateDeploymentRecord,
  checked: Preflight,
) {
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
      })
      .catch((e: unknown) => deps.logFailure(`template deployment ${record.id}: the failure could not be recorded`, e));
  }
}

/** Runs a deployment to its end: Running, every resource in dependency order, complete mode's deletions, outputs. */
async function runDeployment(deps: TemplateDeploymentDeps, caller: ArmCaller, record: TemplateDeploymentRecord, checked: Preflight) {
  await deps.store.updateRun(record.id, record.runId, { provisioningState: "Running" });
  const stopHeartbeat = keepRunAlive(deps.store, record.id, record.runId, (err) =>
    deps.logFailure(`template deployment ${record.id}: its heartbeat could not be recorded`, err),
  );
  try {
    await runToEnd(deps, caller, record, checked);
  } finally {
    stopHeartbeat();
  }
}

async function runToEnd(deps: TemplateDeploymentDeps, caller: ArmCaller, record: TemplateDeploymentRecord, checked: Preflight) {
  const clock = deps.arm.clock;
  const arm = deps.armAs(caller, record.correlationId);
  const result = await executePlan(
    {
      arm,
      store: deps.store,
      clock,
      deploymentId: record.id,
      parallelism: deps.parallelism,
      // Canceled, or failed by a sweep that took this run for abandoned: either way this run stops here.
      isCanceled: async () => {
        const current = await deps.store.getDeployment(record.id);
        return current?.runId !== record.runId || !isActive(current.provisioningState);
      },
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
    });
    return;
  }
  if (failures.length > 0) {
    await deps.store.updateRun(record.id, record.runId, {
      provisioningState: "Failed",
      outputResources: written.map((id) => ({ id })),
      error: deploymentFailedError(failures),
      endedAt: ended,
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
    });
    return;
  }
  const end = nowIso(clock);
  await deps.store.updateRun(record.id, record.runId, {
    provisioningState: "Succeeded",
    outputs: shownOutputs(outputs),
    outputResources: written.map((id) => ({ id })),
    endedAt: end,
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
  return deploymentFailedBody(failures.map((f) => f.error));
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
  const group = checked.group!.id;
  const types = new Set(COMPLETE_MODE_TYPES.map((t) => t.toLowerCase()));
  const inGroup = (await deps.arm.arm.listResourcesOfSubscription(checked.subscription.id)).filter(
    (r) => scopeRelation(r.id, group) === "below" && types.has(r.type.toLowerCase()) && !named.has(r.id.toLowerCase()),
  );
  // A child whose parent goes too is deleted with it.
  const doomed = inGroup.filter((r) => !inGroup.some((p) => p !== r && scopeRelation(r.id, p.id) === "below"));
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

export function isActive(state: string): boolean {
  return state === "Accepted" || state === "Running";
}

function dependencyList(resources: readonly PlannedResource[]) {
  // One index of ids and symbolic names, the first resource in order winning as a search in order would find it:
  // 800 resources that each depend on 400 held the event loop for seconds when every entry searched the list.
  const byName = new Map<string, PlannedResource>();
  for (const r of resources) {
    for (const name of [r.resourceId, r.symbolicName]) {
      if (name !== undefined && !byName.has(name.toLowerCase())) byName.set(name.toLowerCase(), r);
    }
  }
  return resources.map((r) => ({
    id: r.resourceId,
    resourceType: r.type,
    resourceName: r.name,
    dependsOn: r.dependsOn.map((d) => {
      const target = byName.get(d.toLowerCase());
      return target ? { id: target.resourceId, resourceType: target.type, resourceName: target.name } : { id: d };
    }),
  }));
}
