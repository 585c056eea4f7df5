import { nowIso } from "../core/clock.ts";
import { isGuid } from "../core/ids.ts";
import type { ResourceRecord } from "../storage/records.ts";
import { type AccountAddress, accountId, findAccount } from "./accounts.ts";
import type { ArmCaller } from "./arm-caller.ts";
import { requireAction } from "./arm-caller.ts";
import type { ArmDeps } from "./arm-deps.ts";
import { armError } from "./arm-errors.ts";
import { requireSubscription } from "./readable-resources.ts";
import { bodyObject } from "./resource-json.ts";

/** A Keyless extension: a principal's (or group's) token quota on a deployment, as a child resource of the account. */
export const QUOTA_TYPE = "Microsoft.CognitiveServices/accounts/principalQuotas";
const READ = `${QUOTA_TYPE}/read`;
const WRITE = `${QUOTA_TYPE}/write`;
const DELETE = `${QUOTA_TYPE}/delete`;
const PERIODS = ["PT1M", "PT1H", "P1D", "P7D", "P30D"];
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const quotaId = (address: AccountAddress, name: string) => `${accountId(address)}/principalQuotas/${name}`;

/** `PUT {accountId}/principalQuotas/{name}` `{properties: {principalId, deployment, tokens, period}}`. */
export async function putPrincipalQuota(deps: ArmDeps, caller: ArmCaller, address: AccountAddress, name: string, body: unknown) {
  if (!NAME.test(name)) throw armError("InvalidResourceName", name, "A quota name has 1 to 64 letters, digits, '.', '_' or '-'.");
  const properties = parseQuota(body);
  const id = quotaId(address, name);
  await requireSubscription(deps, caller, address.subscriptionId);
  await requireAction(deps, caller, WRITE, id);
  const account = await findAccount(deps, address);
  const existing = await deps.resources.getResource(id);
  const at = nowIso(deps.clock);
  const quota: ResourceRecord = {
    id,
    type: QUOTA_TYPE,
    name,
    subscriptionId: account.subscriptionId,
    resourceGroup: account.resourceGroup,
    parentKey: account.id.toLowerCase(),
    location: account.location,
    kind: null,
    sku: null,
    tags: {},
    properties,
    createdAt: existing?.createdAt ?? at,
    createdBy: existing?.createdBy ?? caller.principalId,
    updatedAt: at,
  };
  await deps.resources.upsertResource(quota);
  return { created: !existing, body: await quotaJson(deps, quota) };
}

export async function getPrincipalQuota(deps: ArmDeps, caller: ArmCaller, address: AccountAddress, name: string) {
  const id = quotaId(address, name);
  await requireSubscription(deps, caller, address.subscriptionId);
  await requireAction(deps, caller, READ, id);
  await findAccount(deps, address);
  const quota = await deps.resources.getResource(id);
  if (!quota || quota.type !== QUOTA_TYPE) throw armError("ResourceNotFound", QUOTA_TYPE, `${address.name}/${name}`);
  return quotaJson(deps, quota);
}

export async function listPrincipalQuotas(deps: ArmDeps, caller: ArmCaller, address: AccountAddress) {
  await requireSubscription(deps, caller, address.subscriptionId);
  const account = await findAccount(deps, address);
  await requireAction(deps, caller, READ, account.id);
  const quotas = (await deps.resources.listChildren(account.id)).filter((r) => r.type === QUOTA_TYPE);
  return { value: await Promise.all(quotas.map((q) => quotaJson(deps, q))) };
}

export async function deletePrincipalQuota(deps: ArmDeps, caller: ArmCaller, address: AccountAddress, name: string): Promise<boolean> {
  const id = quotaId(address, name);
  await requireSubscription(deps, caller, address.subscriptionId);
  await requireAction(deps, caller, DELETE, id);
  const existing = await deps.resources.getResource(id);
  if (!existing || existing.type !== QUOTA_TYPE) return false;
  await deps.arm.deleteResourceTree(existing.id);
  return true;
}

function parseQuota(body: unknown): Record<string, unknown> {
  const properties = bodyObject(bodyObject(body).properties ?? {});
  const { principalId, deployment, tokens, period } = properties;
  if (typeof principalId !== "string" || !isGuid(principalId))
    throw armError(
      "InvalidResourceProperties",
      "properties.principalId must be the object id (a GUID) of a user, group or service principal.",
    );
  if (typeof deployment !== "string" || !(deployment === "*" || NAME.test(deployment)))
    throw armError(
      "InvalidResourceProperties",
      "properties.deployment must be a deployment name, or '*' for all deployments of the account.",
    );
  if (typeof tokens !== "number" || !Number.isInteger(tokens) || tokens < 1)
    throw armError("InvalidResourceProperties", "properties.tokens must be a whole number of tokens, at least 1.");
  if (typeof period !== "string" || !PERIODS.includes(period))
    throw armError("InvalidResourceProperties", `properties.period must be one of ${PERIODS.join(", ")}.`);
  return { principalId: principalId.toLowerCase(), deployment, tokens, period };
}

/** The quota with what its current window has spent and when that window resets (from the data plane's counter). */
async function quotaJson(deps: ArmDeps, quota: ResourceRecord) {
  const spend = deps.quotaSpend && (await deps.quotaSpend({ id: quota.id, period: String(quota.properties.period) }));
  return {
    id: quota.id,
    name: quota.name,
    type: QUOTA_TYPE,
    properties: {
      ...quota.properties,
      ...(spend
        ? { spent: spend.spent, remaining: Math.max(0, Number(quota.properties.tokens) - spend.spent), resetsAt: spend.resetsAt }
        : {}),
    },
    systemData: { createdAt: quota.createdAt, createdBy: quota.createdBy, lastModifiedAt: quota.updatedAt },
  };
}
