import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ABANDONED_AFTER_MS, failAbandonedRuns } from "../../src/arm/template-deployments/deployment-leases.ts";
import type { Database } from "../../src/storage/database.ts";
import type { TemplateDeploymentRecord } from "../../src/storage/deployment-store.ts";
import { createStore, type Store } from "../../src/storage/store.ts";
import { dialects, freshDatabase } from "../harness/databases.ts";

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

    test("a run that stopped touching its deployment is failed by the sweep; live and finished runs are left", async () => {
      const minute = (m: number) => new Date(Date.parse(at) + m * 60_000).toISOString();
      const stopped = deployment("stopped", "rg-leases", { provisioningState: "Running", updatedAt: minute(0) });
      const accepted = deployment("accepted", "rg-leases", { updatedAt: minute(0) });
      const live = deployment("live", "rg-leases", { provisioningState: "Running", updatedAt: minute(0) });
      const done = deployment("done", "rg-leases", { provisioningState: "Succeeded", updatedAt: minute(0), endedAt: minute(0) });
      // The earlier tests left active deployments with old timestamps: the sweep fails those too.
      const othersActive = await store.deployments.countActive(sub);
      for (const d of [stopped, accepted, live, done]) await store.deployments.putDeployment(d);
      const clock = { now: () => Date.parse(minute(2)) };
      // The live run's heartbeat touched it a minute ago: inside ABANDONED_AFTER_MS.
      await store.deployments.updateRun(live.id, live.runId, { updatedAt: minute(1) });

      assert.equal(await failAbandonedRuns(store.deployments, clock), othersActive + 2);
      assert.equal(await store.deployments.countActive(sub), 1, "the live run keeps its place in the concurrency limit");
      const after = Object.fromEntries((await store.deployments.listDeployments(sub, "rg-leases")).map((d) => [d.name, d]));
      for (const name of ["stopped", "accepted"]) {
        assert.equal(after[name]!.provisioningState, "Failed", name);
        assert.equal(after[name]!.endedAt, minute(2));
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
  });
}
