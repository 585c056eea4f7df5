import type { ResourceRecord } from "../storage/records.ts";
import type { ResourceStore } from "../storage/resource-store.ts";
import { ACCOUNT_TYPE, DEPLOYMENT_TYPE } from "./cognitive-services.ts";

/**
 * What the data plane reads of Cognitive Services accounts and deployments: an account by its global name (with
 * its subscription's tenant and `disableLocalAuth`), and its deployments as stored.
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
  };
}
