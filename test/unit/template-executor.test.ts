import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { newDeploymentRecord } from "../../src/arm/template-deployments/deployment-run.ts";
import { executePlan } from "../../src/arm/template-deployments/executor.ts";
import type { PlannedResource } from "../../src/arm/template-deployments/plan.ts";
import type { DeploymentStore } from "../../src/storage/deployment-store.ts";
import { planTemplate } from "../../src/arm/templates/index.ts";
import { rgContext } from "./templates-helpers.ts";

const SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";
const IDENTITY = "Microsoft.ManagedIdentity/userAssignedIdentities";

/** 400 identities (`a0`…) and 400 more (`b0`…) that depend on the whole first loop: 800 resources, 160,000 dependencies. */
const LOOP_ON_LOOP = {
  $schema: SCHEMA,
  contentVersion: "1.0.0.0",
  resources: [
    {
      type: IDENTITY,
      apiVersion: "2023-01-31",
      name: "[concat('a', copyIndex())]",
      location: "x",
      copy: { name: "aLoop", count: 400 },
    },
    {
      type: IDENTITY,
      apiVersion: "2023-01-31",
      name: "[concat('b', copyIndex())]",
      location: "x",
      copy: { name: "bLoop", count: 400 },
      dependsOn: ["aLoop"],
    },
  ],
};

/** Runs a plan against an ARM port that only records the order of its writes. */
async function runOrder(resources: readonly PlannedResource[]): Promise<string[]> {
  const written: string[] = [];
  const store = { putOperation: async () => {} } as unknown as DeploymentStore;
  const result = await executePlan(
    {
      arm: async (request) => {
        written.push(request.path.split("/").at(-1)!);
        return { status: 201, body: {} };
      },
      store,
      clock: { now: () => Date.parse("2026-12-03T00:00:00Z") },
      deploymentId: "d",
      isCanceled: async () => false,
      runNested: () => Promise.reject(new Error("no nested deployments here")),
      logFailure: (_id, err) => {
        throw err;
      },
      parallelism: 4,
    },
    resources,
  );
  assert.deepEqual(result.failures, []);
  return written;
}

describe("template deployment executor: dependencies", () => {
  test("a loop of 400 that depends on another loop of 400 starts only once that loop is written", async () => {
    const plan = await planTemplate(LOOP_ON_LOOP, {}, rgContext);
    const written = await runOrder(plan.resources);
    assert.equal(written.length, 800);
    const lastA = Math.max(...written.flatMap((name, i) => (name.startsWith("a") ? [i] : [])));
    const firstB = written.findIndex((name) => name.startsWith("b"));
    assert.ok(lastA < firstB, `b started at ${firstB} before a finished at ${lastA}`);
  });

  test("dependsOn names a resource by id, by Namespace/type/name, by symbolic name or by copy loop", async () => {
    const resource = (name: string, dependsOn: string[], extra: Partial<PlannedResource> = {}): PlannedResource => ({
      type: IDENTITY,
      apiVersion: "2023-01-31",
      name,
      resourceId: `${rgContext.resourceGroup!.id}/providers/${IDENTITY}/${name}`,
      dependsOn,
      path: `resources.${name}`,
      body: async () => ({ location: "x" }),
      ...extra,
    });
    // Declared in reverse: each one's dependency comes after it, so only resolved dependencies put them in order.
    const order = await runOrder([
      resource("e", ["loop"]),
      resource("d2", ["sym"], { copy: { name: "loop", index: 1 } }),
      resource("d1", ["sym"], { copy: { name: "loop", index: 0 } }),
      resource("c", [`${IDENTITY}/b`], { symbolicName: "sym" }),
      resource("b", [`${rgContext.resourceGroup!.id}/providers/${IDENTITY}/a`]),
      resource("a", []),
    ]);
    for (const [before, after] of [
      ["a", "b"],
      ["b", "c"],
      ["c", "d1"],
      ["c", "d2"],
      ["d1", "e"],
      ["d2", "e"],
    ] as const)
      assert.ok(order.indexOf(before) < order.indexOf(after), `${before} before ${after}: ${order.join(" ")}`);
  });

  test("the deployment record lists each resource's dependencies by id and type (800 resources, 160,000 dependencies)", async () => {
    const plan = await planTemplate(LOOP_ON_LOOP, {}, rgContext);
    const record = newDeploymentRecord(
      { principalId: "p", tenantId: rgContext.tenantId, clientName: "p" },
      {
        input: { template: LOOP_ON_LOOP, parameters: {}, mode: "Incremental", location: null, tags: {} },
        plan,
        context: rgContext,
        subscription: { id: rgContext.subscriptionId, tenantId: rgContext.tenantId, displayName: "s", state: "Enabled", createdAt: "" },
        group: undefined,
        id: `${rgContext.resourceGroup!.id}/providers/Microsoft.Resources/deployments/dep1`,
      },
      "2026-12-03T00:00:00Z",
      { provisioningState: "Succeeded", endedAt: "2026-12-03T00:00:00Z" },
    );
    const dependencies = record.dependencies as {
      resourceName: string;
      dependsOn: { id: string; resourceType?: string; resourceName?: string }[];
    }[];
    const b7 = dependencies.find((d) => d.resourceName === "b7")!;
    assert.equal(b7.dependsOn.length, 400);
    assert.deepEqual(b7.dependsOn[3], {
      id: `${rgContext.resourceGroup!.id}/providers/${IDENTITY}/a3`,
      resourceType: IDENTITY,
      resourceName: "a3",
    });
    assert.deepEqual(dependencies.find((d) => d.resourceName === "a7")!.dependsOn, []);
  });
});
