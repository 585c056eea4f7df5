import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { ABANDONED_AFTER_MS, failAbandonedRuns } from "../../src/arm/template-deployments/deployment-leases.ts";
import { nowIso } from "../../src/core/clock.ts";
import type { Database } from "../../src/storage/database.ts";
import type { TemplateDeploymentRecord } from "../../src/storage/deployment-store.ts";
import { createStore, type Store } from "../../src/storage/store.ts";
import { dialects, freshDatabase, queuedBehind } from "../harness/databases.ts";

const at = "2026-01-01T00:00:00.000Z";
const sub = "22222222-2222-4222-8222-222222222222";

function deployment(name: string, group: string | null, overrides: Partial<TemplateDeploymentRecord> = {}): TemplateDeploymentRecord {
  const scope = group === null ? `/subscriptions/${sub}` : `/subscriptions/${sub}/resourceGroups/${group}`;
  return {
    id: `${scope}/providers/Microsoft.Resources/deployments/${name}`,
    name,
    subscriptionId: sub,
    resourceGroup: group,
    location: group === null ? "westeurope" : null,
    tags: {},
    runId: "run-1",
    provisioningState: "Accepted",
    mode: "Incremental",
    template: { resources: [] },
    templateHash: "1",
    parameters: { secret: { type: "SecureString" } },
    outputs: null,
    outputResources: [],
    dependencies: [],
    error: null,
    correlationId: "c",
    createdBy: "p",
    startedAt: at,
    updatedAt: at,
    endedAt: null,
    ...overrides,
  };
}

for (const dialect of dialects) {
  describe(`template deployment store on ${dialect}`, () => {
    let database: Database;
    let store: Store;
    before(async () => {
      database = await freshDatabase(dialect);
      store = createStore(database);
    });
    after(() => database.close());

    test("a deployment is stored, listed by scope, and counted while active", async () => {
      await store.deployments.putDeployment(deployment("main", "RG-One"));
      await store.deployments.putDeployment(deployment("sub", null, { provisioningState: "Running" }));
      const got = await store.deployments.getDeployment(
        `/subscriptions/${sub}/resourcegroups/rg-one/providers/Microsoft.Resources/deployments/MAIN`,
      );
      assert.equal(got?.name, "main");
      assert.deepEqual(got?.parameters, { secret: { type: "SecureString" } });
      assert.deepEqual(
        (await store.deployments.listDeployments(sub, "rg-one")).map((d) => d.name),
        ["main"],
      );
      assert.deepEqual(
        (await store.deployments.listDeployments(sub, null)).map((d) => d.name),
        ["sub"],
      );
      assert.equal(await store.deployments.countActive(sub), 2);
    });

    test("a run's update applies only while it is the current run; a new run drops the old operations", async () => {
      const d = deployment("runs", "rg-one");
      await store.deployments.putDeployment(d);
      await store.deployments.putOperation({
        deploymentId: d.id,
        operationId: "OP1",
        seq: 0,
        provisioningOperation: "Create",
        provisioningState: "Succeeded",
        targetId: "/x",
        targetType: "T/t",
        targetName: "x",
        apiVersion: "2024-10-01",
        statusCode: "Created",
        statusMessage: null,
        startedAt: at,
        endedAt: at,
      });
      assert.equal((await store.deployments.listOperations(d.id)).length, 1);
      assert.equal(await store.deployments.updateRun(d.id, "other-run", { provisioningState: "Succeeded" }), false);
      assert.equal(await store.deployments.updateRun(d.id, "run-1", { provisioningState: "Failed", error: { code: "X" } }), true);
      assert.deepEqual((await store.deployments.getDeployment(d.id))?.error, { code: "X" });
      await store.deployments.putDeployment({ ...d, runId: "run-2" });
      assert.equal((await store.deployments.listOperations(d.id)).length, 0);
      assert.equal(await store.deployments.deleteDeployment(d.id), true);
      assert.equal(await store.deployments.getDeployment(d.id), undefined);
    });

    /** Sets a run's last touch `ms` ago. The database runs on this machine: its clock is this process's. */
    const touchedAgo = (d: TemplateDeploymentRecord, ms: number) =>
      database.db
        .updateTable("template_deployments")
        .set({ updated_at: new Date(Date.now() - ms).toISOString() })
        .where("id_key", "=", d.id.toLowerCase())
        .execute();

    test("a run that stopped touching its deployment is failed by the sweep; live and finished runs are left", async () => {
      const stopped = deployment("stopped", "rg-leases", { provisioningState: "Running" });
      const accepted = deployment("accepted", "rg-leases");
      const live = deployment("live", "rg-leases", { provisioningState: "Running" });
      const done = deployment("done", "rg-leases", { provisioningState: "Succeeded", endedAt: at });
      const activeBefore = await store.deployments.countActive(sub);
      for (const d of [stopped, accepted, live, done]) await store.deployments.putDeployment(d);
      for (const d of [stopped, accepted, done]) await touchedAgo(d, ABANDONED_AFTER_MS + 60_000);
      // The live run's heartbeat touched it a while ago: inside ABANDONED_AFTER_MS.
      await touchedAgo(live, ABANDONED_AFTER_MS / 2);
      const clock = { now: () => Date.parse(at) };

      assert.equal(await failAbandonedRuns(store.deployments, clock), 2);
      assert.equal(await store.deployments.countActive(sub), activeBefore + 1, "the live run keeps its place in the concurrency limit");
      const after = Object.fromEntries((await store.deployments.listDeployments(sub, "rg-leases")).map((d) => [d.name, d]));
      for (const name of ["stopped", "accepted"]) {
        assert.equal(after[name]!.provisioningState, "Failed", name);
        assert.equal(after[name]!.endedAt, at);
        const error = after[name]!.error as { code: string; details: { code: string; message: string }[] };
        assert.equal(error.code, "DeploymentFailed");
        assert.equal(error.details[0]!.code, "DeploymentInterrupted");
        assert.match(error.details[0]!.message, /deploy the template again/);
      }
      assert.equal(after.live!.provisioningState, "Running");
      assert.equal(after.done!.provisioningState, "Succeeded");
      assert.ok(ABANDONED_AFTER_MS > 60_000 / 2 && ABANDONED_AFTER_MS <= 2 * 60_000);
      assert.equal(await failAbandonedRuns(store.deployments, clock), 0, "a second sweep finds nothing more");
    });

    test("runs are judged by the database's clock: nodes whose clocks are minutes apart fail none of each other's live runs", async () => {
      const nodeClock = (minutes: number) => ({ now: () => Date.now() + minutes * 60_000 });
      const started = (minutes: number) => nowIso(nodeClock(minutes));
      // Runs started by a node 5 minutes behind and by one 5 minutes ahead; the first has also begun running.
      const behind = deployment("behind", "rg-clocks", { startedAt: started(-5), updatedAt: started(-5) });
      const ahead = deployment("ahead", "rg-clocks", { startedAt: started(5), updatedAt: started(5) });
      for (const d of [behind, ahead]) await store.deployments.putDeployment(d);
      assert.ok(await store.deployments.updateRun(behind.id, behind.runId, { provisioningState: "Running" }));
      for (const minutes of [5, -5, 0]) await failAbandonedRuns(store.deployments, nodeClock(minutes));
      const states = async () =>
        Object.fromEntries((await store.deployments.listDeployments(sub, "rg-clocks")).map((d) => [d.name, d.provisioningState]));
      assert.deepEqual(await states(), { behind: "Running", ahead: "Accepted" });
      // Untouched for longer than ABANDONED_AFTER_MS by the database's clock: failed, whichever node looks.
      await touchedAgo(ahead, ABANDONED_AFTER_MS + 1000);
      assert.equal(await failAbandonedRuns(store.deployments, nodeClock(-5)), 1);
      assert.deepEqual(await states(), { behind: "Running", ahead: "Failed" });
    });

    test("what-if results are kept for their caller and expire", async () => {
      await store.deployments.insertResult({
        id: "r1",
        subscriptionId: sub,
        principalId: "p",
        body: { status: "Succeeded" },
        createdAt: at,
      });
      assert.deepEqual((await store.deployments.getResult("r1"))?.body, { status: "Succeeded" });
      await store.deployments.deleteResultsBefore("2026-01-02T00:00:00.000Z");
      assert.equal(await store.deployments.getResult("r1"), undefined);
    });

    test("a scope's history is kept at its limit: the oldest finished deployments make room, never a running one; all running refuses", async () => {
      const limit = { historyLimit: 3 };
      const names = async () => (await store.deployments.listDeployments(sub, "history")).map((d) => d.name).sort();
      const finished = { provisioningState: "Succeeded", endedAt: at };
      const put = (name: string, minute: number, overrides: Partial<TemplateDeploymentRecord> = {}) =>
        store.deployments.putDeployment(
          deployment(name, "history", { startedAt: `2026-01-01T00:${String(minute).padStart(2, "0")}:00.000Z`, ...overrides }),
          limit,
        );
      await put("running-oldest", 0, { provisioningState: "Running" });
      await put("old", 1, finished);
      await put("newer", 2, { provisioningState: "Failed", endedAt: at });
      await store.deployments.putOperation({
        deploymentId: deployment("old", "history").id,
        operationId: "OP1",
        seq: 0,
        provisioningOperation: "Create",
        provisioningState: "Succeeded",
        targetId: "/x",
        targetType: "T/t",
        targetName: "x",
        apiVersion: "2024-01-01",
        statusCode: "OK",
        statusMessage: null,
        startedAt: at,
        endedAt: at,
      });
      // Another scope's deployments neither count nor go.
      await store.deployments.putDeployment(deployment("elsewhere", null, finished), limit);

      assert.deepEqual(await put("fourth", 3), { stored: true, deleted: 1 });
      assert.deepEqual(await names(), ["fourth", "newer", "running-oldest"], "the oldest finished one went, not the older running one");
      assert.deepEqual(await store.deployments.listOperations(deployment("old", "history").id), [], "with its operations");
      assert.deepEqual(await put("fifth", 4, { provisioningState: "Accepted" }), { stored: true, deleted: 1 });
      assert.deepEqual(await names(), ["fifth", "fourth", "running-oldest"]);
      // A new run of a name in the history replaces it: no room needed.
      assert.deepEqual(await put("fourth", 5, { provisioningState: "Running" }), { stored: true, deleted: 0 });
      assert.deepEqual(await put("sixth", 6), { stored: false, limit: "history", count: 3 }, "every one is accepted or running");
      assert.deepEqual(await names(), ["fifth", "fourth", "running-oldest"], "a refused create changes nothing");
      assert.ok((await store.deployments.listDeployments(sub, null)).some((d) => d.name === "elsewhere"));
    });

    // Another subscription: the concurrency limit counts a subscription's accepted and running deployments.
    const otherSub = "33333333-3333-4333-8333-333333333333";
    const inOtherSub = (name: string, group: string | null, overrides: Partial<TemplateDeploymentRecord> = {}) => {
      const d = deployment(name, group, overrides);
      return { ...d, subscriptionId: otherSub, id: d.id.replace(sub, otherSub) };
    };

    test("a subscription's accepted and running deployments stay within the concurrency limit; finished ones free a place", async () => {
      const limit = { concurrencyLimit: 2 };
      assert.deepEqual(await store.deployments.putDeployment(inOtherSub("a", "rg-a"), limit), { stored: true, deleted: 0 });
      assert.deepEqual(await store.deployments.putDeployment(inOtherSub("b", null, { provisioningState: "Running" }), limit), {
        stored: true,
        deleted: 0,
      });
      assert.deepEqual(await store.deployments.putDeployment(inOtherSub("c", "rg-c"), limit), {
        stored: false,
        limit: "concurrency",
        count: 2,
      });
      assert.equal(await store.deployments.getDeployment(inOtherSub("c", "rg-c").id), undefined, "a refused create writes nothing");
      await store.deployments.putDeployment(inOtherSub("a", "rg-a", { provisioningState: "Succeeded", endedAt: at }));
      assert.equal((await store.deployments.putDeployment(inOtherSub("c", "rg-c"), limit)).stored, true);
    });

    // PostgreSQL only: SQLite runs one write transaction at a time.
    if (dialect === "postgres")
      test("deployments created at once in one subscription on several connections never pass its concurrency limit", async () => {
        const concurrent = "44444444-4444-4444-8444-444444444444";
        const limit = { concurrencyLimit: 2, historyLimit: 800 };
        // A session holds the table against writes, so the creations (each at its own resource group, under its own
        // history lock) start together when it lets go.
        const results = await database.db.connection().execute(async (holder) => {
          await sql`begin`.execute(holder);
          await sql`lock table template_deployments in exclusive mode`.execute(holder);
          const creations = Array.from({ length: 4 }, (_, i) => {
            const d = deployment(`at-once-${i}`, `rg-${i}`);
            return store.deployments.putDeployment({ ...d, subscriptionId: concurrent, id: d.id.replace(sub, concurrent) }, limit);
          });
          await queuedBehind(holder, 4);
          await sql`commit`.execute(holder);
          return Promise.all(creations);
        });
        assert.equal(results.filter((r) => r.stored).length, 2, JSON.stringify(results));
        assert.equal(await store.deployments.countActive(concurrent), 2);
      });

    // PostgreSQL only: SQLite runs one write transaction at a time.
    if (dialect === "postgres")
      test("deployments created at once at one scope on several connections never leave more than its limit", async () => {
        const limit = { historyLimit: 4 };
        const at = (i: number) => `2026-01-01T01:00:${String(i).padStart(2, "0")}.000Z`;
        for (let i = 0; i < 4; i++)
          await store.deployments.putDeployment(
            deployment(`full-${i}`, "at-once", { provisioningState: "Succeeded", endedAt: at(i), startedAt: at(i) }),
            limit,
          );
        // A session holds the table against writes, so the creations start together when it lets go.
        const results = await database.db.connection().execute(async (holder) => {
          await sql`begin`.execute(holder);
          await sql`lock table template_deployments in exclusive mode`.execute(holder);
          const creations = Array.from({ length: 4 }, (_, i) =>
            store.deployments.putDeployment(deployment(`new-${i}`, "at-once", { startedAt: at(10 + i) }), limit),
          );
          await queuedBehind(holder, 4);
          await sql`commit`.execute(holder);
          return Promise.all(creations);
        });
        assert.ok(results.every((r) => r.stored));
        assert.deepEqual((await store.deployments.listDeployments(sub, "at-once")).map((d) => d.name).sort(), [
          "new-0",
          "new-1",
          "new-2",
          "new-3",
        ]);
      });
  });
}
