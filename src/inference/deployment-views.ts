import type { ModelRegistry } from "./backends/registry.ts";
import { type ContentPolicy, compilePolicy } from "./content-filter/policy.ts";
import type { BlocklistItemSource, RaiPolicySource } from "./content-filter/types.ts";
import type { AccountView, DeploymentView } from "./data-plane.ts";
import { cachedLookup } from "./lookup-cache.ts";
import type { QuotaView } from "./quotas.ts";

/** How long the data plane may reuse an account or deployment read (see lookup-cache.ts). */
const LOOKUP_TTL_MS = 1000;

/** A deployment resource as ARM stores it: its model (format/name/version) and optional `sku.capacity`. */
interface DeploymentResource {
  id: string;
  name: string;
  properties: Record<string, unknown>;
  sku?: { capacity?: unknown } | null | undefined;
}

/** What the data plane reads from ARM's resources (injected: inference never imports arm). */
interface DataPlaneResources {
  findAccount(name: string): Promise<AccountView | undefined>;
  getDeployment(accountId: string, name: string): Promise<DeploymentResource | undefined>;
  listDeployments(accountId: string): Promise<DeploymentResource[]>;
  /** The account's principal quotas (child resources, as deployments are). */
  listQuotas(accountId: string): Promise<QuotaView[]>;
  /** A content-filtering policy by name (an account's own, or a built-in one), merged over its base policy. */
  getRaiPolicy(accountId: string, name: string): Promise<RaiPolicySource | undefined>;
  /** The items of one of the account's blocklists. */
  listBlocklistItems(accountId: string, blocklistName: string): Promise<BlocklistItemSource[]>;
}

/** The policy a deployment without `raiPolicyName` is filtered by, as on Azure. */
const DEFAULT_RAI_POLICY = "Microsoft.DefaultV2";

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
  // Compiled policies are kept while their revision holds: the stored policy is re-read every second (cheap), the
  // blocklists recompiled only when the policy or one of its lists changed.
  const compiled = new Map<string, ContentPolicy>();
  const findContentPolicy = cachedLookup(
    LOOKUP_TTL_MS,
    (account: { id: string }, name: string) => `${account.id}/raiPolicies/${name}`.toLowerCase(),
    async (account: { id: string }, name: string) => {
      const source = await resources.getRaiPolicy(account.id, name);
      if (!source) return undefined;
      const key = `${account.id}/raiPolicies/${name}`.toLowerCase();
      const known = compiled.get(key);
      if (known && known.revision === source.revision) return known;
      const items = new Map<string, BlocklistItemSource[]>();
      for (const list of source.customBlocklists) {
        const listKey = list.blocklistName.toLowerCase();
        if (!items.has(listKey)) items.set(listKey, await resources.listBlocklistItems(account.id, list.blocklistName));
      }
      const policy = compilePolicy(source, items);
      if (compiled.size >= 1000) compiled.clear();
      compiled.set(key, policy);
      return policy;
    },
  );
  return {
    findAccount,
    findDeployment,
    findQuotas,
    findContentPolicy,
    async listDeployments(account: AccountView): Promise<DeploymentView[]> {
      return (await resources.listDeployments(account.id)).flatMap((r) => bindDeployment(r, models) ?? []);
    },
    clear() {
      findAccount.clear();
      findDeployment.clear();
      findQuotas.clear();
      findContentPolicy.clear();
    },
  };
}

/** A deployment bound to the catalog model that serves it; undefined when its model is unknown here. */
function bindDeployment(deployment: DeploymentResource, models: ModelRegistry): DeploymentView | undefined {
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
    raiPolicyName: typeof deployment.properties.raiPolicyName === "string" ? deployment.properties.raiPolicyName : DEFAULT_RAI_POLICY,
  };
}
