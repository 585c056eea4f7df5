import assert from "node:assert/strict";
import { test } from "node:test";
import { JsoncError, parseJsonc, parseJsoncKeepingText } from "../../src/core/jsonc.ts";

test("JSON parses as JSON.parse does", () => {
  const text = '{"a":[1,2.5,-3e2,true,false,null,"x\\n\\u00e9"],"b":{"c":{}},"d":[]}';
  assert.deepEqual(parseJsonc(text), JSON.parse(text));
  assert.equal(parseJsonc(" 42 "), 42);
});

test("what az deployment sends: comments, an unquoted key, the raw template text after it", () => {
  const template = '{\r\n  // a comment\r\n  "resources": [ /* none */ ],\r\n  "outputs": {},\r\n}';
  const body = `{"properties": {"parameters": {"p": {"value": 1}}, "mode": "Incremental", template:${template}}}`;
  assert.deepEqual(parseJsonc(body), {
    properties: { parameters: { p: { value: 1 } }, mode: "Incremental", template: { resources: [], outputs: {} } },
  });
});

test("faults name their line and column; __proto__ is refused", () => {
  assert.throws(
    () => parseJsonc('{\n  "a": 1\n  "b": 2\n}'),
    (err: unknown) => err instanceof JsoncError && err.line === 3,
  );
  assert.throws(() => parseJsonc('{"a": tru}'), JsoncError);
  assert.throws(() => parseJsonc('{"a": 1} x'), JsoncError);
  assert.throws(() => parseJsonc('{"a": "open'), JsoncError);
  assert.throws(() => parseJsonc('{"__proto__": {"polluted": true}}'), /__proto__/);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test("deep nesting does not use the call stack", () => {
  const depth = 100_000;
  const value = parseJsonc(`${"[".repeat(depth)}${"]".repeat(depth)}`);
  assert.ok(Array.isArray(value));
});

test("the exact text of one object is kept, so a template's faults can name its lines", () => {
  const template = '{\n  // line 2\n  "resources": []\n}';
  const body = `{"properties": {"mode": "Incremental", "Template":${template}, "parameters": {"template": {"value": 1}}}}`;
  const { value, text } = parseJsoncKeepingText(body, ["properties", "template"]);
  assert.equal(text, template);
  assert.deepEqual((value as { properties: { Template: unknown } }).properties.Template, { resources: [] });
  assert.equal(parseJsoncKeepingText('{"a": 1}', ["properties", "template"]).text, undefined);
});
