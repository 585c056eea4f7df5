import { nowIso } from "../core/clock.ts";
import { DEPLOYMENT_SKUS, deploymentSkuNamed } from "../core/deployment-skus.ts";
import type { ResourceRecord } from "../storage/records.ts";
import { type AccountAddress, accountId, findAccount } from "./accounts.ts";
import type { ArmCaller } from "./arm-caller.ts";
import { requireAction } from "./arm-caller.ts";
import type { ArmDeps, ModelCatalogEntry } from "./arm-deps.ts";
import { armError } from "./arm-errors.ts";
import { DEPLOYMENT_TYPE, type ModelRef, newDeployment, RAI_POLICY_TYPE } from "./cognitive-services.ts";
import { isRetired, VERSION_UPGRADE_OPTIONS, type VersionUpgradeOption } from "./deployment-upgrades.ts";
import { builtinPolicyName } from "./rai-policies.ts";
import { requireSubscription } from "./readable-resources.ts";
import { bodyObject, resourceJson } from "./resource-json.ts";

const READ = "Microsoft.CognitiveServices/accounts/deployments/read";
const WRITE = "Microsoft.CognitiveServices/accounts/deployments/write";
const DELETE = "Microsoft.CognitiveServices/accounts/deployments/delete";
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}$/;

function deploymentId(address: AccountAddress, name: string): string {
  return `${accountId(address)}/deployments/${name}`;
}

/**
 * `PUT …/accounts/{a}/deployments/{d}`: binds a deployment to a catalog model by exact format/name/version.
 * Accepts the current `sku {name, capacity}` form and the 2022-12-01 `properties.scaleSettings` form.
 */
export async function putDeployment(deps: ArmDeps, caller: ArmCaller, address: AccountAddress, name: string, body: unknown) {
  if (!NAME.test(name))
    throw armError(
      "InvalidResourceName",
      name,
      "A deployment name has 1 to 64 letters, digits, '.', '_' or '-' and starts with a letter or digit.",
    );
  const input = parseDeploymentBody(body);
  const id = deploymentId(address, name);
  await requireSubscription(deps, caller, address.subscriptionId);
  await requireAction(deps, caller, WRITE, id);
  const account = await findAccount(deps, address);
  const catalogEntry = requireCatalogModel(deps.models.list(), input.model, deps.clock.now());
  requireAllowedSku(catalogEntry, input.skuName);
  const raiPolicyName = await requireRaiPolicy(deps, account, input.raiPolicyName);
  const existing = await deps.resources.getResource(id);
  const at = nowIso(deps.clock);
  const base = newDeployment(account, {
    name: existing?.name ?? name,
    model: input.model,
    capacity: input.capacity,
    createdBy: existing?.createdBy ?? caller.principalId,
    at,
  });
  const deployment: ResourceRecord = {
    ...base,
    sku: { name: input.skuName, capacity: input.capacity },
    properties: {
      ...base.properties,
      ...(input.scaleType ? { scaleSettings: { scaleType: input.scaleType, capacity: input.capacity } } : {}),
      raiPolicyName,
      versionUpgradeOption: input.versionUpgradeOption,
    },
    createdAt: existing?.createdAt ?? at,
  };
  await deps.resources.upsertResource(deployment);
  return { created: !existing, body: deploymentJson(deployment) };
}

/** `PATCH …/deployments/{d}` `{sku: {capacity}}`: rescales a deployment; its rate limits follow the capacity. */
export async function patchDeployment(deps: ArmDeps, caller: ArmCaller, address: AccountAddress, name: string, body: unknown) {
  const input = bodyObject(body);
  const capacity = (input.sku as { capacity?: unknown } | undefined)?.capacity;
  if (typeof capacity !== "number" || !Number.isInteger(capacity) || capacity < 1 || capacity > 100000) {
    throw armError("InvalidResourceProperties", "sku.capacity must be a whole number from 1 to 100000.");
  }
  const id = deploymentId(address, name);
  await requireSubscription(deps, caller, address.subscriptionId);
  await requireAction(deps, caller, WRITE, id);
  const account = await findAccount(deps, address);
  const existing = await deps.resources.getResource(id);
  if (!existing || existing.type !== DEPLOYMENT_TYPE) throw armError("ResourceNotFound", DEPLOYMENT_TYPE, `${address.name}/${name}`);
  const rescaled = newDeployment(account, {
    name: existing.name,
    model: existing.properties.model as ModelRef,
    capacity,
    createdBy: existing.createdBy,
    at: nowIso(deps.clock),
  });
  const scale = existing.properties.scaleSettings as Record<string, unknown> | undefined;
  const updated: ResourceRecord = {
    ...existing,
    sku: { ...existing.sku, capacity },
    properties: {
      ...existing.properties,
      rateLimits: rescaled.properties.rateLimits,
      ...(scale ? { scaleSettings: { ...scale, capacity } } : {}),
    },
    updatedAt: rescaled.updatedAt,
  };
  await deps.resources.upsertResource(updated);
  return deploymentJson(updated);
}

export async function getDeployment(deps: ArmDeps, caller: ArmCaller, address: AccountAddress, name: string) {
  await requireSubscription(deps, caller, address.subscriptionId);
  await requireAction(deps, caller, READ, deploymentId(address, name));
  await findAccount(deps, address);
  const deployment = await deps.resources.getResource(deploymentId(address, name));
  if (!deployment || deployment.type !== DEPLOYMENT_TYPE) throw armError("ResourceNotFound", DEPLOYMENT_TYPE, `${address.name}/${name}`);
  return deploymentJson(deployment);
}

export async function listDeployments(deps: ArmDeps, caller: ArmCaller, address: AccountAddress) {
  await requireSubscription(deps, caller, address.subscriptionId);
  await requireAction(deps, caller, READ, accountId(address));
  const account = await findAccount(deps, address);
  return { value: (await deps.resources.listChildren(account.id)).filter((r) => r.type === DEPLOYMENT_TYPE).map(deploymentJson) };
}

export async function deleteDeployment(deps: ArmDeps, caller: ArmCaller, address: AccountAddress, name: string): Promise<boolean> {
  const id = deploymentId(address, name);
  await requireSubscription(deps, caller, address.subscriptionId);
  await requireAction(deps, caller, DELETE, id);
  const existing = await deps.resources.getResource(id);
  if (!existing || existing.type !== DEPLOYMENT_TYPE) return false;
  await deps.arm.deleteResourceTree(existing.id);
  await deps.scopeDeleted(existing.id);
  return true;
}

/** `…/locations/{l}/models` lists the catalog as Azure's model entries, naming the backend that runs each model. */
export function locationModelsJson(models: readonly ModelCatalogEntry[]) {
  return { value: models.map((m) => ({ kind: "AIServices", skuName: "S0", model: catalogModelJson(m) })) };
}

/** `…/accounts/{a}/models`: the models this account can deploy. */
export async function accountModels(deps: ArmDeps, caller: ArmCaller, address: AccountAddress) {
  await requireSubscription(deps, caller, address.subscriptionId);
  await requireAction(deps, caller, "Microsoft.CognitiveServices/accounts/read", accountId(address));
  await findAccount(deps, address);
  return { value: deps.models.list().map(catalogModelJson) };
}

function catalogModelJson(m: ModelCatalogEntry) {
  return {
    format: m.format,
    name: m.name,
    version: m.version,
    backend: m.backend,
    lifecycleStatus: m.lifecycleStatus,
    isDefaultVersion: m.isDefaultVersion,
    capabilities: { chatCompletion: "true" },
    skus: (m.skus ?? DEPLOYMENT_SKUS).map((name) => ({
      name,
      usageName: `${m.format}.${name}.${m.name}`,
      capacity: { minimum: 1, maximum: 100000, default: 1 },
      ...(m.deprecationDate ? { deprecationDate: m.deprecationDate } : {}),
    })),
    deprecation: m.deprecationDate ? { inference: m.deprecationDate } : {},
  };
}

function deploymentJson(d: ResourceRecord) {
  const { id, name, type, sku, etag, properties, systemData } = resourceJson(d) as ReturnType<typeof resourceJson> & { sku?: unknown };
  return { id, name, type, sku, etag, properties, systemData };
}

interface DeploymentInput {
  model: ModelRef;
  skuName: string;
  capacity: number;
  scaleType: "Standard" | "Manual" | undefined;
  raiPolicyName: string | undefined;
  versionUpgradeOption: VersionUpgradeOption;
}

function parseDeploymentBody(body: unknown): DeploymentInput {
  const input = bodyObject(body);
  const properties = (input.properties ?? {}) as Record<string, unknown>;
  const model = properties.model as Record<string, unknown> | undefined;
  if (!model || typeof model !== "object")
    throw armError("InvalidResourceProperties", "properties.model {format, name, version} is required.");
  for (const field of ["format", "name", "version"]) {
    if (typeof model[field] !== "string" || model[field] === "")
      throw armError("InvalidResourceProperties", `properties.model.${field} is required.`);
  }
  const scale = properties.scaleSettings as { scaleType?: unknown; capacity?: unknown } | undefined;
  const scaleType =
    scale?.scaleType === undefined
      ? undefined
      : scale.scaleType === "Standard" || scale.scaleType === "Manual"
        ? scale.scaleType
        : "invalid";
  if (scaleType === "invalid")
    throw armError("InvalidResourceProperties", "properties.scaleSettings.scaleType must be 'Standard' or 'Manual'.");
  const sku = input.sku as { name?: unknown; capacity?: unknown } | undefined;
  const skuName = sku?.name === undefined ? "Standard" : deploymentSkuNamed(sku.name);
  if (!skuName) throw armError("InvalidSkuId", String(sku?.name), DEPLOYMENT_SKUS.join(", "));
  const capacity = sku?.capacity ?? scale?.capacity ?? 1;
  if (typeof capacity !== "number" || !Number.isInteger(capacity) || capacity < 1 || capacity > 100000)
    throw armError("InvalidResourceProperties", "the capacity must be a whole number from 1 to 100000.");
  return {
    model: { format: model.format as string, name: model.name as string, version: model.version as string },
    skuName,
    capacity,
    scaleType,
    raiPolicyName: parseRaiPolicyName(properties.raiPolicyName),
    versionUpgradeOption: parseUpgradeOption(properties.versionUpgradeOption),
  };
}

function parseUpgradeOption(value: unknown): VersionUpgradeOption {
  if (value === undefined || value === null) return "OnceNewDefaultVersionAvailable";
  const found = VERSION_UPGRADE_OPTIONS.find((o) => typeof value === "string" && o.toLowerCase() === value.toLowerCase());
  if (!found)
    throw armError("InvalidResourceProperties", `properties.versionUpgradeOption must be one of ${VERSION_UPGRADE_OPTIONS.join(", ")}.`);
  return found;
}

/** A model that names its SKUs may only be deployed with one of them. */
function requireAllowedSku(entry: ModelCatalogEntry, skuName: string): void {
  if (entry.skus && !entry.skus.includes(skuName))
    throw armError(
      "InvalidResourceProperties",
      `the SKU '${skuName}' is not supported by model ${entry.format}/${entry.name}/${entry.version}; use one of ${entry.skus.join(", ")}.`,
    );
}

function parseRaiPolicyName(value: unknown): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string") throw armError("InvalidResourceProperties", "properties.raiPolicyName must be a string.");
  return value;
}

/** The policy a deployment names exists (built-in or the account's own); none named is Microsoft.DefaultV2, as on Azure. */
async function requireRaiPolicy(deps: ArmDeps, account: ResourceRecord, name: string | undefined): Promise<string> {
  if (name === undefined) return "Microsoft.DefaultV2";
  const builtin = builtinPolicyName(name);
  if (builtin) return builtin;
  const policy = await deps.resources.getResource(`${account.id}/raiPolicies/${name}`);
  if (!policy || policy.type !== RAI_POLICY_TYPE) throw armError("RaiPolicyNotFound", name, account.name);
  return policy.name;
}

function requireCatalogModel(models: readonly ModelCatalogEntry[], model: ModelRef, now: number): ModelCatalogEntry {
  const found = models.find(
    (m) =>
      m.format.toLowerCase() === model.format.toLowerCase() &&
      m.name.toLowerCase() === model.name.toLowerCase() &&
      m.version === model.version &&
      !isRetired(m, now),
  );
  if (!found) {
    throw armError(
      "DeploymentModelNotSupported",
      `Format:${model.format},Name:${model.name},Version:${model.version}`,
      models
        .filter((m) => !isRetired(m, now))
        .map((m) => `${m.format}/${m.name}/${m.version}`)
        .join(", ") || "none",
    );
  }
  return found;
}
