import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { CognitiveServicesManagementClient } from "@azure/arm-cognitiveservices";
import { ResourceManagementClient } from "@azure/arm-resources";
import { ARM_SCOPE, adminCredential } from "../harness/clients.ts";
import { useKeyless } from "../harness/keyless.ts";

/** The same control-plane operations through the official @azure/arm-resources and @azure/arm-cognitiveservices SDKs. */
describe("ARM through the official SDKs", () => {
  const keyless = useKeyless();
  let resources: ResourceManagementClient;
  let cognitive: CognitiveServicesManagementClient;

  before(async () => {
    const credential = adminCredential(keyless.facts);
    const { url, subscriptionId } = keyless.facts;
    resources = new ResourceManagementClient(credential, subscriptionId, { endpoint: url, credentials: { scopes: [ARM_SCOPE] } });
    cognitive = new CognitiveServicesManagementClient(credential, subscriptionId, { endpoint: url, credentialScopes: [ARM_SCOPE] });
  });

  const collect = async <T>(items: AsyncIterable<T>): Promise<T[]> => {
    const all: T[] = [];
    for await (const item of items) all.push(item);
    return all;
  };

  test("resource groups: createOrUpdate, get, update tags, list, provider metadata", async () => {
    const group = await resources.resourceGroups.createOrUpdate("sdk-rg", { location: "local", tags: { by: "sdk" } });
    assert.equal(group.name, "sdk-rg");
    assert.equal((await resources.resourceGroups.get("sdk-rg")).location, "local");
    const updated = await resources.resourceGroups.update("sdk-rg", { tags: { by: "sdk", step: "2" } });
    assert.deepEqual(updated.tags, { by: "sdk", step: "2" });
    const names = (await collect(resources.resourceGroups.list())).map((g) => g.name).sort();
    assert.deepEqual(names, ["keyless-demo", "sdk-rg"]);
    const provider = await resources.providers.get("Microsoft.CognitiveServices");
    assert.ok(provider.resourceTypes?.some((t) => t.resourceType === "accounts" && t.apiVersions?.[0] === "2025-09-01"));
  });

  test("accounts, keys and deployments through CognitiveServicesManagementClient", async () => {
    const account = await cognitive.accounts.beginCreateAndWait("sdk-rg", "sdk-ai", {
      kind: "AIServices",
      sku: { name: "S0" },
      location: "local",
      properties: { customSubDomainName: "sdk-ai" },
    });
    assert.equal(account.properties?.endpoint, `${keyless.facts.url}/accounts/sdk-ai/`);
    assert.equal(account.properties?.provisioningState, "Succeeded");
    const keys = await cognitive.accounts.listKeys("sdk-rg", "sdk-ai");
    const regenerated = await cognitive.accounts.regenerateKey("sdk-rg", "sdk-ai", "Key1");
    assert.notEqual(regenerated.key1, keys.key1);
    assert.equal(regenerated.key2, keys.key2);
    const deployment = await cognitive.deployments.beginCreateOrUpdateAndWait("sdk-rg", "sdk-ai", "echo", {
      sku: { name: "GlobalStandard", capacity: 2 },
      properties: { model: { format: "Keyless", name: "keyless-echo", version: "1" } },
    });
    assert.equal(deployment.properties?.provisioningState, "Succeeded");
    assert.deepEqual(
      (await collect(cognitive.deployments.list("sdk-rg", "sdk-ai"))).map((d) => d.name),
      ["echo"],
    );
    const rescaled = await cognitive.deployments.beginUpdateAndWait("sdk-rg", "sdk-ai", "echo", {
      sku: { name: "GlobalStandard", capacity: 7 },
    });
    assert.equal(rescaled.sku?.capacity, 7);
    assert.deepEqual(
      rescaled.properties?.rateLimits?.map((r) => r.count),
      [7, 7000],
    );
    assert.deepEqual(
      (await collect(cognitive.accounts.listByResourceGroup("sdk-rg"))).map((a) => a.name),
      ["sdk-ai"],
    );
    const generic = await resources.resources.getById(account.id!, "2025-06-01");
    assert.equal(generic.name, "sdk-ai");
    assert.deepEqual(
      (await collect(resources.resources.listByResourceGroup("sdk-rg"))).map((r) => r.name),
      ["sdk-ai"],
    );
    await cognitive.deployments.beginDeleteAndWait("sdk-rg", "sdk-ai", "echo");
    await cognitive.accounts.beginCreateAndWait("sdk-rg", "sdk-ai-2", { kind: "OpenAI", sku: { name: "S0" }, location: "local" });
    await cognitive.accounts.beginDeleteAndWait("sdk-rg", "sdk-ai-2");
    await assert.rejects(cognitive.accounts.get("sdk-rg", "sdk-ai-2"), (err: { statusCode?: number }) => err.statusCode === 404);
    assert.deepEqual(await collect(cognitive.deployments.list("sdk-rg", "sdk-ai")), []);
  });

  test("errors come back as RestError with ARM's code", async () => {
    await assert.rejects(
      cognitive.accounts.get("sdk-rg", "missing"),
      (err: { statusCode?: number; code?: string }) => err.statusCode === 404 && err.code === "ResourceNotFound",
    );
    await assert.rejects(
      cognitive.deployments.beginCreateOrUpdateAndWait("sdk-rg", "sdk-ai", "bad", {
        sku: { name: "Standard", capacity: 1 },
        properties: { model: { format: "OpenAI", name: "nope", version: "1" } },
      }),
      (err: { code?: string }) => err.code === "DeploymentModelNotSupported",
    );
  });

  test("resource group delete is a long-running operation the SDK polls to completion", async () => {
    await resources.resourceGroups.delete("sdk-rg").pollUntilDone();
    await assert.rejects(resources.resourceGroups.get("sdk-rg"), (err: { statusCode?: number }) => err.statusCode === 404);
    assert.deepEqual(
      (await collect(resources.resources.list())).map((r) => r.name),
      ["keyless-demo"],
    );
  });
});
