import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createActivityLog } from "../../src/audit/activity-log.ts";
import { BuiltInRoleIds } from "../../src/authz/index.ts";
import { armInProcess } from "../../src/http/arm/in-process.ts";
import type { Services } from "../../src/http/services.ts";
import type { Database } from "../../src/storage/database.ts";
import { createStore, type Store } from "../../src/storage/store.ts";
import { dialects, freshDatabase } from "../harness/databases.ts";
import { permissiveRoleAssignmentDeps } from "../harness/role-assignment-deps.ts";

const at = "2026-01-01T00:00:00.000Z";
const tenantId = "11111111-1111-4111-8111-111111111111";
const subscriptionId = "22222222-2222-4222-8222-222222222222";
const scope = `/subscriptions/${subscriptionId}/resourceGroups/rg`;
const caller = { principalId: "33333333-3333-4333-8333-333333333333", tenantId, clientName: "admin@t.example" };
const member = "44444444-4444-4444-8444-444444444444";

for (const dialect of dialects)
  describe(`the activity log of ARM writes on ${dialect}`, () => {
    let database: Database;
    let store: Store;
    before(async () => {
      database = await freshDatabase(dialect);
      store = createStore(database);
      await store.directory.insertTenant({ id: tenantId, displayName: "T", defaultDomain: "t.example", createdAt: at });
    });
    after(async () => database?.close());

    /** ARM in process over the store, as a template deployment calls it; `services` replaces what a test varies. */
    const arm = (services: Partial<Services>) =>
      armInProcess(
        {
          policyCurrent: () => undefined,
          activityLog: createActivityLog(store.activity, { now: () => Date.parse(at) }),
          resourcesChanged: async () => undefined,
          ...services,
        } as Services,
        caller,
        "https://keyless.test",
        crypto.randomUUID(),
      );
    const logged = async (name: string) =>
      (await store.activity.list(subscriptionId, at, at))
        .filter((e) => e.resourceId.endsWith(name))
        .map((e) => `${e.httpMethod} ${e.statusCode}`)
        .sort();

    test("a role-assignment write whose change this node fails to make current after the commit has one entry", async () => {
      const refreshFails = permissiveRoleAssignmentDeps(store, at, async () => {
        throw new Error("the policy refresh failed");
      });
      const port = arm({ roleAssignments: refreshFails });
      const name = crypto.randomUUID();
      const path = `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`;
      const body = { properties: { roleDefinitionId: BuiltInRoleIds.COGNITIVE_SERVICES_USER, principalId: member } };
      await assert.rejects(port({ method: "PUT", path, apiVersion: "2022-04-01", body }), /the policy refresh failed/);
      assert.ok(await store.rbac.getRoleAssignment(name), "the write committed");
      assert.deepEqual(await logged(name), ["PUT 201"], "one entry, the write's own");
      await assert.rejects(port({ method: "DELETE", path, apiVersion: "2022-04-01" }), /the policy refresh failed/);
      assert.equal(await store.rbac.getRoleAssignment(name), undefined, "the delete committed");
      assert.deepEqual(await logged(name), ["DELETE 200", "PUT 201"]);
    });
  });
