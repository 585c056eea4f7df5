import type { ResourceRecord } from "../storage/records.ts";

export const ACCOUNT_TYPE = "Microsoft.CognitiveServices/accounts";
export const DEPLOYMENT_TYPE = "Microsoft.CognitiveServices/accounts/deployments";
export const RAI_POLICY_TYPE = "Microsoft.CognitiveServices/accounts/raiPolicies";
export const RAI_BLOCKLIST_TYPE = "Microsoft.CognitiveServices/accounts/raiBlocklists";
export const RAI_BLOCKLIST_ITEM_TYPE = "Microsoft.CognitiveServices/accounts/raiBlocklists/raiBlocklistItems";

export interface ModelRef {
  format: string;
  name: string;
  version: string;
}

/**
 * A `Microsoft.CognitiveServices/accounts` resource. Its endpoints are not stored: they follow the service's
 * public URL, so `accountEndpoints` computes them whenever the account is shown.
 */
export function newAccount(input: {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  kind: string;
  createdBy: string | null;
  at: string;
}): ResourceRecord {
  const id = `/subscriptions/${input.subscriptionId}/resourceGroups/${input.resourceGroup}/providers/${ACCOUNT_TYPE}/${input.name}`;
  return {
    id,
    type: ACCOUNT_TYPE,
    name: input.name,
    subscriptionId: input.subscriptionId,
    resourceGroup: input.resourceGroup,
    parentKey: null,
    location: input.location,
    kind: input.kind,
    sku: { name: "S0" },
    tags: {},
    properties: {
      customSubDomainName: input.name,
      disableLocalAuth: false,
      publicNetworkAccess: "Enabled",
      provisioningState: "Succeeded",
    },
    createdAt: input.at,
    createdBy: input.createdBy,
    updatedAt: input.at,
  };
}

/** The exact data-plane URLs of an account, as `properties.endpoint(s)` name them. */
export function accountEndpoints(publicUrl: string, accountName: string) {
  const base = `${publicUrl}/accounts/${accountName}`;
  return {
    endpoint: `${base}/`,
    endpoints: {
      "AI Model Inference API": `${base}/models`,
      "OpenAI Language Model Instance API": `${base}/`,
      "Azure OpenAI Legacy API - Latest moniker": `${base}/`,
    },
  };
}

/**
 * A resource under `parent` (an account's deployment, content filter or blocklist; a blocklist's item): its id,
 * subscription, group and location follow the parent. A resource it replaces (`existing`) keeps its id, its name's
 * spelling, its creation time and its creator.
 */
export function childResource(
  parent: ResourceRecord,
  child: { type: string; segment: string; name: string; properties: Record<string, unknown> },
  existing: ResourceRecord | undefined,
  write: { by: string | null; at: string },
): ResourceRecord {
  return {
    id: existing?.id ?? `${parent.id}/${child.segment}/${child.name}`,
    type: child.type,
    name: existing?.name ?? child.name,
    subscriptionId: parent.subscriptionId,
    resourceGroup: parent.resourceGroup,
    parentKey: parent.id.toLowerCase(),
    location: parent.location,
    kind: null,
    sku: null,
    tags: {},
    properties: child.properties,
    createdAt: existing?.createdAt ?? write.at,
    createdBy: existing?.createdBy ?? write.by,
    updatedAt: write.at,
  };
}

export function newDeployment(
  account: ResourceRecord,
  input: { name: string; model: ModelRef; capacity: number; createdBy: string | null; at: string },
): ResourceRecord {
  const properties = {
    model: input.model,
    provisioningState: "Succeeded",
    rateLimits: [
      // As Azure shows them: capacity requests per 10 s (6 per minute per unit), 1,000 tokens per minute per unit.
      { key: "request", renewalPeriod: 10, count: input.capacity },
      { key: "token", renewalPeriod: 60, count: input.capacity * 1000 },
    ],
  };
  const deployment = childResource(account, { type: DEPLOYMENT_TYPE, segment: "deployments", name: input.name, properties }, undefined, {
    by: input.createdBy,
    at: input.at,
  });
  return { ...deployment, sku: { name: "GlobalStandard", capacity: input.capacity } };
}

export function newResourceGroup(input: {
  subscriptionId: string;
  name: string;
  location: string;
  createdBy: string | null;
  at: string;
}): ResourceRecord {
  return {
    id: `/subscriptions/${input.subscriptionId}/resourceGroups/${input.name}`,
    type: "Microsoft.Resources/resourceGroups",
    name: input.name,
    subscriptionId: input.subscriptionId,
    resourceGroup: input.name,
    parentKey: null,
    location: input.location,
    kind: null,
    sku: null,
    tags: {},
    properties: { provisioningState: "Succeeded" },
    createdAt: input.at,
    createdBy: input.createdBy,
    updatedAt: input.at,
  };
}
