/**
 * The deployment SKU names (Azure's deployment types): what a deployment's `sku.name` may be, and what the models
 * file's `skus` may narrow a catalog model to.
 */
export const DEPLOYMENT_SKUS = [
  "Standard",
  "GlobalStandard",
  "DataZoneStandard",
  "ProvisionedManaged",
  "GlobalProvisionedManaged",
  "DataZoneProvisionedManaged",
  "GlobalBatch",
  "DataZoneBatch",
] as const;

/** The SKU `name` spells in any case (Azure matches SKU names case-insensitively), or undefined. */
export function deploymentSkuNamed(name: unknown): (typeof DEPLOYMENT_SKUS)[number] | undefined {
  if (typeof name !== "string") return undefined;
  const lower = name.toLowerCase();
  return DEPLOYMENT_SKUS.find((sku) => sku.toLowerCase() === lower);
}
