import { randomBytes } from "node:crypto";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { type Clock, nowIso } from "../../core/clock.ts";
import { WireError } from "../../core/errors.ts";
import type { DeploymentOperationRecord, DeploymentStore } from "../../storage/deployment-store.ts";
import { armError } from "../arm-errors.ts";
import { TemplateError } from "../templates/index.ts";
import type { ArmPort } from "./arm-port.ts";
import type { PlannedResource, TemplateHost } from "./plan.ts";
import { DEPLOYABLE_TYPES, defaultApiVersion, isDeployable, typeOfId } from "./resource-types.ts";

/** A failed resource: which one, and ARM's error for it (`{code, message, …}`), as `error.details` lists it. */
export interface ResourceFailure {
  resourceId: string;
  error: { code: string; message: string; target?: string; details?: unknown[] };
}

interface ExecutionResult {
  failures: ResourceFailure[];
  /** Ids of the resources written, in the order they finished. */
  written: string[];
  canceled: boolean;
}

interface ExecutorDeps {
  /** ARM as the deployment's caller: every read and write goes through the route a direct call takes. */
  arm: ArmPort;
  store: DeploymentStore;
  clock: Clock;
  deploymentId: string;
  /** True once someone cancelled the run (checked before each resource starts). */
  isCanceled(): Promise<boolean>;
  /** Runs a nested `Microsoft.Resources/deployments` resource to its end as a deployment of its own. */
  runNested(resource: PlannedResource, host: TemplateHost): Promise<{ status: number; body: unknown }>;
  /** Reports an unexpected failure (never with a parameter value). */
  logFailure(resourceId: string, err: unknown): void;
  /** How many resources may be written at once. */
  parallelism: number;
}

/** Reads a resource (or lists its keys) through ARM as the caller: what `reference()` and `listKeys()` see. */
export function templateHost(arm: ArmPort, plannedVersions: ReadonlyMap<string, string>): TemplateHost {
  const versionOf = (id: string, given: string | undefined) => {
    const type = typeOfId(id) ?? "";
    const version = given ?? plannedVersions.get(type.toLowerCase()) ?? defaultApiVersion(type);
    if (!version) throw armError("NoRegisteredProviderFound", type || id, DEPLOYABLE_TYPES.join(", "));
    return version;
  };
  return {
    async reference(resourceId, apiVersion, full) {
      const { body } = await arm({ method: "GET", path: resourceId, apiVersion: versionOf(resourceId, apiVersion) });
      if (full) return body;
      return (body as { properties?: unknown } | null)?.properties ?? {};
    },
    async listKeys(resourceId, apiVersion) {
      const { body } = await arm({ method: "POST", path: `${resourceId}/listKeys`, apiVersion: versionOf(resourceId, apiVersion) });
      return body;
    },
  };
}

/**
 * Runs a plan's resources in dependency order: a resource starts once everything it depends on succeeded;
 * independent ones run side by side (up to `parallelism`). A failed resource fails alone: what depends on it is
 * never started, the rest carries on, as ARM does. Each resource is one deployment operation in storage.
 */
export async function executePlan(deps: ExecutorDeps, resources: readonly PlannedResource[]): Promise<ExecutionResult> {
  const plannedVersions = new Map(resources.map((r) => [r.type.toLowerCase(), r.apiVersion]));
  const host = templateHost(deps.arm, plannedVersions);
  const dependencies = dependencyIndexes(resources);
  const state = resources.map(() => "pending" as "pending" | "running" | "succeeded" | "failed" | "skipped");
  const result: ExecutionResult = { failures: [], written: [], canceled: false };
  const running = new Map<number, Promise<void>>();
  let seq = 0;

  const start = (i: number) => {
    state[i] = "running";
    const order = seq++;
    const task = (async () => {
      const failure = await deployOne(deps, host, resources[i]!, order);
      if (failure) {
        state[i] = "failed";
        result.failures.push(failure);
      } else {
        state[i] = "succeeded";
        result.written.push(resources[i]!.resourceId);
      }
    })().finally(() => running.delete(i));
    running.set(i, task);
  };

  for (;;) {
    let canceled = false;
    if (state.includes("pending")) canceled = await deps.isCanceled();
    if (canceled) {
      result.canceled = true;
      for (let i = 0; i < state.length; i++) if (state[i] === "pending") state[i] = "skipped";
    }
    let progressed = true;
    while (progressed) {
      progressed = false;
      for (let i = 0; i < resources.length; i++) {
        if (state[i] !== "pending") continue;
        const deps_ = dependencies[i]!;
        if (deps_.some((d) => state[d] === "failed" || state[d] === "skipped")) {
          state[i] = "skipped";
          progressed = true;
        } else if (deps_.every((d) => state[d] === "succeeded") && running.size < deps.parallelism) {
          start(i);
          progressed = true;
        }
      }
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }
  // Whatever is still pending waits on a cycle the engine should have refused; it is never started.
  return result;
}

/**
 * The indexes each resource depends on: `dependsOn` entries name a resource id, a symbolic name, a copy loop, or the
 * part of an id after one of its `/providers/` (`Namespace/type/name`). Looked up in one index of every name, so
 * 800 resources that each depend on a loop of 800 cost 640,000 look-ups, not half a billion string comparisons.
 */
function dependencyIndexes(all: readonly PlannedResource[]): number[][] {
  const byName = new Map<string, Set<number>>();
  const add = (name: string, i: number) => {
    const key = name.toLowerCase();
    const found = byName.get(key) ?? new Set<number>();
    found.add(i);
    byName.set(key, found);
  };
  all.forEach((resource, i) => {
    add(resource.resourceId, i);
    if (resource.symbolicName) add(resource.symbolicName, i);
    if (resource.copy) add(resource.copy.name, i);
    const id = resource.resourceId.toLowerCase();
    for (let at = id.indexOf(PROVIDERS); at >= 0; at = id.indexOf(PROVIDERS, at + 1)) add(id.slice(at + PROVIDERS.length), i);
  });
  return all.map((resource, self) => {
    const found = new Set<number>();
    for (const entry of resource.dependsOn) for (const i of byName.get(entry.toLowerCase()) ?? []) if (i !== self) found.add(i);
    return [...found];
  });
}

const PROVIDERS = "/providers/";

async function deployOne(
  deps: ExecutorDeps,
  host: TemplateHost,
  resource: PlannedResource,
  seq: number,
): Promise<ResourceFailure | undefined> {
  // With SQLite every storage call settles as a microtask: without this, a long run would hold the event loop
  // (no HTTP answers, no polls) until it ended.
  await yieldToEventLoop();
  const operation: DeploymentOperationRecord = {
    deploymentId: deps.deploymentId,
    operationId: randomBytes(8).toString("hex").toUpperCase(),
    seq,
    provisioningOperation: "Create",
    provisioningState: "Running",
    targetId: resource.resourceId,
    targetType: resource.type,
    targetName: resource.name,
    apiVersion: resource.apiVersion,
    statusCode: null,
    statusMessage: null,
    startedAt: nowIso(deps.clock),
    endedAt: null,
  };
  await deps.store.putOperation(operation);
  try {
    if (!isDeployable(resource.type)) throw armError("NoRegisteredProviderFound", resource.type, DEPLOYABLE_TYPES.join(", "));
    const response =
      resource.type.toLowerCase() === "microsoft.resources/deployments"
        ? await deps.runNested(resource, host)
        : await deps.arm({
            method: "PUT",
            path: resource.resourceId,
            apiVersion: resource.apiVersion,
            body: await resource.body(host),
          });
    await deps.store.putOperation({
      ...operation,
      provisioningState: "Succeeded",
      statusCode: statusName(response.status),
      endedAt: nowIso(deps.clock),
    });
    return undefined;
  } catch (err) {
    const error = errorBody(err);
    if (!(err instanceof WireError) && !isTemplateError(err)) deps.logFailure(resource.resourceId, err);
    await deps.store.putOperation({
      ...operation,
      provisioningState: "Failed",
      statusCode: statusName(err instanceof WireError ? err.status : isTemplateError(err) ? 400 : 500),
      statusMessage: { status: "Failed", error },
      endedAt: nowIso(deps.clock),
    });
    return { resourceId: resource.resourceId, error: { ...error, target: resource.resourceId } };
  }
}

/** A template engine failure (a bad expression met while evaluating a resource): it carries ARM's code. */
function isTemplateError(err: unknown): err is TemplateError {
  return err instanceof TemplateError;
}

/** ARM's `{code, message, …}` of a failure; an unexpected one is generic (its cause goes to the log only). */
/** A deployment's own error: ARM's `DeploymentFailed`, with one entry in `details` per cause. */
export function deploymentFailedBody(details: readonly unknown[]) {
  const top = armError("DeploymentFailed");
  return { code: top.code, message: top.message, details: [...details] };
}

export function errorBody(err: unknown): { code: string; message: string; details?: unknown[] } {
  if (err instanceof WireError) {
    const { explanation: _explanation, ...rest } = err.details as Record<string, unknown>;
    return { code: err.code, message: err.message, ...rest };
  }
  if (isTemplateError(err)) return { code: err.code, message: err.message, ...(err.target ? { target: err.target } : {}) };
  return { code: "InternalServerError", message: "The resource could not be deployed because of an internal error." };
}

const STATUS_NAMES: Record<number, string> = {
  200: "OK",
  201: "Created",
  202: "Accepted",
  204: "NoContent",
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  405: "MethodNotAllowed",
  409: "Conflict",
  413: "RequestEntityTooLarge",
  429: "TooManyRequests",
  500: "InternalServerError",
  501: "NotImplemented",
};

function statusName(status: number): string {
  return STATUS_NAMES[status] ?? String(status);
}
