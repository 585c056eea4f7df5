import { nowIso } from "../core/clock.ts";
import { resourceGroupId } from "../core/scope.ts";
import type { ResourceRecord } from "../storage/records.ts";
import type { ArmCaller } from "./arm-caller.ts";
import { requireAction } from "./arm-caller.ts";
import type { ArmDeps, ManagedIdentityDirectory } from "./arm-deps.ts";
import { armError } from "./arm-errors.ts";
import { listReadable, requireSubscription } from "./readable-resources.ts";
import { normalizeLocation } from "./resource-groups.ts";
import { bodyObject, parseTags, resourceJson } from "./resource-json.ts";

const IDENTITY_TYPE = "Microsoft.ManagedIdentity/userAssignedIdentities";
const READ = `${IDENTITY_TYPE}/read`;
const WRITE = `${IDENTITY_TYPE}/write`;
const DELETE = `${IDENTITY_TYPE}/delete`;
/** A Keyless action: only roles with `*` (Owner, Contributor) or this action may read an identity's endpoint secret. */
const LIST_WORKLOAD_ENVIRONMENT = `${IDENTITY_TYPE}/listWorkloadEnvironment/action`;
/** A Keyless action: replaces the endpoint secret, so a leaked one stops working without recreating the identity. */
const ROTATE_SECRET = `${IDENTITY_TYPE}/rotateSecret/action`;
/** ARM's rule: 3–128 letters, digits, `-` and `_`, starting with a letter or digit. */
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_-]{2,127}$/;

export interface IdentityAddress {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}

function identityId(a: IdentityAddress): string {
  return `/subscriptions/${a.subscriptionId}/resourceGroups/${a.resourceGroup}/providers/${IDENTITY_TYPE}/${a.name}`;
}

/**
 * `PUT …/userAssignedIdentities/{name}`: creates the directory's managed identity and the ARM resource that
 * names it (201), or updates tags (200). If storing the resource fails, the directory entry is removed again.
 */
export async function putIdentity(deps: ArmDeps, caller: ArmCaller, address: IdentityAddress, body: unknown) {
  if (!NAME.test(address.name))
    throw armError(
      "InvalidResourceName",
      address.name,
      "An identity name has 3 to 128 letters, digits, '-' or '_' and starts with a letter or digit.",
    );
  const input = bodyObject(body);
  const location = typeof input.location === "string" ? normalizeLocation(input.location) : "";
  if (!location) throw armError("LocationRequired");
  const tags = parseTags(input.tags);
  const subscription = await requireSubscription(deps, caller, address.subscriptionId);
  const id = identityId(address);
  await requireAction(deps, caller, WRITE, id);
  const directory = identityDirectory(deps);
  const group = await deps.resources.getResource(resourceGroupId(address.subscriptionId, address.resourceGroup));
  if (!group) throw armError("ResourceGroupNotFound", address.resourceGroup);
  const at = nowIso(deps.clock);
  const existing = await deps.resources.getResource(id);
  if (existing) {
    if (normalizeLocation(existing.location) !== location) throw armError("CannotChangeProperty", "location");
    const updated = { ...existing, tags: tags ?? existing.tags, updatedAt: at };
    await deps.resources.upsertResource(updated);
    return { created: false, body: identityJson(updated) };
  }
  const canonicalId = identityId({ ...address, resourceGroup: group.name });
  const { clientId, principalId } = await directory.create({
    tenantId: subscription.tenantId,
    resourceId: canonicalId,
    name: address.name,
  });
  const record: ResourceRecord = {
    id: canonicalId,
    type: IDENTITY_TYPE,
    name: address.name,
    subscriptionId: subscription.id,
    resourceGroup: group.name,
    parentKey: null,
    location,
    kind: null,
    sku: null,
    tags: tags ?? {},
    properties: { tenantId: subscription.tenantId, principalId, clientId },
    createdAt: at,
    createdBy: caller.principalId,
    updatedAt: at,
  };
  try {
    await deps.resources.upsertResource(record);
  } catch (err) {
    await directory.delete(canonicalId);
    throw err;
  }
  return { created: true, body: identityJson(record) };
}

export async function getIdentity(deps: ArmDeps, caller: ArmCaller, address: IdentityAddress) {
  await requireSubscription(deps, caller, address.subscriptionId);
  await requireAction(deps, caller, READ, identityId(address));
  const identity = await deps.resources.getResource(identityId(address));
  if (!identity || identity.type !== IDENTITY_TYPE) throw armError("ResourceNotFound", IDENTITY_TYPE, address.name);
  return identityJson(identity);
}

export async function listIdentities(deps: ArmDeps, caller: ArmCaller, subscriptionId: string, resourceGroup: string | undefined) {
  const visible = await listReadable(deps, caller, { subscriptionId, resourceGroup }, IDENTITY_TYPE, READ);
  return { value: visible.map(identityJson) };
}

/** `DELETE`: the directory's identity first (its tokens stop), then the resource and assignments at its scope. */
export async function deleteIdentity(deps: ArmDeps, caller: ArmCaller, address: IdentityAddress): Promise<boolean> {
  const id = identityId(address);
  await requireSubscription(deps, caller, address.subscriptionId);
  await requireAction(deps, caller, DELETE, id);
  const existing = await deps.resources.getResource(id);
  if (!existing || existing.type !== IDENTITY_TYPE) return false;
  await identityDirectory(deps).delete(existing.id);
  await deps.arm.deleteResourceTree(existing.id);
  await deps.scopeDeleted(existing.id);
  return true;
}

/**
 * `POST …/userAssignedIdentities/{name}/listWorkloadEnvironment` (a Keyless extension, like `listKeys`): the
 * environment lines a workload sets to get tokens as this identity. They hold its endpoint secret, hence an action
 * that Reader and Managed Identity Operator do not have.
 */
export async function listWorkloadEnvironment(deps: ArmDeps, caller: ArmCaller, address: IdentityAddress, origin: string) {
  const id = identityId(address);
  await requireSubscription(deps, caller, address.subscriptionId);
  await requireAction(deps, caller, LIST_WORKLOAD_ENVIRONMENT, id);
  const identity = await deps.resources.getResource(id);
  if (!identity || identity.type !== IDENTITY_TYPE) throw armError("ResourceNotFound", IDENTITY_TYPE, address.name);
  return identityDirectory(deps).workloadEnvironment(identity.id, origin);
}

/**
 * `POST …/userAssignedIdentities/{name}/rotateSecret` (a Keyless extension, like `regenerateKey`): a new endpoint
 * secret replaces the old one at once; the identity (client id, principal id, role assignments) stays. Answers
 * the new workload environment, as `regenerateKey` answers the new keys.
 */
export async function rotateSecret(deps: ArmDeps, caller: ArmCaller, address: IdentityAddress, origin: string) {
  const id = identityId(address);
  await requireSubscription(deps, caller, address.subscriptionId);
  await requireAction(deps, caller, ROTATE_SECRET, id);
  const identity = await deps.resources.getResource(id);
  if (!identity || identity.type !== IDENTITY_TYPE) throw armError("ResourceNotFound", IDENTITY_TYPE, address.name);
  await identityDirectory(deps).rotateSecret(identity.id);
  return identityDirectory(deps).workloadEnvironment(identity.id, origin);
}

function identityDirectory(deps: ArmDeps): ManagedIdentityDirectory {
  if (!deps.managedIdentities) throw armError("ManagedIdentitiesUnavailable");
  return deps.managedIdentities;
}

function identityJson(r: ResourceRecord) {
  const { id, name, type, location, tags, properties, systemData } = resourceJson(r);
  return { id, name, type, location, tags, properties, systemData };
}
