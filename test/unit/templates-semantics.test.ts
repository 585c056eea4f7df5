import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { planTemplate, TemplateError } from "../../src/arm/templates/index.ts";
import { plan, RG_ID, recordingHost, rgContext, SUB, subContext, template } from "./templates-helpers.ts";

const X = (type: string, name: string) => `${RG_ID}/providers/Microsoft.X/${type}/${name}`;

async function rejects(promise: Promise<unknown>, pattern: RegExp, code = "InvalidTemplate"): Promise<TemplateError> {
  let caught: TemplateError | undefined;
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof TemplateError, String(e));
    assert.equal(e.code, code);
    assert.match(e.message, pattern);
    caught = e;
    return true;
  });
  return caught!;
}

describe("conditions and copy loops", () => {
  test("a false condition leaves the resource out and drops dependsOn entries naming it", async () => {
    const p = await plan(
      template({
        parameters: { make: { type: "bool", defaultValue: false } },
        resources: [
          { condition: "[parameters('make')]", type: "Microsoft.X/a", apiVersion: "1", name: "a" },
          { type: "Microsoft.X/b", apiVersion: "1", name: "b", dependsOn: ["[resourceId('Microsoft.X/a', 'a')]"] },
        ],
      }),
    );
    assert.deepEqual(
      p.resources.map((r) => [r.name, r.dependsOn]),
      [["b", []]],
    );
    const both = await plan(template({ resources: [{ condition: "[equals(1, 1)]", type: "Microsoft.X/a", apiVersion: "1", name: "a" }] }));
    assert.equal(both.resources.length, 1);
    await rejects(
      plan(template({ resources: [{ condition: "yes", type: "Microsoft.X/a", apiVersion: "1", name: "a" }] })),
      /'condition' must evaluate to a boolean/,
    );
  });

  test("parallel copy with copyIndex(offset) and copyIndex('loop'); dependsOn a loop's name waits for every instance", async () => {
    const p = await plan(
      template({
        resources: [
          {
            type: "Microsoft.X/a",
            apiVersion: "1",
            name: "[concat('a', copyIndex(1))]",
            copy: { name: "loopA", count: 3 },
            properties: { i: "[copyIndex('loopA')]" },
          },
          { type: "Microsoft.X/b", apiVersion: "1", name: "b", dependsOn: ["loopA"] },
        ],
      }),
    );
    assert.deepEqual(
      p.resources.map((r) => r.name),
      ["a1", "a2", "a3", "b"],
    );
    assert.deepEqual(p.resources[1]!.dependsOn, [], "parallel instances do not wait for each other");
    assert.deepEqual(p.resources[3]!.dependsOn, [X("a", "a1"), X("a", "a2"), X("a", "a3")]);
    assert.deepEqual(p.resources[1]!.copy, { name: "loopA", index: 1 });
    assert.deepEqual(await p.resources[1]!.body(recordingHost()), { properties: { i: 1 } });
  });

  test("serial copy with batchSize waits batch by batch; a zero count deploys nothing", async () => {
    const p = await plan(
      template({
        resources: [
          {
            type: "Microsoft.X/a",
            apiVersion: "1",
            name: "[string(copyIndex())]",
            copy: { name: "l", count: 5, mode: "serial", batchSize: 2 },
          },
        ],
      }),
    );
    assert.deepEqual(
      p.resources.map((r) => r.dependsOn.map((d) => d.split("/").pop())),
      [[], [], ["0", "1"], ["0", "1"], ["2", "3"]],
    );
    const none = await plan(
      template({ resources: [{ type: "Microsoft.X/a", apiVersion: "1", name: "[string(copyIndex())]", copy: { name: "l", count: 0 } }] }),
    );
    assert.equal(none.resources.length, 0);
  });

  test("property copy, variable copy and output copy", async () => {
    const p = await plan(
      template({
        variables: {
          copy: [{ name: "names", count: 3, input: "[concat('n', copyIndex('names'))]" }],
          obj: { copy: [{ name: "items", count: 2, input: { i: "[copyIndex('items')]" } }] },
        },
        resources: [
          {
            type: "Microsoft.X/a",
            apiVersion: "1",
            name: "a",
            properties: {
              copy: [{ name: "rules", count: "[length(variables('names'))]", input: { name: "[variables('names')[copyIndex('rules')]]" } }],
              other: 1,
            },
          },
        ],
        outputs: {
          names: { type: "array", copy: { count: 2, input: "[variables('names')[copyIndex()]]" } },
          obj: { type: "object", value: "[variables('obj')]" },
          skipped: { type: "string", condition: "[equals(1, 2)]", value: "x" },
        },
      }),
    );
    assert.deepEqual(await p.resources[0]!.body(recordingHost()), {
      properties: { rules: [{ name: "n0" }, { name: "n1" }, { name: "n2" }], other: 1 },
    });
    assert.deepEqual(await p.outputs(recordingHost()), {
      names: { type: "Array", value: ["n0", "n1"] },
      obj: { type: "Object", value: { items: [{ i: 0 }, { i: 1 }] } },
    });
  });

  test("nested child resources take their parent's type and name and wait for it", async () => {
    const p = await plan(
      template({
        resources: [
          {
            type: "Microsoft.CognitiveServices/accounts",
            apiVersion: "2023-05-01",
            name: "acct",
            resources: [{ type: "deployments", apiVersion: "2023-05-01", name: "dep", properties: { x: 1 } }],
          },
        ],
      }),
    );
    const acct = `${RG_ID}/providers/Microsoft.CognitiveServices/accounts/acct`;
    assert.deepEqual(
      p.resources.map((r) => [r.type, r.name, r.resourceId, r.dependsOn]),
      [
        ["Microsoft.CognitiveServices/accounts", "acct", acct, []],
        ["Microsoft.CognitiveServices/accounts/deployments", "acct/dep", `${acct}/deployments/dep`, [acct]],
      ],
    );
    assert.deepEqual(
      await p.resources[1]!.body(recordingHost()),
      { properties: { x: 1 } },
      "the parent's nested resources are not part of its body",
    );
    assert.deepEqual(await p.resources[0]!.body(recordingHost()), {});
  });
});

describe("dependencies", () => {
  test("implicit dependencies from reference() and listKeys() of a resource of the template, by name or id", async () => {
    const p = await plan(
      template({
        resources: [
          {
            type: "Microsoft.X/c",
            apiVersion: "1",
            name: "c",
            properties: { fromA: "[reference('a').x]", keys: "[listKeys(resourceId('Microsoft.X/b', 'b'), '1').key1]" },
          },
          { type: "Microsoft.X/a", apiVersion: "1", name: "a", properties: { x: 1 } },
          { type: "Microsoft.X/b", apiVersion: "1", name: "b" },
        ],
      }),
    );
    assert.deepEqual(
      p.resources.map((r) => r.name),
      ["a", "b", "c"],
    );
    assert.deepEqual(p.resources[2]!.dependsOn.sort(), [X("a", "a"), X("b", "b")]);
    const host = recordingHost({ [X("a", "a")]: { properties: { x: "A" } }, [X("b", "b")]: { properties: {} } });
    assert.deepEqual(await p.resources[2]!.body(host), { properties: { fromA: "A", keys: "k1" } });
    assert.deepEqual(
      host.reads,
      [`reference ${X("a", "a")} 1 false`, `listKeys ${X("b", "b")} 1`],
      "reference() of a template resource uses its apiVersion",
    );
  });

  test("languageVersion 2.0: dependsOn and reference() by symbolic name, copy loops by name, existing resources", async () => {
    const p = await plan(
      template({
        languageVersion: "2.0",
        resources: {
          later: {
            type: "Microsoft.X/b",
            apiVersion: "1",
            name: "b",
            properties: { v: "[reference('first').v]", id: "[resourceInfo('old').id]" },
            dependsOn: ["many"],
          },
          many: { type: "Microsoft.X/m", apiVersion: "1", name: "[format('m{0}', copyIndex())]", copy: { name: "many", count: 2 } },
          first: { type: "Microsoft.X/a", apiVersion: "1", name: "a" },
          old: { existing: true, type: "Microsoft.X/o", apiVersion: "1", name: "o" },
          user: {
            type: "Microsoft.X/u",
            apiVersion: "1",
            name: "u",
            properties: { o: "[reference('old').p]", m: "[reference('many[1]').q]" },
          },
        },
      }),
    );
    assert.deepEqual(
      p.resources.map((r) => r.symbolicName),
      ["many", "many", "first", "later", "user"],
      "among the ready resources, the one declared first goes next",
    );
    assert.deepEqual(p.resources[3]!.dependsOn.sort(), [X("a", "a"), X("m", "m0"), X("m", "m1")]);
    assert.deepEqual(p.resources[4]!.dependsOn, [X("m", "m1")], "no dependency on an existing resource");
    const host = recordingHost({
      [X("a", "a")]: { properties: { v: 5 } },
      [X("o", "o")]: { properties: { p: "P" } },
      [X("m", "m1")]: { properties: { q: "Q" } },
    });
    assert.deepEqual(await p.resources[3]!.body(host), { properties: { v: 5, id: X("o", "o") } });
    assert.deepEqual(await p.resources[4]!.body(host), { properties: { o: "P", m: "Q" } });
  });

  test("two resources with the same id are refused", async () => {
    await rejects(
      plan(
        template({
          resources: [
            { type: "Microsoft.X/a", apiVersion: "1", name: "same" },
            { type: "Microsoft.X/a", apiVersion: "1", name: "SAME" },
          ],
        }),
      ),
      /is defined multiple times in a template/,
    );
  });

  test("scope: an absolute id or Namespace/type/name; the id is under the scope and the resource waits for its target", async () => {
    const p = await plan(
      template({
        resources: [
          {
            type: "Microsoft.Authorization/roleAssignments",
            apiVersion: "2022-04-01",
            name: "g1",
            scope: "Microsoft.X/a/a",
            properties: {},
          },
          {
            type: "Microsoft.Authorization/roleAssignments",
            apiVersion: "2022-04-01",
            name: "g2",
            scope: `/subscriptions/${SUB}`,
            properties: {},
          },
          { type: "Microsoft.X/a", apiVersion: "1", name: "a" },
        ],
      }),
    );
    assert.deepEqual(
      p.resources.map((r) => r.resourceId),
      [
        `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleAssignments/g2`,
        X("a", "a"),
        `${X("a", "a")}/providers/Microsoft.Authorization/roleAssignments/g1`,
      ],
    );
    assert.equal(p.resources[2]!.scope, X("a", "a"));
    assert.deepEqual(p.resources[2]!.dependsOn, [X("a", "a")]);
  });

  test("reference() is refused where ARM refuses it: names, conditions, copy counts, variables", async () => {
    await rejects(
      plan(template({ resources: [{ type: "Microsoft.X/a", apiVersion: "1", name: "[reference('/x').n]" }] })),
      /'reference' is not expected at this location/,
    );
    await rejects(
      plan(
        template({
          variables: { v: "[reference('/x')]" },
          resources: [{ type: "Microsoft.X/a", apiVersion: "1", name: "[variables('v')]" }],
        }),
      ),
      /'reference' is not expected at this location/,
    );
  });
});

describe("parameters and variables", () => {
  test("defaults may use other parameters (in any order), resourceGroup(), utcNow() and newGuid(); cycles are refused", async () => {
    const p = await plan(
      template({
        parameters: {
          full: { type: "string", defaultValue: "[concat(parameters('prefix'), '-', resourceGroup().name)]" },
          prefix: { type: "string", defaultValue: "p" },
          stamp: { type: "string", defaultValue: "[utcNow('u')]" },
          id: { type: "string", defaultValue: "[newGuid()]" },
          list: { type: "array", defaultValue: [1, 2], minLength: 1, maxLength: 3 },
        },
      }),
    );
    assert.equal(p.parameters.full!.value, "p-rg1");
    assert.equal(p.parameters.stamp!.value, "2026-12-03 06:07:08Z");
    assert.match(String(p.parameters.id!.value), /^[0-9a-f-]{36}$/);
    await rejects(
      plan(
        template({
          parameters: {
            a: { type: "string", defaultValue: "[parameters('b')]" },
            b: { type: "string", defaultValue: "[parameters('a')]" },
          },
        }),
      ),
      /refers to itself/,
    );
    await rejects(plan(template({ parameters: { a: { type: "strin" } } })), /the type 'strin' is not one of/);
    await rejects(
      plan(template({ parameters: { s: { type: "string", minLength: 3 } } }), { s: "ab" }),
      /length 2 is less than the minimum length '3'/,
    );
    await rejects(
      plan(template({ parameters: { a: { type: "array", allowedValues: ["x", "y"] } } }), { a: ["x", "z"] }),
      /The provided value 'z' for the template parameter 'a' is not valid/,
    );
  });

  test("a variable cycle is refused, naming the variable; an unknown function in an unused variable is refused up front", async () => {
    await rejects(
      plan(
        template({
          variables: { a: "[variables('b')]", b: "[variables('a')]" },
          resources: [{ type: "Microsoft.X/a", apiVersion: "1", name: "[variables('a')]" }],
        }),
      ),
      /The template variable '(a|b)' is not valid: The template variable '(a|b)' refers to itself, through a cycle of variables/,
    );
    await rejects(
      plan(template({ variables: { g: "[newGuidNever()]" } })),
      /The template variable 'g' is not valid: The template function 'newGuidNever' is not valid/,
    );
  });

  test("user-defined functions", async () => {
    const p = await plan(
      template({
        functions: [
          {
            namespace: "kl",
            members: {
              name: {
                parameters: [{ name: "prefix", type: "string" }],
                output: { type: "string", value: "[concat(parameters('prefix'), '-x')]" },
              },
            },
          },
        ],
        outputs: { o: { type: "string", value: "[kl.name('p')]" } },
      }),
    );
    assert.deepEqual((await p.outputs(recordingHost())).o, { type: "String", value: "p-x" });
  });
});

describe("secure parameters never leak", () => {
  const SECRET = "s3cr3t-value-123";

  test("flagged in the plan, absent from secure outputs, hidden in error messages", async () => {
    const p = await plan(
      template({
        parameters: { pw: { type: "securestring" }, obj: { type: "secureObject", defaultValue: { k: "another-secret" } } },
        resources: [
          { type: "Microsoft.X/a", apiVersion: "1", name: "a", properties: { bad: "[format(concat(parameters('pw'), '{9}'))]" } },
        ],
        outputs: { pw: { type: "securestring", value: "[parameters('pw')]" } },
      }),
      { pw: SECRET },
    );
    assert.equal(p.parameters.pw!.secure, true);
    assert.equal(p.parameters.obj!.secure, true);
    assert.deepEqual(await p.outputs(recordingHost()), { pw: { type: "SecureString" } });
    await assert.rejects(p.resources[0]!.body(recordingHost()), (e: unknown) => {
      assert.ok(e instanceof TemplateError);
      assert.equal(e.code, "InvalidTemplateDeployment");
      assert.ok(!e.message.includes(SECRET), e.message);
      assert.match(e.message, /\*\*\*/);
      return true;
    });
  });

  test("an output that is not secure may not return a secure parameter, even through a variable", async () => {
    const e = await rejects(
      plan(
        template({
          parameters: { pw: { type: "securestring" } },
          variables: { v: "[concat('x', parameters('pw'))]" },
          outputs: { leak: { type: "string", value: "[variables('v')]" } },
        }),
        { pw: SECRET },
      ),
      /The output would return the secure parameter 'pw'/,
    );
    assert.ok(!e.message.includes(SECRET));
  });

  test("allowedValues and type errors never show a secure value", async () => {
    const e = await rejects(
      plan(template({ parameters: { pw: { type: "securestring", allowedValues: ["a-long-allowed"] } } }), { pw: SECRET }),
      /is not part of the allowed value/,
    );
    assert.ok(!e.message.includes(SECRET) && !e.message.includes("a-long-allowed"), e.message);
  });
});

describe("template shape, scopes, nested deployments and limits", () => {
  test("schema and languageVersion are checked; unknown top-level properties are refused", async () => {
    const sub = "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#";
    await rejects(plan({ $schema: sub, contentVersion: "1.0.0.0" }), /is for subscription-scope deployments/);
    assert.ok(await plan({ $schema: sub, contentVersion: "1.0.0.0" }, {}, subContext));
    await rejects(plan({ $schema: "https://example.com/x.json#" }), /is not supported/);
    await rejects(plan(template({ languageVersion: "3.0" })), /language version '3.0' is not supported/);
    await rejects(plan(template({ resourcez: [] })), /The template property 'resourcez' is not allowed/);
    await rejects(planTemplate("[1, 2]", {}, rgContext), /must be a JSON object/);
  });

  test("resource names must fit their type; at subscription scope ids are subscription-level", async () => {
    await rejects(
      plan(template({ resources: [{ type: "Microsoft.X/a/b", apiVersion: "1", name: "only" }] })),
      /has incorrect segment lengths/,
    );
    const p = await plan(
      template({ resources: [{ type: "Microsoft.Authorization/roleDefinitions", apiVersion: "1", name: "r" }] }),
      {},
      subContext,
    );
    assert.equal(p.resources[0]!.resourceId, `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/r`);
    await rejects(
      plan(template({ resources: [{ type: "Microsoft.X/a", apiVersion: "1", name: "a", resourceGroup: "other" }] })),
      /Only 'Microsoft.Resources\/deployments' resources may name/,
    );
  });

  test("an outer-scope nested deployment sees the parent's parameters and variables; linked templates are refused", async () => {
    const p = await plan(
      template({
        parameters: { n: { type: "string", defaultValue: "inner-acct" } },
        variables: { loc: "local" },
        resources: [
          {
            type: "Microsoft.Resources/deployments",
            apiVersion: "2022-09-01",
            name: "nested",
            properties: {
              mode: "Incremental",
              template: {
                $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
                contentVersion: "1.0.0.0",
                resources: [{ type: "Microsoft.X/a", apiVersion: "1", name: "[parameters('n')]", location: "[variables('loc')]" }],
              },
            },
          },
        ],
      }),
    );
    const nested = p.resources[0]!.nestedDeployment!;
    assert.equal(nested.expressionScope, "outer");
    assert.equal(nested.resourceGroup, "rg1");
    const inner = await nested.plan(rgContext, recordingHost());
    assert.equal(inner.resources[0]!.name, "inner-acct");
    assert.deepEqual(await inner.resources[0]!.body(recordingHost()), { location: "local" });
    await rejects(
      plan(
        template({
          resources: [
            { type: "Microsoft.Resources/deployments", apiVersion: "1", name: "n", properties: { templateLink: { uri: "https://x" } } },
          ],
        }),
      ),
      /Linked templates \('templateLink'\) are not supported/,
    );
  });

  test("a fault found while deploying is InvalidTemplateDeployment naming the resource and the property path", async () => {
    const t = `{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    { "type": "Microsoft.X/a", "apiVersion": "1", "name": "a" },
    { "type": "Microsoft.X/b", "apiVersion": "1", "name": "b",
      "properties": { "v": "[reference('a').missing]" } }
  ]
}`;
    const p = await planTemplate(t, {}, rgContext);
    await assert.rejects(p.resources[1]!.body(recordingHost({ [X("a", "a")]: { properties: { there: 1 } } })), (e: unknown) => {
      assert.ok(e instanceof TemplateError);
      assert.equal(e.code, "InvalidTemplateDeployment");
      assert.equal(e.target, "resources[1].properties.v");
      assert.equal(e.line, 7);
      assert.match(
        e.message,
        /^Unable to process template language expressions for resource '.*\/Microsoft.X\/b\/b' at line '7' and column '28'\. 'The language expression property 'missing' doesn't exist, available properties are 'there'\.'$/,
      );
      return true;
    });
  });

  test("limits: copy count, resources, outputs, template size, expression length", async () => {
    await rejects(
      plan(
        template({
          resources: [{ type: "Microsoft.X/a", apiVersion: "1", name: "[string(copyIndex())]", copy: { name: "l", count: 801 } }],
        }),
      ),
      /The copy count '801' exceeds the limit of '800'/,
    );
    await rejects(
      plan(
        template({
          resources: [
            { type: "Microsoft.X/a", apiVersion: "1", name: "[string(copyIndex())]", copy: { name: "l", count: 800 } },
            { type: "Microsoft.X/b", apiVersion: "1", name: "b" },
          ],
        }),
      ),
      /The number of template resources '801' exceeds the limit of '800'/,
    );
    const outputs = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`o${i}`, { type: "int", value: i }]));
    await rejects(plan(template({ outputs })), /The number of template outputs '65' exceeds the limit of '64'/);
    await rejects(
      planTemplate(template({ metadata: { pad: "x".repeat(200) } }), {}, rgContext, { limits: { maxTemplateBytes: 100 } }),
      /larger than the limit of '100' bytes/,
    );
    await rejects(
      plan(template({ outputs: { o: { type: "string", value: `[concat('${"a".repeat(25_000)}')]` } } })),
      /exceeds the limit of '24576' characters/,
    );
  });
});
