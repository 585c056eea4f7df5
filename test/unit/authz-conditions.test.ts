import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { builtInRoleById } from "../../src/authz/builtin-roles.ts";
import { conditionAllows, parseCondition, roleGuidOf } from "../../src/authz/conditions.ts";
import { delegationCondition } from "../../src/authz/define-role.ts";
import { normalizeOperation } from "../../src/authz/permission-match.ts";

const WRITE = normalizeOperation({ kind: "action", name: "Microsoft.Authorization/roleAssignments/write" });
const DELETE = normalizeOperation({ kind: "action", name: "Microsoft.Authorization/roleAssignments/delete" });
const READ = normalizeOperation({ kind: "action", name: "Microsoft.Authorization/roleAssignments/read" });
const FOUNDRY_USER = "53ca6127-db72-4b80-b1b0-d745d6d5456d";

describe("parseCondition", () => {
  it("treats absent, null and blank conditions as no condition", () => {
    assert.equal(parseCondition(undefined), undefined);
    assert.equal(parseCondition(null), undefined);
    assert.equal(parseCondition("  "), undefined);
  });
  it("parses the delegation condition of every built-in Foundry role", () => {
    for (const id of [
      "eadc314b-1a2d-4efa-be10-5d325db5065e",
      "e47c6f54-e4a2-4754-9501-8e0985b135e1",
      "c883944f-8b7b-4483-af10-35834be79c4a",
    ]) {
      const parsed = parseCondition(builtInRoleById(id)!.permissions[0]!.condition);
      assert.equal(parsed?.kind, "delegation", id);
    }
  });
  it("parses the documented single-GUID form with its clauses", () => {
    const parsed = parseCondition(delegationCondition([FOUNDRY_USER]));
    assert.ok(parsed?.kind === "delegation");
    assert.deepEqual(
      parsed.clauses.map((c) => [c.action, [...c.roleIds]]),
      [
        ["microsoft.authorization/roleassignments/write", [FOUNDRY_USER]],
        ["microsoft.authorization/roleassignments/delete", [FOUNDRY_USER]],
      ],
    );
  });
  it("accepts line breaks, spaces after commas and the unparenthesised negation", () => {
    const text = `(!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})
      OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals{${FOUNDRY_USER}, a97b65f3-24c7-4388-baec-2e87135dc908}))`;
    assert.equal(parseCondition(text)?.kind, "delegation");
  });
  it("marks every other form unsupported", () => {
    const unsupported = [
      "@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringEquals 'logs'",
      `((!(ActionMatches{'Microsoft.Storage/storageAccounts/write'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals{${FOUNDRY_USER}}))`,
      `((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidNotEquals{${FOUNDRY_USER}}))`,
      "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals{not-a-guid}))",
      `${delegationCondition([FOUNDRY_USER])} OR (true)`,
    ];
    for (const text of unsupported) assert.equal(parseCondition(text)?.kind, "unsupported", text);
  });
});

describe("conditionAllows", () => {
  const condition = parseCondition(delegationCondition([FOUNDRY_USER]))!;
  it("allows writes and deletes of the listed roles only", () => {
    assert.ok(conditionAllows(condition, WRITE, { roleDefinitionId: FOUNDRY_USER }));
    assert.ok(conditionAllows(condition, DELETE, { roleDefinitionId: FOUNDRY_USER }));
    assert.ok(!conditionAllows(condition, WRITE, { roleDefinitionId: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635" }));
    assert.ok(!conditionAllows(condition, WRITE, undefined));
    assert.ok(!conditionAllows(condition, WRITE, {}));
  });
  it("leaves every other operation alone", () => {
    assert.ok(conditionAllows(condition, READ, undefined));
    assert.ok(
      conditionAllows(
        condition,
        normalizeOperation({ kind: "dataAction", name: "Microsoft.Authorization/roleAssignments/write" }),
        undefined,
      ),
    );
  });
  it("never allows anything under an unsupported condition", () => {
    assert.ok(!conditionAllows({ kind: "unsupported", text: "x" }, READ, undefined));
  });
});

describe("roleGuidOf", () => {
  it("accepts a GUID or a role definition ARM id", () => {
    assert.equal(roleGuidOf(FOUNDRY_USER.toUpperCase()), FOUNDRY_USER);
    assert.equal(roleGuidOf(`/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/${FOUNDRY_USER}`), FOUNDRY_USER);
  });
});
