import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { BuiltInRoleIds, type Membership, openLivePolicy } from "../../src/authz/index.ts";
import type { Database } from "../../src/storage/database.ts";
import { createStore, type Store } from "../../src/storage/store.ts";
import { dialects, freshDatabase } from "../harness/databases.ts";

const at = "2026-01-01T00:00:00.000Z";
const tenantId = "11111111-1111-4111-8111-111111111111";
const sub = "/subscriptions/22222222-2222-4222-8222-222222222222";
const account = `${sub}/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/a1`;
const CHAT = "Microsoft.CognitiveServices/accounts/MaaS/chat/completions/action";
const MAAS_ROLE = "6d3c0f5e-2222-4a2b-9c3d-000000000002";

for (const dialect of dialects) {
  describe(`live policy on ${dialect}: custom roles, deny assignments and injected group memberships`, () => {
    let database: Database;
    let store: Store;
    let memberships: Membership[] = [];
    const chat = { principalId: "user-1", groupIds: [], operation: { kind: "dataAction" as const, name: CHAT }, scope: account };

    before(async () => {
      database = await freshDatabase(dialect);
      store = createStore(database);
      await store.directory.insertTenant({ id: tenantId, displayName: "T", defaultDomain: "t.example", createdAt: at });
    });
    after(async () => database?.close());

    test("a custom role assigned to a nested group grants its member; removing the membership denies after the change row", async () => {
      const live = await openLivePolicy({ store: store.rbac, loadMemberships: async () => memberships });
      await store.rbac.saveRoleDefinition({
        id: MAAS_ROLE,
        tenantId,
        roleName: "MaaS caller",
        description: "",
        assignableScopes: [sub],
        permissions: [{ actions: [], notActions: [], dataActions: ["Microsoft.CognitiveServices/accounts/MaaS/*"], notDataActions: [] }],
        createdOn: at,
        createdBy: null,
        updatedOn: at,
        updatedBy: null,
      });
      await store.rbac.insertRoleAssignment({
        id: "ra-group",
        tenantId,
        scope: account,
        roleDefinitionId: MAAS_ROLE,
        principalId: "outer-group",
        principalType: "Group",
        description: null,
        condition: null,
        conditionVersion: null,
        createdOn: at,
        createdBy: null,
        updatedOn: at,
        updatedBy: null,
      });
      memberships = [
        { groupId: "inner-group", memberId: "user-1" },
        { groupId: "outer-group", memberId: "inner-group" },
      ];
      await live.refresh();
      assert.deepEqual(live.groupsOf("USER-1"), ["inner-group", "outer-group"]);
      const allowed = live.authorizer.evaluate(chat);
      assert.ok(allowed.kind === "allowed" && allowed.grants[0]!.roleName === "MaaS caller");

      memberships = [{ groupId: "outer-group", memberId: "inner-group" }];
      await live.refresh();
      assert.equal(live.authorizer.evaluate(chat).kind, "allowed", "no change row yet: the snapshot stays as loaded");
      await database.db.insertInto("changes").values({ topic: "directory", at }).execute();
      await live.refresh();
      assert.equal(live.authorizer.evaluate(chat).kind, "denied", "any change row reloads memberships");
    });

    test("a stored deny assignment wins over a role assignment", async () => {
      const live = await openLivePolicy({ store: store.rbac, loadMemberships: async () => [] });
      await store.rbac.insertRoleAssignment({
        id: "ra-user",
        tenantId,
        scope: sub,
        roleDefinitionId: BuiltInRoleIds.COGNITIVE_SERVICES_USER,
        principalId: "user-2",
        principalType: "User",
        description: null,
        condition: null,
        conditionVersion: null,
        createdOn: at,
        createdBy: null,
        updatedOn: at,
        updatedBy: null,
      });
      await live.refresh();
      const request = { ...chat, principalId: "user-2" };
      assert.equal(live.authorizer.evaluate(request).kind, "allowed");
      await store.rbac.insertDenyAssignment({
        id: "deny-1",
        tenantId,
        denyAssignmentName: "no chat",
        description: "",
        scope: account,
        permissions: [{ actions: [], notActions: [], dataActions: [CHAT], notDataActions: [] }],
        principals: [{ id: "user-2", type: "User" }],
        excludePrincipals: [],
        doNotApplyToChildScopes: false,
        createdOn: at,
      });
      await live.refresh();
      const denied = live.authorizer.evaluate(request);
      assert.ok(denied.kind === "denied" && denied.denyAssignmentId === "deny-1");
      assert.equal(live.authorizer.evaluate({ ...request, scope: sub }).kind, "allowed", "the deny applies at the account and below only");
    });
  });
}
