import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { ExpressionError } from "../../src/arm/templates/errors.ts";
import { type Expr, parseExpression, parseTemplateString, printExpression } from "../../src/arm/templates/expression-parser.ts";
import { armGuid, planTemplate, TemplateError, uniqueString } from "../../src/arm/templates/index.ts";
import { parseTemplateText } from "../../src/arm/templates/template-text.ts";
import { rgContext, template } from "./templates-helpers.ts";

const DEPTH = 64;

function strip(expr: Expr): unknown {
  switch (expr.kind) {
    case "string":
    case "number":
      return { kind: expr.kind, value: expr.value };
    case "call":
      return { kind: "call", name: expr.name, args: expr.args.map(strip) };
    case "property":
      return { kind: "property", target: strip(expr.target), name: expr.name };
    case "index":
      return { kind: "index", target: strip(expr.target), index: strip(expr.index) };
  }
}

const identifier = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/);
const exprArb: fc.Arbitrary<Expr> = fc.letrec<{ expr: Expr }>((tie) => ({
  expr: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.string({ maxLength: 8 }).map((value): Expr => ({ kind: "string", value, pos: 0 })),
    fc.integer({ min: -1_000_000, max: 1_000_000 }).map((value): Expr => ({ kind: "number", value, pos: 0 })),
    fc
      .record({ name: identifier, args: fc.array(tie("expr"), { maxLength: 3 }) })
      .map(({ name, args }): Expr => ({ kind: "call", name, args, pos: 0 })),
    fc.record({ target: tie("expr"), name: identifier }).map(({ target, name }): Expr => ({ kind: "property", target, name, pos: 0 })),
    fc.record({ target: tie("expr"), index: tie("expr") }).map(({ target, index }): Expr => ({ kind: "index", target, index, pos: 0 })),
  ),
})).expr;

describe("expression parser", () => {
  test("parses calls, literals with '' escapes, negative numbers, properties and indexes, with whitespace", () => {
    assert.deepEqual(strip(parseExpression(" concat( 'it''s' , -12 )[0].name ", DEPTH)), {
      kind: "property",
      name: "name",
      target: {
        kind: "index",
        index: { kind: "number", value: 0 },
        target: {
          kind: "call",
          name: "concat",
          args: [
            { kind: "string", value: "it's" },
            { kind: "number", value: -12 },
          ],
        },
      },
    });
    assert.deepEqual(strip(parseExpression("ns.fn()", DEPTH)), { kind: "call", name: "ns.fn", args: [] });
  });

  test("classifies template strings: [expr], [[escaped, plain text", () => {
    assert.equal(parseTemplateString("[[not an expression]", DEPTH, 1000).kind, "literal");
    assert.deepEqual(parseTemplateString("[[x]", DEPTH, 1000), { kind: "literal", value: "[x]" });
    assert.deepEqual(parseTemplateString("plain [x]", DEPTH, 1000), { kind: "literal", value: "plain [x]" });
    assert.equal(parseTemplateString("[true()]", DEPTH, 1000).kind, "expression");
    assert.throws(() => parseTemplateString(`[${"x".repeat(50)}()]`, DEPTH, 10), /exceeds the limit of '10' characters/);
  });

  test("syntax errors name the position", () => {
    const cases: [string, RegExp][] = [
      ["concat('a'", /the end of the expression at position '10' is not expected; ',' or '\)' is expected/],
      ["'open", /the end of the expression at position '0'|the character ''' at position '0'/],
      ["a b", /the character 'b' at position '2' is not expected/],
      ["f().", /a property name is expected after '.'/],
      ["f()[1", /']' is expected/],
      ["42x", /the character 'x' at position '2' is not expected/],
      ["", /the expression is empty/],
      ["f(,)", /the character ',' at position '2' is not expected/],
    ];
    for (const [text, pattern] of cases)
      assert.throws(
        () => parseExpression(text, DEPTH),
        (e: unknown) => e instanceof ExpressionError && pattern.test(e.message),
        text,
      );
  });

  test("nesting deeper than the limit is refused, not a stack overflow", () => {
    const deep = `${"f(".repeat(100_000)}${")".repeat(100_000)}`;
    assert.throws(() => parseExpression(deep, DEPTH), /nests deeper than the limit of '64' levels/);
  });

  test("property: printing a parsed tree and parsing it again gives the same tree", () => {
    fc.assert(
      fc.property(exprArb, (expr) => {
        const text = printExpression(expr);
        assert.deepEqual(strip(parseExpression(text, 1000)), strip(expr));
      }),
      { numRuns: 300 },
    );
  });

  test("property: the parser throws nothing but ExpressionError, whatever the text", () => {
    const alphabet = fc.constantFrom("(", ")", "[", "]", "'", ",", ".", " ", "-", "1", "a", "f", "_", "\\", '"');
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.array(alphabet, { maxLength: 40 }).map((cs) => cs.join("")),
        ),
        (text) => {
          try {
            parseExpression(text, DEPTH);
          } catch (e) {
            assert.ok(e instanceof ExpressionError, `unexpected ${String(e)}`);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  test("property: planning a template with any string in a resource name or output throws nothing but TemplateError", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.string().map((s) => `[${s}]`),
        ),
        async (text) => {
          const t = template({
            resources: [{ type: "Microsoft.X/y", apiVersion: "1", name: text }],
            outputs: { o: { type: "string", value: text } },
          });
          try {
            const plan = await planTemplate(t, {}, rgContext);
            await plan.outputs({ reference: async () => ({}), listKeys: async () => ({}) });
          } catch (e) {
            assert.ok(e instanceof TemplateError, `unexpected ${String(e)}`);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

test("property: any JSON as a template, or as its resources, parameters and outputs, gives a plan or a TemplateError", async () => {
  const host = { reference: async () => ({}), listKeys: async () => ({}) };
  const sections = fc.record(
    {
      parameters: fc.dictionary(
        fc.string({ maxLength: 4 }),
        fc.oneof(
          fc.jsonValue(),
          fc.record({ type: fc.constantFrom("string", "int", "array", "object", "bool"), defaultValue: fc.jsonValue() }),
        ),
      ),
      variables: fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue()),
      resources: fc.oneof(
        fc.jsonValue(),
        fc.array(
          fc.record(
            {
              type: fc.constantFrom("Microsoft.X/a", "Microsoft.X/a/b", "x"),
              apiVersion: fc.constant("1"),
              name: fc.jsonValue(),
              dependsOn: fc.jsonValue(),
              copy: fc.jsonValue(),
              condition: fc.jsonValue(),
            },
            { requiredKeys: ["type", "apiVersion", "name"] },
          ),
          { maxLength: 4 },
        ),
      ),
      outputs: fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue()),
      languageVersion: fc.constantFrom("1.0", "2.0"),
    },
    { requiredKeys: [] },
  );
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.jsonValue(),
        sections.map((s) => template(s)),
      ),
      fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue()),
      async (t, parameters) => {
        try {
          const plan = await planTemplate(t, parameters, rgContext);
          for (const r of plan.resources) await r.body(host);
          await plan.outputs(host);
        } catch (e) {
          assert.ok(e instanceof TemplateError, `unexpected ${e instanceof Error ? e.stack : String(e)}`);
        }
      },
    ),
    { numRuns: 400 },
  );
});

describe("template text", () => {
  test("keeps the line and column of every value, skips comments, refuses bad JSON with its position", () => {
    const { value, positions } = parseTemplateText('{\n  // c\n  "a": [1, {"b": "x"}],\n  /* d */ "e": null\n}', 10);
    assert.deepEqual(value, { a: [1, { b: "x" }], e: null });
    assert.deepEqual(positions.get("a[1].b"), { line: 3, column: 18 });
    assert.deepEqual(positions.get("e"), { line: 4, column: 16 });
    assert.throws(
      () => parseTemplateText('{\n "a": }', 10),
      (e: unknown) => e instanceof TemplateError && e.line === 2 && /a JSON value is expected/.test(e.message),
    );
    assert.throws(() => parseTemplateText(`${"[".repeat(200)}${"]".repeat(200)}`, 128), /nests deeper than 128 levels/);
    const proto = parseTemplateText('{"__proto__": {"x": 1}}', 10).value as Record<string, unknown>;
    assert.deepEqual(Object.keys(proto), ["__proto__"], "__proto__ is an ordinary key");
  });
});

describe("guid() and uniqueString() vectors", () => {
  test("guid: RFC 4122 v5 in ARM's namespace over the arguments joined with '-'", () => {
    // Cross-checked with Python: uuid.uuid5(uuid.UUID('11fb06fb-712d-4ddd-98c7-e71bbd588830'), 'a-b-c').
    assert.equal(armGuid(["a", "b", "c"]), "a98fa280-e03f-5afa-8d8e-92d0a9c201e8");
    assert.equal(armGuid(["a-b-c"]), armGuid(["a", "b", "c"]));
    assert.equal(armGuid(["hello"]), "520f8434-fe3a-5d99-888d-450a827486a1");
    assert.equal(armGuid(["test"]), "d6a5baf1-8b9b-542a-8525-2982f1f98a0c");
  });

  test("uniqueString: the vectors published by independent reimplementations (1–70 bytes, every tail length)", () => {
    assert.equal(uniqueString(["test"]), "rbgf3xv4ufgzg");
    assert.equal(uniqueString(["hello", "world"]), "a7wkljktk6wne");
    assert.equal(uniqueString(["abc"]), "cgtzqvhu4i23s");
    assert.equal(uniqueString(["foo", "bar", "baz"]), "xzi4ioaxtmth4");
    assert.equal(uniqueString(["test", "test2", "test3"]), "bqgd334z2uj64");
    assert.equal(uniqueString(["/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/my-rg"]), "bmg7c6xu4tw46");
    for (let n = 0; n < 20; n++) assert.match(uniqueString(["x".repeat(n)]), /^[a-z2-7]{13}$/);
  });
});
