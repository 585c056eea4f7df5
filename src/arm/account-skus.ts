import { type AccountAddress, accountId, findAccount } from "./accounts.ts";
import type { ArmCaller } from "./arm-caller.ts";
import { requireAction } from "./arm-caller.ts";
import type { ArmDeps } from "./arm-deps.ts";
import { DEPLOYMENT_TYPE, type ModelRef } from "./cognitive-services.ts";
import { LOCATIONS } from "./providers.ts";
import { requireSubscription } from "./readable-resources.ts";

/**
 * SKUs and usages, as `az cognitiveservices account list-skus` and `list-usage` (2.45) and newer
 * `az cognitiveservices usage list` read them. Accounts have one SKU (S0). Usages count deployment capacity per
 * model and deployment SKU (`{format}.{sku}.{model}`, Azure's usage names) against the largest capacity one
 * deployment may have.
 */
const KINDS = ["AIServices", "OpenAI"];
/** The most capacity a deployment may have (ARM refuses more), the limit each usage is shown against. */
const CAPACITY_LIMIT = 100_000;

/** `GET /subscriptions/{s}/providers/Microsoft.CognitiveServices/skus`: the SKUs accounts may be created with. */
export async function subscriptionSkus(deps: ArmDeps, caller: ArmCaller, subscriptionId: string) {
  await requireSubscription(deps, caller, subscriptionId);
  return {
    value: KINDS.map((kind) => ({
      resourceType: "accounts",
      name: "S0",
      tier: "Standard",
      kind,
      locations: LOCATIONS.map((l) => l.toUpperCase()),
      restrictions: [],
    })),
  };
}

/** `GET …/accounts/{a}/skus`: the SKUs this account may move to. */
export async function accountSkus(deps: ArmDeps, caller: ArmCaller, address: AccountAddress) {
  await requireSubscription(deps, caller, address.subscriptionId);
  await requireAction(deps, caller, "Microsoft.CognitiveServices/accounts/read", accountId(address));
  await findAccount(deps, address);
  return { value: [{ resourceType: "Microsoft.CognitiveServices/accounts", sku: { name: "S0", tier: "Standard" } }] };
}

/** `GET …/accounts/{a}/usages`: deployment capacity in use per model and deployment SKU. */
export async function accountUsages(deps: ArmDeps, caller: ArmCaller, address: AccountAddress) {
  await requireSubscription(deps, caller, address.subscriptionId);
  await requireAction(deps, caller, "Microsoft.CognitiveServices/accounts/usages/read", accountId(address));
  const account = await findAccount(deps, address);
  const deployments = (await deps.resources.listChildren(account.id)).filter((r) => r.type === DEPLOYMENT_TYPE);
  return { value: usagesOf(deployments) };
}

/** `GET /subscriptions/{s}/providers/Microsoft.CognitiveServices/locations/{l}/usages`: the same over a location. */
export async function locationUsages(deps: ArmDeps, caller: ArmCaller, subscriptionId: string, location: string) {
  await requireSubscription(deps, caller, subscriptionId);
  const deployments = (await deps.arm.listResourcesOfSubscription(subscriptionId)).filter(
    (r) => r.type === DEPLOYMENT_TYPE && r.location.toLowerCase() === location.toLowerCase(),
  );
  return { value: usagesOf(deployments) };
}

function usagesOf(deployments: ReadonlyArray<{ sku: Record<string, unknown> | null; properties: Record<string, unknown> }>) {
  const used = new Map<string, number>();
  for (const d of deployments) {
    const model = d.properties.model as ModelRef | undefined;
    if (!model) continue;
    const key = `${model.format}.${String(d.sku?.name ?? "Standard")}.${model.name}`;
    used.set(key, (used.get(key) ?? 0) + (typeof d.sku?.capacity === "number" ? d.sku.capacity : 0));
  }
  return [...used.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, currentValue]) => ({
      name: { value: name, localizedValue: `Tokens Per Minute (thousands) - ${name}` },
      unit: "Count",
      currentValue,
      limit: CAPACITY_LIMIT,
      status: "Included",
    }));
}
