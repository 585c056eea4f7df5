import assert from "node:assert/strict";
import { test } from "node:test";
import { scopeRelation } from "../../src/core/scope.ts";

const SUB = "/subscriptions/00000000-0000-0000-0000-000000000001";
const RG = `${SUB}/resourceGroups/rg`;

test("scopeRelation places one scope at, above, below or beside another, case-insensitively", () => {
  assert.equal(scopeRelation(RG.toUpperCase(), RG), "at");
  assert.equal(scopeRelation(SUB, RG), "above");
  assert.equal(scopeRelation("/", RG), "above");
  assert.equal(scopeRelation(RG, SUB), "below");
  assert.equal(scopeRelation(RG, "/"), "below");
  assert.equal(scopeRelation(`${SUB}/resourceGroups/rg2`, RG), "unrelated");
  // A prefix of a name is not an ancestor.
  assert.equal(scopeRelation(`${RG}x`, RG), "unrelated");
  assert.equal(scopeRelation(`${SUB}/`, RG), "above");
});
