import { nowIso } from "../core/clock.ts";
import { newGuid } from "../core/ids.ts";
import type { ResourceRecord } from "../storage/records.ts";
import { type AccountAddress, accountId, findAccount } from "./accounts.ts";
import type { ArmCaller } from "./arm-caller.ts";
import { requireAction } from "./arm-caller.ts";
import type { ArmDeps } from "./arm-deps.ts";
import { armError } from "./arm-errors.ts";
import { childResource, DEPLOYMENT_TYPE, RAI_BLOCKLIST_TYPE, RAI_POLICY_TYPE } from "./cognitive-services.ts";
import { requireSubscription } from "./readable-resources.ts";
import { bodyObject, resourceJson } from "./resource-json.ts";

/**
 * `Microsoft.CognitiveServices/accounts/raiPolicies`: content-filtering policies (docs/content-filtering.md). A
 * policy lists `contentFilters` (a category, its source — Prompt or Completion —, whether it is on and blocking, and
 * for the harm categories the lowest severity that blocks) and `customBlocklists`; what it does not set comes from
 * its `basePolicyName`. The system-managed `Microsoft.Default` and `Microsoft.DefaultV2` are listed in every account
 * and cannot be changed; a deployment without `raiPolicyName` is filtered by Microsoft.DefaultV2.
 */
const READ = "Microsoft.CognitiveServices/accounts/raiPolicies/read";
const WRITE = "Microsoft.CognitiveServices/accounts/raiPolicies/write";
const DELETE = "Microsoft.CognitiveServices/accounts/raiPolicies/delete";
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}$/;
const MODES = ["Default", "Deferred", "Blocking", "Asynchronous_filter"];
const SOURCES = ["Prompt", "Completion"];
const SEVERITIES = ["Low", "Medium", "High"];
/** Filter names, compared without case, spaces, `_` or `-` (Azure accepts `Selfharm`, `protected_material_code`, …). */
const HARMS = new Set(["hate", "sexual", "violence", "selfharm"]);
const DETECTIONS = new Set(["jailbreak", "indirectattack", "profanity", "protectedmaterialtext", "protectedmaterialcode"]);
/** The hidden property that changes on every write of the policy (the data plane recompiles when it moves). */
export const REVISION = "keylessRevision";

export interface ContentFilterSpec {
  name: string;
  enabled: boolean;
  blocking: boolean;
  severityThreshold?: string;
  source: string;
}
export interface BlocklistRefSpec {
  blocklistName: string;
  blocking: boolean;
  source: string;
}

const filterKey = (name: string) => name.toLowerCase().replace(/[\s_-]/g, "");

function harm(name: string, source: string): ContentFilterSpec {
  return { name, blocking: true, enabled: true, severityThreshold: "Medium", source };
}
const DEFAULT_FILTERS = ["Hate", "Sexual", "Selfharm", "Violence"].flatMap((n) => [harm(n, "Prompt"), harm(n, "Completion")]);

/** The system-managed policies, as Azure lists them. */
const BUILTIN_RAI_POLICIES: Readonly<Record<string, { mode: string; contentFilters: readonly ContentFilterSpec[] }>> = {
  "Microsoft.Default": { mode: "Blocking", contentFilters: DEFAULT_FILTERS },
  "Microsoft.DefaultV2": {
    mode: "Blocking",
    contentFilters: [
      ...DEFAULT_FILTERS,
      { name: "Jailbreak", blocking: true, enabled: true, source: "Prompt" },
      { name: "Protected Material Text", blocking: true, enabled: true, source: "Completion" },
      { name: "Protected Material Code", blocking: false, enabled: true, source: "Completion" },
    ],
  },
};

export function builtinPolicyName(name: string): string | undefined {
  return Object.keys(BUILTIN_RAI_POLICIES).find((n) => n.toLowerCase() === name.toLowerCase());
}

const policyId = (address: AccountAddress, name: string) => `${accountId(address)}/raiPolicies/${name}`;

export async function putRaiPolicy(deps: ArmDeps, caller: ArmCaller, address: AccountAddress, name: string, body: unknown) {
  if (!NAME.test(name))
    throw armError(
      "InvalidResourceName",
      name,
      "A policy name has 1 to 64 letters, digits, '.', '_' or '-' and starts with a letter or digit.",
    );
  const id = policyId(address, name);
  await requireSubscription(deps, caller, address.subscriptionId);
  await requireAction(deps, caller, WRITE, id);
  const account = await findAccount(deps, address);
  if (builtinPolicyName(name) || name.toLowerCase().startsWith("microsoft.")) throw armError("SystemManagedRaiPolicy", name);
  const input = parsePolicy(body);
  for (const ref of input.customBlocklists) {
    const list = await deps.resources.getResource(`${account.id}/raiBlocklists/${ref.blocklistName}`);
    if (!list || list.type !== RAI_BLOCKLIST_TYPE) throw armError("RaiBlocklistNotFound", ref.blocklistName, account.name);
    ref.blocklistName = list.name;
  }
  const existing = await deps.resources.getResource(id);
  const at = nowIso(deps.clock);
  const record = childResource(
    account,
    { type: RAI_POLICY_TYPE, segment: "raiPolicies", name, properties: { policyType: "UserManaged", ...input, [REVISION]: newGuid() } },
    existing,
    { by: caller.principalId, at },
  );
  await deps.resources.upsertResource(record);
  return { created: !existing, body: policyJson(record) };
}

export async function getRaiPolicy(deps: ArmDeps, caller: ArmCaller, address: AccountAddress, name: string) {
  await requireSubscription(deps, caller, address.subscriptionId);
  await requireAction(deps, caller, READ, policyId(address, name));
  const account = await findAccount(deps, address);
  const builtin = builtinPolicyName(name);
  if (builtin) return builtinJson(account.id, builtin);
  const policy = await deps.resources.getResource(policyId(address, name));
  if (!policy || policy.type !== RAI_POLICY_TYPE) throw armError("ResourceNotFound", RAI_POLICY_TYPE, `${address.name}/${name}`);
  return policyJson(policy);
}

export async function listRaiPolicies(deps: ArmDeps, caller: ArmCaller, address: AccountAddress) {
  await requireSubscription(deps, caller, address.subscriptionId);
  await requireAction(deps, caller, READ, accountId(address));
  const account = await findAccount(deps, address);
  const own = (await deps.resources.listChildren(account.id)).filter((r) => r.type === RAI_POLICY_TYPE).map(policyJson);
  return { value: [...Object.keys(BUILTIN_RAI_POLICIES).map((n) => builtinJson(account.id, n)), ...own] };
}

/** Deletes a policy no deployment uses; the system-managed ones cannot be deleted. */
export async function deleteRaiPolicy(deps: ArmDeps, caller: ArmCaller, address: AccountAddress, name: string): Promise<boolean> {
  const id = policyId(address, name);
  await requireSubscription(deps, caller, address.subscriptionId);
  await requireAction(deps, caller, DELETE, id);
  if (builtinPolicyName(name)) throw armError("SystemManagedRaiPolicy", name);
  const existing = await deps.resources.getResource(id);
  if (!existing || existing.type !== RAI_POLICY_TYPE) return false;
  const users = (await deps.resources.listChildren(existing.parentKey ?? "")).filter(
    (r) => r.type === DEPLOYMENT_TYPE && String(r.properties.raiPolicyName ?? "").toLowerCase() === name.toLowerCase(),
  );
  if (users.length > 0) throw armError("RaiPolicyInUse", existing.name, users.map((d) => `'${d.name}'`).join(", "));
  await deps.arm.deleteResourceTree(existing.id);
  await deps.scopeDeleted(existing.id);
  return true;
}

/** The policies of an account that name a blocklist (a blocklist in use cannot be deleted). */
export async function policiesUsingBlocklist(deps: Pick<ArmDeps, "resources">, accountResourceId: string, blocklist: string) {
  return (await deps.resources.listChildren(accountResourceId)).filter(
    (r) =>
      r.type === RAI_POLICY_TYPE &&
      ((r.properties.customBlocklists ?? []) as BlocklistRefSpec[]).some((b) => b.blocklistName.toLowerCase() === blocklist.toLowerCase()),
  );
}

/**
 * What the data plane screens with: the policy's own filters over its base policy's (a filter of the same
 * category and source replaces the base's), its blocklists, and a revision that moves whenever the policy or one of
 * its blocklists changes. Undefined when no such policy exists.
 */
export async function effectiveRaiPolicy(deps: Pick<ArmDeps, "resources">, accountResourceId: string, name: string) {
  const builtin = builtinPolicyName(name);
  if (builtin) {
    const b = BUILTIN_RAI_POLICIES[builtin]!;
    return { name: builtin, mode: b.mode, contentFilters: b.contentFilters, customBlocklists: [], revision: builtin };
  }
  const policy = await deps.resources.getResource(`${accountResourceId}/raiPolicies/${name}`);
  if (!policy || policy.type !== RAI_POLICY_TYPE) return undefined;
  const own = (policy.properties.contentFilters ?? []) as ContentFilterSpec[];
  const base = BUILTIN_RAI_POLICIES[builtinPolicyName(String(policy.properties.basePolicyName ?? "")) ?? "Microsoft.DefaultV2"]!;
  const key = (f: ContentFilterSpec) => `${filterKey(f.name)}/${f.source.toLowerCase()}`;
  const overridden = new Set(own.map(key));
  const customBlocklists = (policy.properties.customBlocklists ?? []) as BlocklistRefSpec[];
  const revisions = [String(policy.properties[REVISION] ?? policy.updatedAt)];
  for (const ref of customBlocklists) {
    const list = await deps.resources.getResource(`${accountResourceId}/raiBlocklists/${ref.blocklistName}`);
    revisions.push(String(list?.properties[REVISION] ?? "missing"));
  }
  return {
    name: policy.name,
    mode: String(policy.properties.mode ?? "Default"),
    contentFilters: [...base.contentFilters.filter((f) => !overridden.has(key(f))), ...own],
    customBlocklists,
    revision: revisions.join("/"),
  };
}

function policyJson(r: ResourceRecord) {
  const { [REVISION]: _revision, ...properties } = r.properties;
  const { id, name, type, etag, systemData } = resourceJson(r);
  return { id, name, type, etag, properties, systemData };
}

function builtinJson(accountResourceId: string, name: string) {
  const b = BUILTIN_RAI_POLICIES[name]!;
  return {
    id: `${accountResourceId}/raiPolicies/${name}`,
    name,
    type: RAI_POLICY_TYPE,
    properties: { policyType: "SystemManaged", mode: b.mode, contentFilters: b.contentFilters, customBlocklists: [] },
  };
}

function parsePolicy(body: unknown) {
  const properties = bodyObject(bodyObject(body).properties ?? {});
  const mode = pick(properties.mode ?? "Default", MODES, "properties.mode");
  const basePolicyName =
    properties.basePolicyName === undefined ? "Microsoft.DefaultV2" : builtinPolicyName(String(properties.basePolicyName));
  if (!basePolicyName)
    throw armError(
      "InvalidResourceProperties",
      `properties.basePolicyName must be one of ${Object.keys(BUILTIN_RAI_POLICIES).join(", ")}.`,
    );
  const filters = properties.contentFilters ?? [];
  if (!Array.isArray(filters) || filters.length > 64)
    throw armError("InvalidResourceProperties", "properties.contentFilters must be an array of at most 64 filters.");
  const contentFilters = filters.map((f, i) => parseFilter(f, i));
  const refs = properties.customBlocklists ?? [];
  if (!Array.isArray(refs) || refs.length > 64)
    throw armError("InvalidResourceProperties", "properties.customBlocklists must be an array of at most 64 blocklists.");
  const customBlocklists = refs.map((b, i): BlocklistRefSpec => {
    const ref = object(b, `properties.customBlocklists[${i}]`);
    if (typeof ref.blocklistName !== "string" || ref.blocklistName === "")
      throw armError("InvalidResourceProperties", `properties.customBlocklists[${i}].blocklistName is required.`);
    return {
      blocklistName: ref.blocklistName,
      blocking: flag(ref.blocking, `properties.customBlocklists[${i}].blocking`),
      source: pick(ref.source, SOURCES, `properties.customBlocklists[${i}].source`),
    };
  });
  return { mode, basePolicyName, contentFilters, customBlocklists };
}

function parseFilter(value: unknown, i: number): ContentFilterSpec {
  const f = object(value, `properties.contentFilters[${i}]`);
  const at = `properties.contentFilters[${i}]`;
  if (typeof f.name !== "string") throw armError("InvalidResourceProperties", `${at}.name is required.`);
  const key = filterKey(f.name);
  if (!HARMS.has(key) && !DETECTIONS.has(key))
    throw armError(
      "InvalidResourceProperties",
      `${at}.name '${f.name}' is not a content filter. Use Hate, Sexual, Violence, Selfharm, Jailbreak, Indirect Attack, Profanity, Protected Material Text or Protected Material Code.`,
    );
  const spec: ContentFilterSpec = {
    name: f.name,
    enabled: flag(f.enabled, `${at}.enabled`),
    blocking: flag(f.blocking, `${at}.blocking`),
    source: pick(f.source, SOURCES, `${at}.source`),
  };
  // `allowedContentLevel` is the 2023-05-01 spelling of `severityThreshold`.
  const threshold = f.severityThreshold ?? f.allowedContentLevel;
  if (HARMS.has(key)) spec.severityThreshold = pick(threshold ?? "Medium", SEVERITIES, `${at}.severityThreshold`);
  else if (threshold !== undefined)
    throw armError("InvalidResourceProperties", `${at}.severityThreshold applies to Hate, Sexual, Violence and Selfharm only.`);
  return spec;
}

function object(value: unknown, at: string): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw armError("InvalidResourceProperties", `${at} must be an object.`);
  return value as Record<string, unknown>;
}

function flag(value: unknown, at: string): boolean {
  if (value === undefined) return true;
  if (typeof value !== "boolean") throw armError("InvalidResourceProperties", `${at} must be true or false.`);
  return value;
}

function pick(value: unknown, allowed: readonly string[], at: string): string {
  const found = typeof value === "string" ? allowed.find((a) => a.toLowerCase() === value.toLowerCase()) : undefined;
  if (!found) throw armError("InvalidResourceProperties", `${at} must be one of ${allowed.join(", ")}.`);
  return found;
}
