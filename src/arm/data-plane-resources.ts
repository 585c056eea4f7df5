import type { ResourceRecord } from "../storage/records.ts";
import type { ResourceStore } from "../storage/resource-store.ts";
import { ACCOUNT_TYPE, DEPLOYMENT_TYPE } from "./cognitive-services.ts";
import { QUOTA_TYPE } from "./principal-quotas.ts";
import { blocklistItems } from "./rai-blocklists.ts";
import { effectiveRaiPolicy } from "./rai-policies.ts";

/**
 * What the data plane reads of Cognitive Services accounts and deployments: an account by its global name (with
 * its subscription's tenant and `disableLocalAuth`), its deployments as stored, and its principal quotas.
 */
export function dataPlaneResources(resources: ResourceStore, defaultTenantId: string) {
  return {
    async findAccount(name: string) {
      const [account] = await resources.findResourcesByName(ACCOUNT_TYPE, name);
      if (!account) return undefined;
      const subscription = await resources.getSubscription(account.subscriptionId);
      return {
        id: account.id,
        name: account.name,
        tenantId: subscription?.tenantId ?? defaultTenantId,
        disableLocalAuth: account.properties.disableLocalAuth === true,
      };
    },
    getDeployment: (accountId: string, name: string) => resources.getResource(`${accountId}/deployments/${name}`),
    async listDeployments(accountId: string): Promise<ResourceRecord[]> {
      const children = await resources.listChildren(accountId);
      return children.filter((r) => r.type.toLowerCase() === DEPLOYMENT_TYPE.toLowerCase());
    },
    getRaiPolicy: (accountId: string, name: string) => effectiveRaiPolicy({ resources }, accountId, name),
    listBlocklistItems: (accountId: string, name: string) => blocklistItems({ resources }, accountId, name),
    async listQuotas(accountId: string) {
      const children = await resources.listChildren(accountId);
      return children
        .filter((r) => r.type === QUOTA_TYPE)
        .map((r) => ({
          id: r.id,
          principalId: String(r.properties.principalId),
          deployment: String(r.properties.deployment),
          tokens: Number(r.properties.tokens),
          period: r.properties.period as "PT1M" | "PT1H" | "P1D" | "P7D" | "P30D",
        }));
    },
  };
}
