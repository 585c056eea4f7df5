import { type Kysely, PostgresAdapter, sql } from "kysely";
import type { Tables } from "./tables.ts";

/** What a `changes` row tells the nodes to reload: RBAC (assignments, roles, denies) or the directory. */
export type ChangeTopic = "rbac" | "directory";

/** An arbitrary, fixed key for the advisory lock that orders change-recording transactions. */
const CHANGE_FEED_LOCK = 0x6b65796c;

/**
 * Records a change in the writer's transaction. Nodes reload when `max(changes.seq)` moves, so a sequence number
 * must never become visible before a smaller one: PostgreSQL hands numbers out at insert, not at commit, so a
 * transaction-scoped advisory lock makes change-recording transactions take turns from here to their commit, and
 * numbers then become visible in order. SQLite runs one write transaction at a time already.
 */
export async function recordChange(tx: Kysely<Tables>, topic: ChangeTopic, at: string): Promise<void> {
  if (tx.getExecutor().adapter instanceof PostgresAdapter) await sql`select pg_advisory_xact_lock(${CHANGE_FEED_LOCK})`.execute(tx);
  await tx.insertInto("changes").values({ topic, at }).execute();
}
