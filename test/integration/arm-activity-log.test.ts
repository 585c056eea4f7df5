import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { adminTokens, call } from "../harness/clients.ts";
import { dialects, POSTGRES_URL, testSchema } from "../harness/databases.ts";
import { sharedSchemaEnv, useKeyless } from "../harness/keyless.ts";

describe("ARM writes and their activity-log entries on PostgreSQL", {
  skip: !dialects.includes("postgres") && "KEYLESS_TEST_DIALECTS leaves PostgreSQL out",
}, () => {
  const schema = testSchema("activity");
  const keyless = useKeyless({ env: sharedSchemaEnv(schema) });

  test("a write is answered only once its activity-log entry is committed: no acknowledged write lacks one", async () => {
    const { facts } = keyless;
    const { arm } = await adminTokens(facts);
    const group = `${facts.url}/subscriptions/${facts.subscriptionId}/resourcegroups/rg-logged-first`;
    // Another session holds the activity log, so the entry's insert waits: the answer must wait with it.
    const holder = new pg.Client({ connectionString: POSTGRES_URL });
    await holder.connect();
    try {
      await holder.query(`set search_path to "${schema}"`);
      await holder.query("begin");
      await holder.query("lock table activity_log in exclusive mode");
      let held = true;
      const answer = call("PUT", `${group}?api-version=2021-04-01`, arm, { location: "westeurope" }).then((response) => ({
        response,
        whileHeld: held,
      }));
      await sleep(500);
      held = false;
      await holder.query("commit");
      const { response, whileHeld } = await answer;
      assert.equal(response.status, 201, JSON.stringify(response.body));
      assert.equal(whileHeld, false, "answered while its activity-log entry could not be written");
      const { rows } = await holder.query<{ status_code: number }>(
        "select status_code from activity_log where lower(resource_id) = lower($1)",
        [`/subscriptions/${facts.subscriptionId}/resourcegroups/rg-logged-first`],
      );
      assert.deepEqual(
        rows.map((r) => Number(r.status_code)),
        [201],
      );
    } finally {
      await holder.end();
    }
  });
});
