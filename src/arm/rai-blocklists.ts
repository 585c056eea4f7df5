import { nowIso } from "../core/clock.ts";
import { newGuid } from "../core/ids.ts";
import { regexProblem } from "../core/safe-regex.ts";
import type { ResourceRecord } from "../storage/records.ts";
import { type AccountAddress, accountId, findAccount } from "./accounts.ts";
import type { ArmCaller } from "./arm-caller.ts";
import { requireAction } from "./arm-caller.ts";
import type { ArmDeps, RaiLimits } from "./arm-deps.ts";
import { armError } from "./arm-errors.ts";
import { childResource, RAI_BLOCKLIST_ITEM_TYPE, RAI_BLOCKLIST_TYPE } from "./cognitive-services.ts";
import { policiesUsingBlocklist, REVISION } from "./rai-policies.ts";
import { requireSubscription } from "./readable-resources.ts";
import { bodyObject, resourceJson } from "./resource-json.ts";

/**
 * `Microsoft.CognitiveServices/accounts/raiBlocklists` and their `raiBlocklistItems` (docs/content-filtering.md):
 * custom blocklists a policy's `customBlocklists` names. Items are exact terms (matched case-insensitively on word
 * boundaries) or regular expressions, admitted only when they cannot backtrack catastrophically
 * (`core/safe-regex.ts`). Every item write moves the blocklist's revision, so the data plane recompiles the policies
 * that use it on their next call.
 */
const LIST = "Microsoft.CognitiveServices/accounts/raiBlocklists";
const ITEMS = "Microsoft.CognitiveServices/accounts/raiBlocklists/raiBlocklistItems";
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}$/;
const DEFAULT_LIMITS: RaiLimits = { maxItems: 10_000, patternMaxLength: 1000, batchMaxItems: 100 };

const listId = (address: AccountAddress, name: string) => `${accountId(address)}/raiBlocklists/${name}`;

function checkName(name: string, what: string): void {
  if (!NAME.test(name))
    throw armError(
      "InvalidResourceName",
      name,
      `A ${what} name has 1 to 64 letters, digits, '.', '_' or '-' and starts with a letter or digit.`,
    );
}

async function admit(deps: ArmDeps, caller: ArmCaller, address: AccountAddress, action: string, scope: string) {
  await requireSubscription(deps, caller, address.subscriptionId);
  await requireAction(deps, caller, action, scope);
  return findAccount(deps, address);
}

async function requireList(deps: ArmDeps, address: AccountAddress, name: string): Promise<ResourceRecord> {
  const list = await deps.resources.getResource(listId(address, name));
  if (!list || list.type !== RAI_BLOCKLIST_TYPE) throw armError("ResourceNotFound", RAI_BLOCKLIST_TYPE, `${address.name}/${name}`);
  return list;
}

export async function putRaiBlocklist(deps: ArmDeps, caller: ArmCaller, address: AccountAddress, name: string, body: unknown) {
  checkName(name, "blocklist");
  const account = await admit(deps, caller, address, `${LIST}/write`, listId(address, name));
  const properties = bodyObject(bodyObject(body).properties ?? {});
  const description = properties.description ?? "";
  if (typeof description !== "string" || description.length > 1000)
    throw armError("InvalidResourceProperties", "properties.description must be a string of at most 1000 characters.");
  const existing = await deps.resources.getResource(listId(address, name));
  const at = nowIso(deps.clock);
  const record = childResource(
    account,
    { type: RAI_BLOCKLIST_TYPE, segment: "raiBlocklists", name, properties: { description, [REVISION]: newGuid() } },
    existing,
    { by: caller.principalId, at },
  );
  await deps.resources.upsertResource(record);
  return { created: !existing, body: json(record) };
}

export async function getRaiBlocklist(deps: ArmDeps, caller: ArmCaller, address: AccountAddress, name: string) {
  await admit(deps, caller, address, `${LIST}/read`, listId(address, name));
  return json(await requireList(deps, address, name));
}

export async function listRaiBlocklists(deps: ArmDeps, caller: ArmCaller, address: AccountAddress) {
  const account = await admit(deps, caller, address, `${LIST}/read`, accountId(address));
  return { value: (await deps.resources.listChildren(account.id)).filter((r) => r.type === RAI_BLOCKLIST_TYPE).map(json) };
}

/** Deletes a blocklist (and its items) that no policy names. */
export async function deleteRaiBlocklist(deps: ArmDeps, caller: ArmCaller, address: AccountAddress, name: string): Promise<boolean> {
  const account = await admit(deps, caller, address, `${LIST}/delete`, listId(address, name));
  const existing = await deps.resources.getResource(listId(address, name));
  if (!existing || existing.type !== RAI_BLOCKLIST_TYPE) return false;
  const users = await policiesUsingBlocklist(deps, account.id, name);
  if (users.length > 0) throw armError("RaiBlocklistInUse", existing.name, users.map((p) => `'${p.name}'`).join(", "));
  await deps.arm.deleteResourceTree(existing.id);
  await deps.scopeDeleted(existing.id);
  return true;
}

export async function putRaiBlocklistItem(
  deps: ArmDeps,
  caller: ArmCaller,
  address: AccountAddress,
  list: string,
  item: string,
  body: unknown,
) {
  const { created, records } = await writeItems(deps, caller, address, list, [{ name: item, body: bodyObject(body) }]);
  return { created, body: itemJson(records[0]!) };
}

/** `POST …/raiBlocklists/{b}/addRaiBlocklistItems` with `[{name, properties: {pattern, isRegex}}]`: the blocklist. */
export async function batchAddRaiBlocklistItems(deps: ArmDeps, caller: ArmCaller, address: AccountAddress, list: string, body: unknown) {
  if (!Array.isArray(body)) throw armError("InvalidRequestContent", "the body must be an array of {name, properties: {pattern, isRegex}}.");
  const limits = deps.raiLimits ?? DEFAULT_LIMITS;
  if (body.length > limits.batchMaxItems)
    throw armError(
      "InvalidRequestContent",
      `at most ${limits.batchMaxItems} items can be added in one call (setting raiBlocklistBatchMaxItems); send them in batches.`,
    );
  const items = body.map((entry, i) => {
    const o = bodyObject(entry);
    if (typeof o.name !== "string") throw armError("InvalidRequestContent", `item ${i} needs a name.`);
    return { name: o.name, body: o };
  });
  const { list: record } = await writeItems(deps, caller, address, list, items);
  return json(record);
}

/** `POST …/raiBlocklists/{b}/deleteRaiBlocklistItems` with `["item", …]`. */
export async function batchDeleteRaiBlocklistItems(deps: ArmDeps, caller: ArmCaller, address: AccountAddress, list: string, body: unknown) {
  if (!Array.isArray(body) || !body.every((n) => typeof n === "string"))
    throw armError("InvalidRequestContent", "the body must be an array of item names.");
  await admit(deps, caller, address, `${ITEMS}/delete`, listId(address, list));
  const record = await requireList(deps, address, list);
  await deps.resources.deleteResources((body as string[]).map((name) => `${record.id}/raiBlocklistItems/${name}`));
  await touch(deps, record);
}

export async function getRaiBlocklistItem(deps: ArmDeps, caller: ArmCaller, address: AccountAddress, list: string, item: string) {
  await admit(deps, caller, address, `${ITEMS}/read`, `${listId(address, list)}/raiBlocklistItems/${item}`);
  const record = await requireList(deps, address, list);
  const found = await deps.resources.getResource(`${record.id}/raiBlocklistItems/${item}`);
  if (!found || found.type !== RAI_BLOCKLIST_ITEM_TYPE)
    throw armError("ResourceNotFound", RAI_BLOCKLIST_ITEM_TYPE, `${address.name}/${list}/${item}`);
  return itemJson(found);
}

export async function listRaiBlocklistItems(deps: ArmDeps, caller: ArmCaller, address: AccountAddress, list: string) {
  await admit(deps, caller, address, `${ITEMS}/read`, listId(address, list));
  const record = await requireList(deps, address, list);
  return { value: (await deps.resources.listChildren(record.id)).filter((r) => r.type === RAI_BLOCKLIST_ITEM_TYPE).map(itemJson) };
}

export async function deleteRaiBlocklistItem(
  deps: ArmDeps,
  caller: ArmCaller,
  address: AccountAddress,
  list: string,
  item: string,
): Promise<boolean> {
  await admit(deps, caller, address, `${ITEMS}/delete`, `${listId(address, list)}/raiBlocklistItems/${item}`);
  const record = await requireList(deps, address, list);
  const found = await deps.resources.getResource(`${record.id}/raiBlocklistItems/${item}`);
  if (!found || found.type !== RAI_BLOCKLIST_ITEM_TYPE) return false;
  await deps.resources.deleteResources([found.id]);
  await touch(deps, record);
  return true;
}

/** The items of a blocklist as the data plane compiles them. */
export async function blocklistItems(deps: Pick<ArmDeps, "resources">, accountResourceId: string, list: string) {
  const children = await deps.resources.listChildren(`${accountResourceId}/raiBlocklists/${list}`);
  return children
    .filter((r) => r.type === RAI_BLOCKLIST_ITEM_TYPE)
    .map((r) => ({ name: r.name, pattern: String(r.properties.pattern), isRegex: r.properties.isRegex === true }));
}

async function writeItems(
  deps: ArmDeps,
  caller: ArmCaller,
  address: AccountAddress,
  list: string,
  items: ReadonlyArray<{ name: string; body: Record<string, unknown> }>,
) {
  const limits = deps.raiLimits ?? DEFAULT_LIMITS;
  for (const { name } of items) checkName(name, "blocklist item");
  const parsed = items.map(({ name, body }) => ({ name, ...parseItem(name, body, limits) }));
  const scope = items.length === 1 ? `${listId(address, list)}/raiBlocklistItems/${items[0]!.name}` : listId(address, list);
  await admit(deps, caller, address, `${ITEMS}/write`, scope);
  const record = await requireList(deps, address, list);
  const existing = (await deps.resources.listChildren(record.id)).filter((r) => r.type === RAI_BLOCKLIST_ITEM_TYPE);
  const known = new Map(existing.map((r) => [r.name.toLowerCase(), r]));
  const added = new Set(parsed.filter((p) => !known.has(p.name.toLowerCase())).map((p) => p.name.toLowerCase()));
  if (existing.length + added.size > limits.maxItems) throw armError("RaiBlocklistItemLimitExceeded", record.name, limits.maxItems);
  const at = nowIso(deps.clock);
  const records = parsed.map((p) =>
    childResource(
      record,
      { type: RAI_BLOCKLIST_ITEM_TYPE, segment: "raiBlocklistItems", name: p.name, properties: { pattern: p.pattern, isRegex: p.isRegex } },
      known.get(p.name.toLowerCase()),
      { by: caller.principalId, at },
    ),
  );
  for (const r of records) await deps.resources.upsertResource(r);
  const touched = await touch(deps, record);
  return { created: added.size > 0, records, list: touched };
}

function parseItem(name: string, body: Record<string, unknown>, limits: RaiLimits) {
  const properties = body.properties;
  if (properties === null || typeof properties !== "object" || Array.isArray(properties))
    throw armError("InvalidRaiBlocklistItem", name, "properties {pattern, isRegex} are required");
  const { pattern, isRegex = false } = properties as Record<string, unknown>;
  if (typeof pattern !== "string" || pattern.trim() === "")
    throw armError("InvalidRaiBlocklistItem", name, "properties.pattern is required");
  if (typeof isRegex !== "boolean") throw armError("InvalidRaiBlocklistItem", name, "properties.isRegex must be true or false");
  if (pattern.length > limits.patternMaxLength)
    throw armError(
      "InvalidRaiBlocklistItem",
      name,
      `the pattern is longer than ${limits.patternMaxLength} characters (setting raiBlocklistPatternMaxLength)`,
    );
  if (isRegex) {
    const problem = regexProblem(pattern, limits.patternMaxLength);
    if (problem) throw armError("InvalidRaiBlocklistItem", name, `the regular expression is refused: ${problem}`);
  }
  return { pattern, isRegex };
}

/** Moves the blocklist's revision (and modification time), so policies using it are recompiled on their next call. */
async function touch(deps: ArmDeps, list: ResourceRecord): Promise<ResourceRecord> {
  const updated = { ...list, properties: { ...list.properties, [REVISION]: newGuid() }, updatedAt: nowIso(deps.clock) };
  await deps.resources.upsertResource(updated);
  return updated;
}

function json(r: ResourceRecord) {
  const { [REVISION]: _revision, ...properties } = r.properties;
  const { id, name, type, etag, systemData } = resourceJson(r);
  return { id, name, type, etag, properties, systemData };
}

function itemJson(r: ResourceRecord) {
  const { id, name, type, etag, properties, systemData } = resourceJson(r);
  return { id, name, type, etag, properties, systemData };
}
