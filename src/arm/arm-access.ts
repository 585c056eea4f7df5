import type { SubscriptionRecord } from "../storage/records.ts";
import type { ArmCaller } from "./arm-caller.ts";
import type { ArmDeps } from "./arm-deps.ts";
import { armError } from "./arm-errors.ts";

/** Throws Azure's AuthorizationFailed unless the caller may perform `action` at `scope`. */
export async function requireAction(deps: Pick<ArmDeps, "authorize">, caller: ArmCaller, action: string, scope: string): Promise<void> {
  if (!(await deps.authorize(caller, action, scope))) throw armError("AuthorizationFailed", caller.clientName, caller.principalId, action, scope);
}

/** The subscription of a request, which must exist in the caller's tenant (else SubscriptionNotFound, as ARM says). */
export async function requireSubscription(deps: Pick<ArmDeps, "resources">, caller: ArmCaller, subscriptionId: string): Promise<SubscriptionRecord> {
  const subscription = await deps.resources.getSubscription(subscriptionId);
  if (!subscription || subscription.tenantId !== caller.tenantId) throw armError("SubscriptionNotFound", subscriptionId);
  return subscription;
}
