/**
 * Resource provider metadata: the types Keyless serves and their api-versions, newest first. The ARM route table
 * takes its version lists from here, and `az resource show` picks the first non-preview version of this order.
 */
interface ProviderType {
  resourceType: string;
  apiVersions: readonly string[];
  locations?: readonly string[];
  capabilities?: string;
}
interface Provider {
  namespace: string;
  resourceTypes: readonly ProviderType[];
}

export const RESOURCES_VERSIONS = [
  "2025-04-01",
  "2024-11-01",
  "2024-07-01",
  "2024-03-01",
  "2023-07-01",
  "2022-12-01",
  "2022-09-01",
  "2021-04-01",
  "2021-01-01",
  "2020-10-01",
  "2020-06-01",
  "2020-01-01",
  "2019-11-01",
  "2019-10-01",
  "2019-08-01",
  "2019-07-01",
  "2019-06-01",
  "2019-05-10",
  "2019-05-01",
  "2018-05-01",
  "2018-02-01",
  "2017-05-10",
  "2016-09-01",
  "2016-06-01",
  "2016-02-01",
  "2016-01-01",
  "2015-11-01",
  "2015-01-01",
  "2014-04-01",
];
/** `Microsoft.Resources/deployments`: the resource manager's versions, and the one `@azure/arm-resourcesdeployments` 2 sends. */
export const DEPLOYMENTS_VERSIONS = ["2026-06-01", ...RESOURCES_VERSIONS];
export const COGNITIVE_VERSIONS = [
  "2025-09-01",
  "2025-06-01",
  "2025-04-01-preview",
  "2024-10-01",
  "2024-06-01-preview",
  "2023-05-01",
  "2022-12-01",
  "2022-10-01",
  "2022-03-01",
  "2021-10-01",
  "2021-04-30",
  "2017-04-18",
];
/** Content filtering (`accounts/raiPolicies`, `accounts/raiBlocklists`): from 2023-05-01 (blocklists from 2023-10-01-preview). */
export const RAI_VERSIONS = [
  "2025-09-01",
  "2025-06-01",
  "2025-04-01-preview",
  "2024-10-01",
  "2024-06-01-preview",
  "2023-10-01-preview",
  "2023-05-01",
];
export const IDENTITY_VERSIONS = ["2023-01-31", "2022-01-31-preview", "2021-09-30-preview", "2018-11-30", "2015-08-31-preview"];
export const INSIGHTS_EVENT_VERSIONS = ["2017-03-01-preview", "2015-04-01", "2014-04-01"];
/** Azure Monitor metrics and definitions; az 2.45 sends 2018-01-01. */
export const INSIGHTS_METRICS_VERSIONS = ["2024-02-01", "2023-10-01", "2021-05-01", "2019-07-01", "2018-01-01"];
/** Microsoft.Authorization; role assignments answer every one of them. */
export const AUTHORIZATION_VERSIONS = [
  "2022-04-01",
  "2022-01-01-preview",
  "2020-10-01-preview",
  "2020-08-01-preview",
  "2020-04-01-preview",
  "2020-03-01-preview",
  "2018-09-01-preview",
  "2018-01-01-preview",
  "2015-07-01",
];

export const LOCATIONS = ["local"] as const;

export const providers: readonly Provider[] = [
  {
    namespace: "Microsoft.Resources",
    resourceTypes: [
      { resourceType: "tenants", apiVersions: RESOURCES_VERSIONS },
      { resourceType: "subscriptions", apiVersions: RESOURCES_VERSIONS },
      { resourceType: "resourceGroups", apiVersions: RESOURCES_VERSIONS },
      { resourceType: "resources", apiVersions: RESOURCES_VERSIONS },
      { resourceType: "providers", apiVersions: RESOURCES_VERSIONS },
      { resourceType: "operationresults", apiVersions: RESOURCES_VERSIONS },
      { resourceType: "deployments", apiVersions: DEPLOYMENTS_VERSIONS },
      { resourceType: "deployments/operations", apiVersions: DEPLOYMENTS_VERSIONS },
      { resourceType: "deployments/operationStatuses", apiVersions: DEPLOYMENTS_VERSIONS },
    ],
  },
  {
    namespace: "Microsoft.CognitiveServices",
    resourceTypes: [
      { resourceType: "accounts", apiVersions: COGNITIVE_VERSIONS, locations: LOCATIONS, capabilities: "SystemAssignedResourceIdentity" },
      { resourceType: "accounts/deployments", apiVersions: COGNITIVE_VERSIONS, locations: LOCATIONS },
      { resourceType: "accounts/raiPolicies", apiVersions: RAI_VERSIONS, locations: LOCATIONS },
      { resourceType: "accounts/raiBlocklists", apiVersions: RAI_VERSIONS, locations: LOCATIONS },
      { resourceType: "accounts/raiBlocklists/raiBlocklistItems", apiVersions: RAI_VERSIONS, locations: LOCATIONS },
      { resourceType: "locations/models", apiVersions: COGNITIVE_VERSIONS, locations: LOCATIONS },
      { resourceType: "locations/usages", apiVersions: COGNITIVE_VERSIONS, locations: LOCATIONS },
      { resourceType: "skus", apiVersions: COGNITIVE_VERSIONS },
      { resourceType: "operations", apiVersions: COGNITIVE_VERSIONS },
    ],
  },
  {
    namespace: "Microsoft.Authorization",
    resourceTypes: [
      { resourceType: "roleAssignments", apiVersions: AUTHORIZATION_VERSIONS },
      { resourceType: "roleDefinitions", apiVersions: AUTHORIZATION_VERSIONS },
      { resourceType: "permissions", apiVersions: AUTHORIZATION_VERSIONS },
    ],
  },
  {
    namespace: "Microsoft.ManagedIdentity",
    resourceTypes: [{ resourceType: "userAssignedIdentities", apiVersions: IDENTITY_VERSIONS, locations: LOCATIONS }],
  },
  {
    namespace: "Microsoft.Insights",
    resourceTypes: [
      { resourceType: "eventtypes", apiVersions: INSIGHTS_EVENT_VERSIONS },
      { resourceType: "metrics", apiVersions: INSIGHTS_METRICS_VERSIONS },
      { resourceType: "metricDefinitions", apiVersions: INSIGHTS_METRICS_VERSIONS },
    ],
  },
];

export function findProvider(namespace: string): Provider | undefined {
  return providers.find((p) => p.namespace.toLowerCase() === namespace.toLowerCase());
}

/** The api-versions of a full type such as `Microsoft.CognitiveServices/accounts`, or undefined when we do not serve it. */
export function apiVersionsOf(type: string): readonly string[] | undefined {
  const [namespace, ...rest] = type.split("/");
  const provider = findProvider(namespace ?? "");
  return provider?.resourceTypes.find((t) => t.resourceType.toLowerCase() === rest.join("/").toLowerCase())?.apiVersions;
}

/** The ARM JSON of a provider, as `GET /subscriptions/{s}/providers/{namespace}` returns it. */
export function providerJson(subscriptionId: string, p: Provider) {
  return {
    id: `/subscriptions/${subscriptionId}/providers/${p.namespace}`,
    namespace: p.namespace,
    registrationState: "Registered",
    registrationPolicy: "RegistrationRequired",
    resourceTypes: p.resourceTypes.map((t) => ({
      resourceType: t.resourceType,
      locations: t.locations ? t.locations.map((l) => l) : [],
      apiVersions: [...t.apiVersions],
      defaultApiVersion: t.apiVersions.find((v) => !v.includes("preview")),
      capabilities: t.capabilities ?? "None",
    })),
  };
}
