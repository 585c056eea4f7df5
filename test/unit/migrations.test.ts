import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { sql } from "kysely";
import { openDatabase } from "../../src/storage/database.ts";
import { POSTGRES_URL, dialects, testSchema } from "../harness/databases.ts";

// A rolling upgrade: nodes of the new version migrate the shared database first; a node of the old version that
// restarts meanwhile must still start on it (migrations only add).
for (const dialect of dialects) {
  describe(`migrations on ${dialect}`, () => {
    test("a node starts on a database a newer version has migrated further, and leaves its migrations alone", async () => {
      const dir = mkdtempSync(join(tmpdir(), "keyless-migrations-"));
      const schema = testSchema("migrations");
      const url = dialect === "sqlite" ? `sqlite:${join(dir, "keyless.db")}` : POSTGRES_URL;
      const table = dialect === "postgres" ? sql.table(`${schema}.kysely_migration`) : sql.table("kysely_migration");
      try {
        const first = await openDatabase(url, { schema });
        const migrated = (await sql<{ n: number }>`select count(*) as n from ${table}`.execute(first.db)).rows[0]!.n;
        await sql`insert into ${table} (name, timestamp) values ('9999-from-a-newer-version', '2027-01-01T00:00:00.000Z')`.execute(
          first.db,
        );
        await first.close();

        const again = await openDatabase(url, { schema });
        try {
          assert.equal(await again.ping(), true);
          const names = (await sql<{ name: string }>`select name from ${table} order by name`.execute(again.db)).rows.map((r) => r.name);
          assert.equal(names.length, Number(migrated) + 1);
          assert.equal(names.at(-1), "9999-from-a-newer-version");
        } finally {
          await again.close();
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
