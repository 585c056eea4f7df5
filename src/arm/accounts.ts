import { nowIso } from "../core/clock.ts";
import { ConflictError } from "../core/errors.ts";
import { resourceGroupId } from "../core/scope.ts";
import type { ResourceRecord } from "../storage/records.ts";
import { newAccountKeys } from "./account-keys.ts";
import type { ArmCaller } from "./arm-caller.ts";
import { requireAction } from "./arm-caller.ts";
import type { ArmDeps } from "./arm-deps.ts";
import { armError } from "./arm-errors.ts";
import { ACCOUNT_TYPE, accountEndpoints, newAccount } from "./cognitive-services.ts";
import { listReadable, requireSubscription } from "./readable-resources.ts";
import { normalizeLocation } from "./resource-groups.ts";
import { bodyObject, parseTags, resourceJson } from "./resource-json.ts";

const READ = "Microsoft.CognitiveServices/accounts/read";
const WRITE = "Microsoft.CognitiveServices/accounts/write";
const DELETE = "Microsoft.CognitiveServices/accounts/delete";
const KINDS = ["AIServices", "OpenAI"] as const;
const SKUS = ["S0"] as const;
/** ARM's rule for Cognitive Services accounts: 2–64 letters, digits and hyphens, starting and ending alphanumeric. */
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9-]{0,62}[a-zA-Z0-9]$/;
const NAME_RULE = "An account name has 2 to 64 letters, digits or hyphens and starts and ends with a letter or digit.";

export interface AccountAddress {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}

export function accountId(a: AccountAddress): string {
  return `/subscriptions/${a.subscriptionId}/resourceGroups/${a.resourceGroup}/providers/${ACCOUNT_TYPE}/${a.name}`;
}

/**
 * `PUT …/accounts/{a}`: creates the account with two keys (201) or updates tags, `disableLocalAuth` and
 * `publicNetworkAccess` (200). Kind, location and subdomain are fixed at creation, as in Azure.
 */
export async function putAccount(deps: ArmDeps, caller: ArmCaller, address: AccountAddress, body: unknown, origin: string) {
  if (!NAME.test(address.name)) throw armError("InvalidResourceName", address.name, NAME_RULE);
  const input = parseAccountBody(body);
  const id = accountId(address);
  await requireSubscription(deps, caller, address.subscriptionId);
  await requireAction(deps, caller, WRITE, id);
  const group = await deps.resources.getResource(resourceGroupId(address.subscriptionId, address.resourceGroup));
  if (!group) throw armError("ResourceGroupNotFound", address.resourceGroup);
  const existing = await deps.resources.getResource(id);
  const at = nowIso(deps.clock);
  if (existing) return { created: false, body: accountJson(await updateAccount(deps, existing, input, at), origin) };

  const subdomain = input.customSubDomainName ?? address.name;
  await refuseTakenName(deps, address.name, subdomain);
  const base = newAccount({
    subscriptionId: address.subscriptionId,
    resourceGroup: group.name,
    name: address.name,
    location: input.location,
    kind: input.kind,
    createdBy: caller.principalId,
    at,
  });
  const account: ResourceRecord = {
    ...base,
    id: accountId({ ...address, resourceGroup: group.name }),
    sku: { name: input.sku },
    tags: input.tags ?? {},
    properties: {
      ...base.properties,
      customSubDomainName: subdomain,
      disableLocalAuth: input.disableLocalAuth ?? false,
      publicNetworkAccess: input.publicNetworkAccess ?? "Enabled",
      dateCreated: at,
    },
  };
  try {
    await deps.arm.insertResourceWithKeys(account, newAccountKeys(deps.box, account.id, at), [address.name, subdomain]);
  } catch (err) {
    if (err instanceof ConflictError) throw armError("CustomDomainInUse", subdomain);
    throw err;
  }
  return { created: true, body: accountJson(account, origin) };
}

export async function getAccount(deps: ArmDeps, caller: ArmCaller, address: AccountAddress, origin: string) {
  const id = accountId(address);
  await requireSubscription(deps, caller, address.subscriptionId);
  await requireAction(deps, caller, READ, id);
  return accountJson(await findAccount(deps, address), origin);
}

/** Accounts of a subscription or of one resource group, those the caller may read. */
export async function listAccounts(
  deps: ArmDeps,
  caller: ArmCaller,
  subscriptionId: string,
  resourceGroup: string | undefined,
  origin: string,
) {
  const visible = await listReadable(deps, caller, { subscriptionId, resourceGroup }, ACCOUNT_TYPE, READ);
  return { value: visible.map((a) => accountJson(a, origin)) };
}

export async function patchAccount(deps: ArmDeps, caller: ArmCaller, address: AccountAddress, body: unknown, origin: string) {
  const input = parseAccountBody(body, { partial: true });
  await requireSubscription(deps, caller, address.subscriptionId);
  await requireAction(deps, caller, WRITE, accountId(address));
  const existing = await findAccount(deps, address);
  return accountJson(await updateAccount(deps, existing, input, nowIso(deps.clock)), origin);
}

/** `DELETE …/accounts/{a}`: the account, its deployments and keys, and role assignments at or below it; 204 when absent. */
export async function deleteAccount(deps: ArmDeps, caller: ArmCaller, address: AccountAddress): Promise<boolean> {
  const id = accountId(address);
  await requireSubscription(deps, caller, address.subscriptionId);
  await requireAction(deps, caller, DELETE, id);
  const existing = await deps.resources.getResource(id);
  if (!existing || existing.type !== ACCOUNT_TYPE) return false;
  await deps.arm.deleteResourceTree(existing.id);
  await deps.scopeDeleted(existing.id);
  return true;
}

export async function findAccount(deps: Pick<ArmDeps, "resources">, address: AccountAddress): Promise<ResourceRecord> {
  const account = await deps.resources.getResource(accountId(address));
  if (!account || account.type !== ACCOUNT_TYPE) throw armError("ResourceNotFound", ACCOUNT_TYPE, address.name);
  return account;
}

/** The account's ARM JSON; its endpoints name the data-plane URLs on the origin the caller used. */
function accountJson(account: ResourceRecord, origin: string) {
  const subdomain = String(account.properties.customSubDomainName ?? account.name);
  const { endpoint, endpoints } = accountEndpoints(origin, account.name);
  return resourceJson(account, { ...account.properties, customSubDomainName: subdomain, endpoint, endpoints });
}

interface AccountInput {
  location: string;
  kind: string;
  sku: string;
  tags: Record<string, string> | undefined;
  customSubDomainName: string | undefined;
  disableLocalAuth: boolean | undefined;
  publicNetworkAccess: "Enabled" | "Disabled" | undefined;
}

function parseAccountBody(body: unknown, options: { partial?: boolean } = {}): AccountInput {
  const input = bodyObject(body);
  const properties = input.properties ?? {};
  if (typeof properties !== "object" || properties === null || Array.isArray(properties))
    throw armError("InvalidRequestContent", "properties must be an object.");
  const p = properties as Record<string, unknown>;
  const location = typeof input.location === "string" ? normalizeLocation(input.location) : "";
  if (!location && !options.partial) throw armError("LocationRequired");
  const kind = typeof input.kind === "string" ? KINDS.find((k) => k.toLowerCase() === (input.kind as string).toLowerCase()) : undefined;
  if (!options.partial && !kind) throw armError("InvalidApiSetId", String(input.kind ?? ""), KINDS.join(", "));
  const skuName = (input.sku as { name?: unknown } | undefined)?.name;
  const sku = skuName === undefined ? "S0" : SKUS.find((s) => typeof skuName === "string" && s.toLowerCase() === skuName.toLowerCase());
  if (!sku) throw armError("InvalidSkuId", String(skuName), SKUS.join(", "));
  const sub = p.customSubDomainName;
  if (sub !== undefined && sub !== null && (typeof sub !== "string" || !NAME.test(sub)))
    throw armError("InvalidResourceName", String(sub), NAME_RULE);
  if (p.disableLocalAuth !== undefined && typeof p.disableLocalAuth !== "boolean")
    throw armError("InvalidRequestContent", "properties.disableLocalAuth must be true or false.");
  const access = p.publicNetworkAccess;
  if (access !== undefined && access !== "Enabled" && access !== "Disabled")
    throw armError("InvalidRequestContent", "properties.publicNetworkAccess must be 'Enabled' or 'Disabled'.");
  return {
    location,
    kind: kind ?? "",
    sku,
    tags: parseTags(input.tags),
    customSubDomainName: typeof sub === "string" ? sub : undefined,
    disableLocalAuth: p.disableLocalAuth as boolean | undefined,
    publicNetworkAccess: access as "Enabled" | "Disabled" | undefined,
  };
}

async function updateAccount(deps: ArmDeps, existing: ResourceRecord, input: AccountInput, at: string): Promise<ResourceRecord> {
  if (input.kind && input.kind !== existing.kind) throw armError("CannotChangeProperty", "kind");
  if (input.location && normalizeLocation(existing.location) !== input.location) throw armError("CannotChangeProperty", "location");
  if (
    input.customSubDomainName &&
    input.customSubDomainName.toLowerCase() !== String(existing.properties.customSubDomainName ?? existing.name).toLowerCase()
  ) {
    throw armError("CannotChangeProperty", "properties.customSubDomainName");
  }
  const properties = { ...existing.properties };
  if (input.disableLocalAuth !== undefined) properties.disableLocalAuth = input.disableLocalAuth;
  if (input.publicNetworkAccess !== undefined) properties.publicNetworkAccess = input.publicNetworkAccess;
  const updated: ResourceRecord = { ...existing, tags: input.tags ?? existing.tags, properties, updatedAt: at };
  await deps.resources.upsertResource(updated);
  return updated;
}

/**
 * The account name is the data-plane path segment and the default subdomain: a new account's name and subdomain
 * may not equal any existing account's name or subdomain.
 */
async function refuseTakenName(deps: ArmDeps, name: string, subdomain: string): Promise<void> {
  const taken = new Set<string>();
  for (const a of await deps.resources.listResourcesOfType(ACCOUNT_TYPE)) {
    taken.add(a.name.toLowerCase());
    taken.add(String(a.properties.customSubDomainName ?? a.name).toLowerCase());
  }
  if (taken.has(name.toLowerCase())) throw armError("CustomDomainInUse", name);
  if (taken.has(subdomain.toLowerCase())) throw armError("CustomDomainInUse", subdomain);
}
