import { WireError } from "../../core/errors.ts";
import { redactSecrets } from "../templates/index.ts";
import type { ArmCaller } from "../arm-caller.ts";
import type { ArmPort } from "./arm-port.ts";
import { templateHost } from "./executor.ts";
import type { PlannedResource, TemplateHost } from "./plan.ts";
import { COMPLETE_MODE_TYPES } from "./resource-types.ts";

/** One entry of a what-if result's `changes`. */
export interface WhatIfChange {
  resourceId: string;
  changeType: "Create" | "Delete" | "Modify" | "NoChange" | "Ignore" | "Unsupported" | "Deploy";
  unsupportedReason?: string;
  before?: unknown;
  after?: unknown;
  delta?: unknown[];
}

export type DiffResource = (
  before: unknown,
  after: Record<string, unknown>,
  options?: { ignore?: readonly string[] },
) => { changeType: string; delta: unknown[] };

/** Read-only properties a provider fills in; a template never sets them, so they never count as a change. */
const READ_ONLY = ["properties.provisioningState", "properties.endpoint", "properties.endpoints", "properties.dateCreated", "systemData"];

interface WhatIfDeps {
  arm: ArmPort;
  diffResource: DiffResource;
  /** Plans a nested deployment's template, so what-if shows the resources it would write too. */
  planNested(resource: PlannedResource, host: TemplateHost): Promise<readonly PlannedResource[]>;
  /** Resources already in the target resource group (for Ignore, and Delete in complete mode). */
  existing: readonly { id: string; type: string }[];
  mode: "Incremental" | "Complete";
}

/**
 * What a deployment would change, read through ARM as the caller: each planned resource is Create (absent),
 * Modify or NoChange (its template body laid over what exists, compared by the engine's `diffResource`); in
 * complete mode, tracked resources of the group the template does not name are Delete; others are Ignore.
 */
export async function whatIf(deps: WhatIfDeps, resources: readonly PlannedResource[], _caller?: ArmCaller): Promise<WhatIfChange[]> {
  const host = templateHost(deps.arm, new Map(resources.map((r) => [r.type.toLowerCase(), r.apiVersion])));
  const changes: WhatIfChange[] = [];
  const named = new Set<string>();
  await collect(deps, host, resources, changes, named, 0);
  const tracked = new Set(COMPLETE_MODE_TYPES.map((t) => t.toLowerCase()));
  for (const r of deps.existing) {
    if (named.has(r.id.toLowerCase())) continue;
    const doomed = deps.mode === "Complete" && tracked.has(r.type.toLowerCase());
    changes.push({ resourceId: r.id, changeType: doomed ? "Delete" : "Ignore" });
  }
  return changes;
}

async function collect(
  deps: WhatIfDeps,
  host: TemplateHost,
  resources: readonly PlannedResource[],
  changes: WhatIfChange[],
  named: Set<string>,
  depth: number,
): Promise<void> {
  for (const resource of resources) {
    named.add(resource.resourceId.toLowerCase());
    if (resource.type.toLowerCase() === "microsoft.resources/deployments") {
      if (depth < 5) await collect(deps, host, await deps.planNested(resource, host), changes, named, depth + 1);
      continue;
    }
    let body: Record<string, unknown>;
    try {
      body = await resource.body(host);
    } catch (err) {
      changes.push({
        resourceId: resource.resourceId,
        changeType: "Unsupported",
        unsupportedReason: `The resource's properties could not be evaluated before deployment: ${err instanceof Error ? err.message : String(err)}`,
      });
      continue;
    }
    const planned = { id: resource.resourceId, name: resource.name, type: resource.type, ...body };
    const before = await current(deps.arm, resource);
    if (before === undefined) {
      changes.push({ resourceId: resource.resourceId, changeType: "Create", after: planned });
      continue;
    }
    const after = overlay(before, planned);
    const { changeType, delta } = deps.diffResource(before, planned, { ignore: READ_ONLY });
    changes.push({
      resourceId: resource.resourceId,
      changeType: changeType === "NoChange" ? "NoChange" : "Modify",
      before,
      after,
      ...(changeType === "NoChange" ? {} : { delta }),
    });
  }
}

/**
 * `changes` as they may be stored and shown: every secure parameter value (`secrets`, from the engine's
 * `secureValues`) in a predicted body, a delta, a key or a reason becomes `***`, as in error messages.
 */
export function hideSecureValues(changes: readonly WhatIfChange[], secrets: readonly string[]): WhatIfChange[] {
  if (secrets.length === 0) return [...changes];
  const hide = (value: unknown): unknown => {
    if (typeof value === "string") return redactSecrets(value, secrets);
    if (Array.isArray(value)) return value.map(hide);
    if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [redactSecrets(k, secrets), hide(v)]));
    return value;
  };
  return changes.map((change) => hide(change) as WhatIfChange);
}

/** The resource as it is now, or undefined when ARM says it does not exist. */
async function current(arm: ArmPort, resource: PlannedResource): Promise<unknown> {
  try {
    return (await arm({ method: "GET", path: resource.resourceId, apiVersion: resource.apiVersion })).body;
  } catch (err) {
    if (err instanceof WireError && err.status === 404) return undefined;
    throw err;
  }
}

/** `after` laid over `before`: objects merge key by key, anything else (arrays included) replaces. */
function overlay(before: unknown, after: unknown): unknown {
  if (!isObject(before) || !isObject(after)) return after;
  const merged: Record<string, unknown> = { ...before };
  for (const [key, value] of Object.entries(after)) {
    const existingKey = Object.keys(before).find((k) => k.toLowerCase() === key.toLowerCase()) ?? key;
    merged[existingKey] = overlay(before[existingKey], value);
  }
  return merged;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
