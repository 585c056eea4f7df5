import { type Kysely, sql } from "kysely";
import { dialectOf } from "./dialect.ts";
import type { DenyAssignmentRecord, RoleAssignmentRecord, RoleDefinitionRecord } from "./records.ts";
import type { Tables } from "./tables.ts";

/** The area a `changes` row belongs to: RBAC (assignments, roles, denies), the directory, or ARM resources. */
export type ChangeTopic = "rbac" | "directory" | "resources";

/**
 * What changed, so that every node can apply it to what it holds instead of reloading everything. Each delta
 * carries the whole new value (or the id that went), so applying one twice, or applying one whose effect a full
 * reload already saw, leaves the same state. `full` is a bulk change (a scope deleted with everything under it):
 * nodes reload their whole policy.
 */
export type ChangeDelta =
  | { kind: "assignment.put"; assignment: RoleAssignmentRecord }
  | { kind: "assignment.delete"; id: string }
  | { kind: "role.put"; role: RoleDefinitionRecord }
  | { kind: "role.delete"; id: string }
  | { kind: "deny.put"; deny: DenyAssignmentRecord }
  | { kind: "deny.delete"; id: string }
  | { kind: "membership.add"; groupId: string; memberId: string }
  | { kind: "membership.remove"; groupId: string; memberId: string }
  /** A directory object went: every membership edge naming it (as member or as group) went with it. */
  | { kind: "object.delete"; id: string }
  /** A principal's status may have changed (enabled, disabled): caches of it are dropped. */
  | { kind: "principal"; id: string }
  /** ARM resources changed (accounts, keys, `disableLocalAuth`, deployments): look-up caches are dropped. */
  | { kind: "resources" }
  | { kind: "full" };

/** One committed row of the change feed. */
export interface Change {
  seq: number;
  topic: ChangeTopic;
  at: string;
  delta: ChangeDelta;
}

/** An arbitrary, fixed first key of the advisory lock that orders change-recording transactions. */
const CHANGE_FEED_LOCK = 0x6b65796c;

/**
 * Takes the change feed's turn: an advisory lock of the transaction keyed by CHANGE_FEED_LOCK and the schema, so
 * installations that share a database in schemas of their own (`storageSchema`) never wait for each other's writes.
 */
export const CHANGE_FEED_LOCK_SQL = `pg_advisory_xact_lock(${CHANGE_FEED_LOCK}, hashtext(current_schema()))`;

/** The PostgreSQL channel a committed change is announced on (`LISTEN keyless_changes`); the payload is the schema. */
export const CHANGE_CHANNEL = "keyless_changes";

/**
 * Records a change in the writer's transaction and returns it with its number. Nodes read the rows numbered above
 * the last one they applied, so a sequence number must never become visible before a smaller one: PostgreSQL hands
 * numbers out at insert, not at commit, so a transaction-scoped advisory lock makes change-recording transactions
 * take turns from here to their commit, and numbers then become visible in order. SQLite runs one write transaction
 * at a time already. On PostgreSQL the same statement that inserts the row notifies `CHANGE_CHANNEL`, which
 * PostgreSQL delivers only once the transaction commits. A writer that took the lock already (`lockChangeFeed`, or
 * `beginChangeTransaction`) passes `locked`.
 */
export async function recordChange(
  tx: Kysely<Tables>,
  topic: ChangeTopic,
  at: string,
  delta: ChangeDelta = { kind: "full" },
  locked = false,
): Promise<Change> {
  const text = JSON.stringify(delta);
  if (dialectOf(tx) !== "postgres") {
    const row = await tx.insertInto("changes").values({ topic, at, delta: text }).returning("seq").executeTakeFirstOrThrow();
    return { seq: Number(row.seq), topic, at, delta };
  }
  if (!locked) await lockChangeFeed(tx);
  const { rows } = await sql<{ seq: string | number }>`
    with change as (insert into changes (topic, at, delta) values (${topic}, ${at}, ${text}) returning seq)
    select seq, pg_notify(${CHANGE_CHANNEL}, current_schema()) from change`.execute(tx);
  return { seq: Number(rows[0]!.seq), topic, at, delta };
}

/**
 * How long a transaction holding the change feed's turn may sit idle before PostgreSQL ends its session. Every
 * change-recording write on every node waits for that turn, so a node that stalls or loses its network while
 * holding it would otherwise stop all of them until TCP gives up on the connection (hours). The session is ended,
 * its transaction rolled back, and the write it carried fails without having been acknowledged.
 */
export const CHANGE_FEED_IDLE_LIMIT_SECONDS = 10;

/** Takes the change feed's turn in this transaction (PostgreSQL; nothing to do on SQLite). */
async function lockChangeFeed(tx: Kysely<Tables>): Promise<void> {
  if (dialectOf(tx) === "postgres")
    await sql`select set_config('idle_in_transaction_session_timeout', ${`${CHANGE_FEED_IDLE_LIMIT_SECONDS}s`}, true), ${sql.raw(CHANGE_FEED_LOCK_SQL)}`.execute(
      tx,
    );
}

/**
 * Runs `work` in one transaction that holds the change feed's turn from its first statement, on PostgreSQL in one
 * round trip with `begin` (a statement without parameters goes as a simple query, which may hold several): reads in
 * `work` then see every change committed before it, so a check made there (a count against a limit) cannot race a
 * writer on another node. `work` records its change with `recordChange(…, locked = true)`.
 */
export async function changeTransaction<T>(db: Kysely<Tables>, work: (tx: Kysely<Tables>) => Promise<T>): Promise<T> {
  if (dialectOf(db) !== "postgres") return db.transaction().execute(work);
  return db.connection().execute(async (connection) => {
    try {
      await sql
        .raw(`begin; set local idle_in_transaction_session_timeout = '${CHANGE_FEED_IDLE_LIMIT_SECONDS}s'; select ${CHANGE_FEED_LOCK_SQL}`)
        .execute(connection);
      const result = await work(connection);
      await sql.raw("commit").execute(connection);
      return result;
    } catch (err) {
      await sql
        .raw("rollback")
        .execute(connection)
        .catch(() => undefined);
      throw err;
    }
  });
}

/** The feed as nodes read it. */
export function changeFeed(db: Kysely<Tables>) {
  return {
    /** The newest change number (0 when none). */
    async latest(): Promise<number> {
      const row = await db
        .selectFrom("changes")
        .select((eb) => eb.fn.max("seq").as("seq"))
        .executeTakeFirst();
      return Number(row?.seq ?? 0);
    },
    /** Up to `limit` changes numbered above `after`, in order. A row written before deltas existed reads as `full`. */
    async since(after: number, limit: number): Promise<Change[]> {
      const rows = await db.selectFrom("changes").selectAll().where("seq", ">", after).orderBy("seq").limit(limit).execute();
      return rows.map((r) => ({
        seq: Number(r.seq),
        topic: r.topic as ChangeTopic,
        at: r.at,
        delta: r.delta ? (JSON.parse(r.delta) as ChangeDelta) : { kind: "full" },
      }));
    },
    /** Records a change on its own (a write that has no transaction of its own to record it in). */
    record: (topic: ChangeTopic, at: string, delta: ChangeDelta) => changeTransaction(db, (tx) => recordChange(tx, topic, at, delta, true)),
  };
}
