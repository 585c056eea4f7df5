import { type Kysely, type SelectQueryBuilder, sql } from "kysely";
import type { CallFilter, CallPoint, CallUsageRow } from "../storage/records.ts";
import type { Tables } from "../storage/tables.ts";

type CallQuery<O> = SelectQueryBuilder<Tables, "call_log", O>;

/** The filter as WHERE clauses. Account names are compared case-insensitively, as the data plane resolves them. */
function narrowed<O>(query: CallQuery<O>, filter: CallFilter): CallQuery<O> {
  let q = query;
  if (filter.account !== undefined) q = q.where(sql<string>`lower(account)`, "=", filter.account.toLowerCase());
  if (filter.from !== undefined) q = q.where("at", ">=", filter.from);
  if (filter.to !== undefined) q = q.where("at", "<", filter.to);
  if (filter.principalId !== undefined) q = q.where("principal_id", "=", filter.principalId);
  if (filter.deployment !== undefined) q = q.where("deployment", "=", filter.deployment);
  if (filter.decision !== undefined) q = q.where("decision", "=", filter.decision);
  if (filter.status !== undefined) q = q.where("status", "=", filter.status);
  return q;
}

export function listCalls(
  db: Kysely<Tables>,
  filter: CallFilter & { limit?: number; after?: { at: string; requestId: string } },
): Promise<Tables["call_log"][]> {
  let query = narrowed(db.selectFrom("call_log").selectAll(), filter);
  const after = filter.after;
  if (after)
    query = query.where((eb) =>
      eb.or([eb("at", "<", after.at), eb.and([eb("at", "=", after.at), eb("request_id", "<", after.requestId)])]),
    );
  return query
    .orderBy("at", "desc")
    .orderBy("request_id", "desc")
    .limit(filter.limit ?? 100)
    .execute();
}

/** Calls and tokens per UTC day (the ISO timestamp's first ten characters), principal and deployment. */
export async function usageByDay(db: Kysely<Tables>, filter: CallFilter): Promise<CallUsageRow[]> {
  const day = sql<string>`substr(at, 1, 10)`;
  const rows = await narrowed(
    db
      .selectFrom("call_log")
      .select([
        day.as("day"),
        "principal_id",
        "deployment",
        (eb) => eb.fn.countAll<number>().as("calls"),
        (eb) => eb.fn.sum<number>("prompt_tokens").as("prompt"),
        (eb) => eb.fn.sum<number>("completion_tokens").as("completion"),
      ]),
    filter,
  )
    .groupBy([day, "principal_id", "deployment"])
    .orderBy(day)
    .orderBy("principal_id")
    .orderBy("deployment")
    .execute();
  return rows.map((r) => ({
    day: r.day,
    principalId: r.principal_id,
    deployment: r.deployment ?? "",
    calls: Number(r.calls),
    promptTokens: Number(r.prompt),
    completionTokens: Number(r.completion),
    totalTokens: Number(r.prompt) + Number(r.completion),
  }));
}

export async function callPoints(db: Kysely<Tables>, filter: CallFilter): Promise<CallPoint[]> {
  const rows = await narrowed(
    db.selectFrom("call_log").select(["at", "deployment", "operation", "status", "prompt_tokens", "completion_tokens", "latency_ms"]),
    filter,
  )
    .orderBy("at")
    .execute();
  return rows.map((r) => ({
    at: r.at,
    deployment: r.deployment ?? undefined,
    operation: r.operation,
    status: Number(r.status),
    promptTokens: Number(r.prompt_tokens),
    completionTokens: Number(r.completion_tokens),
    latencyMs: Number(r.latency_ms),
  }));
}
