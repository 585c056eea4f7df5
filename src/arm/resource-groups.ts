import { nowIso } from "../core/clock.ts";
import { newGuid } from "../core/ids.ts";
import { resourceGroupId, scopeRelation } from "../core/scope.ts";
import type { ResourceRecord } from "../storage/records.ts";
import type { ArmCaller } from "./arm-caller.ts";
import { requireAction } from "./arm-caller.ts";
import type { ArmDeps } from "./arm-deps.ts";
import { armError } from "./arm-errors.ts";
import { newResourceGroup } from "./cognitive-services.ts";
import { requireSubscription } from "./readable-resources.ts";
import { bodyObject, parseTags, resourceJson } from "./resource-json.ts";

const IDENTITY_TYPE_NAME = "Microsoft.ManagedIdentity/userAssignedIdentities";
export const RESOURCE_GROUP_TYPE = "Microsoft.Resources/resourceGroups";
const READ = "Microsoft.Resources/subscriptions/resourceGroups/read";
const WRITE = "Microsoft.Resources/subscriptions/resourceGroups/write";
const DELETE = "Microsoft.Resources/subscriptions/resourceGroups/delete";

/** ARM's rule: 1–90 letters, digits, `-`, `_`, `.`, `(`, `)`; not ending in `.`. */
const NAME = /^[-\w.()]{1,90}$/u;

/** `PUT /subscriptions/{s}/resourcegroups/{rg}`: creates (201) or updates tags (200); the location never moves. */
export async function putResourceGroup(deps: ArmDeps, caller: ArmCaller, subscriptionId: string, name: string, body: unknown) {
  if (!NAME.test(name) || name.endsWith(".")) throw armError("InvalidResourceGroup", name);
  const input = bodyObject(body);
  const location = typeof input.location === "string" ? input.location.trim() : "";
  if (!location) throw armError("LocationRequired");
  const tags = parseTags(input.tags);
  const subscription = await requireSubscription(deps, caller, subscriptionId);
  const id = resourceGroupId(subscription.id, name);
  await requireAction(deps, caller, WRITE, id);
  const existing = await deps.resources.getResource(id);
  const at = nowIso(deps.clock);
  if (existing) {
    if (normalizeLocation(existing.location) !== normalizeLocation(location))
      throw armError("InvalidResourceGroupLocation", location, existing.location);
    const updated: ResourceRecord = { ...existing, tags: tags ?? existing.tags, updatedAt: at };
    await deps.resources.upsertResource(updated);
    return { created: false, body: resourceGroupJson(updated) };
  }
  const group = {
    ...newResourceGroup({
      subscriptionId: subscription.id,
      name,
      location: normalizeLocation(location),
      createdBy: caller.principalId,
      at,
    }),
    tags: tags ?? {},
  };
  await deps.resources.upsertResource(group);
  return { created: true, body: resourceGroupJson(group) };
}

export async function getResourceGroup(deps: ArmDeps, caller: ArmCaller, subscriptionId: string, name: string) {
  const group = await findGroup(deps, caller, subscriptionId, name);
  await requireAction(deps, caller, READ, group.id);
  return resourceGroupJson(group);
}

/** `GET /subscriptions/{s}/resourcegroups`: the groups the caller may read. */
export async function listResourceGroups(deps: ArmDeps, caller: ArmCaller, subscriptionId: string) {
  const subscription = await requireSubscription(deps, caller, subscriptionId);
  const all = (await deps.arm.listResourcesOfSubscription(subscription.id)).filter((r) => r.type === RESOURCE_GROUP_TYPE);
  const visible: ResourceRecord[] = [];
  for (const group of all) if (await deps.authorize(caller, READ, group.id)) visible.push(group);
  return { value: visible.map(resourceGroupJson) };
}

/** `PATCH`: replaces the tags (ARM's resource group PATCH has no other mutable field). */
export async function patchResourceGroup(deps: ArmDeps, caller: ArmCaller, subscriptionId: string, name: string, body: unknown) {
  const tags = parseTags(bodyObject(body).tags);
  const group = await findGroup(deps, caller, subscriptionId, name);
  await requireAction(deps, caller, WRITE, group.id);
  const updated: ResourceRecord = { ...group, tags: tags ?? group.tags, updatedAt: nowIso(deps.clock) };
  await deps.resources.upsertResource(updated);
  return resourceGroupJson(updated);
}

/**
 * `DELETE`: the group, every resource in it, their keys and the role assignments at or below it, in one
 * transaction, then a finished operation the client polls (202 + `Location` / `Azure-AsyncOperation`). The
 * caller needs delete on the group and on each resource in it, checked before anything is removed.
 */
export async function deleteResourceGroup(deps: ArmDeps, caller: ArmCaller, subscriptionId: string, name: string) {
  const group = await findGroup(deps, caller, subscriptionId, name);
  await requireAction(deps, caller, DELETE, group.id);
  const members = (await deps.arm.listResourcesOfSubscription(group.subscriptionId)).filter(
    (r) => scopeRelation(r.id, group.id) === "below",
  );
  for (const r of members) await requireAction(deps, caller, `${r.type}/delete`, r.id);
  const startedAt = nowIso(deps.clock);
  // Managed identities live in the directory too: remove them there first, so none outlives its resource.
  for (const r of members) if (r.type === IDENTITY_TYPE_NAME) await deps.managedIdentities?.delete(r.id);
  await deps.arm.deleteResourceTree(group.id);
  await deps.scopeDeleted(group.id);
  const operationId = newGuid();
  await deps.arm.insertOperation({
    id: operationId,
    subscriptionId: group.subscriptionId,
    status: "Succeeded",
    resourceId: group.id,
    startedAt,
    endedAt: nowIso(deps.clock),
  });
  return { operationId, subscriptionId: group.subscriptionId };
}

/** A finished long-running operation, as its `Azure-AsyncOperation` URL answers. */
export async function getOperationStatus(deps: ArmDeps, caller: ArmCaller, subscriptionId: string, operationId: string) {
  const subscription = await requireSubscription(deps, caller, subscriptionId);
  const op = await deps.arm.getOperation(operationId);
  if (!op || op.subscriptionId !== subscription.id.toLowerCase()) throw armError("OperationNotFound", operationId);
  return {
    id: `/subscriptions/${subscription.id}/providers/Microsoft.Resources/operations/${op.id}`,
    name: op.id,
    status: op.status,
    startTime: op.startedAt,
    endTime: op.endedAt,
  };
}

async function findGroup(deps: ArmDeps, caller: ArmCaller, subscriptionId: string, name: string): Promise<ResourceRecord> {
  const subscription = await requireSubscription(deps, caller, subscriptionId);
  const group = await deps.resources.getResource(resourceGroupId(subscription.id, name));
  if (!group) throw armError("ResourceGroupNotFound", name);
  return group;
}

/** `West Europe` and `westeurope` name one location. */
export function normalizeLocation(location: string): string {
  return location.replace(/\s+/g, "").toLowerCase();
}

function resourceGroupJson(r: ResourceRecord) {
  const { id, name, type, location, tags } = resourceJson(r);
  return { id, name, type, location, tags, managedBy: null, properties: { provisioningState: "Succeeded" } };
}
