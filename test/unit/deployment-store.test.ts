import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
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
