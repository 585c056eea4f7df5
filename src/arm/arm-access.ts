import type { SubscriptionRecord } from "../storage/records.ts";
import type { ArmCaller } from "./arm-caller.ts";
import type { ArmDeps } from "./arm-deps.ts";
import { armError } from "./arm-errors.ts";

/** Every resource provider's AuthorizationFailed goes through the one helper, so each carries the explanation. */
export { requireAction } from "./access-denied.ts";

/** The subscription of a request, which must exist in the caller's tenant (else SubscriptionNotFound, as ARM says). */
export async function requireSubscription(deps: Pick<ArmDeps, "resources">, caller: ArmCaller, subscriptionId: string): Promise<SubscriptionRecord> {
  const subscription = await deps.resources.getSubscription(subscriptionId);
  if (!subscription || subscription.tenantId !== caller.tenantId) throw armError("SubscriptionNotFound", subscriptionId);
  return subscription;
}
