import type { Clock } from "../core/clock.ts";
import { InvalidInputError } from "../core/errors.ts";
import { newGuid } from "../core/ids.ts";
import type { ActivityRecord, ActivityStore } from "../storage/activity-store.ts";

export interface ActivityEntry {
  subscriptionId: string;
  caller: string;
  principalId: string | null;
  operationName: string;
  httpMethod: string;
  resourceId: string;
  statusCode: number;
  correlationId: string;
}

/** The control-plane activity log: every ARM write, who did it, on what, with what outcome, under which correlation id. */
export function createActivityLog(store: ActivityStore, clock: Clock) {
  return {
    async record(entry: ActivityEntry): Promise<void> {
      await store.insert({
        ...entry, eventId: newGuid(), eventTimestamp: new Date(clock.now()).toISOString(), status: entry.statusCode < 400 ? "Succeeded" : "Failed",
      });
    },
    /** Events in the window a `$filter` names (`eventTimestamp ge '…' [and eventTimestamp le '…']`), newest first. */
    async list(subscriptionId: string, filter: string | undefined): Promise<ActivityRecord[]> {
      const { from, to } = parseEventFilter(filter, clock);
      return store.list(subscriptionId, from, to);
    },
  };
}

export type ActivityLog = ReturnType<typeof createActivityLog>;

/** Azure requires a start time; the end defaults to now. Other clauses (resourceGroupName, …) are not supported. */
export function parseEventFilter(filter: string | undefined, clock: Clock): { from: string; to: string } {
  if (!filter) throw new InvalidInputError("a $filter with eventTimestamp ge '<ISO time>' is required.");
  let from: string | undefined;
  let to = new Date(clock.now()).toISOString();
  for (const clause of filter.split(/\s+and\s+/i)) {
    const match = /^\s*eventTimestamp\s+(ge|le)\s+'([^']+)'\s*$/i.exec(clause);
    if (!match) throw new InvalidInputError(`unsupported clause '${clause.trim()}'; use eventTimestamp ge '<ISO time>' [and eventTimestamp le '<ISO time>'].`);
    const at = Date.parse(match[2]!);
    if (Number.isNaN(at)) throw new InvalidInputError(`'${match[2]}' is not a time.`);
    if (match[1]!.toLowerCase() === "ge") from = new Date(at).toISOString();
    else to = new Date(at).toISOString();
  }
  if (!from) throw new InvalidInputError("eventTimestamp ge '<ISO time>' is required.");
  return { from, to };
}

/** An event as `Microsoft.Insights/eventtypes/management/values` returns it. */
export function activityJson(a: ActivityRecord) {
  return {
    authorization: { action: a.operationName, scope: a.resourceId },
    caller: a.caller,
    channels: "Operation",
    claims: a.principalId ? { "http://schemas.microsoft.com/identity/claims/objectidentifier": a.principalId } : {},
    correlationId: a.correlationId,
    eventDataId: a.eventId,
    eventName: { value: "EndRequest", localizedValue: "End request" },
    category: { value: "Administrative", localizedValue: "Administrative" },
    eventTimestamp: a.eventTimestamp,
    id: `${a.resourceId}/events/${a.eventId}`,
    level: a.status === "Succeeded" ? "Informational" : "Error",
    operationId: a.correlationId,
    operationName: { value: a.operationName, localizedValue: a.operationName },
    resourceId: a.resourceId,
    resourceProviderName: { value: a.resourceId.split("/providers/")[1]?.split("/")[0] ?? "Microsoft.Resources" },
    status: { value: a.status, localizedValue: a.status },
    subStatus: { value: String(a.statusCode), localizedValue: String(a.statusCode) },
    httpRequest: { method: a.httpMethod, clientRequestId: a.correlationId },
    submissionTimestamp: a.eventTimestamp,
    subscriptionId: a.subscriptionId,
  };
}
