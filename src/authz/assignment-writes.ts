import { type Clock, nowIso } from "../core/clock.ts";
import { newGuid } from "../core/ids.ts";
import type { RbacStore } from "../storage/rbac-store.ts";
import { BuiltInRoleIds } from "./builtin-roles.ts";

/**
 * Makes a principal Owner of a subscription: the bootstrap administrator of the first one, the creator of each
 * later one. The caller refreshes the live policy.
 */
export async function grantSubscriptionOwner(
  store: Pick<RbacStore, "insertRoleAssignment">,
  clock: Clock,
  grant: { subscriptionId: string; tenantId: string; principalId: string; principalType: string; description: string; by: string | null },
): Promise<void> {
  const at = nowIso(clock);
  await store.insertRoleAssignment({
    id: newGuid(),
    tenantId: grant.tenantId,
    scope: `/subscriptions/${grant.subscriptionId}`,
    roleDefinitionId: BuiltInRoleIds.OWNER,
    principalId: grant.principalId,
    principalType: grant.principalType,
    description: grant.description,
    condition: null,
    conditionVersion: null,
    createdOn: at,
    createdBy: grant.by,
    updatedOn: at,
    updatedBy: grant.by,
  });
}
