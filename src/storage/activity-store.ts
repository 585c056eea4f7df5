import type { Kysely } from "kysely";
import type { Tables } from "./tables.ts";

export interface ActivityRecord {
  eventId: string;
  subscriptionId: string;
  eventTimestamp: string;
  caller: string;
  principalId: string | null;
  operationName: string;
  httpMethod: string;
  resourceId: string;
  status: "Succeeded" | "Failed";
  statusCode: number;
  correlationId: string;
}

/** The control-plane activity log: one row per ARM write, newest last. */
export function activityStore(db: Kysely<Tables>) {
  return {
    async insert(a: ActivityRecord): Promise<void> {
      await db.insertInto("activity_log").values(activityRow(a)).execute();
    },
    /** Events of a subscription with `from <= eventTimestamp <= to` (ISO-8601 text compares in time order). */
    async list(subscriptionId: string, from: string, to: string): Promise<ActivityRecord[]> {
      const rows = await db
        .selectFrom("activity_log")
        .selectAll()
        .where("subscription_id", "=", subscriptionId.toLowerCase())
        .where("event_timestamp", ">=", from)
        .where("event_timestamp", "<=", to)
        .orderBy("event_timestamp", "desc")
        .execute();
      return rows.map((r) => ({
        eventId: r.event_id,
        subscriptionId: r.subscription_id,
        eventTimestamp: r.event_timestamp,
        caller: r.caller,
        principalId: r.principal_id,
        operationName: r.operation_name,
        httpMethod: r.http_method,
        resourceId: r.resource_id,
        status: r.status as "Succeeded" | "Failed",
        statusCode: Number(r.status_code),
        correlationId: r.correlation_id,
      }));
    },
  };
}

/** The stored row of an activity-log entry (also written by stores that log a write in its own transaction). */
export function activityRow(a: ActivityRecord): Tables["activity_log"] {
  return {
    event_id: a.eventId,
    subscription_id: a.subscriptionId.toLowerCase(),
    event_timestamp: a.eventTimestamp,
    caller: a.caller,
    principal_id: a.principalId,
    operation_name: a.operationName,
    http_method: a.httpMethod,
    resource_id: a.resourceId,
    status: a.status,
    status_code: a.statusCode,
    correlation_id: a.correlationId,
  };
}

export type ActivityStore = ReturnType<typeof activityStore>;
