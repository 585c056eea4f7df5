import type { SubscriptionRecord, TenantRecord } from "../storage/records.ts";
import type { ArmCaller } from "./arm-caller.ts";
import { armError } from "./arm-errors.ts";

export interface SubscriptionDeps {
  listTenants(): Promise<TenantRecord[]>;
  listSubscriptions(tenantId: string): Promise<SubscriptionRecord[]>;
  getSubscription(id: string): Promise<SubscriptionRecord | undefined>;
  /** Whether the caller holds any role assignment at, above or below the scope (what makes ARM list it). */
  hasAccessWithin(caller: ArmCaller, scope: string): Promise<boolean>;
}

/** `GET /tenants`: the caller's home tenant (Keyless callers belong to exactly one). */
export async function listTenants(deps: SubscriptionDeps, caller: ArmCaller) {
  const tenants = (await deps.listTenants()).filter((t) => t.id === caller.tenantId);
  return { value: tenants.map(tenantJson) };
}

/** `GET /subscriptions`: the subscriptions of the caller's tenant in which the caller has any role, as ARM lists them. */
export async function listSubscriptions(deps: SubscriptionDeps, caller: ArmCaller) {
  const visible: SubscriptionRecord[] = [];
  for (const s of await deps.listSubscriptions(caller.tenantId)) {
    if (await deps.hasAccessWithin(caller, `/subscriptions/${s.id}`)) visible.push(s);
  }
  return { value: visible.map(subscriptionJson), count: { type: "Total", value: visible.length } };
}

export async function getSubscription(deps: SubscriptionDeps, caller: ArmCaller, id: string) {
  const subscription = await deps.getSubscription(id);
  if (
    !subscription ||
    subscription.tenantId !== caller.tenantId ||
    !(await deps.hasAccessWithin(caller, `/subscriptions/${subscription.id}`))
  ) {
    throw armError("SubscriptionNotFound", id);
  }
  return subscriptionJson(subscription);
}

function tenantJson(t: TenantRecord) {
  return {
    id: `/tenants/${t.id}`,
    tenantId: t.id,
    tenantCategory: "Home",
    displayName: t.displayName,
    defaultDomain: t.defaultDomain,
    domains: [t.defaultDomain],
    tenantType: "AAD",
  };
}

export function subscriptionJson(s: SubscriptionRecord) {
  return {
    id: `/subscriptions/${s.id}`,
    authorizationSource: "RoleBased",
    managedByTenants: [],
    subscriptionId: s.id,
    tenantId: s.tenantId,
    displayName: s.displayName,
    state: s.state,
    subscriptionPolicies: { locationPlacementId: "Public_2014-09-01", quotaId: "PayAsYouGo_2014-09-01", spendingLimit: "Off" },
  };
}
