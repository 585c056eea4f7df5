/**
 * Resource ids as ARM's `resourceId` family builds them. A type `Ns/t1/t2` needs one name per type segment after
 * the namespace (`acct/dep` counts as two); ids are built at the deployment's scope unless the arguments name
 * another subscription or resource group. A resource group's id is `/subscriptions/{s}/resourceGroups/{name}`.
 */
import { ExpressionError } from "./errors.ts";

/** `providers/Ns/t1/n1/t2/n2`, checking that the names fit the type. */
export function typedSegments(type: string, names: readonly string[], fn: string): string {
  const typeParts = type.split("/").filter((p) => p !== "");
  const nameParts = names.flatMap((n) => n.split("/"));
  if (typeParts.length < 2 || !typeParts[0]!.includes(".")) {
    throw new ExpressionError(
      `The resource type '${type}' given to '${fn}' is not valid: it must be a provider namespace and a type, such as 'Microsoft.CognitiveServices/accounts'.`,
    );
  }
  if (nameParts.length !== typeParts.length - 1 || nameParts.some((n) => n === "")) {
    throw new ExpressionError(
      `Unable to evaluate template language function '${fn}': the type '${type}' requires ${typeParts.length - 1} resource name segment(s), but the name(s) '${names.join("/")}' give ${nameParts.length}.`,
    );
  }
  const segs = [`providers/${typeParts[0]}`];
  for (let i = 1; i < typeParts.length; i++) segs.push(`${typeParts[i]}/${nameParts[i - 1]}`);
  return segs.join("/");
}

export function isResourceGroupType(type: string): boolean {
  return type.toLowerCase() === "microsoft.resources/resourcegroups";
}

export function subscriptionLevelId(subscriptionId: string, type: string, names: readonly string[], fn: string): string {
  if (isResourceGroupType(type)) {
    if (names.length !== 1 || names[0]!.includes("/") || names[0] === "")
      throw new ExpressionError(`Unable to evaluate template language function '${fn}': a resource group has exactly one name segment.`);
    return `/subscriptions/${subscriptionId}/resourceGroups/${names[0]}`;
  }
  return `/subscriptions/${subscriptionId}/${typedSegments(type, names, fn)}`;
}

export function resourceGroupLevelId(
  subscriptionId: string,
  resourceGroup: string,
  type: string,
  names: readonly string[],
  fn: string,
): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/${typedSegments(type, names, fn)}`;
}

export function tenantLevelId(type: string, names: readonly string[], fn: string): string {
  return `/${typedSegments(type, names, fn)}`;
}

export function extensionId(scopeId: string, type: string, names: readonly string[], fn: string): string {
  const base = scopeId.replace(/\/+$/, "");
  return `${base}/${typedSegments(type, names, fn)}`;
}

/** Case-insensitive key of an id, with `providers/Microsoft.Resources/resourceGroups` spelled as `resourceGroups`. */
export function idKey(id: string): string {
  return id
    .toLowerCase()
    .replace(/\/+$/, "")
    .replace(/^(\/subscriptions\/[^/]+)\/providers\/microsoft\.resources\/resourcegroups\//, "$1/resourcegroups/");
}
