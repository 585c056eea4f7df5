import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FUNCTION_NAMES, TemplateError } from "../../src/arm/templates/index.ts";
import { evalExpression as ev, RG_ID, recordingHost, SUB, subContext } from "./templates-helpers.ts";
import { readFileSync } from "node:fs";
import { join } from "node:path";

async function fails(expression: string, pattern: RegExp, options: Parameters<typeof ev>[1] = {}): Promise<void> {
  await assert.rejects(ev(expression, options), (e: unknown) => {
    assert.ok(e instanceof TemplateError, String(e));
    assert.match(e.message, pattern);
    return true;
  });
}

describe("string functions", () => {
  test("concat, format, toLower/toUpper, trim, replace, split, join", async () => {
    assert.equal(await ev("[concat('a', 'b', 1, true())]"), "ab1True");
    assert.deepEqual(await ev("[concat(createArray(1, 2), createArray(3), null())]"), [1, 2, 3]);
    assert.equal(await ev("[format('{0}-{1}-{0}', 'a', 2)]"), "a-2-a");
    assert.equal(await ev("[format('{{literal}} {0,5}|{0,-5}|{1:D3}|{1:x}', 'ab', 10)]"), "{literal}    ab|ab   |010|a");
    await fails("[format('{2}', 'a')]", /refers to argument 2/);
    await fails("[format('{0', 'a')]", /is not valid/);
    assert.equal(await ev("[toLower('AbC')]"), "abc");
    assert.equal(await ev("[toUpper('AbC')]"), "ABC");
    assert.equal(await ev("[trim('  x y  ')]"), "x y");
    assert.equal(await ev("[replace('a-b-c', '-', '')]"), "abc");
    assert.deepEqual(await ev("[split('a,b;c', createArray(',', ';'))]"), ["a", "b", "c"]);
    assert.deepEqual(await ev("[split('a,,b', ',')]"), ["a", "", "b"]);
    assert.equal(await ev("[join(createArray('a', 1, true()), '+')]"), "a+1+True");
  });

  test("substring, indexOf/lastIndexOf/startsWith/endsWith (case-insensitive), padLeft, take, skip, first, last", async () => {
    assert.equal(await ev("[substring('hello', 1, 3)]"), "ell");
    assert.equal(await ev("[substring('hello', 2)]"), "llo");
    await fails("[substring('hello', 4, 3)]", /out of range/);
    await fails("[substring('hello', -1)]", /out of range/);
    assert.equal(await ev("[indexOf('abcABC', 'BC')]"), 1);
    assert.equal(await ev("[lastIndexOf('abcABC', 'bc')]"), 4);
    assert.equal(await ev("[indexOf('abc', 'z')]"), -1);
    assert.equal(await ev("[indexOf(createArray('a', 'b'), 'b')]"), 1);
    assert.equal(await ev("[startsWith('Hello', 'he')]"), true);
    assert.equal(await ev("[endsWith('Hello', 'LO')]"), true);
    assert.equal(await ev("[padLeft('7', 3, '0')]"), "007");
    assert.equal(await ev("[padLeft(7, 3)]"), "  7");
    assert.equal(await ev("[take('hello', 2)]"), "he");
    assert.deepEqual(await ev("[take(createArray(1, 2, 3), 5)]"), [1, 2, 3]);
    assert.equal(await ev("[skip('hello', 3)]"), "lo");
    assert.deepEqual(await ev("[skip(createArray(1, 2, 3), -1)]"), [1, 2, 3]);
    assert.equal(await ev("[first('abc')]"), "a");
    assert.equal(await ev("[last(createArray(1, 2))]"), 2);
    assert.equal(await ev("[first(createArray())]"), null);
  });

  test("string, json, base64, uri, uriComponent, dataUri", async () => {
    assert.equal(await ev("[string(createObject('a', 1, 'b', createArray(true())))]"), '{"a":1,"b":[true]}');
    assert.equal(await ev("[string(5)]"), "5");
    assert.equal(await ev("[string(false())]"), "False");
    assert.deepEqual(await ev("[json('{\"a\": [1, null]}')]"), { a: [1, null] });
    assert.equal(await ev("[json('null')]"), null);
    await fails("[json('{')]", /not valid JSON/);
    assert.equal(await ev("[base64('one, two')]"), "b25lLCB0d28=");
    assert.equal(await ev("[base64ToString('b25lLCB0d28=')]"), "one, two");
    assert.deepEqual(await ev("[base64ToJson(base64('{\"x\":1}'))]"), { x: 1 });
    await fails("[base64ToString('***')]", /not valid base64/);
    assert.equal(await ev("[uri('https://example.com/a/b', 'c?d=1')]"), "https://example.com/a/c?d=1");
    await fails("[uri('relative', 'x')]", /not an absolute URI/);
    assert.equal(await ev("[uriComponent('a b&c')]"), "a%20b%26c");
    assert.equal(await ev("[uriComponentToString('a%20b')]"), "a b");
    assert.equal(await ev("[dataUriToString(dataUri('Hello'))]"), "Hello");
  });

  test("guid and uniqueString are deterministic and ARM's", async () => {
    assert.equal(await ev("[guid('a', 'b', 'c')]"), "a98fa280-e03f-5afa-8d8e-92d0a9c201e8");
    assert.equal(await ev("[uniqueString('test')]"), "rbgf3xv4ufgzg");
    assert.equal(await ev("[uniqueString('test', 'test2', 'test3')]"), "bqgd334z2uj64");
    assert.match(String(await ev("[uniqueString(resourceGroup().id)]")), /^[a-z2-7]{13}$/);
    await fails("[guid(1)]", /expects its parameter to be of type 'String'/);
  });

  test("dateTimeFromEpoch and dateTimeToEpoch", async () => {
    assert.equal(await ev("[dateTimeFromEpoch(1683040573)]"), "2023-05-02T15:16:13Z");
    assert.equal(await ev("[dateTimeToEpoch('2023-05-02T15:16:13Z')]"), 1683040573);
    assert.equal(await ev("[dateTimeToEpoch(dateTimeFromEpoch(0))]"), 0);
    await fails("[dateTimeToEpoch('yesterday')]", /not an ISO 8601 date and time/);
  });

  test("utcNow and newGuid only in parameter defaults", async () => {
    await fails("[utcNow()]", /'utcNow' is not expected at this location/);
    await fails("[newGuid()]", /'newGuid' is not expected at this location/);
  });
});

describe("array, object, logical, comparison and numeric functions", () => {
  test("length, empty, contains (strings case-sensitive, object keys not), union, intersection", async () => {
    assert.equal(await ev("[length('abc')]"), 3);
    assert.equal(await ev("[length(createArray(1, 2))]"), 2);
    assert.equal(await ev("[length(createObject('a', 1))]"), 1);
    for (const e of ["''", "createArray()", "createObject()", "null()"]) assert.equal(await ev(`[empty(${e})]`), true, e);
    assert.equal(await ev("[empty('x')]"), false);
    assert.equal(await ev("[contains('OneTwo', 'Two')]"), true);
    assert.equal(await ev("[contains('OneTwo', 'two')]"), false);
    assert.equal(await ev("[contains(createObject('Key', 1), 'key')]"), true);
    assert.equal(await ev("[contains(createArray(createObject('a', 1)), createObject('a', 1))]"), true);
    assert.deepEqual(await ev("[union(createArray(1, 2), createArray(2, 3))]"), [1, 2, 3]);
    assert.deepEqual(
      await ev("[union(createObject('a', createObject('x', 1), 'b', 1), createObject('a', createObject('y', 2), 'b', 2))]"),
      {
        a: { x: 1, y: 2 },
        b: 2,
      },
    );
    assert.deepEqual(await ev("[intersection(createArray(1, 2, 3), createArray(3, 2, 9))]"), [2, 3]);
    assert.deepEqual(await ev("[intersection(createObject('a', 1, 'b', 2), createObject('a', 1, 'b', 3))]"), { a: 1 });
    await fails("[union(createArray(1), createObject())]", /all its parameters to be arrays or all to be objects/);
  });

  test("createArray, createObject, array, range, items, objectKeys, coalesce, tryGetProperty", async () => {
    assert.deepEqual(await ev("[createArray('a', 1, createArray())]"), ["a", 1, []]);
    await fails("[createObject('a')]", /even number/);
    assert.deepEqual(await ev("[array('x')]"), ["x"]);
    assert.deepEqual(await ev("[array(createArray(1))]"), [1]);
    assert.deepEqual(await ev("[range(5, 3)]"), [5, 6, 7]);
    await fails("[range(0, 100000)]", /above the limit of 10000/);
    assert.deepEqual(await ev("[items(createObject('b', 2, 'a', 1))]"), [
      { key: "a", value: 1 },
      { key: "b", value: 2 },
    ]);
    assert.deepEqual(await ev("[objectKeys(createObject('b', 2, 'a', 1))]"), ["b", "a"]);
    assert.equal(await ev("[coalesce(null(), null(), 'x', 'y')]"), "x");
    assert.equal(await ev("[tryGetProperty(createObject('a', createObject('b', 1)), 'a', 'b')]"), 1);
    assert.equal(await ev("[tryGetProperty(createObject('a', 1), 'z')]"), null);
  });

  test("if evaluates only the branch taken; and/or short-circuit; not; comparisons", async () => {
    assert.equal(await ev("[if(equals(1, 1), 'yes', json('{'))]"), "yes");
    await fails("[if(true(), 'yes', bogusNeverCalled())]", /The template function 'bogusNeverCalled' is not valid/);
    assert.equal(await ev("[if(false(), json('{'), 'no')]"), "no");
    assert.equal(await ev("[and(true(), true(), false())]"), false);
    assert.equal(await ev("[or(true(), json('{'))]"), true);
    assert.equal(await ev("[not(false())]"), true);
    await fails("[not('x')]", /expects its parameter to be of type 'Boolean'/);
    assert.equal(await ev("[equals('a', 'A')]"), false, "equals is case-sensitive");
    assert.equal(await ev("[equals(createObject('A', 1), createObject('a', 1))]"), true, "object keys are not");
    assert.equal(await ev("[less(1, 2)]"), true);
    assert.equal(await ev("[lessOrEquals(2, 2)]"), true);
    assert.equal(await ev("[greater('b', 'a')]"), true);
    assert.equal(await ev("[greaterOrEquals(1, 2)]"), false);
    await fails("[less(1, 'a')]", /two integers or two strings/);
  });

  test("numbers: int, bool, min, max, add, sub, mul, div (truncates), mod; overflow and division by zero are errors", async () => {
    assert.equal(await ev("[int('42')]"), 42);
    await fails("[int('4.2')]", /cannot convert/);
    assert.equal(await ev("[bool('TRUE')]"), true);
    assert.equal(await ev("[bool(0)]"), false);
    assert.equal(await ev("[min(3, 1, 2)]"), 1);
    assert.equal(await ev("[max(createArray(3, 7, 2))]"), 7);
    assert.equal(await ev("[add(1, -3)]"), -2);
    assert.equal(await ev("[sub(1, 3)]"), -2);
    assert.equal(await ev("[mul(4, 5)]"), 20);
    assert.equal(await ev("[div(-7, 2)]"), -3);
    assert.equal(await ev("[mod(7, 3)]"), 1);
    await fails("[div(1, 0)]", /divide by zero/);
    await fails("[mul(9007199254740991, 2)]", /outside the supported integer range/);
  });

  test("lambdas: filter, map, reduce, sort, toObject, mapValues, groupBy", async () => {
    const arr = "createArray(createObject('n', 'b', 'v', 2), createObject('n', 'a', 'v', 1), createObject('n', 'c', 'v', 3))";
    assert.deepEqual(
      await ev(`[map(filter(${arr}, lambda('x', greater(lambdaVariables('x').v, 1))), lambda('x', lambdaVariables('x').n))]`),
      ["b", "c"],
    );
    assert.equal(await ev(`[reduce(${arr}, 0, lambda('acc', 'x', add(lambdaVariables('acc'), lambdaVariables('x').v)))]`), 6);
    assert.deepEqual(
      await ev(
        `[map(sort(${arr}, lambda('a', 'b', less(lambdaVariables('a').n, lambdaVariables('b').n))), lambda('x', lambdaVariables('x').v))]`,
      ),
      [1, 2, 3],
    );
    assert.deepEqual(await ev(`[toObject(${arr}, lambda('x', lambdaVariables('x').n), lambda('x', lambdaVariables('x').v))]`), {
      b: 2,
      a: 1,
      c: 3,
    });
    assert.deepEqual(await ev("[mapValues(createObject('a', 1), lambda('v', mul(lambdaVariables('v'), 10)))]"), { a: 10 });
    assert.deepEqual(await ev("[groupBy(createArray('ab', 'ac', 'b'), lambda('s', first(lambdaVariables('s'))))]"), {
      a: ["ab", "ac"],
      b: ["b"],
    });
    assert.deepEqual(await ev("[map(range(0, 3), lambda('x', 'i', lambdaVariables('i')))]"), [0, 1, 2]);
    await fails("[map(createArray(1), 'notalambda')]", /expects a lambda function/);
    await fails("[lambdaVariables('nope')]", /is not defined here/);
  });
});

describe("deployment, scope and resource functions", () => {
  test("parameters, variables, deployment, resourceGroup, subscription, tenant, environment", async () => {
    assert.equal(await ev("[parameters('p')]", { parameters: { p: "v" } }), "v");
    assert.equal(await ev("[variables('v')]", { variables: { v: "[concat('x', 'y')]" } }), "xy");
    await fails("[parameters('missing')]", /The template parameter 'missing' is not found/);
    await fails("[variables('missing')]", /The template variable 'missing' is not found/);
    const d = (await ev("[deployment()]")) as { name: string; properties: { mode: string; template: { contentVersion: string } } };
    assert.equal(d.name, "dep1");
    assert.equal(d.properties.mode, "Incremental");
    assert.equal(d.properties.template.contentVersion, "1.0.0.0");
    assert.deepEqual(await ev("[resourceGroup()]"), {
      id: RG_ID,
      name: "rg1",
      type: "Microsoft.Resources/resourceGroups",
      location: "local",
      tags: { env: "test" },
      properties: { provisioningState: "Succeeded" },
    });
    assert.equal(await ev("[resourceGroup().location]"), "local");
    assert.equal(await ev("[subscription().id]"), `/subscriptions/${SUB}`);
    assert.equal(await ev("[subscription().displayName]"), "Keyless");
    assert.equal(await ev("[tenant().tenantId]"), "11111111-1111-1111-1111-111111111111");
    assert.equal(typeof (await ev("[environment().name]")), "string");
    await fails("[resourceGroup()]", /subscription-scope deployment has no resource group/, { context: subContext });
    assert.equal(await ev("[deployment().location]", { context: subContext }), "local");
  });

  test("resourceId at resource-group and subscription scope, with explicit subscription and group", async () => {
    assert.equal(
      await ev("[resourceId('Microsoft.CognitiveServices/accounts', 'a')]"),
      `${RG_ID}/providers/Microsoft.CognitiveServices/accounts/a`,
    );
    assert.equal(
      await ev("[resourceId('Microsoft.CognitiveServices/accounts/deployments', 'a', 'd')]"),
      `${RG_ID}/providers/Microsoft.CognitiveServices/accounts/a/deployments/d`,
    );
    assert.equal(
      await ev("[resourceId('Microsoft.CognitiveServices/accounts/deployments', 'a/d')]"),
      `${RG_ID}/providers/Microsoft.CognitiveServices/accounts/a/deployments/d`,
    );
    assert.equal(
      await ev("[resourceId('other', 'Microsoft.X/y', 'n')]"),
      `/subscriptions/${SUB}/resourceGroups/other/providers/Microsoft.X/y/n`,
    );
    assert.equal(
      await ev("[resourceId('s2', 'other', 'Microsoft.X/y', 'n')]"),
      "/subscriptions/s2/resourceGroups/other/providers/Microsoft.X/y/n",
    );
    assert.equal(
      await ev("[resourceId('Microsoft.X/y', 'n')]", { context: subContext }),
      `/subscriptions/${SUB}/providers/Microsoft.X/y/n`,
    );
    assert.equal(await ev("[subscriptionResourceId('Microsoft.Resources/resourceGroups', 'g')]"), `/subscriptions/${SUB}/resourceGroups/g`);
    assert.equal(
      await ev("[subscriptionResourceId('s2', 'Microsoft.Authorization/roleDefinitions', 'r')]"),
      "/subscriptions/s2/providers/Microsoft.Authorization/roleDefinitions/r",
    );
    assert.equal(
      await ev("[tenantResourceId('Microsoft.Authorization/policyDefinitions', 'p')]"),
      "/providers/Microsoft.Authorization/policyDefinitions/p",
    );
    assert.equal(
      await ev(
        "[extensionResourceId(resourceId('Microsoft.CognitiveServices/accounts', 'a'), 'Microsoft.Authorization/roleAssignments', 'g')]",
      ),
      `${RG_ID}/providers/Microsoft.CognitiveServices/accounts/a/providers/Microsoft.Authorization/roleAssignments/g`,
    );
    await fails("[resourceId('Microsoft.X/y/z', 'only-one')]", /requires 2 resource name segment/);
    await fails("[resourceId('a', 'b')]", /multi-segmented argument/);
  });

  test("reference and listKeys read through the host; copyIndex outside a loop is an error", async () => {
    const id = `${RG_ID}/providers/Microsoft.CognitiveServices/accounts/a`;
    const host = recordingHost({ [id]: { id, location: "local", properties: { endpoint: "https://a/" } } });
    assert.equal(await ev(`[reference('${id}', '2023-05-01').endpoint]`, { host }), "https://a/");
    assert.equal(await ev(`[reference('${id}', '2023-05-01', 'Full').location]`, { host }), "local");
    assert.equal(await ev(`[listKeys('${id}', '2023-05-01').key1]`, { host }), "k1");
    assert.deepEqual(host.reads, [`reference ${id} 2023-05-01 false`, `reference ${id} 2023-05-01 true`, `listKeys ${id} 2023-05-01`]);
    await fails(`[listSecrets('${id}', '2023-05-01')]`, /'listSecrets' is not supported/, { host });
    await fails("[reference('notInTemplate')]", /not defined in the template/, { host });
    await fails("[copyIndex()]", /only be used within a copy loop/);
  });

  test("property access and indexes: missing properties, out-of-range indexes and nulls are errors", async () => {
    assert.equal(await ev("[createObject('Name', 'x').name]"), "x", "property names match without case");
    assert.equal(await ev("[createArray(1, 2)[1]]"), 2);
    assert.equal(await ev("[createObject('a', 1)['a']]"), 1);
    await fails("[createObject('a', 1).b]", /The language expression property 'b' doesn't exist, available properties are 'a'\./);
    await fails("[createArray(1)[3]]", /array index '3' is out of bounds/);
    await fails("[null().x]", /can't be evaluated/);
    await fails("[nope()]", /The template function 'nope' is not valid/);
    await fails("[concat(]", /The language expression 'concat\(' is not valid: the end of the expression at position '7' is not expected/);
    assert.equal(await ev("[concat()"), "[concat()", "not an expression: it does not end with ]");
    assert.equal(await ev("[[concat()]"), "[concat()]", "[[ escapes the bracket");
    await fails("[toLower('a', 'b')]", /must have 1 parameter/);
  });
});

test("docs/templates.md lists every supported function", () => {
  const doc = readFileSync(join(import.meta.dirname, "..", "..", "docs", "templates.md"), "utf8").toLowerCase();
  const missing = FUNCTION_NAMES.filter((name) => !doc.includes(`\`${name}\``));
  assert.deepEqual(missing, []);
});
