import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { accountKeyAuthority, listAccountKeys, regenerateAccountKey } from "../../src/arm/account-keys.ts";
import { putAccount } from "../../src/arm/accounts.ts";
import type { ArmCaller } from "../../src/arm/arm-caller.ts";
import type { ArmDeps, ManagedIdentityDirectory } from "../../src/arm/arm-deps.ts";
import { resourceFilter } from "../../src/arm/generic-resources.ts";
import { deleteResourceGroup, putResourceGroup } from "../../src/arm/resource-groups.ts";
import {
  deleteIdentity,
  getIdentity,
  listIdentities,
  listWorkloadEnvironment,
  putIdentity,
} from "../../src/arm/user-assigned-identities.ts";
import { createActivityLog, parseEventFilter } from "../../src/audit/activity-log.ts";
import { WireError } from "../../src/core/errors.ts";
import { createSealedBox } from "../../src/core/sealed-box.ts";
import type { Database } from "../../src/storage/database.ts";
import { createStore, type Store } from "../../src/storage/store.ts";
import { dialects, freshDatabase } from "../harness/databases.ts";

const tenantId = "11111111-1111-4111-8111-111111111111";
const subscriptionId = "22222222-2222-4222-8222-222222222222";
const caller: ArmCaller = { principalId: "33333333-3333-4333-8333-333333333333", tenantId, clientName: "op@t.example" };
const clock = { now: () => Date.parse("2026-03-01T10:00:00.000Z") };

/** The directory side of managed identities as the contract says: it keeps what it created until deleted. */
function recordingDirectory(): ManagedIdentityDirectory & { live: Map<string, { clientId: string; principalId: string }> } {
  const live = new Map<string, { clientId: string; principalId: string }>();
  return {
    live,
    async create({ resourceId }) {
      const entry = { clientId: crypto.randomUUID(), principalId: crypto.randomUUID() };
      live.set(resourceId.toLowerCase(), entry);
      return entry;
    },
    async delete(resourceId) {
      live.delete(resourceId.toLowerCase());
    },
    async workloadEnvironment(resourceId, origin) {
      const entry = live.get(resourceId.toLowerCase());
      if (!entry) throw new Error(`no identity ${resourceId}`);
      return {
        appService: [`IDENTITY_ENDPOINT=${origin}/managed-identity/app-service`, `IDENTITY_HEADER=${entry.clientId}`],
        imds: [],
        azureCli: [],
      };
    },
    async rotateSecret(resourceId) {
      if (!live.has(resourceId.toLowerCase())) throw new Error(`no identity ${resourceId}`);
    },
  };
}

const code = (name: string) => (err: unknown) => err instanceof WireError && err.code === name;

for (const dialect of dialects) {
  describe(`ARM providers over storage on ${dialect}`, () => {
    let database: Database;
    let store: Store;
    let deps: ArmDeps;
    let directory: ReturnType<typeof recordingDirectory>;
    const denied = new Set<string>();

    before(async () => {
      database = await freshDatabase(dialect);
      store = createStore(database);
      await store.directory.insertTenant({
        id: tenantId,
        displayName: "T",
        defaultDomain: "t.example",
        createdAt: "2026-01-01T00:00:00.000Z",
      });
      await store.resources.insertSubscription({
        id: subscriptionId,
        tenantId,
        displayName: "S",
        state: "Enabled",
        createdAt: "2026-01-01T00:00:00.000Z",
      });
      directory = recordingDirectory();
      deps = {
        resources: store.resources,
        arm: store.arm,
        clock,
        box: createSealedBox(randomBytes(32)),
        authorize: async (_caller, action) => !denied.has(action),
        models: {
          list: () => [
            {
              format: "Keyless",
              name: "keyless-echo",
              version: "1",
              backend: "builtin",
              lifecycleStatus: "GenerallyAvailable",
              isDefaultVersion: true,
              deprecationDate: undefined,
              skus: undefined,
            },
          ],
        },
        managedIdentities: directory,
        scopeDeleted: async () => {},
        grantOwner: async () => {},
        isGlobalAdministrator: async () => false,
      };
      await putResourceGroup(deps, caller, subscriptionId, "rg", { location: "local" });
    });
    after(async () => database?.close());

    test("account keys are sealed at rest, found by digest, and a regenerated key stops verifying", async () => {
      const created = await putAccount(
        deps,
        caller,
        { subscriptionId, resourceGroup: "rg", name: "acct" },
        { kind: "OpenAI", sku: { name: "S0" }, location: "local" },
        "https://h",
      );
      const accountId = created.body.id;
      const keys = await listAccountKeys(deps, caller, accountId);
      const stored = await store.arm.listAccountKeys(accountId);
      assert.equal(stored.length, 2);
      for (const k of stored) {
        assert.ok(!k.sealedKey.includes(keys.key1!) && !k.sealedKey.includes(keys.key2!), "plaintext never stored");
        assert.notEqual(k.digest, keys.key1);
      }
      const authority = accountKeyAuthority(deps);
      assert.equal(await authority.verifyAccountKey(accountId, keys.key1!), true);
      assert.equal(await authority.verifyAccountKey(accountId.toUpperCase(), keys.key2!), true);
      assert.equal(await authority.verifyAccountKey(accountId, "not-a-key"), false);
      assert.equal(await authority.verifyAccountKey(`${accountId}x`, keys.key1!), false);
      await regenerateAccountKey(deps, caller, accountId, { keyName: "Key1" });
      assert.equal(await authority.verifyAccountKey(accountId, keys.key1!), false);
      assert.equal(await authority.verifyAccountKey(accountId, keys.key2!), true);
      assert.equal(await authority.localAuthDisabled(accountId), false);
    });

    test("two creates of one account name race: exactly one wins, the other is CustomDomainInUse with nothing stored", async () => {
      const body = { kind: "OpenAI", sku: { name: "S0" }, location: "local" };
      await putResourceGroup(deps, caller, subscriptionId, "rg2", { location: "local" });
      const results = await Promise.allSettled([
        putAccount(deps, caller, { subscriptionId, resourceGroup: "rg", name: "racer" }, body, "https://h"),
        putAccount(deps, caller, { subscriptionId, resourceGroup: "rg2", name: "racer" }, body, "https://h"),
      ]);
      assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
      const lost = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
      assert.ok(code("CustomDomainInUse")(lost.reason));
      assert.equal((await store.resources.findResourcesByName("Microsoft.CognitiveServices/accounts", "racer")).length, 1);
      await deleteResourceGroup(deps, caller, subscriptionId, "rg2");
    });

    test("user-assigned identity: the directory's ids on the resource; delete removes both; refused writes change nothing", async () => {
      const address = { subscriptionId, resourceGroup: "rg", name: "app-identity" };
      const created = await putIdentity(deps, caller, address, { location: "local", tags: { a: "b" } });
      assert.equal(created.created, true);
      const entry = directory.live.get(created.body.id.toLowerCase())!;
      assert.deepEqual(created.body.properties, { tenantId, principalId: entry.principalId, clientId: entry.clientId });
      assert.equal((await putIdentity(deps, caller, address, { location: "local", tags: { a: "c" } })).created, false);
      assert.equal(directory.live.size, 1);
      assert.deepEqual((await getIdentity(deps, caller, address)).tags, { a: "c" });
      assert.equal((await listIdentities(deps, caller, subscriptionId, "rg")).value.length, 1);
      await assert.rejects(putIdentity(deps, caller, { ...address, name: "x" }, { location: "local" }), code("InvalidResourceName"));
      denied.add("Microsoft.ManagedIdentity/userAssignedIdentities/write");
      await assert.rejects(putIdentity(deps, caller, { ...address, name: "other" }, { location: "local" }), code("AuthorizationFailed"));
      denied.clear();
      assert.equal(directory.live.size, 1);
      const lines = await listWorkloadEnvironment(deps, caller, address, "https://h");
      assert.deepEqual(lines.appService, ["IDENTITY_ENDPOINT=https://h/managed-identity/app-service", `IDENTITY_HEADER=${entry.clientId}`]);
      denied.add("Microsoft.ManagedIdentity/userAssignedIdentities/listWorkloadEnvironment/action");
      await assert.rejects(listWorkloadEnvironment(deps, caller, address, "https://h"), code("AuthorizationFailed"));
      denied.clear();
      await assert.rejects(listWorkloadEnvironment(deps, caller, { ...address, name: "absent" }, "https://h"), code("ResourceNotFound"));
      assert.equal(await deleteIdentity(deps, caller, address), true);
      assert.equal(directory.live.size, 0);
      await assert.rejects(getIdentity(deps, caller, address), code("ResourceNotFound"));
    });

    test("without a managed identity directory, identity writes answer 501 and store nothing", async () => {
      const without = { ...deps, managedIdentities: undefined };
      await assert.rejects(
        putIdentity(without, caller, { subscriptionId, resourceGroup: "rg", name: "nope-id" }, { location: "local" }),
        code("ManagedIdentitiesUnavailable"),
      );
      assert.equal((await listIdentities(deps, caller, subscriptionId, "rg")).value.length, 0);
    });

    test("a group delete refused for one member's delete permission removes nothing; allowed, it removes identities from the directory too", async () => {
      await putIdentity(deps, caller, { subscriptionId, resourceGroup: "rg", name: "in-group" }, { location: "local" });
      denied.add("Microsoft.CognitiveServices/accounts/delete");
      await assert.rejects(deleteResourceGroup(deps, caller, subscriptionId, "rg"), code("AuthorizationFailed"));
      denied.clear();
      assert.equal(directory.live.size, 1);
      assert.ok(await store.resources.getResource(`/subscriptions/${subscriptionId}/resourceGroups/rg`));
      await deleteResourceGroup(deps, caller, subscriptionId, "rg");
      assert.equal(directory.live.size, 0);
      assert.deepEqual(await store.arm.listResourcesOfSubscription(subscriptionId), []);
      assert.deepEqual(
        await store.arm.listAccountKeys(
          `/subscriptions/${subscriptionId}/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/acct`,
        ),
        [],
      );
    });

    test("activity log lists the events of a time window, newest first", async () => {
      let now = Date.parse("2026-03-01T10:00:00.000Z");
      const log = createActivityLog(store.activity, { now: () => now });
      const entry = {
        subscriptionId,
        caller: "op",
        principalId: caller.principalId,
        operationName: "X/write",
        httpMethod: "PUT",
        resourceId: "/subscriptions/s/x",
        correlationId: "c",
      };
      await log.record({ ...entry, statusCode: 201, correlationId: "first" });
      now += 60_000;
      await log.record({ ...entry, statusCode: 403, correlationId: "second" });
      const all = await log.list(subscriptionId, "eventTimestamp ge '2026-03-01T09:00:00Z'");
      assert.deepEqual(
        all.map((e) => [e.correlationId, e.status]),
        [
          ["second", "Failed"],
          ["first", "Succeeded"],
        ],
      );
      const window = await log.list(
        subscriptionId,
        "eventTimestamp ge '2026-03-01T09:00:00Z' and eventTimestamp le '2026-03-01T10:00:30Z'",
      );
      assert.deepEqual(
        window.map((e) => e.correlationId),
        ["first"],
      );
      const failed = await log.list(subscriptionId, "eventTimestamp ge '2026-03-01T09:00:00Z' and status eq 'Failed'");
      assert.deepEqual(
        failed.map((e) => e.correlationId),
        ["second"],
      );
    });
  });
}

describe("ARM filters", () => {
  test("event filter needs a start time and accepts only eventTimestamp clauses", () => {
    assert.deepEqual(parseEventFilter("eventTimestamp ge '2026-01-01T00:00:00Z'", clock), {
      from: "2026-01-01T00:00:00.000Z",
      to: "2026-03-01T10:00:00.000Z",
      where: {},
    });
    // As az 2.45 sends it: unquoted, no zone (UTC), microseconds, plus an eq clause.
    assert.deepEqual(
      parseEventFilter(
        "eventTimestamp ge 2026-01-01T00:00:00.123456 and eventTimestamp le 2026-01-02T00:00:00 and resourceGroupName eq 'RG'",
        clock,
      ),
      {
        from: "2026-01-01T00:00:00.123Z",
        to: "2026-01-02T00:00:00.000Z",
        where: { resourceGroupName: "rg" },
      },
    );
    assert.throws(() => parseEventFilter(undefined, clock));
    assert.throws(() => parseEventFilter("eventTimestamp le '2026-01-01'", clock));
    assert.throws(() => parseEventFilter("eventTimestamp ge 'yesterday'", clock));
    assert.throws(() => parseEventFilter("resourceGroupName eq 'x'", clock));
    assert.throws(() => parseEventFilter("eventTimestamp ge '2026-01-01' and level eq 'x'", clock));
  });

  test("resource filter matches az's clauses case-insensitively and refuses others", () => {
    const r = {
      id: "/x",
      type: "Microsoft.CognitiveServices/accounts",
      name: "Acct",
      subscriptionId,
      resourceGroup: "RG",
      parentKey: null,
      location: "local",
      kind: null,
      sku: null,
      tags: { Team: "ML" },
      properties: {},
      createdAt: "",
      createdBy: null,
      updatedAt: "",
    };
    assert.equal(resourceFilter("resourceGroup eq 'rg' and resourceType eq 'microsoft.cognitiveservices/accounts'")(r), true);
    assert.equal(resourceFilter("name eq 'other'")(r), false);
    assert.equal(resourceFilter("tagName eq 'team' and tagValue eq 'ml'")(r), true);
    assert.equal(resourceFilter("tagName eq 'team' and tagValue eq 'x'")(r), false);
    assert.equal(resourceFilter(undefined)(r), true);
    assert.throws(() => resourceFilter("substringof('a', name)"), code("InvalidFilter"));
  });
});
