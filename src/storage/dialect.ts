import { type Kysely, PostgresAdapter } from "kysely";
import type { Tables } from "./tables.ts";

/** The SQL dialects storage runs on; migrations branch on it where the two differ. */
export type Dialect = "sqlite" | "postgres";

/** The dialect a store's connection speaks (where the SQL of the two must differ). */
export function dialectOf(db: Kysely<Tables>): Dialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? "postgres" : "sqlite";
}
