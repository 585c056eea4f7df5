import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { BuiltInRoleIds, openLivePolicy } from "../../src/authz/index.ts";
import { recordChange } from "../../src/storage/change-feed.ts";
import type { Database } from "../../src/storage/database.ts";
import { createStore, type Store } from "../../src/storage/store.ts";
import { dialects, freshDatabase } from "../harness/databases.ts";

const at = "2026-01-01T00:00:00.000Z";
const tenantId = "11111111-1111-4111-8111-111111111111";
const sub = "/subscriptions/22222222-2222-4222-8222-222222222222";
const account = `${sub}/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/a1`;
const CHAT = "Microsoft.CognitiveServices/accounts/MaaS/chat/completions/action";
const MAAS_ROLE = "6d3c0f5e-2222-4a2b-9c3d-000000000002";

function maasRole(dataActions: string[], actions: string[] = []) {
  return {
    id: MAAS_ROLE,
    tenantId,
    roleName: "MaaS caller",
    description: "",
    assignableScopes: [sub],
    permissions: [{ actions, notActions: [], dataActions, notDataActions: [] }],
    createdOn: at,
    createdBy: null,
    updatedOn: at,
    updatedBy: null,
  };
}

function assignment(id: string, principalId: string, roleDefinitionId: string, scope: string) {
  return {
    id,
    tenantId,
    scope,
    roleDefinitionId,
    principalId,
    principalType: principalId.includes("group") ? "Group" : "User",
    description: null,
    condition: null,
    conditionVersion: null,
    createdOn: at,
    createdBy: null,
    updatedOn: at,
    updatedBy: null,
  };
}

function deny(id: string, principalId: string) {
  return {
    id,
    tenantId,
    denyAssignmentName: id,
    description: "",
    scope: account,
    permissions: [{ actions: [], notActions: [], dataActions: [CHAT], notDataActions: [] }],
    principals: [{ id: principalId, type: "User" }],
    excludePrincipals: [],
    doNotApplyToChildScopes: false,
    createdOn: at,
  };
}

for (const dialect of dialects) {
  describe(`live policy on ${dialect}: changes applied as deltas`, () => {
    let database: Database;
    let store: Store;
    const chat = { principalId: "user-1", groupIds: [], operation: { kind: "dataAction" as const, name: CHAT }, scope: account };

    before(async () => {
      database = await freshDatabase(dialect);
      store = createStore(database);
      await store.directory.insertTenant({ id: tenantId, displayName: "T", defaultDomain: "t.example", createdAt: at });
    });
    after(async () => database?.close());

    const group = (id: string) => ({
      id,
      tenantId,
      displayName: id,
      mailNickname: id,
      description: null,
      securityEnabled: true,
      mailEnabled: false,
      createdAt: at,
    });
    const fromDirectory = (after: { groupId: string; memberId: string } | undefined, limit: number) =>
      store.directory.listGroupMembershipsPage(after, limit);

    test("a custom role assigned to a nested group grants its member; each membership change applies as a delta", async () => {
      const live = await openLivePolicy({ store: store.rbac, loadMembershipsPage: fromDirectory });
      const reloads = live.fullReloads;
      await store.rbac.saveRoleDefinition(maasRole(["Microsoft.CognitiveServices/accounts/MaaS/*"]));
      await store.rbac.insertRoleAssignment(assignment("ra-group", "outer-group", MAAS_ROLE, account));
      await store.directory.insertGroup(group("inner-group"));
      await store.directory.insertGroup(group("outer-group"));
      await store.directory.addGroupMember({ groupId: "inner-group", memberId: "user-1", memberType: "user" }, at, () => {});
      await store.directory.addGroupMember({ groupId: "outer-group", memberId: "inner-group", memberType: "group" }, at, () => {});
      await live.refresh();
      assert.deepEqual(live.groupsOf("USER-1"), ["inner-group", "outer-group"]);
      const allowed = live.authorizer.evaluate(chat);
      assert.ok(allowed.kind === "allowed" && allowed.grants[0]!.roleName === "MaaS caller");

      await store.directory.removeGroupMember("inner-group", "user-1", at);
      await live.refresh();
      assert.equal(live.authorizer.evaluate(chat).kind, "denied", "the removed membership no longer grants");
      await store.directory.addGroupMember({ groupId: "inner-group", memberId: "user-1", memberType: "user" }, at, () => {});
      await live.refresh();
      assert.equal(live.authorizer.evaluate(chat).kind, "allowed");
      await store.directory.deleteGroup("inner-group", at);
      await live.refresh();
      assert.equal(live.authorizer.evaluate(chat).kind, "denied", "a deleted group takes its edges with it");
      assert.deepEqual(live.groupsOf("user-1"), []);
      assert.equal(live.fullReloads, reloads, "every change was applied as a delta");
    });

    test("every kind of RBAC change applies as a delta, and a second node converges on the same decisions", async () => {
      const a = await openLivePolicy({ store: store.rbac, loadMembershipsPage: fromDirectory });
      const b = await openLivePolicy({ store: store.rbac, loadMembershipsPage: fromDirectory });
      const reloads = [a.fullReloads, b.fullReloads];
      const user = { ...chat, principalId: "user-3" };
      const read = { ...user, operation: { kind: "action" as const, name: "Microsoft.CognitiveServices/accounts/read" } };
      const both = async () => {
        await Promise.all([a.refresh(), b.refresh()]);
        const decisions = [user, read].map((r) => a.authorizer.evaluate(r).kind);
        assert.deepEqual(
          [user, read].map((r) => b.authorizer.evaluate(r).kind),
          decisions,
          "both nodes decide alike",
        );
        return decisions;
      };
      assert.deepEqual(await both(), ["denied", "denied"]);
      await store.rbac.insertRoleAssignment(assignment("ra-3", "user-3", MAAS_ROLE, account));
      assert.deepEqual(await both(), ["allowed", "denied"], "assignment added");
      await store.rbac.saveRoleDefinition(
        maasRole(["Microsoft.CognitiveServices/accounts/OpenAI/*"], ["Microsoft.CognitiveServices/accounts/read"]),
      );
      assert.deepEqual(await both(), ["denied", "allowed"], "custom role replaced in place");
      await store.rbac.saveRoleDefinition(maasRole(["Microsoft.CognitiveServices/accounts/MaaS/*"]));
      await store.rbac.updateRoleAssignment({
        ...assignment("ra-3", "user-3", MAAS_ROLE, account),
        condition: "@Resource[x] StringEquals 'y'",
        conditionVersion: "2.0",
      });
      assert.deepEqual(await both(), ["denied", "denied"], "assignment updated with a condition we cannot evaluate");
      await store.rbac.updateRoleAssignment(assignment("ra-3", "user-3", MAAS_ROLE, account));
      assert.deepEqual(await both(), ["allowed", "denied"]);
      await store.rbac.insertDenyAssignment(deny("deny-3", "user-3"));
      assert.deepEqual(await both(), ["denied", "denied"], "deny added");
      await store.rbac.deleteDenyAssignment("deny-3", at);
      assert.deepEqual(await both(), ["allowed", "denied"], "deny removed");
      await store.rbac.deleteRoleAssignment(assignment("ra-3", "user-3", MAAS_ROLE, account), at);
      assert.deepEqual(await both(), ["denied", "denied"], "assignment removed");
      assert.deepEqual([a.fullReloads, b.fullReloads], reloads, "no full reload");
      assert.equal(a.authorizer.generation, await store.rbac.latestChange());
    });

    test("the writer applies its own change without reading the feed back; out of line, it reads what it missed first", async () => {
      let reads = 0;
      const counted = {
        ...store.rbac,
        changesSince: (after: number, limit: number) => {
          reads++;
          return store.rbac.changesSince(after, limit);
        },
      };
      const live = await openLivePolicy({ store: counted, loadMembershipsPage: fromDirectory });
      const request = { ...chat, principalId: "user-7" };
      const own = await store.rbac.insertRoleAssignment(assignment("ra-7", "user-7", BuiltInRoleIds.COGNITIVE_SERVICES_USER, account));
      reads = 0;
      await live.refresh(own);
      assert.equal(reads, 0, "the change this node recorded is next in line: applied as it is");
      assert.equal(live.authorizer.evaluate(request).kind, "allowed");
      assert.equal(live.authorizer.generation, own!.seq);
      // Another node's change lands first: this node's own change is no longer next in line.
      await store.rbac.insertRoleAssignment(assignment("ra-7b", "user-7b", BuiltInRoleIds.COGNITIVE_SERVICES_USER, account));
      const removal = await store.rbac.deleteRoleAssignment(
        assignment("ra-7", "user-7", BuiltInRoleIds.COGNITIVE_SERVICES_USER, account),
        at,
      );
      await live.refresh(removal);
      assert.ok(reads > 0, "read from the feed");
      assert.equal(live.authorizer.evaluate(request).kind, "denied");
      assert.equal(live.authorizer.evaluate({ ...chat, principalId: "user-7b" }).kind, "allowed", "the missed change applied too");
      assert.equal(live.authorizer.generation, removal!.seq);
    });

    test("a scope deleted with everything under it, and a node too far behind, reload fully", async () => {
      const live = await openLivePolicy({ store: store.rbac, loadMembershipsPage: fromDirectory, maxPendingChanges: 3 });
      const request = { ...chat, principalId: "user-4" };
      await store.rbac.insertRoleAssignment(assignment("ra-4", "user-4", BuiltInRoleIds.COGNITIVE_SERVICES_USER, account));
      await live.refresh();
      assert.equal(live.authorizer.evaluate(request).kind, "allowed");
      let reloads = live.fullReloads;
      await store.rbac.deleteAssignmentsAtOrBelow(`${sub}/resourceGroups/rg`, at);
      await live.refresh();
      assert.equal(live.authorizer.evaluate(request).kind, "denied");
      assert.equal(live.fullReloads, reloads + 1, "a bulk change reloads");

      reloads = live.fullReloads;
      for (let i = 0; i < 5; i++) {
        await store.rbac.insertRoleAssignment(assignment(`ra-4-${i}`, `user-4-${i}`, BuiltInRoleIds.COGNITIVE_SERVICES_USER, account));
      }
      await live.refresh();
      assert.equal(live.fullReloads, reloads + 1, "five pending changes with a limit of three reload");
      assert.equal(live.authorizer.evaluate({ ...chat, principalId: "user-4-4" }).kind, "allowed");
      assert.equal(live.authorizer.generation, await store.rbac.latestChange());
    });

    test("a change row without a delta (written before deltas existed) reloads everything", async () => {
      const live = await openLivePolicy({ store: store.rbac, loadMembershipsPage: fromDirectory });
      const reloads = live.fullReloads;
      await database.db.insertInto("changes").values({ topic: "directory", at, delta: null }).execute();
      await live.refresh();
      assert.equal(live.fullReloads, reloads + 1);
    });

    test("principal and resource changes reach the listeners; a store that does not answer fails the refresh", async () => {
      const seen: string[] = [];
      let stall = false;
      const stalling = {
        ...store.rbac,
        changesSince: (after: number, limit: number) => (stall ? new Promise<never>(() => {}) : store.rbac.changesSince(after, limit)),
      };
      const live = await openLivePolicy({
        store: stalling,
        loadMembershipsPage: fromDirectory,
        onChange: (delta) => seen.push(delta.kind),
        storeTimeoutMs: 200,
      });
      assert.deepEqual(seen, ["full"]);
      await store.changes.record("resources", at, { kind: "resources" });
      await store.changes.record("directory", at, { kind: "principal", id: "user-5" });
      await live.refresh();
      assert.deepEqual(seen, ["full", "resources", "principal"]);
      const confirmed = live.confirmedAt;
      stall = true;
      const started = Date.now();
      await assert.rejects(live.refresh(), /took longer than 200 ms/);
      assert.ok(Date.now() - started < 2000, "the refresh gave up instead of hanging");
      assert.equal(live.confirmedAt, confirmed, "an unconfirmed policy keeps its old confirmation time");
      assert.ok(live.lastError instanceof Error);
      stall = false;
      await live.refresh();
      assert.ok(live.confirmedAt > confirmed);
      assert.equal(live.lastError, undefined);
    });

    // Another node's write whose COMMIT is delayed gets a smaller number than writes that commit meanwhile; a
    // node that applied those must still apply it once it commits.
    if (dialect === "postgres") {
      test("a revoke whose commit is delayed still reaches a node that applied later-started changes", async () => {
        const live = await openLivePolicy({ store: store.rbac, loadMembershipsPage: fromDirectory });
        const request = { ...chat, principalId: "user-6" };
        await store.rbac.insertRoleAssignment(assignment("ra-6", "user-6", BuiltInRoleIds.COGNITIVE_SERVICES_USER, account));
        await live.refresh();
        assert.equal(live.authorizer.evaluate(request).kind, "allowed");
        let commit!: () => void;
        const mayCommit = new Promise<void>((resolve) => {
          commit = resolve;
        });
        let recorded!: () => void;
        const revokeRecorded = new Promise<void>((resolve) => {
          recorded = resolve;
        });
        const revoke = database.db.transaction().execute(async (tx) => {
          await tx.deleteFrom("role_assignments").where("id", "=", "ra-6").execute();
          await recordChange(tx, "rbac", at, { kind: "assignment.delete", id: "ra-6" });
          recorded();
          await mayCommit;
        });
        await revokeRecorded;
        const other = store.rbac.insertRoleAssignment(assignment("ra-6b", "user-6b", BuiltInRoleIds.COGNITIVE_SERVICES_USER, account));
        await new Promise((resolve) => setTimeout(resolve, 200));
        await live.refresh();
        assert.equal(live.authorizer.evaluate(request).kind, "allowed", "the revoke has not committed yet");
        commit();
        await Promise.all([revoke, other]);
        await live.refresh();
        assert.equal(live.authorizer.evaluate(request).kind, "denied", "the delayed revoke was applied");
        assert.equal(live.authorizer.evaluate({ ...chat, principalId: "user-6b" }).kind, "allowed");
      });
    }

    test("a stored deny assignment wins over a role assignment", async () => {
      const live = await openLivePolicy({ store: store.rbac, loadMembershipsPage: async () => [] });
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
