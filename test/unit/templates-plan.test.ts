import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { planTemplate, TemplateError } from "../../src/arm/templates/index.ts";
import { fixture, plan, RG_ID, recordingHost, rgContext, SUB, subContext, template } from "./templates-helpers.ts";

const ACCOUNT = `${RG_ID}/providers/Microsoft.CognitiveServices/accounts/acct`;

async function rejects(promise: Promise<unknown>, check: (e: TemplateError) => void): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof TemplateError, `expected a TemplateError, got ${String(e)}`);
    check(e);
    return true;
  });
}

describe("quickstart-style fixtures", () => {
  test("AIServices account + deployment + role assignment: ids, order, guid() name, bodies and outputs", async () => {
    const p = await planTemplate(
      fixture("ai-services-role-assignment"),
      { accountName: { value: "acct" }, principalId: { value: "pid" } },
      rgContext,
    );
    const ids = p.resources.map((r) => r.resourceId);
    const assignmentName = "e2e13c98-c9bf-5467-8c8d-49bfecc63715";
    assert.deepEqual(ids, [
      ACCOUNT,
      `${ACCOUNT}/deployments/keyless-echo`,
      `${ACCOUNT}/providers/Microsoft.Authorization/roleAssignments/${assignmentName}`,
    ]);
    assert.deepEqual(p.resources[1]!.dependsOn, [ACCOUNT]);
    assert.equal(p.resources[2]!.scope, ACCOUNT);
    assert.equal(p.resources[2]!.type, "Microsoft.Authorization/roleAssignments");
    assert.equal(p.resources[1]!.name, "acct/keyless-echo");
    const host = recordingHost({ [ACCOUNT]: { properties: { endpoint: "https://acct.example/" } } });
    assert.deepEqual(await p.resources[0]!.body(host), {
      location: "local",
      kind: "AIServices",
      sku: { name: "S0" },
      properties: { customSubDomainName: "acct", publicNetworkAccess: "Enabled", disableLocalAuth: true },
    });
    assert.deepEqual(await p.resources[2]!.body(host), {
      properties: {
        roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/a97b65f3-24c7-4388-baec-2e87135dc908`,
        principalId: "pid",
        principalType: "ServicePrincipal",
      },
    });
    const outputs = await p.outputs(host);
    assert.deepEqual(outputs.endpoint, { type: "String", value: "https://acct.example/" });
    assert.deepEqual(outputs.roleAssignmentName, { type: "String", value: assignmentName });
    assert.deepEqual(host.reads, [`reference ${ACCOUNT} 2023-05-01 false`]);
    assert.deepEqual(p.parameters.capacity, { type: "int", value: 10, secure: false });
  });

  test("the Bicep-emitted templates (languageVersion 1.0 and 2.0 symbolic) plan to the same resources", async () => {
    const params = { accountName: "acct", principalId: "pid" };
    const classic = await planTemplate(fixture("bicep-ai-services"), params, rgContext);
    const symbolic = await planTemplate(fixture("bicep-ai-services-symbolic"), params, rgContext);
    assert.deepEqual(
      classic.resources.map((r) => r.resourceId),
      symbolic.resources.map((r) => r.resourceId),
    );
    assert.deepEqual(
      symbolic.resources.map((r) => r.symbolicName),
      ["account", "deployment", "assignment"],
      "the existing role definition is not deployed",
    );
    assert.deepEqual(symbolic.resources[2]!.dependsOn, [ACCOUNT]);
    const host = recordingHost({ [ACCOUNT]: { identity: { principalId: "mi" }, properties: { endpoint: "https://e/" } } });
    assert.deepEqual(await symbolic.outputs(host), {
      endpoint: { type: "String", value: "https://e/" },
      deploymentId: { type: "String", value: `${ACCOUNT}/deployments/keyless-echo` },
    });
    assert.deepEqual((await classic.outputs(host)).principalId, { type: "String", value: "mi" });
    assert.equal(classic.template.metadata?._generator !== undefined, true);
  });

  test("a copy loop of deployments is serial: each waits for the one before", async () => {
    const p = await planTemplate(fixture("copy-deployments"), { accountName: "acct" }, rgContext);
    assert.deepEqual(
      p.resources.map((r) => [r.name, r.copy?.index, r.dependsOn.length]),
      [
        ["acct", undefined, 0],
        ["acct/echo-a", 0, 1],
        ["acct/echo-b", 1, 2],
        ["acct/echo-c", 2, 2],
      ],
    );
    assert.ok(p.resources[3]!.dependsOn.includes(`${ACCOUNT}/deployments/echo-b`));
    assert.deepEqual((await p.resources[2]!.body(recordingHost())).sku, { name: "Standard", capacity: 10 });
    assert.deepEqual((await p.outputs(recordingHost())).deploymentNames, { type: "Array", value: ["echo-a", "echo-b", "echo-c"] });
  });

  test("a resource's body is what the provider receives: none of the template's own keys, whatever their case", async () => {
    const p = await plan(
      template({
        resources: [
          {
            type: "Microsoft.CognitiveServices/accounts",
            apiVersion: "2024-10-01",
            name: "acct",
            Comments: "a note",
            condition: true,
            dependsOn: [],
            location: "local",
            tags: { team: "a" },
            properties: { customSubDomainName: "acct" },
          },
          {
            type: "Microsoft.Resources/deployments",
            apiVersion: "2022-09-01",
            name: "inner",
            subscriptionId: SUB,
            resourceGroup: "rg1",
            properties: { mode: "Incremental", template: template({}) },
          },
        ],
      }),
    );
    const host = recordingHost();
    assert.deepEqual(await p.resources[0]!.body(host), {
      location: "local",
      tags: { team: "a" },
      properties: { customSubDomainName: "acct" },
    });
    assert.deepEqual(await p.resources[1]!.body(host), { properties: { mode: "Incremental", template: template({}) } });
  });

  test("custom role + assignment at subscription scope", async () => {
    const p = await planTemplate(fixture("custom-role-assignment"), { principalId: "pid" }, subContext);
    assert.equal(p.resources.length, 2);
    assert.match(
      p.resources[0]!.resourceId,
      new RegExp(`^/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/[0-9a-f-]{36}$`),
    );
    assert.deepEqual(p.resources[1]!.dependsOn, [p.resources[0]!.resourceId]);
    const body = await p.resources[0]!.body(recordingHost());
    assert.deepEqual((body.properties as { assignableScopes: string[] }).assignableScopes, [`/subscriptions/${SUB}`]);
  });

  test("subscription scope: a resource group, then a nested deployment into it, planned by the executor with its own context", async () => {
    const p = await planTemplate(fixture("subscription-rg-nested"), { resourceGroupName: "rg2", accountName: "acct" }, subContext);
    const rgId = `/subscriptions/${SUB}/resourceGroups/rg2`;
    assert.deepEqual(
      p.resources.map((r) => r.resourceId),
      [rgId, `${rgId}/providers/Microsoft.Resources/deployments/subdep-account`],
    );
    const nested = p.resources[1]!.nestedDeployment!;
    assert.equal(nested.resourceGroup, "rg2");
    assert.equal(nested.expressionScope, "inner");
    assert.equal(nested.mode, "Incremental");
    const host = recordingHost({
      [`${rgId}/providers/Microsoft.Resources/deployments/subdep-account`]: { properties: { outputs: { accountId: { value: "ID" } } } },
    });
    const inner = await nested.plan(
      {
        ...subContext,
        scope: "resourceGroup",
        deploymentName: "subdep-account",
        resourceGroup: { name: "rg2", id: rgId, location: "local" },
      },
      host,
    );
    assert.deepEqual(
      inner.resources.map((r) => r.resourceId),
      [`${rgId}/providers/Microsoft.CognitiveServices/accounts/acct`],
    );
    assert.equal((await inner.resources[0]!.body(host)).location, "local");
    assert.deepEqual(await p.outputs(host), {
      resourceGroupId: { type: "String", value: rgId },
      accountId: { type: "String", value: "ID" },
    });
    const body = await p.resources[1]!.body(host);
    assert.equal(
      ((body.properties as Record<string, unknown>).template as { resources: unknown[] }).resources.length,
      1,
      "the nested template is handed over unevaluated",
    );
  });
});

describe("errors name the fault, with line and column when the text is given", () => {
  test("an unknown function", async () => {
    const text = `{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    {
      "type": "Microsoft.CognitiveServices/accounts",
      "apiVersion": "2023-05-01",
      "name": "[bogus('x')]"
    }
  ]
}`;
    await rejects(planTemplate(text, {}, rgContext), (e) => {
      assert.equal(e.code, "InvalidTemplate");
      assert.equal(e.target, "resources[0].name");
      assert.equal(e.line, 8);
      assert.equal(e.column, 15);
      assert.match(
        e.message,
        /^Deployment template validation failed: 'The template resource '\[bogus\('x'\)\]' at line '8' and column '15' is not valid: The template function 'bogus' is not valid\./,
      );
    });
  });

  test("a bad expression names the character position", async () => {
    await rejects(plan(template({ resources: [{ type: "Microsoft.X/y", apiVersion: "1", name: "[concat('a', ]" }] })), (e) => {
      assert.equal(e.code, "InvalidTemplate");
      assert.match(
        e.message,
        /The language expression 'concat\('a', ' is not valid: the end of the expression at position '12' is not expected/,
      );
      assert.equal(e.target, "resources[0].name");
    });
  });

  test("a missing parameter, a wrong type, a value outside allowedValues or the range", async () => {
    const t = template({
      parameters: {
        name: { type: "string" },
        count: { type: "int", minValue: 1, maxValue: 5, defaultValue: 2 },
        sku: { type: "string", allowedValues: ["S0", "S1"], defaultValue: "S0" },
      },
    });
    await rejects(plan(t, {}), (e) => assert.match(e.message, /The value for the template parameter 'name' is not provided\./));
    await rejects(plan(t, { name: "n", count: "3" }), (e) =>
      assert.match(
        e.message,
        /The provided value for the template parameter 'count' is not valid\. Expected a value of type 'Integer', but received a value of type 'String'\./,
      ),
    );
    await rejects(plan(t, { name: "n", sku: "S9" }), (e) =>
      assert.match(
        e.message,
        /The provided value 'S9' for the template parameter 'sku' is not valid\. The value is not part of the allowed value\(s\): 'S0,S1'/,
      ),
    );
    await rejects(plan(t, { name: "n", count: 6 }), (e) => assert.match(e.message, /greater than the maximum value '5'/));
    await rejects(plan(t, { name: "n", extra: 1 }), (e) =>
      assert.match(e.message, /The template parameters 'extra' in the parameters file are not valid/),
    );
  });

  test("a dependsOn cycle names the resources in it", async () => {
    const t = template({
      resources: [
        { type: "Microsoft.X/a", apiVersion: "1", name: "a", dependsOn: ["[resourceId('Microsoft.X/c', 'c')]"] },
        { type: "Microsoft.X/b", apiVersion: "1", name: "b", dependsOn: ["a"] },
        { type: "Microsoft.X/c", apiVersion: "1", name: "c", dependsOn: ["Microsoft.X/b/b"] },
        { type: "Microsoft.X/d", apiVersion: "1", name: "d" },
      ],
    });
    await rejects(plan(t), (e) => {
      assert.equal(e.code, "InvalidTemplate");
      assert.match(
        e.message,
        /Circular dependency detected on resource: '.*\/Microsoft.X\/a\/a' -> '.*\/Microsoft.X\/c\/c' -> '.*\/Microsoft.X\/b\/b' -> '.*\/Microsoft.X\/a\/a'/,
      );
    });
  });

  test("a dependsOn naming nothing in the template", async () => {
    const t = template({ resources: [{ type: "Microsoft.X/a", apiVersion: "1", name: "a", dependsOn: ["nothere"] }] });
    await rejects(plan(t), (e) => {
      assert.match(e.message, /The resource 'nothere' is not defined in the template\./);
      assert.equal(e.target, "resources[0].dependsOn");
    });
  });

  test("a Key Vault parameter reference is refused clearly", async () => {
    const t = template({ parameters: { secret: { type: "securestring" } } });
    await rejects(plan(t, { secret: { reference: { keyVault: { id: "/x" }, secretName: "s" } } }), (e) =>
      assert.match(e.message, /Key Vault references are not supported/),
    );
  });
});
