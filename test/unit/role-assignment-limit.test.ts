import assert from "node:assert/strict";
import { sql } from "kysely";
import { after, before, describe, test } from "node:test";
import { ASSIGNMENTS_PER_SUBSCRIPTION, putRoleAssignment, type RoleAssignmentDeps } from "../../src/arm/role-assignments.ts";
import { BuiltInRoleIds } from "../../src/authz/index.ts";
import type { WireError } from "../../src/core/errors.ts";
import type { Database } from "../../src/storage/database.ts";
import { openDatabase } from "../../src/storage/database.ts";
import { createStore, type Store } from "../../src/storage/store.ts";
import { permissiveRoleAssignmentDeps } from "../harness/role-assignment-deps.ts";
import { dialects, freshDatabase, POSTGRES_URL } from "../harness/databases.ts";

const at = "2026-01-01T00:00:00.000Z";
const tenantId = "11111111-1111-4111-8111-111111111111";
const subscriptionId = "22222222-2222-4222-8222-222222222222";
const caller = { principalId: "33333333-3333-4333-8333-333333333333", tenantId, clientName: "admin@t.example" };

for (const dialect of dialects)
  describe(`role assignment limit per subscription on ${dialect}`, () => {
    let database: Database;
    let store: Store;
    let deps: RoleAssignmentDeps;
    before(async () => {
      database = await freshDatabase(dialect);
      store = createStore(database);
      await store.directory.insertTenant({ id: tenantId, displayName: "T", defaultDomain: "t.example", createdAt: at });
      // The caller is an administrator here; what is under test is the limit, not the authorization.
      deps = permissiveRoleAssignmentDeps(store, at);
    });
    after(async () => database?.close());

    /** `count` assignments in the subscription, in bulk. */
    async function fill(subscription: string, count: number): Promise<void> {
      const rows = Array.from({ length: count }, (_, i) => ({
        id: `ra-${subscription}-${i}`,
        tenant_id: tenantId,
        scope: `/subscriptions/${subscription}/resourceGroups/rg-${i % 40}`,
        scope_key: `/subscriptions/${subscription}/resourcegroups/rg-${i % 40}`,
        role_definition_id: BuiltInRoleIds.READER,
        principal_id: `p-${i}`,
        principal_type: "User",
        description: null,
        condition: null,
        condition_version: null,
        created_on: at,
        created_by: null,
        updated_on: at,
        updated_by: null,
      }));
      for (let i = 0; i < rows.length; i += 500)
        await database.db
          .insertInto("role_assignments")
          .values(rows.slice(i, i + 500))
          .execute();
    }

    test(`refuses the ${ASSIGNMENTS_PER_SUBSCRIPTION + 1}th assignment in a subscription with RoleAssignmentLimitExceeded, and writes nothing`, async () => {
      await fill(subscriptionId, ASSIGNMENTS_PER_SUBSCRIPTION);
      const changesBefore = await store.rbac.latestChange();
      const input = { roleDefinitionId: BuiltInRoleIds.COGNITIVE_SERVICES_USER, principalId: "44444444-4444-4444-8444-444444444444" };
      await assert.rejects(
        putRoleAssignment(deps, caller, `/subscriptions/${subscriptionId}`, crypto.randomUUID(), input),
        (err: WireError) => {
          assert.equal(err.code, "RoleAssignmentLimitExceeded");
          assert.equal(err.status, 400);
          return true;
        },
      );
      assert.equal(await store.rbac.countAssignmentsInSubscription(subscriptionId), ASSIGNMENTS_PER_SUBSCRIPTION);
      assert.equal(await store.rbac.latestChange(), changesBefore, "no change recorded for a refused write");
      const elsewhere = await putRoleAssignment(
        deps,
        caller,
        "/subscriptions/55555555-5555-4555-8555-555555555555",
        crypto.randomUUID(),
        input,
      );
      assert.equal(elsewhere.created, true, "another subscription has its own limit");
    });

    test("two creations racing for the last place in a subscription: exactly one succeeds (the count is taken inside the insert's turn)", async () => {
      const full = "66666666-6666-4666-8666-666666666666";
      await fill(full, ASSIGNMENTS_PER_SUBSCRIPTION - 1);
      // On PostgreSQL a second pool, as a second node would have; on SQLite the same database.
      const other = dialect === "postgres" ? await openDatabase(POSTGRES_URL, { schema: await currentSchema(database) }) : database;
      try {
        const otherDeps = { ...deps, store: createStore(other).rbac };
        const attempts = await Promise.allSettled(
          [deps, otherDeps, deps, otherDeps].map((d, i) =>
            putRoleAssignment(d, caller, `/subscriptions/${full}/resourceGroups/race`, crypto.randomUUID(), {
              roleDefinitionId: BuiltInRoleIds.COGNITIVE_SERVICES_USER,
              principalId: `77777777-7777-4777-8777-00000000000${i}`,
            }),
          ),
        );
        const created = attempts.filter((a) => a.status === "fulfilled");
        const refused = attempts.filter((a) => a.status === "rejected").map((a) => (a.reason as WireError).code);
        assert.equal(created.length, 1, JSON.stringify(refused));
        assert.deepEqual(refused, ["RoleAssignmentLimitExceeded", "RoleAssignmentLimitExceeded", "RoleAssignmentLimitExceeded"]);
        assert.equal(await store.rbac.countAssignmentsInSubscription(full), ASSIGNMENTS_PER_SUBSCRIPTION);
      } finally {
        if (other !== database) await other.close();
      }
    });
  });

async function currentSchema(database: Database): Promise<string> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(database.db);
  return rows[0]!.schema;
}
