import { apiVersionsOf } from "../providers.ts";

/** The resource types a template may deploy, each written through its own ARM route (lower-case keys). */
export const DEPLOYABLE_TYPES: readonly string[] = [
  "Microsoft.Resources/resourceGroups",
  "Microsoft.Resources/deployments",
  "Microsoft.CognitiveServices/accounts",
  "Microsoft.CognitiveServices/accounts/deployments",
  "Microsoft.Authorization/roleAssignments",
  "Microsoft.Authorization/roleDefinitions",
  "Microsoft.ManagedIdentity/userAssignedIdentities",
];

const deployable = new Set(DEPLOYABLE_TYPES.map((t) => t.toLowerCase()));

export function isDeployable(type: string): boolean {
  return deployable.has(type.toLowerCase());
}

/** Types that complete mode deletes when a resource group holds one the template does not name (tracked resources). */
export const COMPLETE_MODE_TYPES: readonly string[] = [
  "Microsoft.CognitiveServices/accounts",
  "Microsoft.CognitiveServices/accounts/deployments",
  "Microsoft.ManagedIdentity/userAssignedIdentities",
];

/**
 * The full type of a resource id: `…/providers/{ns}/{type}/{name}[/{child}/{name}…]` gives `{ns}/{type}[/{child}]`
 * (the last `providers` segment, so extension resources get their own type); a resource group id gives
 * `Microsoft.Resources/resourceGroups`.
 */
export function typeOfId(id: string): string | undefined {
  const parts = id.split("/").filter((p) => p !== "");
  const at = parts.map((p) => p.toLowerCase()).lastIndexOf("providers");
  if (at >= 0 && parts.length > at + 3) {
    const namespace = parts[at + 1]!;
    const rest = parts.slice(at + 2);
    const types: string[] = [];
    for (let i = 0; i < rest.length; i += 2) types.push(rest[i]!);
    return `${namespace}/${types.join("/")}`;
  }
  if (parts.length === 4 && parts[0]!.toLowerCase() === "subscriptions" && parts[2]!.toLowerCase() === "resourcegroups")
    return "Microsoft.Resources/resourceGroups";
  return undefined;
}

/** The api-version to read a type with when a template names none: the newest non-preview one Keyless serves. */
export function defaultApiVersion(type: string): string | undefined {
  const versions = apiVersionsOf(type);
  return versions?.find((v) => !v.includes("preview")) ?? versions?.[0];
}
