import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { findRoleDefinition } from "../../src/arm/role-definitions.ts";
import { ASSIGNMENTS_PER_SUBSCRIPTION, putRoleAssignment, type RoleAssignmentDeps } from "../../src/arm/role-assignments.ts";
import { BuiltInRoleIds, builtInRoles } from "../../src/authz/index.ts";
import type { WireError } from "../../src/core/errors.ts";
import type { Database } from "../../src/storage/database.ts";
import { createStore, type Store } from "../../src/storage/store.ts";
import { freshDatabase } from "../harness/databases.ts";

const at = "2026-01-01T00:00:00.000Z";
const tenantId = "11111111-1111-4111-8111-111111111111";
const subscriptionId = "22222222-2222-4222-8222-222222222222";
const caller = { principalId: "33333333-3333-4333-8333-333333333333", tenantId, clientName: "admin@t.example" };

describe("role assignment limit per subscription", () => {
  let database: Database;
  let store: Store;
  let deps: RoleAssignmentDeps;
  before(async () => {
    database = await freshDatabase("sqlite");
    store = createStore(database);
    await store.directory.insertTenant({ id: tenantId, displayName: "T", defaultDomain: "t.example", createdAt: at });
    deps = {
      store: store.rbac,
      clock: { now: () => Date.parse(at) },
      // The caller is an administrator here; what is under test is the limit, not the authorization.
      authorize: async () => true,
      findRole: (guid) => findRoleDefinition({ store: store.rbac, builtInRoles }, guid),
      groupsOf: () => [],
      findPrincipalType: async () => "User",
      conditionProblem: () => undefined,
      policyChanged: async () => undefined,
    };
  });
  after(async () => database?.close());

  test(`refuses the ${ASSIGNMENTS_PER_SUBSCRIPTION + 1}th assignment in a subscription with RoleAssignmentLimitExceeded, and writes nothing`, async () => {
    const rows = Array.from({ length: ASSIGNMENTS_PER_SUBSCRIPTION }, (_, i) => ({
      id: `ra-${i}`,
      tenant_id: tenantId,
      scope: `/subscriptions/${subscriptionId}/resourceGroups/rg-${i % 40}`,
      scope_key: `/subscriptions/${subscriptionId}/resourcegroups/rg-${i % 40}`,
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
    const elsewhere = await putRoleAssignment(
      deps,
      caller,
      "/subscriptions/55555555-5555-4555-8555-555555555555",
      crypto.randomUUID(),
      input,
    );
    assert.equal(elsewhere.created, true, "another subscription has its own limit");
  });
});
