import type { ModelRegistry } from "./backends/registry.ts";
import type { AccountView, DeploymentView } from "./data-plane.ts";
import { cachedLookup } from "./lookup-cache.ts";
import type { QuotaView } from "./quotas.ts";

/** How long the data plane may reuse an account or deployment read (see lookup-cache.ts). */
const LOOKUP_TTL_MS = 1000;

/** A deployment resource as ARM stores it: its model (format/name/version) and optional `sku.capacity`. */
export interface DeploymentResource {
  id: string;
  name: string;
  properties: Record<string, unknown>;
  sku?: { capacity?: unknown } | null | undefined;
}

/** What the data plane reads from ARM's resources (injected: inference never imports arm). */
export interface DataPlaneResources {
  findAccount(name: string): Promise<AccountView | undefined>;
  getDeployment(accountId: string, name: string): Promise<DeploymentResource | undefined>;
  listDeployments(accountId: string): Promise<DeploymentResource[]>;
  /** The account's principal quotas (child resources, as deployments are). */
  listQuotas(accountId: string): Promise<QuotaView[]>;
}

/**
 * The data plane's views of accounts, deployments and principal quotas, each deployment bound to the catalog model that serves it.
 * Reads are reused for a second; `clear()` drops them after an ARM write on this node.
 */
export function deploymentViews(resources: DataPlaneResources, models: ModelRegistry) {
  const findAccount = cachedLookup(LOOKUP_TTL_MS, (name: string) => name.toLowerCase(), resources.findAccount);
  const findDeployment = cachedLookup(
    LOOKUP_TTL_MS,
    (account: AccountView, name: string) => `${account.id}/deployments/${name}`.toLowerCase(),
    async (account: AccountView, name: string) => {
      const deployment = await resources.getDeployment(account.id, name);
      return deployment && bindDeployment(deployment, models);
    },
  );
  const findQuotas = cachedLookup(
    LOOKUP_TTL_MS,
    (account: { id: string }) => account.id.toLowerCase(),
    (account: { id: string }) => resources.listQuotas(account.id),
  );
  return {
    findAccount,
    findDeployment,
    findQuotas,
    async listDeployments(account: AccountView): Promise<DeploymentView[]> {
      return (await resources.listDeployments(account.id)).flatMap((r) => bindDeployment(r, models) ?? []);
    },
    clear() {
      findAccount.clear();
      findDeployment.clear();
      findQuotas.clear();
    },
  };
}

/** A deployment bound to the catalog model that serves it; undefined when its model is unknown here. */
export function bindDeployment(deployment: DeploymentResource, models: ModelRegistry): DeploymentView | undefined {
  const model = deployment.properties.model as { format: string; name: string; version: string } | undefined;
  const catalog = model && models.findModel(model.format, model.name, model.version);
  if (!catalog) return undefined;
  const capacity = deployment.sku?.capacity;
  return {
    id: deployment.id,
    name: deployment.name,
    modelName: catalog.name,
    modelFormat: catalog.provider,
    modelType: catalog.modelType,
    backend: catalog.backend,
    backendModel: catalog.backendModel,
    capacity: typeof capacity === "number" ? capacity : undefined,
    modelLimits: catalog.limits,
  };
}
