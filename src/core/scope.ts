/**
 * Azure scopes and resource ids: `/`, management groups, subscriptions, resource groups, resources and their
 * children. Comparison is case-insensitive, as in ARM, so every scope has a canonical lower-case `key`.
 */
export type Scope =
  | { kind: "root"; id: "/"; key: "/" }
  | { kind: "managementGroup"; id: string; key: string; managementGroup: string }
  | { kind: "subscription"; id: string; key: string; subscriptionId: string }
  | { kind: "resourceGroup"; id: string; key: string; subscriptionId: string; resourceGroup: string }
  | {
      kind: "resource";
      id: string;
      key: string;
      subscriptionId: string;
      resourceGroup: string;
      /** e.g. `Microsoft.CognitiveServices` */
      provider: string;
      /** type segments below the provider, e.g. `["accounts", "deployments"]` */
      types: string[];
      /** names matching `types`, e.g. `["my-account", "gpt"]` */
      names: string[];
    };

/**
 * Longest scope or resource id accepted anywhere (ARM's own ids stay far below it: names are at most a few hundred
 * characters). Ids end up as keys of every node's in-memory policy, and V8 hashes a string of 16,384 characters or
 * more by its length alone: thousands of long scopes of one length would make those maps quadratic.
 */
export const MAX_SCOPE_LENGTH = 4096;

/** Parses a scope or resource id; returns undefined when it is not one of the forms above or is too long. */
export function parseScope(raw: string): Scope | undefined {
  if (raw.length > MAX_SCOPE_LENGTH) return undefined;
  const trimmed = raw.trim().replace(/\/+/g, "/").replace(/\/$/, "");
  if (trimmed === "") return { kind: "root", id: "/", key: "/" };
  const parts = trimmed.split("/").slice(1);
  if (parts.length === 0 || parts.some((p) => p === "")) return undefined;
  const first = parts[0]!.toLowerCase();
  if (first === "providers") {
    if (parts.length === 4 && parts[1]!.toLowerCase() === "microsoft.management" && parts[2]!.toLowerCase() === "managementgroups") {
      const id = `/providers/Microsoft.Management/managementGroups/${parts[3]}`;
      return { kind: "managementGroup", id, key: id.toLowerCase(), managementGroup: parts[3]! };
    }
    return undefined;
  }
  if (first !== "subscriptions" || parts.length < 2) return undefined;
  const subscriptionId = parts[1]!;
  const subId = `/subscriptions/${subscriptionId}`;
  if (parts.length === 2) return { kind: "subscription", id: subId, key: subId.toLowerCase(), subscriptionId };
  if (parts[2]!.toLowerCase() !== "resourcegroups" || parts.length < 4) return undefined;
  const resourceGroup = parts[3]!;
  const rgId = `${subId}/resourceGroups/${resourceGroup}`;
  if (parts.length === 4) {
    return { kind: "resourceGroup", id: rgId, key: rgId.toLowerCase(), subscriptionId, resourceGroup };
  }
  // providers/{ns}/{type}/{name}[/{childType}/{childName}]...
  if (parts[4]!.toLowerCase() !== "providers" || parts.length < 8 || (parts.length - 6) % 2 !== 0) return undefined;
  const provider = parts[5]!;
  const rest = parts.slice(6);
  const types: string[] = [];
  const names: string[] = [];
  for (let i = 0; i < rest.length; i += 2) {
    types.push(rest[i]!);
    names.push(rest[i + 1]!);
  }
  const id = `${rgId}/providers/${provider}/${rest.join("/")}`;
  return { kind: "resource", id, key: id.toLowerCase(), subscriptionId, resourceGroup, provider, types, names };
}

/**
 * Canonical keys of a scope and every scope above it, nearest first, ending with `/`. Management groups above a
 * subscription are not known to a scope string; callers that model them pass `subscriptionParents`.
 */
export function ancestorKeys(scope: Scope, subscriptionParents: readonly string[] = []): string[] {
  const keys: string[] = [];
  if (scope.kind === "resource") {
    const rgKey = `/subscriptions/${scope.subscriptionId}/resourcegroups/${scope.resourceGroup}`.toLowerCase();
    for (let depth = scope.types.length; depth >= 1; depth--) {
      const segs: string[] = [];
      for (let i = 0; i < depth; i++) segs.push(scope.types[i]!, scope.names[i]!);
      keys.push(`${rgKey}/providers/${scope.provider}/${segs.join("/")}`.toLowerCase());
    }
  }
  if (scope.kind === "resource" || scope.kind === "resourceGroup") {
    keys.push(`/subscriptions/${scope.subscriptionId}/resourcegroups/${scope.resourceGroup}`.toLowerCase());
  }
  if (scope.kind === "resource" || scope.kind === "resourceGroup" || scope.kind === "subscription") {
    keys.push(`/subscriptions/${scope.subscriptionId}`.toLowerCase());
    for (const mg of subscriptionParents) keys.push(mg.toLowerCase());
  }
  if (scope.kind === "managementGroup") keys.push(scope.key, ...subscriptionParents.map((mg) => mg.toLowerCase()));
  keys.push("/");
  return keys;
}

/** A resource group's ARM id. */
export function resourceGroupId(subscriptionId: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${name}`;
}

/** Where one scope sits relative to another. */
type ScopeRelation = "at" | "above" | "below" | "unrelated";

/**
 * Where scope `other` sits relative to `scope`, both given as ids or keys and compared case-insensitively: the same
 * scope, above it (the root `/` is above every scope), below it, or neither. A trailing `/` is ignored.
 */
export function scopeRelation(other: string, scope: string): ScopeRelation {
  const at = canonicalKey(other);
  const key = canonicalKey(scope);
  if (at === key) return "at";
  if (at === "/" || key.startsWith(`${at}/`)) return "above";
  if (key === "/" || at.startsWith(`${key}/`)) return "below";
  return "unrelated";
}

function canonicalKey(scope: string): string {
  return scope.toLowerCase().replace(/\/+$/, "") || "/";
}
