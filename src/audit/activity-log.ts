import { type Clock, nowIso } from "../core/clock.ts";
import { InvalidInputError } from "../core/errors.ts";
import { newGuid } from "../core/ids.ts";
import type { ActivityRecord, ActivityStore } from "../storage/activity-store.ts";

interface ActivityEntry {
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
  const entry = (e: ActivityEntry): ActivityRecord => ({
    ...e,
    eventId: newGuid(),
    eventTimestamp: nowIso(clock),
    status: e.statusCode < 400 ? "Succeeded" : "Failed",
  });
  return {
    /** The stored record of an entry, for a write that logs itself in its own transaction. */
    entry,
    async record(e: ActivityEntry): Promise<void> {
      await store.insert(entry(e));
    },
    insert: (record: ActivityRecord) => store.insert(record),
    /** Events in the window and matching the clauses a `$filter` names (see `parseEventFilter`), newest first. */
    async list(subscriptionId: string, filter: string | undefined): Promise<ActivityRecord[]> {
      const { from, to, where } = parseEventFilter(filter, clock);
      return (await store.list(subscriptionId, from, to)).filter((event) => matches(event, where));
    },
  };
}

export type ActivityLog = ReturnType<typeof createActivityLog>;

const FIELDS = ["correlationId", "resourceGroupName", "resourceId", "resourceProvider", "caller", "status"] as const;
type Field = (typeof FIELDS)[number];

/**
 * `eventTimestamp ge <time> [and eventTimestamp le <time>]` (times quoted or not; without a zone, UTC) and the
 * `<field> eq '<value>'` clauses `az monitor activity-log list` adds: correlationId, resourceGroupName,
 * resourceId, resourceProvider, caller, status. A start time is required, as in Azure; the end defaults to now.
 */
export function parseEventFilter(
  filter: string | undefined,
  clock: Clock,
): { from: string; to: string; where: Partial<Record<Field, string>> } {
  if (!filter) throw new InvalidInputError("a $filter with eventTimestamp ge '<ISO time>' is required.");
  let from: string | undefined;
  let to = nowIso(clock);
  const where: Partial<Record<Field, string>> = {};
  for (const clause of filter.split(/\s+and\s+/i)) {
    const time = /^\s*eventTimestamp\s+(ge|le)\s+'?([^'\s]+)'?\s*$/i.exec(clause);
    if (time) {
      const at = parseTime(time[2]!);
      if (time[1]!.toLowerCase() === "ge") from = at;
      else to = at;
      continue;
    }
    const eq = /^\s*(\w+)\s+eq\s+'([^']*)'\s*$/i.exec(clause);
    const field = eq && FIELDS.find((f) => f.toLowerCase() === eq[1]!.toLowerCase());
    if (!eq || !field) {
      throw new InvalidInputError(
        `unsupported clause '${clause.trim()}'; use eventTimestamp ge|le '<time>' and ${FIELDS.join(", ")} eq '<value>'.`,
      );
    }
    where[field] = eq[2]!.toLowerCase();
  }
  if (!from) throw new InvalidInputError("eventTimestamp ge '<ISO time>' is required.");
  return { from, to, where };
}

function parseTime(text: string): string {
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(text) ? text : `${text}Z`;
  const at = Date.parse(zoned);
  if (Number.isNaN(at)) throw new InvalidInputError(`'${text}' is not a time.`);
  return new Date(at).toISOString();
}

function matches(event: ActivityRecord, where: Partial<Record<Field, string>>): boolean {
  const values: Record<Field, string> = {
    correlationId: event.correlationId,
    resourceGroupName: /\/resourcegroups\/([^/]+)/i.exec(event.resourceId)?.[1] ?? "",
    resourceId: event.resourceId,
    resourceProvider: providerOf(event.resourceId),
    caller: event.caller,
    status: event.status,
  };
  return FIELDS.every((f) => where[f] === undefined || values[f].toLowerCase() === where[f]);
}

function providerOf(resourceId: string): string {
  return resourceId.split("/providers/")[1]?.split("/")[0] ?? "Microsoft.Resources";
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
    resourceGroupName: /\/resourcegroups\/([^/]+)/i.exec(a.resourceId)?.[1],
    resourceProviderName: { value: providerOf(a.resourceId), localizedValue: providerOf(a.resourceId) },
    status: { value: a.status, localizedValue: a.status },
    subStatus: { value: String(a.statusCode), localizedValue: String(a.statusCode) },
    httpRequest: { method: a.httpMethod, clientRequestId: a.correlationId },
    submissionTimestamp: a.eventTimestamp,
    subscriptionId: a.subscriptionId,
  };
}
