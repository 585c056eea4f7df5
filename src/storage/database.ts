import { mkdirSync } from "node:fs";
import { ensurePrivateFile, makePrivate, PRIVATE_DIR_MODE } from "../core/private-files.ts";
import { dirname } from "node:path";
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from "kysely";
import type { Dialect } from "./dialect.ts";
import { migrationNames, migrations } from "./migrations.ts";
import { openSqlite } from "./sqlite-driver.ts";
import type { Tables } from "./tables.ts";

export interface Database {
  readonly db: Kysely<Tables>;
  readonly dialect: Dialect;
  /** True when the database answers a trivial query within `timeoutMs` (for `/readyz`). */
  ping(timeoutMs?: number): Promise<boolean>;
  /**
   * Wakes `handlers.onNotify` whenever a change commits in this database's schema (PostgreSQL `LISTEN` on a
   * dedicated connection, reconnected with backoff; `onConnected` after each (re)connection, since notifications
   * sent while disconnected are lost). Undefined on SQLite, where one process owns the database.
   */
  listen?(channel: string, handlers: ListenHandlers): { close(): Promise<void> };
  close(): Promise<void>;
}

interface ListenHandlers {
  onNotify(): void;
  onConnected(): void;
  onError(err: unknown): void;
}

interface OpenOptions {
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

type PgModule = typeof import("pg").default;
type PgClient = InstanceType<PgModule["Client"]>;

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
  // A connection attempt to an unreachable server gives up instead of waiting for the operating system.
  const pool = new pg.Pool({ connectionString: url, options: `-c search_path="${schema}"`, max: 10, connectionTimeoutMillis: 5000 });
  // A connection that breaks (the server restarts, the network drops) emits `error`, idle in the pool or checked
  // out by a query; unheard, the event would end the process. The query fails on its own, the pool drops the
  // connection, and the next query that needs one reports the outage.
  pool.on("error", () => undefined);
  pool.on("connect", (client) => client.on("error", () => undefined));
  return {
    ...wrap(new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) }), "postgres"),
    listen: (channel, handlers) => listenPostgres(pg, url, schema, channel, handlers),
  };
}

/** One dedicated client that LISTENs; on an error or a closed connection it reconnects after 100 ms, doubling to 5 s. */
function listenPostgres(pg: PgModule, url: string, schema: string, channel: string, handlers: ListenHandlers) {
  if (!/^[a-z_][a-z0-9_]*$/i.test(channel)) throw new Error(`Invalid channel name '${channel}'.`);
  let client: PgClient | undefined;
  let closed = false;
  let delay = 100;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const retry = (failed: PgClient) => {
    if (closed || client !== failed) return;
    client = undefined;
    failed.end().catch(() => undefined);
    timer = setTimeout(connect, delay);
    timer.unref();
    delay = Math.min(delay * 2, 5000);
  };

  async function connect(): Promise<void> {
    if (closed) return;
    const next = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000, keepAlive: true });
    client = next;
    // The payload is the writer's schema: nodes of another deployment sharing the server are not woken.
    next.on("notification", (message) => {
      if (message.payload === schema) handlers.onNotify();
    });
    next.on("error", (err) => {
      handlers.onError(err);
      retry(next);
    });
    next.on("end", () => retry(next));
    try {
      await next.connect();
      await next.query(`listen ${channel}`);
      delay = 100;
      handlers.onConnected();
    } catch (err) {
      handlers.onError(err);
      retry(next);
    }
  }

  void connect();
  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      const last = client;
      client = undefined;
      await last?.end().catch(() => undefined);
    },
  };
}

function wrap(db: Kysely<Tables>, dialect: Dialect): Database {
  return {
    db,
    dialect,
    ping: async (timeoutMs = 5000) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        const expired = new Promise<false>((resolve) => {
          timer = setTimeout(() => resolve(false), timeoutMs);
        });
        return await Promise.race([sql`select 1`.execute(db).then(() => true), expired]);
      } catch {
        return false;
      } finally {
        clearTimeout(timer);
      }
    },
    close: () => db.destroy(),
  };
}

async function migrate(database: Database, schema: string): Promise<void> {
  // Kysely looks for its bookkeeping tables in every schema unless told which one: name ours, or a migrated
  // neighbour schema on the same server makes it skip creating them here.
  const migrationTableSchema = database.dialect === "postgres" ? { migrationTableSchema: schema } : {};
  if (await migratedByNewerVersion(database, schema)) return;
  const migrator = new Migrator({ db: database.db, provider: migrations(database.dialect), ...migrationTableSchema });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
}

/**
 * True when a newer Keyless has already migrated this database past every migration this version knows: during a
 * rolling upgrade, a node of the older version that restarts after a new node has migrated. Migrations only add
 * tables, columns and indexes, so the older node runs on the newer schema; the migrator itself would refuse to start
 * ("corrupted migrations"), taking an unknown migration for a lost one.
 */
async function migratedByNewerVersion(database: Database, schema: string): Promise<boolean> {
  const table = database.dialect === "postgres" ? sql.table(`${schema}.kysely_migration`) : sql.table("kysely_migration");
  let done: string[];
  try {
    done = (await sql<{ name: string }>`select name from ${table}`.execute(database.db)).rows.map((r) => r.name);
  } catch {
    return false; // a new database: no bookkeeping table yet
  }
  const known = new Set(migrationNames);
  return done.some((name) => !known.has(name)) && migrationNames.every((name) => done.includes(name));
}
