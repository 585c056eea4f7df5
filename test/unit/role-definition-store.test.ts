import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ConflictError } from "../../src/core/errors.ts";
import type { Database } from "../../src/storage/database.ts";
import type { RoleDefinitionRecord } from "../../src/storage/records.ts";
import { createStore, type Store } from "../../src/storage/store.ts";
import { dialects, freshDatabase } from "../harness/databases.ts";

const at = "2026-01-01T00:00:00.000Z";
const tenantId = "11111111-1111-4111-8111-111111111111";
const sub = "/subscriptions/22222222-2222-4222-8222-222222222222";

function role(id: string, roleName: string): RoleDefinitionRecord {
  return {
    id,
    tenantId,
    roleName,
    description: "",
    assignableScopes: [sub],
    permissions: [{ actions: [], notActions: [], dataActions: ["Microsoft.CognitiveServices/accounts/MaaS/*"], notDataActions: [] }],
    createdOn: at,
    createdBy: null,
    updatedOn: at,
    updatedBy: null,
  };
}

for (const dialect of dialects) {
  describe(`role definition store on ${dialect}`, () => {
    let database: Database;
    let store: Store;
    before(async () => {
      database = await freshDatabase(dialect);
      store = createStore(database);
      await store.directory.insertTenant({ id: tenantId, displayName: "T", defaultDomain: "t.example", createdAt: at });
    });
    after(async () => database?.close());

    test("saves, reads back whole, replaces by id, and keeps role names unique per tenant case-insensitively", async () => {
      const before = await store.rbac.latestChange();
      await store.rbac.saveRoleDefinition(role("aaaaaaaa-0000-4000-8000-000000000001", "MaaS Caller"));
      assert.ok((await store.rbac.latestChange()) > before, "every write appends a change");
      assert.deepEqual(
        await store.rbac.getRoleDefinition("AAAAAAAA-0000-4000-8000-000000000001"),
        role("aaaaaaaa-0000-4000-8000-000000000001", "MaaS Caller"),
      );
      await store.rbac.saveRoleDefinition({ ...role("aaaaaaaa-0000-4000-8000-000000000001", "MaaS Caller"), description: "v2" });
      assert.equal((await store.rbac.listRoleDefinitions()).length, 1);
      await assert.rejects(store.rbac.saveRoleDefinition(role("aaaaaaaa-0000-4000-8000-000000000002", "maas caller")), ConflictError);
      assert.equal(
        (await store.rbac.findRoleDefinitionByName(tenantId, "MAAS CALLER"))?.description,
        "v2",
        "a refused write changes nothing",
      );
    });

    test("counts assignments of a role and within a subscription (not a sibling subscription with the same prefix)", async () => {
      const base = {
        tenantId,
        principalType: "User",
        description: null,
        condition: null,
        conditionVersion: null,
        createdOn: at,
        createdBy: null,
        updatedOn: at,
        updatedBy: null,
      };
      await store.rbac.insertRoleAssignment({
        ...base,
        id: "r1",
        scope: sub,
        roleDefinitionId: "aaaaaaaa-0000-4000-8000-000000000001",
        principalId: "p1",
      });
      await store.rbac.insertRoleAssignment({
        ...base,
        id: "r2",
        scope: `${sub}/resourceGroups/rg`,
        roleDefinitionId: "aaaaaaaa-0000-4000-8000-000000000001",
        principalId: "p2",
      });
      await store.rbac.insertRoleAssignment({
        ...base,
        id: "r3",
        scope: `${sub}0`,
        roleDefinitionId: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
        principalId: "p3",
      });
      assert.equal(await store.rbac.countAssignmentsOfRole("AAAAAAAA-0000-4000-8000-000000000001"), 2);
      assert.equal(await store.rbac.countAssignmentsInSubscription("22222222-2222-4222-8222-222222222222"), 2);
      const changes = await store.rbac.latestChange();
      assert.deepEqual(await store.rbac.deleteRoleDefinition("aaaaaaaa-0000-4000-8000-000000000001", at), {
        deleted: false,
        assignments: 2,
      });
      assert.ok(await store.rbac.getRoleDefinition("aaaaaaaa-0000-4000-8000-000000000001"), "a role with assignments stays");
      assert.equal(await store.rbac.latestChange(), changes, "and no change is recorded");
      await store.rbac.deleteAssignmentsAtOrBelow(sub, at);
      assert.deepEqual(await store.rbac.deleteRoleDefinition("aaaaaaaa-0000-4000-8000-000000000001", at), {
        deleted: true,
        assignments: 0,
      });
      assert.deepEqual(await store.rbac.deleteRoleDefinition("aaaaaaaa-0000-4000-8000-000000000001", at), {
        deleted: false,
        assignments: 0,
      });
    });
  });
}
