/**
 * The resources our token service issues tokens for, and how a requested `scope` maps onto one. Azure's
 * first-party resource URIs are kept verbatim so unmodified clients ask for exactly what they ask Entra for.
 */
export type ResourceKind = "arm" | "graph" | "cognitive";

export const resourceAudiences: Readonly<Record<ResourceKind, readonly string[]>> = {
  arm: [
    "https://management.core.windows.net/",
    "https://management.core.windows.net",
    "https://management.azure.com/",
    "https://management.azure.com",
  ],
  graph: ["https://graph.microsoft.com", "https://graph.microsoft.com/", "00000003-0000-0000-c000-000000000000"],
  cognitive: [
    "https://cognitiveservices.azure.com",
    "https://cognitiveservices.azure.com/",
    "https://ai.azure.com",
    "https://ai.azure.com/",
  ],
};

/** Classifies an audience; our own Graph URL (`{origin}/graph/`, as the Azure CLI is configured) counts as Graph. */
export function resourceKindOf(audience: string): ResourceKind | undefined {
  for (const kind of Object.keys(resourceAudiences) as ResourceKind[]) {
    if (resourceAudiences[kind].includes(audience.toLowerCase())) return kind;
  }
  if (/^https:\/\/[^/]+\/graph\/?$/i.test(audience)) return "graph";
  return undefined;
}

export interface ParsedScope {
  /** The resource (token audience), e.g. `https://cognitiveservices.azure.com`. */
  resource: string;
  /** Delegated permissions named in the scope (empty for `.default`). */
  permissions: string[];
  /** OIDC scopes that came along (openid, profile, offline_access). */
  oidc: string[];
}

const OIDC_SCOPES = new Set(["openid", "profile", "offline_access", "email"]);

/** Splits a space-separated `scope` into one resource plus OIDC scopes; undefined when it names no resource. */
export function parseScopeParameter(scope: string): ParsedScope | undefined | "several-resources" {
  const parts = scope.split(/\s+/).filter((s) => s !== "");
  const oidc = parts.filter((p) => OIDC_SCOPES.has(p.toLowerCase()));
  const resources = new Map<string, string[]>();
  for (const part of parts.filter((p) => !OIDC_SCOPES.has(p.toLowerCase()))) {
    const slash = part.lastIndexOf("/");
    if (slash <= 0) return undefined;
    const resource = part.slice(0, slash);
    const permission = part.slice(slash + 1);
    const permissions = resources.get(resource) ?? [];
    if (permission !== ".default") permissions.push(permission);
    resources.set(resource, permissions);
  }
  if (resources.size > 1) return "several-resources";
  const [entry] = resources;
  if (!entry) return undefined;
  return { resource: entry[0], permissions: entry[1], oidc };
}
