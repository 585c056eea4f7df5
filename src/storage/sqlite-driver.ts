import { DatabaseSync, type StatementSync } from "node:sqlite";
import type { SqliteDatabase, SqliteStatement } from "kysely";

/**
 * Gives Kysely's SQLite dialect the driver interface it expects (better-sqlite3's shape) over `node:sqlite`,
 * which needs no native addon. Kysely passes parameters as one array; node:sqlite takes them spread.
 */
export function openSqlite(path: string): SqliteDatabase & { raw: DatabaseSync } {
  const raw = new DatabaseSync(path);
  raw.exec("PRAGMA busy_timeout = 5000");
  if (path !== ":memory:") raw.exec("PRAGMA journal_mode = WAL");
  // FULL: a committed write survives a power loss, not only a process crash.
  raw.exec("PRAGMA synchronous = FULL");
  raw.exec("PRAGMA foreign_keys = ON");
  return {
    raw,
    close: () => raw.close(),
    prepare: (sql: string) => wrapStatement(raw.prepare(sql)),
  };
}

type SqliteValue = null | number | bigint | string | NodeJS.ArrayBufferView;

function toSqlite(parameters: ReadonlyArray<unknown>): SqliteValue[] {
  return parameters.map((p) => (typeof p === "boolean" ? (p ? 1 : 0) : (p as SqliteValue)));
}

function wrapStatement(statement: StatementSync): SqliteStatement {
  return {
    reader: statement.columns().length > 0,
    all: (parameters) => statement.all(...toSqlite(parameters)),
    run: (parameters) => statement.run(...toSqlite(parameters)),
    iterate: (parameters) => statement.iterate(...toSqlite(parameters)) as IterableIterator<unknown>,
  };
}
