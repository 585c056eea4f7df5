import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { planTemplate, TemplateError } from "../../src/arm/templates/index.ts";
import { ARM_SCOPE, adminCredential, call } from "../harness/clients.ts";
import { useKeyless } from "../harness/keyless.ts";
import { recordingHost, rgContext } from "../unit/templates-helpers.ts";

const SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";

/** Each level holds the one before twice: 30 levels are a few hundred bytes of template and 2^30 values written out. */
function doublingVariables(levels: number): Record<string, string> {
  const variables: Record<string, string> = { v0: "[createArray('abcdefghij')]" };
  for (let i = 1; i <= levels; i++) variables[`v${i}`] = `[createArray(variables('v${i - 1}'), variables('v${i - 1}'))]`;
  return variables;
}

/** Plans a template whose one output is `value` and evaluates it; answers the engine's error message. */
async function outputFailure(variables: Record<string, unknown>, value: string): Promise<string> {
  const template = { $schema: SCHEMA, contentVersion: "1.0.0.0", variables, resources: [], outputs: { o: { type: "int", value } } };
  try {
    const plan = await planTemplate(template, {}, rgContext);
    await plan.outputs(recordingHost());
  } catch (error) {
    assert.ok(error instanceof TemplateError, String(error));
    return error.message;
  }
  assert.fail("the template was evaluated");
}

describe("a template cannot make the engine hold the event loop or the heap", () => {
  test("values shared by reference that grow exponentially once written out are refused by their size", async () => {
    const message = await outputFailure(doublingVariables(30), "[length(string(variables('v30')))]");
    assert.match(message, /larger than 4194304 characters when written out/);
  });

  test("a string that grows by a third at each of 40 variables (base64 of base64 …) is refused by its size", async () => {
    const variables: Record<string, string> = { v0: "[padLeft('x', 1000000, 'y')]" };
    for (let i = 1; i <= 40; i++) variables[`v${i}`] = `[base64(variables('v${i - 1}'))]`;
    assert.match(await outputFailure(variables, "[length(variables('v40'))]"), /larger than 4194304 characters/);
  });

  test("600 new copies of a large string in one call's arguments are refused before they are all built", async () => {
    const args = Array.from({ length: 600 }, (_, i) => `concat(variables('big'), '${i}')`).join(", ");
    const message = await outputFailure({ big: "[padLeft('x', 1000000, 'y')]" }, `[length(createArray(${args}))]`);
    assert.match(message, /larger than 4194304 characters/);
  });

  test("copy loops inside copy loops (800^3 values) stop at the deployment's evaluation steps", async () => {
    const nested = {
      copy: [
        {
          name: "a",
          count: 800,
          input: { copy: [{ name: "b", count: 800, input: { copy: [{ name: "c", count: 800, input: "[copyIndex('c')]" }] } }] },
        },
      ],
    };
    assert.match(await outputFailure({ v: nested }, "[length(variables('v').a)]"), /more than 250000 evaluation steps/);
  });

  test("a lambda inside a lambda over range() (10^8 calls) stops at the evaluation steps", async () => {
    const lambdas = "[length(map(range(0, 10000), lambda('x', map(range(0, 10000), lambda('y', 1)))))]";
    assert.match(await outputFailure({}, lambdas), /more than 250000 evaluation steps/);
  });

  test("a function reading a 1 MB string in a loop pays for what it reads: a step per 4 KiB of arguments", async () => {
    const scan = "[length(map(range(0, 10000), lambda('x', indexOf(variables('big'), 'zz'))))]";
    assert.match(await outputFailure({ big: "[padLeft('a', 1000000, 'b')]" }, scan), /more than 250000 evaluation steps/);
  });

  test("union and intersection of 10,000-element arrays take one pass, not a comparison of every pair", async () => {
    const plan = await planTemplate(
      {
        $schema: SCHEMA,
        contentVersion: "1.0.0.0",
        resources: [],
        outputs: {
          union: { type: "int", value: "[length(union(range(0, 10000), range(5000, 10000)))]" },
          intersection: { type: "int", value: "[length(intersection(range(0, 10000), range(5000, 10000)))]" },
          objects: {
            type: "array",
            value: "[union(createArray(createObject('A', 1, 'b', 2)), createArray(createObject('B', 2, 'a', 1)))]",
          },
        },
      },
      {},
      rgContext,
    );
    const outputs = await plan.outputs(recordingHost());
    assert.equal(outputs.union!.value, 15000);
    assert.equal(outputs.intersection!.value, 5000);
    assert.deepEqual(outputs.objects!.value, [{ A: 1, b: 2 }], "keys compare without case or order, as before");
  });

  test("an array parameter of 60,000 elements checked against 60,000 allowed values (a 700 KB request) is one pass", async () => {
    const allowed = Array.from({ length: 60_000 }, (_, i) => i);
    const template = {
      $schema: SCHEMA,
      contentVersion: "1.0.0.0",
      parameters: { p: { type: "array", allowedValues: allowed } },
      resources: [],
    };
    const plan = await planTemplate(template, { p: { value: allowed.map(() => 59_999) } }, rgContext);
    assert.equal((plan.parameters.p!.value as unknown[]).length, 60_000);
    await assert.rejects(
      planTemplate(template, { p: { value: [...allowed, 60_000] } }, rgContext),
      /The value is not part of the allowed value/,
    );
    const objects = { ...template, parameters: { p: { type: "object", allowedValues: [{ A: 1, b: [2] }] } } };
    assert.ok(await planTemplate(objects, { p: { value: { B: [2], a: 1 } } }, rgContext), "keys compare without case or order, as before");
  });

  test("template text with 30,000 values under a 30,000-character key (90 KB) is read at once", async () => {
    // V8 hashes strings of 16,384 characters or more by their length: every path under the key collided.
    const text = `{"$schema": "${SCHEMA}", "contentVersion": "1.0.0.0", "resources": [], "metadata": {"${"k".repeat(30_000)}": [${Array(30_000).fill("0").join(",")}]}}`;
    const plan = await planTemplate(text, {}, rgContext);
    assert.deepEqual(plan.resources, []);
    const faulty = `{"$schema": "${SCHEMA}", "contentVersion": "1.0.0.0", "resources": [],\n "outputs": {"${"o".repeat(2000)}": {"type": "int", "value": "[nope()]"}}}`;
    await assert.rejects(planTemplate(faulty, {}, rgContext), (error: unknown) => {
      assert.ok(error instanceof TemplateError);
      assert.match(error.message, /The template function 'nope' is not valid/);
      return true;
    });
  });

  test("objects of 10,000 keys are looked up, merged, intersected, compared and grouped in one pass, keys matched without case", async () => {
    const keyed = (prefix: string) => `[toObject(range(0, 10000), lambda('x', concat('${prefix}', string(lambdaVariables('x')))))]`;
    const plan = await planTemplate(
      {
        $schema: SCHEMA,
        contentVersion: "1.0.0.0",
        variables: { lower: keyed("k"), upper: keyed("K"), other: keyed("o") },
        resources: [],
        outputs: {
          union: { type: "int", value: "[length(union(variables('lower'), variables('other')))]" },
          intersection: { type: "int", value: "[length(intersection(variables('lower'), variables('upper')))]" },
          equals: { type: "bool", value: "[equals(variables('lower'), variables('upper'))]" },
          groups: {
            type: "int",
            value: "[length(groupBy(range(0, 10000), lambda('x', if(equals(mod(lambdaVariables('x'), 2), 0), 'even', 'EVEN'))))]",
          },
          merged: {
            type: "object",
            value: "[union(createObject('A', createObject('x', 1), 'b', 2), createObject('a', createObject('y', 3), 'B', 4))]",
          },
        },
      },
      {},
      rgContext,
    );
    const outputs = await plan.outputs(recordingHost());
    assert.equal(outputs.union!.value, 20_000);
    assert.equal(outputs.intersection!.value, 10_000);
    assert.equal(outputs.equals!.value, true);
    assert.equal(outputs.groups!.value, 1, "'EVEN' joins the group 'even', as getProperty matches it");
    assert.deepEqual(outputs.merged!.value, { A: { x: 1, y: 3 }, B: 4 });
    const lookups = await planTemplate(
      {
        $schema: SCHEMA,
        contentVersion: "1.0.0.0",
        variables: { lower: keyed("k") },
        resources: [],
        outputs: {
          found: {
            type: "int",
            value: "[length(map(range(0, 10000), lambda('x', variables('lower')[concat('K', string(lambdaVariables('x')))])))]",
          },
        },
      },
      {},
      rgContext,
    );
    assert.equal((await lookups.outputs(recordingHost())).found!.value, 10_000);
  });

  test("ordinary templates are far below the limits", async () => {
    const plan = await planTemplate(
      {
        $schema: SCHEMA,
        contentVersion: "1.0.0.0",
        variables: { ...doublingVariables(10), names: { copy: [{ name: "n", count: 800, input: "[concat('acct', copyIndex('n'))]" }] } },
        resources: [],
        outputs: {
          shared: { type: "int", value: "[length(string(variables('v10')))]" },
          names: { type: "int", value: "[length(union(variables('names').n, createArray('acct1')))]" },
          mapped: { type: "int", value: "[length(map(range(0, 10000), lambda('x', add(lambdaVariables('x'), 1))))]" },
        },
      },
      {},
      rgContext,
    );
    const outputs = await plan.outputs(recordingHost());
    assert.deepEqual(Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.value])), {
      shared: 17405,
      names: 800,
      mapped: 10000,
    });
  });
});

describe("over ARM: validating an exponential template answers 400 InvalidTemplate", () => {
  const keyless = useKeyless();
  let admin: string;
  before(async () => {
    admin = (await adminCredential(keyless.facts).getToken(ARM_SCOPE))!.token;
  });

  test("a resource name built from 2^30 shared values is refused at validation, and the server keeps answering", async () => {
    const base = `${keyless.facts.url}/subscriptions/${keyless.facts.subscriptionId}/resourceGroups`;
    assert.equal((await call("PUT", `${base}/exhaust-rg?api-version=2021-04-01`, admin, { location: "westeurope" })).status, 201);
    const template = {
      $schema: SCHEMA,
      contentVersion: "1.0.0.0",
      variables: doublingVariables(30),
      resources: [
        {
          type: "Microsoft.ManagedIdentity/userAssignedIdentities",
          apiVersion: "2023-01-31",
          name: "[concat('id', length(string(variables('v30'))))]",
          location: "westeurope",
        },
      ],
    };
    const validated = await call(
      "POST",
      `${base}/exhaust-rg/providers/Microsoft.Resources/deployments/exhaust/validate?api-version=2021-04-01`,
      admin,
      { properties: { template, mode: "Incremental" } },
    );
    assert.equal(validated.status, 400, JSON.stringify(validated.body));
    assert.equal(validated.body.error.code, "InvalidTemplate");
    assert.match(validated.body.error.message, /larger than 4194304 characters/);
    assert.equal((await call("GET", `${base}?api-version=2021-04-01`, admin)).status, 200);
  });
});
