import { resourceGroupId, scopeRelation } from "../core/scope.ts";
import type { ResourceRecord, SubscriptionRecord } from "../storage/records.ts";
import type { ArmCaller } from "./arm-caller.ts";
import type { ArmDeps } from "./arm-deps.ts";
import { armError } from "./arm-errors.ts";

/** The subscription of a request, which must exist in the caller's tenant (else SubscriptionNotFound, as ARM says). */
export async function requireSubscription(
  deps: Pick<ArmDeps, "resources">,
  caller: ArmCaller,
  subscriptionId: string,
): Promise<SubscriptionRecord> {
  const subscription = await deps.resources.getSubscription(subscriptionId);
  if (!subscription || subscription.tenantId !== caller.tenantId) throw armError("SubscriptionNotFound", subscriptionId);
  return subscription;
}

/**
 * Resources of one type in a subscription, or in one of its resource groups, that the caller may read: what an
 * ARM list answers (others are left out, not refused).
 */
export async function listReadable(
  deps: ArmDeps,
  caller: ArmCaller,
  scope: { subscriptionId: string; resourceGroup: string | undefined },
  type: string,
  readAction: string,
) {
  const subscription = await requireSubscription(deps, caller, scope.subscriptionId);
  let within = `/subscriptions/${subscription.id}`;
  if (scope.resourceGroup !== undefined) {
    const group = await deps.resources.getResource(resourceGroupId(subscription.id, scope.resourceGroup));
    if (!group) throw armError("ResourceGroupNotFound", scope.resourceGroup);
    within = group.id;
  }
  const candidates = (await deps.arm.listResourcesOfSubscription(subscription.id)).filter(
    (r) => r.type === type && scopeRelation(r.id, within) === "below",
  );
  const visible: ResourceRecord[] = [];
  for (const r of candidates) if (await deps.authorize(caller, readAction, r.id)) visible.push(r);
  return visible;
}
