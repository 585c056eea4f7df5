import { mkdirSync } from "node:fs";
import { ensurePrivateFile, makePrivate, PRIVATE_DIR_MODE } from "../core/private-files.ts";
import { dirname } from "node:path";
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from "kysely";
import type { Dialect } from "./dialect.ts";
import { migrations } from "./migrations.ts";
import { openSqlite } from "./sqlite-driver.ts";
import type { Tables } from "./tables.ts";

export interface Database {
  readonly db: Kysely<Tables>;
  readonly dialect: Dialect;
  /** True when the database answers a trivial query (for `/readyz`). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** PostgreSQL schema to use (created if missing); ignored for SQLite. */
  schema?: string;
}

/** Opens `sqlite:PATH`, `sqlite::memory:` or `postgres://…` and brings its schema to the newest migration. */
export async function openDatabase(url: string, options: OpenOptions = {}): Promise<Database> {
  const database =
    url.startsWith("postgres://") || url.startsWith("postgresql://")
      ? await openPostgres(url, options.schema ?? "public")
      : openSqliteDatabase(url);
  await migrate(database, options.schema ?? "public");
  return database;
}

function openSqliteDatabase(url: string): Database {
  if (!url.startsWith("sqlite:")) {
    throw new Error(`Unsupported storage URL '${url}': use sqlite:PATH, sqlite::memory: or postgres://…`);
  }
  const path = url.slice("sqlite:".length);
  if (path !== ":memory:") {
    mkdirSync(dirname(path), { recursive: true, mode: PRIVATE_DIR_MODE });
    // SQLite gives its -wal and -shm files the database file's mode, so the database is made 0600 before it
    // opens; journals left by an older version are fixed too.
    ensurePrivateFile(path);
  }
  const database = openSqlite(path);
  if (path !== ":memory:") makePrivate(`${path}-wal`, `${path}-shm`, `${path}-journal`);
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database }) });
  return wrap(db, "sqlite");
}

async function openPostgres(url: string, schema: string): Promise<Database> {
  if (!/^[a-z_][a-z0-9_]*$/i.test(schema)) throw new Error(`Invalid PostgreSQL schema name '${schema}'.`);
  // pg is loaded only for PostgreSQL storage (start-up time of the SQLite default).
  const { default: pg } = await import("pg");
  const setup = new pg.Client({ connectionString: url });
  await setup.connect();
  try {
    await setup.query(`create schema if not exists "${schema}"`);
  } finally {
    await setup.end();
  }
  const pool = new pg.Pool({ connectionString: url, options: `-c search_path="${schema}"`, max: 10 });
  return wrap(new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) }), "postgres");
}

function wrap(db: Kysely<Tables>, dialect: Dialect): Database {
  return {
    db,
    dialect,
    ping: async () => {
      try {
        await sql`select 1`.execute(db);
        return true;
      } catch {
        return false;
      }
    },
    close: () => db.destroy(),
  };
}

async function migrate(database: Database, schema: string): Promise<void> {
  // Kysely looks for its bookkeeping tables in every schema unless told which one: name ours, or a migrated
  // neighbour schema on the same server makes it skip creating them here.
  const migrationTableSchema = database.dialect === "postgres" ? { migrationTableSchema: schema } : {};
  const migrator = new Migrator({ db: database.db, provider: migrations(database.dialect), ...migrationTableSchema });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
}
