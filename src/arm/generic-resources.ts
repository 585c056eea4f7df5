import { parseScope, resourceGroupId } from "../core/scope.ts";
import type { ResourceRecord } from "../storage/records.ts";
import type { ArmCaller } from "./arm-caller.ts";
import { requireAction } from "./arm-caller.ts";
import type { ArmDeps } from "./arm-deps.ts";
import { armError } from "./arm-errors.ts";
import { findProvider, providerJson, providers } from "./providers.ts";
import { requireSubscription } from "./readable-resources.ts";
import { RESOURCE_GROUP_TYPE } from "./resource-groups.ts";
import { resourceJson } from "./resource-json.ts";

/** `GET /subscriptions/{s}/providers/{namespace}`: resource types and api-versions, newest first. */
export async function getProvider(deps: ArmDeps, caller: ArmCaller, subscriptionId: string, namespace: string) {
  const subscription = await requireSubscription(deps, caller, subscriptionId);
  const provider = findProvider(namespace);
  if (!provider) throw armError("InvalidResourceNamespace", namespace);
  return providerJson(subscription.id, provider);
}

export async function listProviders(deps: ArmDeps, caller: ArmCaller, subscriptionId: string) {
  const subscription = await requireSubscription(deps, caller, subscriptionId);
  return { value: providers.map((p) => providerJson(subscription.id, p)) };
}

/** `GET /subscriptions/{s}[/resourceGroups/{rg}]/resources`: top-level resources the caller may read. */
export async function listResources(
  deps: ArmDeps,
  caller: ArmCaller,
  subscriptionId: string,
  resourceGroup: string | undefined,
  filter: string | undefined,
) {
  const matches = resourceFilter(filter);
  const subscription = await requireSubscription(deps, caller, subscriptionId);
  let prefix = `/subscriptions/${subscription.id}/resourcegroups/`.toLowerCase();
  if (resourceGroup !== undefined) {
    const group = await deps.resources.getResource(resourceGroupId(subscription.id, resourceGroup));
    if (!group) throw armError("ResourceGroupNotFound", resourceGroup);
    prefix = `${group.id.toLowerCase()}/`;
  }
  const candidates = (await deps.arm.listResourcesOfSubscription(subscription.id)).filter(
    (r) => r.type !== RESOURCE_GROUP_TYPE && r.parentKey === null && r.id.toLowerCase().startsWith(prefix) && matches(r),
  );
  const visible: ResourceRecord[] = [];
  for (const r of candidates) if (await deps.authorize(caller, `${r.type}/read`, r.id)) visible.push(r);
  return { value: visible.map(genericJson) };
}

/** A resource of any stored type by its id (the generic form `az resource show` uses for types without a route). */
export async function getResourceById(deps: ArmDeps, caller: ArmCaller, id: string) {
  const scope = parseScope(id);
  if (scope?.kind !== "resource") throw armError("InvalidScope", id);
  await requireSubscription(deps, caller, scope.subscriptionId);
  const resource = await deps.resources.getResource(scope.id);
  if (!resource) throw armError("ResourceNotFound", `${scope.provider}/${scope.types.join("/")}`, scope.names.join("/"));
  await requireAction(deps, caller, `${resource.type}/read`, resource.id);
  return resourceJson(resource);
}

function genericJson(r: ResourceRecord) {
  const { id, name, type, location, tags, sku, kind } = resourceJson(r) as ReturnType<typeof resourceJson> & {
    sku?: unknown;
    kind?: unknown;
  };
  return {
    id,
    name,
    type,
    location,
    tags,
    ...(sku ? { sku } : {}),
    ...(kind ? { kind } : {}),
    createdTime: r.createdAt,
    changedTime: r.updatedAt,
    provisioningState: "Succeeded",
  };
}

/**
 * The `$filter` of a resource list, as `az resource list` builds it: `resourceGroup`, `name`, `location`,
 * `resourceType` `eq '…'` clauses joined by `and` (case-insensitive values), and `tagName eq '…' [and tagValue eq '…']`.
 */
export function resourceFilter(filter: string | undefined): (r: ResourceRecord) => boolean {
  if (!filter?.trim()) return () => true;
  const wanted = new Map<string, string>();
  for (const clause of filter.split(/\s+and\s+/i)) {
    const match = /^\s*(resourceGroup|name|location|resourceType|tagName|tagValue)\s+eq\s+'([^']*)'\s*$/i.exec(clause);
    if (!match)
      throw armError(
        "InvalidFilter",
        `unsupported clause '${clause.trim()}'; use resourceGroup, name, location, resourceType, tagName or tagValue eq '<value>'.`,
      );
    wanted.set(match[1]!.toLowerCase(), match[2]!.toLowerCase());
  }
  const same = (field: string, value: string | null) => !wanted.has(field) || wanted.get(field) === (value ?? "").toLowerCase();
  return (r) => {
    const tag = wanted.get("tagname");
    const tagOk =
      tag === undefined ||
      Object.entries(r.tags).some(
        ([k, v]) => k.toLowerCase() === tag && (!wanted.has("tagvalue") || v.toLowerCase() === wanted.get("tagvalue")),
      );
    return (
      same("resourcegroup", r.resourceGroup) &&
      same("name", r.name) &&
      same("location", r.location) &&
      same("resourcetype", r.type) &&
      tagOk
    );
  };
}
