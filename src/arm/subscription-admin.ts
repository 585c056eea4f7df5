import { nowIso } from "../core/clock.ts";
import { isGuid } from "../core/ids.ts";
import type { ArmCaller } from "./arm-caller.ts";
import { requireAction } from "./arm-caller.ts";
import type { ArmDeps } from "./arm-deps.ts";
import { armError } from "./arm-errors.ts";
import { bodyObject } from "./resource-json.ts";
import { subscriptionJson } from "./subscriptions.ts";

const WRITE = "Microsoft.Resources/subscriptions/write";

/**
 * Keyless extension: `PUT /subscriptions/{id}` `{displayName}` creates a subscription in the caller's tenant (201)
 * or renames it (200). Only a Global Administrator or a principal allowed `subscriptions/write` at `/` may; the
 * creator becomes Owner of the new subscription, as in Azure.
 */
export async function putSubscription(deps: ArmDeps, caller: ArmCaller, id: string, body: unknown) {
  if (!isGuid(id)) throw armError("InvalidSubscriptionId", id);
  const input = bodyObject(body);
  const displayName = typeof input.displayName === "string" ? input.displayName.trim() : "";
  if (!displayName || displayName.length > 64) throw armError("InvalidRequestContent", "displayName is required (1 to 64 characters).");
  if (!(await deps.isGlobalAdministrator(caller.principalId, caller.tenantId)))
    await requireAction(deps, caller, WRITE, "/", undefined, `/subscriptions/${id}`);
  const existing = await deps.resources.getSubscription(id);
  if (existing) {
    if (existing.tenantId !== caller.tenantId) throw armError("SubscriptionNotFound", id);
    const renamed = { ...existing, displayName };
    await deps.arm.renameSubscription(existing.id, displayName);
    return { created: false, body: subscriptionJson(renamed) };
  }
  const record = { id: id.toLowerCase(), tenantId: caller.tenantId, displayName, state: "Enabled", createdAt: nowIso(deps.clock) };
  await deps.resources.insertSubscription(record);
  await deps.grantOwner(record.id, caller.principalId, caller.tenantId);
  return { created: true, body: subscriptionJson(record) };
}
