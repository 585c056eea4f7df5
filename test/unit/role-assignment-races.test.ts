import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { deleteRoleAssignment, putRoleAssignment, type RoleAssignmentDeps } from "../../src/arm/role-assignments.ts";
import { deleteRoleDefinition, putRoleDefinition, type RoleDefinitionDeps } from "../../src/arm/role-definitions.ts";
import { BuiltInRoleIds, builtInRoles, type LivePolicy, openLivePolicy } from "../../src/authz/index.ts";
import type { WireError } from "../../src/core/errors.ts";
import { CHANGE_FEED_LOCK_SQL } from "../../src/storage/change-feed.ts";
import type { Database } from "../../src/storage/database.ts";
import { createStore, type Store } from "../../src/storage/store.ts";
import { permissiveRoleAssignmentDeps } from "../harness/role-assignment-deps.ts";
import { dialects, freshDatabase, queuedBehind } from "../harness/databases.ts";

const at = "2026-01-01T00:00:00.000Z";
const tenantId = "11111111-1111-4111-8111-111111111111";
const scope = "/subscriptions/22222222-2222-4222-8222-222222222222/resourceGroups/rg";
const account = `${scope}/providers/Microsoft.CognitiveServices/accounts/a1`;
const caller = { principalId: "33333333-3333-4333-8333-333333333333", tenantId, clientName: "admin@t.example" };
const member = "44444444-4444-4444-8444-444444444444";
const CHAT = "Microsoft.CognitiveServices/accounts/OpenAI/deployments/chat/completions/action";

for (const dialect of dialects)
  describe(`role-assignment writes racing each other on ${dialect}`, () => {
    let database: Database;
    let store: Store;
    let live: LivePolicy;
    let deps: RoleAssignmentDeps;
    before(async () => {
      database = await freshDatabase(dialect);
      store = createStore(database);
      await store.directory.insertTenant({ id: tenantId, displayName: "T", defaultDomain: "t.example", createdAt: at });
      live = await openLivePolicy({
        store: store.rbac,
        loadMembershipsPage: (after, limit) => store.directory.listGroupMembershipsPage(after, limit),
      });
      // The caller may write any assignment: what is under test is what a race leaves in storage and the policy.
      deps = permissiveRoleAssignmentDeps(store, at, (applied) => live.refresh(applied));
    });
    after(async () => database?.close());

    const chat = { principalId: member, groupIds: [], operation: { kind: "dataAction" as const, name: CHAT }, scope: account };

    /** A custom role granting chat, assignable in the subscription, for the role-definition races below. */
    const roleDeps = (): RoleDefinitionDeps => ({
      store: store.rbac,
      clock: deps.clock,
      authorize: async () => true,
      builtInRoles,
      customRolesPerTenant: 5000,
      conditionProblem: () => undefined,
      policyChanged: () => live.refresh(),
    });
    const newCustomRole = async () => {
      const guid = crypto.randomUUID();
      await putRoleDefinition(roleDeps(), caller, scope, guid, {
        roleName: `chatter ${guid}`,
        description: "",
        assignableScopes: [scope],
        permissions: [{ actions: [], notActions: [], dataActions: [CHAT], notDataActions: [] }],
      });
      return guid;
    };

    test("a custom role's delete and an assignment of it created after the delete's check: the delete is refused, no assignment names a deleted role", async () => {
      const role = await newCustomRole();
      const name = crypto.randomUUID();
      // Another administrator assigns the role after this DELETE read it and found it unassigned.
      const racing: RoleDefinitionDeps = {
        ...roleDeps(),
        store: {
          ...store.rbac,
          deleteRoleDefinition: async (...args) => {
            await putRoleAssignment(deps, caller, scope, name, { roleDefinitionId: role, principalId: member });
            return store.rbac.deleteRoleDefinition(...args);
          },
        },
      };
      await assert.rejects(deleteRoleDefinition(racing, caller, scope, role), (err: WireError) => {
        assert.equal(err.code, "RoleDefinitionHasAssignments");
        assert.equal(err.status, 409);
        return true;
      });
      assert.ok(await store.rbac.getRoleDefinition(role), "the role stays");
      assert.equal((await store.rbac.getRoleAssignment(name))?.roleDefinitionId, role);
      await live.refresh();
      assert.equal(live.authorizer.evaluate(chat).kind, "allowed", "the assignment grants what its role grants");
      await deleteRoleAssignment(deps, caller, scope, name);
      assert.ok(await deleteRoleDefinition(roleDeps(), caller, scope, role), "once unassigned, the role deletes");
      assert.equal(await store.rbac.getRoleDefinition(role), undefined);
    });

    test("an assignment of a custom role deleted after the assignment's check: refused as a role that does not exist, nothing stored", async () => {
      const role = await newCustomRole();
      const name = crypto.randomUUID();
      // The PUT found the role; before it writes, another administrator deletes the (still unassigned) role.
      const racing: RoleAssignmentDeps = {
        ...deps,
        findRole: async (guid) => {
          const found = await deps.findRole(guid);
          assert.ok(await deleteRoleDefinition(roleDeps(), caller, scope, role));
          return found;
        },
      };
      await assert.rejects(
        putRoleAssignment(racing, caller, scope, name, { roleDefinitionId: role, principalId: member }),
        (err: WireError) => {
          assert.equal(err.code, "RoleDefinitionDoesNotExist");
          return true;
        },
      );
      assert.equal(await store.rbac.getRoleAssignment(name), undefined, "no assignment names the deleted role");
      assert.equal(await store.rbac.countAssignmentsOfRole(role), 0);
    });

    test("an update whose assignment is deleted meanwhile records no change: the acknowledged revoke stays revoked", async () => {
      const name = crypto.randomUUID();
      const input = { roleDefinitionId: BuiltInRoleIds.COGNITIVE_SERVICES_OPENAI_USER, principalId: member };
      await putRoleAssignment(deps, caller, scope, name, input);
      assert.equal(live.authorizer.evaluate(chat).kind, "allowed");
      // A PUT that changes the description reads the assignment; a DELETE (another request, another node) commits
      // before the PUT writes. The PUT reads the principal's type beside the assignment: the DELETE waits for that
      // read, or the PUT could find nothing and create.
      let read = () => {};
      const assignmentRead = new Promise<void>((resolve) => {
        read = resolve;
      });
      const racing: RoleAssignmentDeps = {
        ...deps,
        store: {
          ...deps.store,
          getRoleAssignment: async (id) => {
            const found = await deps.store.getRoleAssignment(id);
            read();
            return found;
          },
        },
        findPrincipalType: async () => {
          await assignmentRead;
          const gone = await deleteRoleAssignment(deps, caller, scope, name);
          assert.ok(gone.deleted, "the delete answered 200");
          return "User";
        },
      };
      await assert.rejects(putRoleAssignment(racing, caller, scope, name, { ...input, description: "renamed" }), (err: WireError) => {
        assert.equal(err.code, "RoleAssignmentNotFound");
        return true;
      });
      assert.equal(await store.rbac.getRoleAssignment(name), undefined, "storage holds no assignment");
      await live.refresh();
      assert.equal(live.authorizer.evaluate(chat).kind, "denied", "no node's policy brings the revoked assignment back");
      // A node that starts now reads storage: it agrees.
      const fresh = await openLivePolicy({
        store: store.rbac,
        loadMembershipsPage: (after, limit) => store.directory.listGroupMembershipsPage(after, limit),
      });
      assert.equal(fresh.authorizer.evaluate(chat).kind, "denied");
    });

    test("an update authorized at one scope leaves the assignment of that name put meanwhile at another scope, and no node's policy gets the deleted one back", async () => {
      const name = crypto.randomUUID();
      const input = { roleDefinitionId: BuiltInRoleIds.COGNITIVE_SERVICES_OPENAI_USER, principalId: member };
      const elsewhere = "/subscriptions/22222222-2222-4222-8222-222222222222/resourceGroups/elsewhere";
      const other = "55555555-5555-4555-8555-555555555555";
      await putRoleAssignment(deps, caller, scope, name, input);
      // A PUT that changes the description at `scope` reads the assignment; while its check runs, the assignment is
      // revoked there and one of the same name (names are global) is put elsewhere for another principal.
      const racing: RoleAssignmentDeps = {
        ...deps,
        authorize: async (_caller, _action, at) => {
          if (at.toLowerCase() !== scope.toLowerCase()) return false;
          assert.ok((await deleteRoleAssignment(deps, caller, scope, name)).deleted);
          await putRoleAssignment(deps, caller, elsewhere, name, { ...input, principalId: other });
          return true;
        },
      };
      await assert.rejects(putRoleAssignment(racing, caller, scope, name, { ...input, description: "renamed" }), (err: WireError) => {
        assert.equal(err.code, "RoleAssignmentNotFound");
        return true;
      });
      const left = await store.rbac.getRoleAssignment(name);
      assert.equal(left?.scope, elsewhere);
      assert.equal(left?.description, null, "the assignment elsewhere is not this caller's to change");
      await live.refresh();
      assert.equal(live.authorizer.evaluate(chat).kind, "denied", "the revoked assignment stays revoked on every node");
      await putRoleAssignment(deps, caller, elsewhere, name, { ...input, principalId: other, description: "its own" });
      assert.equal((await store.rbac.getRoleAssignment(name))?.description, "its own", "an update as read still writes");
    });

    test("a delete authorized at one scope leaves the assignment of that name that another call put meanwhile at another scope", async () => {
      const name = crypto.randomUUID();
      const input = { roleDefinitionId: BuiltInRoleIds.COGNITIVE_SERVICES_OPENAI_USER, principalId: member };
      const elsewhere = "/subscriptions/22222222-2222-4222-8222-222222222222/resourceGroups/elsewhere";
      await putRoleAssignment(deps, caller, scope, name, input);
      // The caller may delete at `scope` only. While its check runs, another administrator deletes the assignment
      // there and creates one of the same name (names are global) where this caller holds nothing.
      const racing: RoleAssignmentDeps = {
        ...deps,
        authorize: async (_caller, _action, at) => {
          if (at.toLowerCase() !== scope.toLowerCase()) return false;
          assert.ok((await deleteRoleAssignment(deps, caller, scope, name)).deleted);
          await putRoleAssignment(deps, caller, elsewhere, name, input);
          return true;
        },
      };
      await deleteRoleAssignment(racing, caller, scope, name);
      const left = await store.rbac.getRoleAssignment(name);
      assert.equal(left?.scope, elsewhere, "the assignment at the scope this caller may not touch stays");
      await live.refresh();
      assert.equal(
        live.authorizer.evaluate({ ...chat, scope: `${elsewhere}/providers/Microsoft.CognitiveServices/accounts/a2` }).kind,
        "allowed",
      );
    });

    // PostgreSQL only: SQLite runs one write transaction at a time.
    if (dialect === "postgres")
      test("a custom role's delete and an assignment of it at once, in either order: never an assignment of a deleted role, no deadlock", async () => {
        for (const first of ["delete", "assign"] as const) {
          const role = await newCustomRole();
          const name = crypto.randomUUID();
          const remove = () => deleteRoleDefinition(roleDeps(), caller, scope, role);
          const assign = () => putRoleAssignment(deps, caller, scope, name, { roleDefinitionId: role, principalId: member });
          // A session holds the change feed's turn, so both writes queue for it in a known order.
          const [removed, assigned] = await database.db.connection().execute(async (holder) => {
            await sql`begin`.execute(holder);
            await sql`select ${sql.raw(CHANGE_FEED_LOCK_SQL)}`.execute(holder);
            const one = first === "delete" ? remove() : assign();
            await queuedBehind(holder, 1);
            const other = first === "delete" ? assign() : remove();
            await queuedBehind(holder, 2);
            await sql`commit`.execute(holder);
            const settled = await Promise.allSettled([one, other]);
            return first === "delete" ? settled : [settled[1]!, settled[0]!];
          });
          const stored = await store.rbac.getRoleAssignment(name);
          const roleLeft = await store.rbac.getRoleDefinition(role);
          if (first === "delete") {
            assert.equal(removed.status, "fulfilled", String((removed as PromiseRejectedResult).reason));
            assert.equal((assigned as PromiseRejectedResult).reason?.code, "RoleDefinitionDoesNotExist");
            assert.equal(stored, undefined);
            assert.equal(roleLeft, undefined);
          } else {
            assert.equal(assigned.status, "fulfilled", String((assigned as PromiseRejectedResult).reason));
            assert.equal((removed as PromiseRejectedResult).reason?.code, "RoleDefinitionHasAssignments");
            assert.equal(stored?.roleDefinitionId, role);
            assert.ok(roleLeft);
          }
        }
      });

    // PostgreSQL only: SQLite runs one write transaction at a time.
    if (dialect === "postgres")
      test("an update or a scope's deletion and a delete of one assignment at once finish: no lock-order deadlock", async () => {
        const name = crypto.randomUUID();
        const input = { roleDefinitionId: BuiltInRoleIds.COGNITIVE_SERVICES_OPENAI_USER, principalId: member };
        const created = await putRoleAssignment(deps, caller, scope, name, input);
        // A session holds the row, so the writers below queue on it in a known order: the update first, then the
        // delete. The writer that gets the row next must not then wait for the change feed's turn held by the other.
        const writes = await database.db.connection().execute(async (holder) => {
          await sql`begin`.execute(holder);
          await sql`select id from role_assignments where id = ${name} for update`.execute(holder);
          const update = putRoleAssignment(deps, caller, scope, name, { ...input, description: "renamed" });
          await queuedBehind(holder, 1);
          const remove = deleteRoleAssignment(deps, caller, scope, name);
          await queuedBehind(holder, 2);
          await sql`commit`.execute(holder);
          return Promise.allSettled([update, remove]);
        });
        const failures = writes.flatMap((w) => (w.status === "rejected" ? [String(w.reason)] : []));
        assert.deepEqual(failures, [], "both writes finish");

        // The same with a scope deleted with everything under it (a resource group's deletion) in the update's place.
        const again = crypto.randomUUID();
        await putRoleAssignment(deps, caller, scope, again, input);
        const deletions = await database.db.connection().execute(async (holder) => {
          await sql`begin`.execute(holder);
          await sql`select id from role_assignments where id = ${again} for update`.execute(holder);
          const scopeGone = store.rbac.deleteAssignmentsAtOrBelow(scope, at);
          await queuedBehind(holder, 1);
          const remove = deleteRoleAssignment(deps, caller, scope, again);
          await queuedBehind(holder, 2);
          await sql`commit`.execute(holder);
          return Promise.allSettled([scopeGone, remove]);
        });
        assert.deepEqual(
          deletions.flatMap((w) => (w.status === "rejected" ? [String(w.reason)] : [])),
          [],
          "both deletions finish",
        );
        assert.equal(created.created, true);
        assert.equal(await store.rbac.getRoleAssignment(name), undefined);
        await live.refresh();
        assert.equal(live.authorizer.evaluate(chat).kind, "denied");
      });
  });
