import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { sql } from "kysely";
import { ConflictError } from "../../src/core/errors.ts";
import { CHANGE_CHANNEL, CHANGE_FEED_IDLE_LIMIT_SECONDS, changeTransaction, recordChange } from "../../src/storage/change-feed.ts";
import { type Database, openDatabase } from "../../src/storage/database.ts";
import type { RoleAssignmentRecord } from "../../src/storage/records.ts";
import { createStore, type Store } from "../../src/storage/store.ts";
import { dialects, freshDatabase, POSTGRES_URL } from "../harness/databases.ts";

const at = "2026-01-01T00:00:00.000Z";
const tenantId = "11111111-1111-4111-8111-111111111111";
const subscriptionId = "22222222-2222-4222-8222-222222222222";

function assignment(id: string, overrides: Partial<RoleAssignmentRecord> = {}): RoleAssignmentRecord {
  return {
    id,
    tenantId,
    scope: `/subscriptions/${subscriptionId}`,
    roleDefinitionId: "a97b65f3-24c7-4388-baec-2e87135dc908",
    principalId: "33333333-3333-4333-8333-333333333333",
    principalType: "User",
    description: null,
    condition: null,
    conditionVersion: null,
    createdOn: at,
    createdBy: null,
    updatedOn: at,
    updatedBy: null,
    ...overrides,
  };
}

for (const dialect of dialects) {
  describe(`storage on ${dialect}`, () => {
    let database: Database;
    let store: Store;
    before(async () => {
      database = await freshDatabase(dialect);
      store = createStore(database);
      await store.directory.insertTenant({ id: tenantId, displayName: "T", defaultDomain: "t.example", createdAt: at });
      await store.resources.insertSubscription({ id: subscriptionId, tenantId, displayName: "S", state: "Enabled", createdAt: at });
    });
    after(() => database.close());

    test("migrations are idempotent and the database answers", async () => {
      assert.equal(await database.ping(), true);
    });

    test("users are unique by user principal name, case-insensitively", async () => {
      const user = {
        id: "44444444-4444-4444-8444-444444444444",
        tenantId,
        userPrincipalName: "Ada@t.example",
        displayName: "Ada",
        passwordHash: "h",
        accountEnabled: true,
        createdAt: at,
        mailNickname: null,
      };
      await store.directory.insertUser(user);
      assert.deepEqual(await store.directory.findUserByUpn("ada@T.EXAMPLE"), user);
      await assert.rejects(
        store.directory.insertUser({ ...user, id: "55555555-5555-4555-8555-555555555555", userPrincipalName: "ADA@t.example" }),
        ConflictError,
      );
    });

    test("an application and its service principal are written together", async () => {
      const app = {
        id: "66666666-6666-4666-8666-666666666666",
        tenantId,
        appId: "77777777-7777-4777-8777-777777777777",
        displayName: "App",
        createdAt: at,
      };
      const sp = {
        id: "88888888-8888-4888-8888-888888888888",
        tenantId,
        appId: app.appId,
        displayName: "App",
        servicePrincipalType: "Application" as const,
        createdAt: at,
      };
      await store.directory.insertApplication(app, sp);
      assert.deepEqual(await store.directory.findApplicationByAppId(app.appId), app);
      assert.deepEqual(await store.directory.findServicePrincipal(tenantId, app.appId), sp);
      await assert.rejects(store.directory.insertServicePrincipal({ ...sp, id: "99999999-9999-4999-8999-999999999999" }), ConflictError);
    });

    test("resources are keyed case-insensitively and keep JSON properties", async () => {
      const id = `/subscriptions/${subscriptionId}/resourceGroups/RG/providers/Microsoft.CognitiveServices/accounts/Acct`;
      const record = {
        id,
        type: "Microsoft.CognitiveServices/accounts",
        name: "Acct",
        subscriptionId,
        resourceGroup: "RG",
        parentKey: null,
        location: "local",
        kind: "AIServices",
        sku: { name: "S0" },
        tags: { team: "a" },
        properties: { disableLocalAuth: false, nested: { n: 1 } },
        createdAt: at,
        createdBy: null,
        updatedAt: at,
      };
      await store.resources.upsertResource(record);
      assert.deepEqual(await store.resources.getResource(id.toUpperCase()), record);
      await store.resources.upsertResource({ ...record, tags: { team: "b" }, updatedAt: "2026-01-02T00:00:00.000Z" });
      assert.deepEqual((await store.resources.getResource(id))?.tags, { team: "b" });
      assert.equal((await store.resources.findResourcesByName(record.type, "ACCT")).length, 1);
    });

    test("role assignments are unique per principal, role and scope; every write moves the change sequence", async () => {
      const before = await store.rbac.latestChange();
      await store.rbac.insertRoleAssignment(assignment("aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"));
      assert.ok((await store.rbac.latestChange()) > before);
      await assert.rejects(
        store.rbac.insertRoleAssignment(assignment("bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb", { scope: `/SUBSCRIPTIONS/${subscriptionId}` })),
        ConflictError,
      );
      assert.equal(await store.rbac.getRoleAssignment("bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"), undefined);
      const afterInsert = await store.rbac.latestChange();
      assert.ok(await store.rbac.deleteRoleAssignment(assignment("AAAAAAAA-aaaa-4aaa-8aaa-aaaaaaaaaaaa"), at));
      assert.ok((await store.rbac.latestChange()) > afterInsert);
      assert.equal(await store.rbac.deleteRoleAssignment(assignment("aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"), at), undefined);
    });

    test("an assignment, its change and its activity-log entry commit together; a refused insert leaves none of them", async () => {
      const activity = (eventId: string) => ({
        eventId,
        subscriptionId,
        eventTimestamp: at,
        caller: "admin@t.example",
        principalId: "44444444-4444-4444-8444-444444444444",
        operationName: "Microsoft.Authorization/roleAssignments/write",
        httpMethod: "PUT",
        resourceId: `/subscriptions/${subscriptionId}/resourceGroups/logged`,
        status: "Succeeded" as const,
        statusCode: 201,
        correlationId: eventId,
      });
      const scope = `/subscriptions/${subscriptionId}/resourceGroups/logged`;
      const record = assignment("eeeeeeee-eeee-4eee-8eee-000000000001", { scope });
      const change = await store.rbac.insertRoleAssignment(record, { activity: activity("event-1") });
      assert.ok(change);
      assert.equal(change.seq, await store.rbac.latestChange(), "the change this write recorded, with its number");
      assert.deepEqual(change.delta, { kind: "assignment.put", assignment: record });
      assert.deepEqual((await store.rbac.changesSince(change.seq - 1, 10))[0]?.delta, change.delta);
      const logged = async () => (await store.activity.list(subscriptionId, at, at)).map((e) => e.eventId).sort();
      assert.deepEqual(await logged(), ["event-1"]);
      await assert.rejects(
        store.rbac.insertRoleAssignment(assignment("eeeeeeee-eeee-4eee-8eee-000000000002", { scope }), { activity: activity("event-2") }),
        ConflictError,
      );
      const limited = await store.rbac.insertRoleAssignment(
        assignment("eeeeeeee-eeee-4eee-8eee-000000000003", { scope, principalId: "p-3" }),
        {
          limit: { subscriptionId, max: 1 },
          activity: activity("event-3"),
        },
      );
      assert.equal(limited, undefined, "the subscription already holds its one allowed assignment");
      assert.deepEqual(await logged(), ["event-1"]);
      assert.equal(await store.rbac.latestChange(), change.seq);
      assert.equal(await store.rbac.getRoleAssignment("eeeeeeee-eeee-4eee-8eee-000000000003"), undefined);
      const deletion = await store.rbac.deleteRoleAssignment(record, at, { activity: { ...activity("event-4"), httpMethod: "DELETE" } });
      assert.deepEqual(deletion?.delta, { kind: "assignment.delete", id: record.id });
      assert.equal(deletion?.seq, await store.rbac.latestChange());
      assert.deepEqual(await logged(), ["event-1", "event-4"]);
      assert.equal(await store.rbac.deleteRoleAssignment(record, at, { activity: activity("event-5") }), undefined);
      assert.deepEqual(await logged(), ["event-1", "event-4"], "nothing deleted, nothing logged by the store");
    });

    test("a delete takes an assignment only as it was authorized: the same name at another scope, or of another role or principal, stays", async () => {
      const logged = async () => (await store.activity.list(subscriptionId, at, at)).map((e) => e.eventId);
      const entry = (eventId: string) => ({
        eventId,
        subscriptionId,
        eventTimestamp: at,
        caller: "admin@t.example",
        principalId: "44444444-4444-4444-8444-444444444444",
        operationName: "Microsoft.Authorization/roleAssignments/delete",
        httpMethod: "DELETE",
        resourceId: `/subscriptions/${subscriptionId}/resourceGroups/authorized`,
        status: "Succeeded" as const,
        statusCode: 200,
        correlationId: eventId,
      });
      // The caller was authorized at resourceGroups/authorized; meanwhile the name was deleted there and put elsewhere.
      const authorized = assignment("ffffffff-ffff-4fff-8fff-000000000001", {
        scope: `/subscriptions/${subscriptionId}/resourceGroups/authorized`,
      });
      const elsewhere = { ...authorized, scope: `/subscriptions/${subscriptionId}/resourceGroups/elsewhere` };
      await store.rbac.insertRoleAssignment(elsewhere);
      const changes = await store.rbac.latestChange();
      const entries = await logged();
      assert.equal(await store.rbac.deleteRoleAssignment(authorized, at, { activity: entry("moved") }), undefined);
      const otherRole = { ...elsewhere, roleDefinitionId: "acdd72a7-3385-48ef-bd42-f606fba81ae7" };
      assert.equal(await store.rbac.deleteRoleAssignment(otherRole, at, { activity: entry("other-role") }), undefined);
      const otherPrincipal = { ...elsewhere, principalId: "55555555-5555-4555-8555-555555555555" };
      assert.equal(await store.rbac.deleteRoleAssignment(otherPrincipal, at, { activity: entry("other-principal") }), undefined);
      assert.deepEqual(await store.rbac.getRoleAssignment(authorized.id), elsewhere, "the assignment elsewhere stays");
      assert.equal(await store.rbac.latestChange(), changes, "no change recorded");
      assert.deepEqual(await logged(), entries, "nothing logged");
      const deleted = await store.rbac.deleteRoleAssignment({ ...elsewhere, scope: elsewhere.scope.toUpperCase() }, at);
      assert.deepEqual(deleted?.delta, { kind: "assignment.delete", id: authorized.id }, "the scope compares without case");
      assert.equal(await store.rbac.getRoleAssignment(authorized.id), undefined);
    });

    test("deleting a scope's role and deny assignments takes those at and below it, not a sibling whose name it prefixes", async () => {
      const rg = `/subscriptions/${subscriptionId}/resourceGroups/rg_1`;
      const scopes = [
        rg,
        `${rg.toUpperCase()}/providers/Microsoft.CognitiveServices/accounts/a`,
        `${rg}x`,
        `/subscriptions/${subscriptionId}`,
      ];
      const ids = scopes.map((_, i) => `cccccccc-cccc-4ccc-8ccc-00000000000${i}`);
      const denyIds = scopes.map((_, i) => `dddddddd-dddd-4ddd-8ddd-00000000000${i}`);
      for (const [i, scope] of scopes.entries()) {
        await store.rbac.insertRoleAssignment(assignment(ids[i]!, { scope }));
        await store.rbac.insertDenyAssignment({
          id: denyIds[i]!,
          tenantId,
          denyAssignmentName: `deny ${i}`,
          description: "",
          scope,
          permissions: [{ actions: ["*"], notActions: [], dataActions: [], notDataActions: [] }],
          principals: [{ id: "00000000-0000-0000-0000-000000000000", type: "SystemDefined" }],
          excludePrincipals: [],
          doNotApplyToChildScopes: false,
          createdOn: at,
        });
      }
      const before = await store.rbac.latestChange();
      assert.equal(await store.rbac.deleteAssignmentsAtOrBelow(rg.replace("rg_1", "RG_1"), at), 4);
      assert.ok((await store.rbac.latestChange()) > before);
      const left = await Promise.all(ids.map((id) => store.rbac.getRoleAssignment(id)));
      assert.deepEqual(
        left.map((a) => a !== undefined),
        [false, false, true, true],
      );
      const deniesLeft = new Set((await store.rbac.listDenyAssignments()).map((d) => d.id));
      assert.deepEqual(
        denyIds.map((id) => deniesLeft.has(id)),
        [false, false, true, true],
      );
      assert.equal(await store.rbac.deleteAssignmentsAtOrBelow(rg, at), 0);
      for (const [i, id] of ids.entries()) await store.rbac.deleteRoleAssignment(assignment(id, { scope: scopes[i]! }), at);
      for (const id of denyIds) await store.rbac.deleteDenyAssignment(id, at);
    });

    // Nodes reload when the newest change number moves; a number visible before a smaller one would be skipped forever.
    if (dialect === "postgres") {
      test("a change never becomes visible while an earlier-numbered one is still uncommitted", async () => {
        const before = await store.rbac.latestChange();
        let commitFirst!: () => void;
        const firstMayCommit = new Promise<void>((resolve) => {
          commitFirst = resolve;
        });
        let firstRecorded!: () => void;
        const recorded = new Promise<void>((resolve) => {
          firstRecorded = resolve;
        });
        const first = database.db.transaction().execute(async (tx) => {
          await recordChange(tx, "rbac", at);
          firstRecorded();
          await firstMayCommit;
        });
        await recorded;
        const second = database.db.transaction().execute((tx) => recordChange(tx, "rbac", at));
        await new Promise((resolve) => setTimeout(resolve, 200));
        const visibleMeanwhile = await store.rbac.latestChange();
        commitFirst();
        await Promise.all([first, second]);
        assert.equal(visibleMeanwhile, before, "the later change became visible first");
        assert.equal(await store.rbac.latestChange(), before + 2);
      });
    }

    if (dialect === "postgres") {
      test("a writer that goes idle holding the change feed's turn loses its session; the other writers go on", async () => {
        // Another node on the same schema (a pool of its own).
        const neighbour = await sameSchema(database);
        try {
          let locked!: () => void;
          const holding = new Promise<void>((resolve) => {
            locked = resolve;
          });
          // A node that took the turn and then stopped talking (a stall, a lost network) for longer than the limit.
          const stuck = changeTransaction(neighbour.db, async (tx) => {
            await recordChange(tx, "rbac", at, { kind: "full" }, true);
            locked();
            await new Promise((resolve) => setTimeout(resolve, (CHANGE_FEED_IDLE_LIMIT_SECONDS + 2) * 1000));
          });
          await holding;
          const started = performance.now();
          await changeTransaction(database.db, (tx) => recordChange(tx, "rbac", at, { kind: "full" }, true));
          const waited = performance.now() - started;
          assert.ok(
            waited < (CHANGE_FEED_IDLE_LIMIT_SECONDS + 1.5) * 1000,
            `the next writer waited ${Math.round(waited)} ms for a turn held by an idle session`,
          );
          await assert.rejects(stuck, "the idle writer's transaction is rolled back, never acknowledged");
        } finally {
          await neighbour.close().catch(() => undefined);
        }
      });
    }

    if (dialect === "postgres") {
      test("a change wakes listeners when it commits, not before, and only those of its schema", async () => {
        let woken = 0;
        let connected!: () => void;
        const ready = new Promise<void>((resolve) => {
          connected = resolve;
        });
        const listener = database.listen!(CHANGE_CHANNEL, {
          onNotify: () => woken++,
          onConnected: () => connected(),
          onError: () => undefined,
        });
        const neighbour = await freshDatabase("postgres");
        try {
          await ready;
          let commit!: () => void;
          const mayCommit = new Promise<void>((resolve) => {
            commit = resolve;
          });
          let recorded!: () => void;
          const wasRecorded = new Promise<void>((resolve) => {
            recorded = resolve;
          });
          const writing = database.db.transaction().execute(async (tx) => {
            await recordChange(tx, "rbac", at, { kind: "assignment.delete", id: "ra-notify" });
            recorded();
            await mayCommit;
          });
          await wasRecorded;
          await new Promise((resolve) => setTimeout(resolve, 150));
          assert.equal(woken, 0, "no wake-up before the commit");
          commit();
          await writing;
          const deadline = Date.now() + 2000;
          while (woken === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
          assert.equal(woken, 1, "one wake-up at the commit");
          await createStore(neighbour).changes.record("rbac", at, { kind: "resources" });
          await new Promise((resolve) => setTimeout(resolve, 300));
          assert.equal(woken, 1, "a change in another schema on the same server wakes nobody here");
        } finally {
          await listener.close();
          await neighbour.close();
        }
      });
    } else {
      test("SQLite has no change notifications (one process owns the database)", () => {
        assert.equal(database.listen, undefined);
      });
    }

    test("signing keys and first-writer-wins facts", async () => {
      await store.keys.insertSigningKey({ kid: "k1", sealedPrivateJwk: "sealed", publicJwk: "{}", createdAt: at, retiredAt: null });
      assert.equal((await store.keys.listSigningKeys()).length, 1);
      assert.equal(await store.keys.putMetaOnce("fact", "first"), "first");
      assert.equal(await store.keys.putMetaOnce("fact", "second"), "first");
    });

    test("responses: read only by their account and principal, until they expire", async () => {
      const row = {
        id: "resp_1",
        accountId: "/acct/a",
        principalId: "p1",
        createdAt: at,
        expiresAt: "2026-01-31T00:00:00.000Z",
        responseJson: '{"id":"resp_1"}',
        inputItemsJson: "[]",
        conversationJson: "[]",
      };
      await store.responses.saveMany([row, { ...row, id: "resp_2", expiresAt: "2026-01-02T00:00:00.000Z" }]);
      assert.deepEqual(await store.responses.find("/acct/a", "p1", "resp_1", at), row);
      assert.equal(await store.responses.find("/acct/a", "p2", "resp_1", at), undefined);
      assert.equal(await store.responses.find("/acct/b", "p1", "resp_1", at), undefined);
      assert.equal(await store.responses.find("/acct/a", "p1", "resp_2", "2026-01-03T00:00:00.000Z"), undefined);
      assert.equal(await store.responses.deleteExpired("2026-01-03T00:00:00.000Z"), 1);
      assert.equal(await store.responses.delete("/acct/a", "p2", "resp_1"), false);
      assert.equal(await store.responses.delete("/acct/a", "p1", "resp_1"), true);
      assert.equal(await store.responses.find("/acct/a", "p1", "resp_1", at), undefined);
    });
  });
}

/** A second connection pool on `database`'s PostgreSQL schema: another node of the same installation. */
async function sameSchema(database: Database): Promise<Database> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(database.db);
  return openDatabase(POSTGRES_URL, { schema: rows[0]!.schema });
}

describe("PostgreSQL schemas side by side", {
  skip: !dialects.includes("postgres") && "KEYLESS_TEST_DIALECTS leaves PostgreSQL out",
}, () => {
  test("installations in schemas of their own never wait for each other's change-feed turn", async () => {
    const one = await freshDatabase("postgres");
    const other = await freshDatabase("postgres");
    try {
      let release!: () => void;
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      let locked!: () => void;
      const holding = new Promise<void>((resolve) => {
        locked = resolve;
      });
      const holder = changeTransaction(one.db, async (tx) => {
        await recordChange(tx, "rbac", at, { kind: "full" }, true);
        locked();
        await released;
      });
      await holding;
      const started = performance.now();
      const written = changeTransaction(other.db, (tx) => recordChange(tx, "rbac", at, { kind: "full" }, true));
      const first = await Promise.race([written.then(() => "written"), sleep(2000).then(() => "waiting")]);
      const waited = performance.now() - started;
      release();
      await Promise.all([holder, written]);
      assert.equal(first, "written", `a write in another schema waited ${Math.round(waited)} ms for this schema's turn`);
    } finally {
      await one.close();
      await other.close();
    }
  });

  test("a fresh schema migrates while a neighbour schema on the same server already holds the migration tables", async () => {
    const neighbour = await freshDatabase("postgres");
    try {
      const fresh = await freshDatabase("postgres");
      assert.equal(await fresh.ping(), true);
      await fresh.close();
    } finally {
      await neighbour.close();
    }
  });
});
