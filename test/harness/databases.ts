import pg from "pg";
import { type Database, openDatabase } from "../../src/storage/database.ts";

export const POSTGRES_URL = process.env.KEYLESS_TEST_POSTGRES ?? "postgres://postgres@127.0.0.1:5432/test";

/** The dialects the storage suite runs against; `KEYLESS_TEST_DIALECTS=sqlite` narrows it. */
export const dialects = (process.env.KEYLESS_TEST_DIALECTS ?? "sqlite,postgres").split(",").map((d) => d.trim()) as ("sqlite" | "postgres")[];

/** A fresh database of the dialect: in-memory SQLite, or a PostgreSQL schema of its own dropped on close. */
export async function freshDatabase(dialect: "sqlite" | "postgres"): Promise<Database> {
  if (dialect === "sqlite") return openDatabase("sqlite::memory:");
  const schema = `keyless_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const database = await openDatabase(POSTGRES_URL, { schema });
  return {
    ...database,
    async close() {
      await database.close();
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`drop schema if exists "${schema}" cascade`);
      await client.end();
    },
  };
}
