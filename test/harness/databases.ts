import { setTimeout as sleep } from "node:timers/promises";
import { type Kysely, sql } from "kysely";
import pg from "pg";
import { type Database, openDatabase } from "../../src/storage/database.ts";
import type { Tables } from "../../src/storage/tables.ts";

export const POSTGRES_URL = process.env.KEYLESS_TEST_POSTGRES ?? "postgres://postgres@127.0.0.1:5432/test";

/** The dialects the storage suite runs against; `KEYLESS_TEST_DIALECTS=sqlite` narrows it. */
export const dialects = (process.env.KEYLESS_TEST_DIALECTS ?? "sqlite,postgres").split(",").map((d) => d.trim()) as (
  | "sqlite"
  | "postgres"
)[];

/** Every test schema's name starts with this; `scripts/run-tests.ts` drops them all once the run is over. */
export const TEST_SCHEMA_PREFIX = "keyless_t_";

/**
 * A PostgreSQL schema name of its own for one test. Schemas are not dropped while tests run: Kysely's migrator
 * introspects every schema of the database, and a neighbour's `drop schema` in the middle of that fails it.
 */
export function testSchema(label: string): string {
  return `${TEST_SCHEMA_PREFIX}${label}_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
}

/** Drops every test schema (at the end of a run, and leftovers of an interrupted one before it). */
export async function dropTestSchemas(): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ nspname: string }>("select nspname from pg_namespace where nspname like $1", [
      `${TEST_SCHEMA_PREFIX}%`,
    ]);
    for (const { nspname } of rows) await client.query(`drop schema if exists "${nspname}" cascade`);
  } finally {
    await client.end();
  }
}

/** A fresh database of the dialect: in-memory SQLite, or a PostgreSQL schema of its own. */
export async function freshDatabase(dialect: "sqlite" | "postgres"): Promise<Database> {
  if (dialect === "sqlite") return openDatabase("sqlite::memory:");
  return openDatabase(POSTGRES_URL, { schema: testSchema("store") });
}

/**
 * PostgreSQL: waits (up to 5 s) until `count` sessions queue behind the one `holder` runs on, directly or behind another that
 * does: writers then take their turns in the order they queued. Sessions of other test files never count.
 */
export async function queuedBehind(holder: Kysely<Tables>, count: number): Promise<void> {
  const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(holder);
  const holderPid = rows[0]!.pid;
  for (let i = 0; i < 500; i++) {
    // The holder is inside its transaction, where PostgreSQL would answer every poll from its first statistics snapshot.
    await sql`select pg_stat_clear_snapshot()`.execute(holder);
    const { rows: queued } = await sql<{ n: number }>`
      with recursive behind(pid) as (
        select pid from pg_stat_activity where ${holderPid}::int = any(pg_blocking_pids(pid))
        union
        select a.pid from pg_stat_activity a join behind b on b.pid = any(pg_blocking_pids(a.pid)))
      select count(*)::int as n from behind`.execute(holder);
    if (queued[0]!.n >= count) return;
    await sleep(10);
  }
}
