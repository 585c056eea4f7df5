import assert from "node:assert/strict";
import { sql } from "kysely";
import { after, before, describe, test } from "node:test";
import { type AccessDeps, DENY_ASSIGNMENTS_PER_SUBSCRIPTION, putDenyAssignment } from "../../src/arm/access-queries.ts";
import { MAX_ROLE_TEXT, putRoleDefinition, type RoleDefinitionDeps, type RoleDefinitionInput } from "../../src/arm/role-definitions.ts";
import { builtInRoles } from "../../src/authz/index.ts";
import type { WireError } from "../../src/core/errors.ts";
import type { Database } from "../../src/storage/database.ts";
import { openDatabase } from "../../src/storage/database.ts";
import { createStore, type Store } from "../../src/storage/store.ts";
import { dialects, freshDatabase, POSTGRES_URL } from "../harness/databases.ts";

const at = "2026-01-01T00:00:00.000Z";
const tenantId = "11111111-1111-4111-8111-111111111111";
const sub = "/subscriptions/22222222-2222-4222-8222-222222222222";
const caller = { principalId: "33333333-3333-4333-8333-333333333333", tenantId, clientName: "admin@t.example" };
const LIMIT = 5;

const role = (roleName: string, permissions: Partial<RoleDefinitionInput["permissions"][number]>[] = [{}]): RoleDefinitionInput => ({
  roleName,
  description: "",
  assignableScopes: [sub],
  permissions: permissions.map((p) => ({
    actions: ["Microsoft.Resources/subscriptions/read"],
    notActions: [],
    dataActions: [],
    notDataActions: [],
    ...p,
  })),
});

const refusedWith = (code: string) => (err: WireError) => {
  assert.equal(err.code, code, err.message);
  assert.equal(err.status, 400);
  return true;
};

/**
 * Threat: every node holds every custom role (and deny assignment) in memory, and any Owner of one resource group
 * may write them: without a count and size bounds, one tenant could make every node hold gigabytes.
 */
for (const dialect of dialects)
  describe(`custom role limits on ${dialect}`, () => {
    let database: Database;
    let store: Store;
    let deps: RoleDefinitionDeps;
    before(async () => {
      database = await freshDatabase(dialect);
      store = createStore(database);
      await store.directory.insertTenant({ id: tenantId, displayName: "T", defaultDomain: "t.example", createdAt: at });
      // The caller is an administrator here; what is under test is the limits, not the authorization.
      deps = {
        store: store.rbac,
        clock: { now: () => Date.parse(at) },
        authorize: async () => true,
        builtInRoles,
        conditionProblem: () => undefined,
        policyChanged: async () => undefined,
        customRolesPerTenant: LIMIT,
      };
    });
    after(async () => database?.close());
    const accessDeps = (): AccessDeps => ({
      store: store.rbac,
      clock: deps.clock,
      authorize: async () => true,
      effectivePermissions: () => [],
      checkAccess: () => ({}),
      policyChanged: async () => undefined,
    });

    test("a permission entry, list, block count or whole role too large is refused with InvalidRoleDefinition, and nothing is written", async () => {
      const changesBefore = await store.rbac.latestChange();
      const tooBig = [
        role("long entry", [{ actions: [`Microsoft.Foo/${"a".repeat(600)}/read`] }]),
        role("many entries", [{ notDataActions: Array.from({ length: 1001 }, (_, i) => `Microsoft.Foo/bar${i}/read`) }]),
        role(
          "many blocks",
          Array.from({ length: 17 }, () => ({})),
        ),
        role(
          "large in all",
          Array.from({ length: 16 }, () => ({ dataActions: Array.from({ length: 20 }, (_, i) => `Microsoft.Foo/${"b".repeat(200)}${i}`) })),
        ),
      ];
      for (const input of tooBig)
        await assert.rejects(putRoleDefinition(deps, caller, sub, crypto.randomUUID(), input), refusedWith("InvalidRoleDefinition"));
      assert.equal(await store.rbac.latestChange(), changesBefore, "no change recorded for a refused write");
      assert.equal((await store.rbac.listRoleDefinitions()).length, 0);
      // The largest accepted shapes still pass.
      const largest = role("largest", [{ actions: Array.from({ length: 100 }, (_, i) => `Microsoft.Foo/${"c".repeat(490)}${i}`) }]);
      assert.ok(JSON.stringify(largest).length < MAX_ROLE_TEXT);
      const saved = await putRoleDefinition(deps, caller, sub, "aaaaaaaa-0000-4000-8000-000000000001", largest);
      assert.equal(saved.created, true);
    });

    test(`refuses a custom role past ${LIMIT} in a tenant with RoleDefinitionLimitExceeded; updating one still works`, async () => {
      const held = (await store.rbac.listRoleDefinitions()).length;
      for (let i = held; i < LIMIT; i++) await putRoleDefinition(deps, caller, sub, crypto.randomUUID(), role(`role ${i}`));
      const changesBefore = await store.rbac.latestChange();
      await assert.rejects(
        putRoleDefinition(deps, caller, sub, crypto.randomUUID(), role("one too many")),
        refusedWith("RoleDefinitionLimitExceeded"),
      );
      assert.equal(await store.rbac.latestChange(), changesBefore, "no change recorded for a refused write");
      assert.equal((await store.rbac.listRoleDefinitions()).length, LIMIT);
      const updated = await putRoleDefinition(deps, caller, sub, "aaaaaaaa-0000-4000-8000-000000000001", role("largest, renamed"));
      assert.equal(updated.created, false);
    });

    test("two creations racing for a tenant's last place: exactly one succeeds (the count is taken inside the insert's turn)", async () => {
      const oneFree = { ...deps, customRolesPerTenant: LIMIT + 1 };
      // On PostgreSQL a second pool, as a second node would have; on SQLite the same database.
      const other = dialect === "postgres" ? await openDatabase(POSTGRES_URL, { schema: await currentSchema(database) }) : database;
      try {
        const otherDeps = { ...oneFree, store: createStore(other).rbac };
        const attempts = await Promise.allSettled(
          [oneFree, otherDeps, oneFree, otherDeps].map((d, i) =>
            putRoleDefinition(d, caller, sub, crypto.randomUUID(), role(`racer ${i}`)),
          ),
        );
        const refused = attempts.filter((a) => a.status === "rejected").map((a) => (a.reason as WireError).code);
        assert.equal(attempts.filter((a) => a.status === "fulfilled").length, 1, JSON.stringify(refused));
        assert.deepEqual(refused, ["RoleDefinitionLimitExceeded", "RoleDefinitionLimitExceeded", "RoleDefinitionLimitExceeded"]);
        assert.equal((await store.rbac.listRoleDefinitions()).length, LIMIT + 1);
      } finally {
        if (other !== database) await other.close();
      }
    });

    test("a deny assignment's permissions and description have the same bounds (InvalidDenyAssignment)", async () => {
      const deny = (extra: object) => ({
        denyAssignmentName: "deny",
        permissions: role("x").permissions,
        principals: [{ id: "44444444-4444-4444-8444-444444444444", type: "User" }],
        ...extra,
      });
      for (const input of [
        deny({ description: "d".repeat(2049) }),
        deny({ permissions: role("x", [{ actions: [`Microsoft.Foo/${"a".repeat(600)}`] }]).permissions }),
        deny({
          permissions: role(
            "x",
            Array.from({ length: 17 }, () => ({})),
          ).permissions,
        }),
      ])
        await assert.rejects(
          putDenyAssignment(accessDeps(), caller, sub, crypto.randomUUID(), input),
          refusedWith("InvalidDenyAssignment"),
        );
      assert.equal((await store.rbac.listDenyAssignments()).length, 0);
    });

    test(`refuses a deny assignment past ${DENY_ASSIGNMENTS_PER_SUBSCRIPTION} in a subscription with DenyAssignmentLimitExceeded; another subscription has its own`, async () => {
      const full = "/subscriptions/66666666-6666-4666-8666-666666666666";
      const rows = Array.from({ length: DENY_ASSIGNMENTS_PER_SUBSCRIPTION }, (_, i) => ({
        id: `deny-${i}`,
        tenant_id: tenantId,
        deny_assignment_name: `deny ${i}`,
        description: "",
        scope: `${full}/resourceGroups/rg-${i % 40}`,
        scope_key: `${full}/resourcegroups/rg-${i % 40}`,
        permissions: JSON.stringify(role("x").permissions),
        principals: JSON.stringify([{ id: "44444444-4444-4444-8444-444444444444", type: "User" }]),
        exclude_principals: "[]",
        do_not_apply_to_child_scopes: 0,
        created_on: at,
      }));
      for (let i = 0; i < rows.length; i += 500)
        await database.db
          .insertInto("deny_assignments")
          .values(rows.slice(i, i + 500))
          .execute();
      const changesBefore = await store.rbac.latestChange();
      const input = {
        denyAssignmentName: "one too many",
        permissions: role("x").permissions,
        principals: [{ id: "44444444-4444-4444-8444-444444444444", type: "User" }],
      };
      await assert.rejects(
        putDenyAssignment(accessDeps(), caller, full, crypto.randomUUID(), input),
        refusedWith("DenyAssignmentLimitExceeded"),
      );
      assert.equal(await store.rbac.latestChange(), changesBefore, "no change recorded for a refused write");
      assert.equal((await store.rbac.listDenyAssignments()).length, DENY_ASSIGNMENTS_PER_SUBSCRIPTION);
      await putDenyAssignment(accessDeps(), caller, sub, crypto.randomUUID(), input);
      assert.equal(
        (await store.rbac.listDenyAssignments()).length,
        DENY_ASSIGNMENTS_PER_SUBSCRIPTION + 1,
        "another subscription has its own limit",
      );
    });
  });

async function currentSchema(database: Database): Promise<string> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(database.db);
  return rows[0]!.schema;
}
