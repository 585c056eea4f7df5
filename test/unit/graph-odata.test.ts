import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { WireError } from "../../src/core/errors.ts";
import { type FilterFields, matchesFilter, parseFilter } from "../../src/graph/odata-filter.ts";
import { collectionResponse } from "../../src/graph/odata-query.ts";

const fields: FilterFields = {
  displayName: "string",
  userPrincipalName: "string",
  appId: "string",
  mail: "string",
  accountEnabled: "boolean",
  servicePrincipalNames: "strings",
};
const ada = {
  displayName: "Ada Lovelace",
  userPrincipalName: "ada@t.example",
  appId: null,
  mail: null,
  accountEnabled: true,
  servicePrincipalNames: ["api://ada", "1234"],
};
const matches = (filter: string, object: Record<string, unknown> = ada) => matchesFilter(parseFilter(filter, fields), object);
const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof WireError);
    return `${err.status} ${err.code}`;
  }
  assert.fail("expected a refusal");
};

describe("OData $filter parser", () => {
  test("the forms the Azure CLI sends", () => {
    assert.equal(matches("displayName eq 'Ada Lovelace'"), true);
    assert.equal(matches("displayName eq 'ada lovelace'"), true, "string equality is case-insensitive");
    assert.equal(matches("startswith(displayName,'ada')"), true);
    assert.equal(matches("startswith(displayName,'Lovelace')"), false);
    assert.equal(matches("userPrincipalName eq 'ada@t.example'"), true);
    assert.equal(matches("servicePrincipalNames/any(c:c eq '1234')"), true);
    assert.equal(matches("servicePrincipalNames/any(c:c eq '12345')"), false);
    assert.equal(matches("displayName eq 'Ada Lovelace' and userPrincipalName eq 'nobody@t.example'"), false);
    assert.equal(matches("mail eq null"), true);
  });

  test("and/or precedence, not, parentheses, in, booleans, ne, lambda startswith", () => {
    assert.equal(matches("displayName eq 'x' or displayName eq 'Ada Lovelace' and accountEnabled eq true"), true);
    assert.equal(matches("(displayName eq 'x' or displayName eq 'Ada Lovelace') and accountEnabled eq false"), false);
    assert.equal(matches("not startswith(displayName,'Bob')"), true);
    assert.equal(matches("userPrincipalName in ('x@t.example', 'ADA@t.example')"), true);
    assert.equal(matches("displayName ne 'Ada Lovelace'"), false);
    assert.equal(matches("servicePrincipalNames/any(s:startswith(s,'api://'))"), true);
  });

  test("quotes are escaped by doubling, and an injected quote cannot widen the filter", () => {
    const obrien = { ...ada, displayName: "O'Brien" };
    assert.equal(matches("displayName eq 'O''Brien'", obrien), true);
    assert.equal(
      code(() => parseFilter("displayName eq 'x' or 'a' eq 'a'", fields)),
      "400 Request_BadRequest",
    );
  });

  test("unknown properties and operators are Request_UnsupportedQuery; syntax errors are Request_BadRequest", () => {
    assert.equal(
      code(() => parseFilter("jobTitle eq 'x'", fields)),
      "400 Request_UnsupportedQuery",
    );
    assert.equal(
      code(() => parseFilter("displayName gt 'x'", fields)),
      "400 Request_UnsupportedQuery",
    );
    assert.equal(
      code(() => parseFilter("endswith(displayName,'x')", fields)),
      "400 Request_UnsupportedQuery",
    );
    assert.equal(
      code(() => parseFilter("servicePrincipalNames eq 'x'", fields)),
      "400 Request_UnsupportedQuery",
    );
    assert.equal(
      code(() => parseFilter("displayName/any(c:c eq 'x')", fields)),
      "400 Request_UnsupportedQuery",
    );
    assert.equal(
      code(() => parseFilter("servicePrincipalNames/all(c:c eq 'x')", fields)),
      "400 Request_UnsupportedQuery",
    );
    assert.equal(
      code(() => parseFilter("displayName eq 'x", fields)),
      "400 Request_BadRequest",
    );
    assert.equal(
      code(() => parseFilter("displayName eq 'x')", fields)),
      "400 Request_BadRequest",
    );
    assert.equal(
      code(() => parseFilter("(displayName eq 'x'", fields)),
      "400 Request_BadRequest",
    );
    assert.equal(
      code(() => parseFilter("", fields)),
      "400 Request_BadRequest",
    );
    assert.equal(
      code(() => parseFilter("displayName eq 'x' ; drop", fields)),
      "400 Request_BadRequest",
    );
  });
});

describe("collection responses", () => {
  const items = Array.from({ length: 5 }, (_, i) => ({ id: `id-${i}`, displayName: `name-${i}` }));
  const request = (query: Record<string, string>) => ({
    url: "https://h/graph/v1.0/groups",
    context: "ctx",
    query,
    filterFields: { id: "string", displayName: "string" } as const,
  });

  test("$top pages through everything exactly once with absolute next links that keep the filter", () => {
    const seen: string[] = [];
    let query: Record<string, string> = { $top: "2", $filter: "startswith(displayName,'name')" };
    for (let pages = 0; pages < 10; pages++) {
      const page = collectionResponse(items, request(query)) as { value: { id: string }[]; "@odata.nextLink"?: string };
      seen.push(...page.value.map((v) => v.id));
      const next = page["@odata.nextLink"];
      if (!next) break;
      assert.ok(next.startsWith("https://h/graph/v1.0/groups?"));
      query = Object.fromEntries(new URL(next).searchParams);
      assert.equal(query.$filter, "startswith(displayName,'name')");
    }
    assert.deepEqual(
      seen,
      items.map((i) => i.id),
    );
  });

  test("$select projects; bad $top, $skiptoken and unknown options are refused", () => {
    const page = collectionResponse(items, request({ $select: "displayName" })) as { value: unknown[] };
    assert.deepEqual(page.value[0], { displayName: "name-0" });
    assert.equal(
      code(() => collectionResponse(items, request({ $top: "0" }))),
      "400 Request_BadRequest",
    );
    assert.equal(
      code(() => collectionResponse(items, request({ $top: "1000" }))),
      "400 Request_BadRequest",
    );
    assert.equal(
      code(() => collectionResponse(items, request({ $skiptoken: "garbage" }))),
      "400 Request_BadRequest",
    );
    assert.equal(
      code(() => collectionResponse(items, request({ $expand: "members" }))),
      "400 Request_UnsupportedQuery",
    );
    assert.equal(
      code(() => collectionResponse(items, request({ $select: "nope" }))),
      "400 Request_BadRequest",
    );
  });
});
