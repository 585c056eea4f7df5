import type { Clock } from "../core/clock.ts";
import type { SealedBox } from "../core/sealed-box.ts";
import type { ArmStore } from "../storage/arm-store.ts";
import type { ResourceStore } from "../storage/resource-store.ts";
import type { Authorize, ExplainDenial } from "./arm-caller.ts";
import type { CallLogReader } from "./call-log-port.ts";

/** A model an operator has configured, and the backend that runs it (the data plane owns the real registry). */
export interface ModelCatalogEntry {
  format: string;
  name: string;
  version: string;
  backend: string;
  /** `GenerallyAvailable`, `Preview` or `Deprecated`. */
  lifecycleStatus: string;
  /** The version deployments that follow the default move to. */
  isDefaultVersion: boolean;
  /** ISO 8601; from then on the version is retired. */
  deprecationDate: string | undefined;
  /** The SKUs it may be deployed with; undefined: every SKU. */
  skus: readonly string[] | undefined;
}

/** The model catalog, injected so ARM never imports the data plane. */
interface ModelCatalog {
  list(): readonly ModelCatalogEntry[];
}

/** The directory side of a user-assigned managed identity (the token service owns it). */
export interface ManagedIdentityDirectory {
  create(input: { tenantId: string; resourceId: string; name: string }): Promise<{ clientId: string; principalId: string }>;
  delete(resourceId: string): Promise<void>;
  /** The environment lines a workload sets to use the identity (they carry its endpoint secret). */
  workloadEnvironment(resourceId: string, origin: string): Promise<{ appService: string[]; imds: string[]; azureCli: string[] }>;
  /** Replaces the endpoint secret; the old one stops working at once. */
  rotateSecret(resourceId: string): Promise<void>;
}

/** Bounds on content-filter blocklists (settings `raiBlocklistMaxItems`, `raiBlocklistPatternMaxLength`, `raiBlocklistBatchMaxItems`). */
export interface RaiLimits {
  maxItems: number;
  patternMaxLength: number;
  batchMaxItems: number;
}

/** Everything the ARM resource providers need, assembled by the composition root. */
export interface ArmDeps {
  resources: ResourceStore;
  arm: ArmStore;
  clock: Clock;
  authorize: Authorize;
  /** The shared RBAC explanation an AuthorizationFailed carries (`requireAction`); without it the error is bare. */
  explainDenial?: ExplainDenial;
  box: SealedBox;
  models: ModelCatalog;
  /** Blocklist bounds; absent, Azure's defaults (10,000 items, 1,000-character patterns, 100 items per batch). */
  raiLimits?: RaiLimits | undefined;
  /** Absent until the token service's managed identities are wired; the identity routes then answer 501. */
  managedIdentities?: ManagedIdentityDirectory | undefined;
  /** Removes the role and deny assignments at or below a deleted scope (the RBAC store owns them). */
  scopeDeleted(scope: string): Promise<void>;
  /** Makes a principal Owner of a new subscription (the RBAC store owns assignments); effective before it returns. */
  grantOwner(subscriptionId: string, principalId: string, tenantId: string): Promise<void>;
  /** The data plane's call log, read for the calls and usage extensions and for Azure Monitor metrics. */
  callLog?: CallLogReader | undefined;
  /** A principal quota's spend in its current window and when that resets (the data plane's counter). */
  quotaSpend?: ((quota: { id: string; period: string }) => Promise<{ spent: number; resetsAt: string }>) | undefined;
  /** Whether the caller is a Global Administrator of its tenant (for creating subscriptions). */
  isGlobalAdministrator(principalId: string, tenantId: string): Promise<boolean>;
}
