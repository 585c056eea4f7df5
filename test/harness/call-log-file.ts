import { join } from "node:path";
import { openDatabase } from "../../src/storage/database.ts";

/** Reads a running instance's call log from its SQLite file (read only: no public API lists calls yet). */
export async function readCallLog(dataDir: string) {
  const database = await openDatabase(`sqlite:${join(dataDir, "keyless.db")}`);
  try {
    return await database.db.selectFrom("call_log").selectAll().orderBy("at").execute();
  } finally {
    await database.close();
  }
}
