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

const OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
const UAA = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9";
const RBAC_ADMIN = "f58310d9-a9f6-439a-9e8d-f62e7b41a168";
const READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const GROUP = "28c35fea-2099-4cf5-8ad9-473547bc9423";
const RA = "Microsoft.Authorization/roleAssignments";

/** Azure's documented delegation examples, written for write (@Request) and delete (@Resource). */
function bothActions(request: string, resource: string): string {
  return `((!(ActionMatches{'${RA}/write'})) OR (${request})) AND ` + `((!(ActionMatches{'${RA}/delete'})) OR (${resource}))`;
}
const rolesOnly = (op: string, set: string) =>
  bothActions(`@Request[${RA}:RoleDefinitionId] ${op} {${set}}`, `@Resource[${RA}:RoleDefinitionId] ${op} {${set}}`);

function allows(text: string, op: typeof WRITE, attributes?: Parameters<typeof conditionAllows>[2]): boolean {
  const parsed = parseCondition(text);
  assert.equal(parsed?.kind, "expression", parsed?.kind === "unsupported" ? parsed.reason : text);
  return conditionAllows(parsed!, op, attributes);
}

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
      assert.equal(parsed?.kind, "expression", id);
    }
  });
  it("accepts line breaks, spaces after commas, && || ! and the unparenthesised negation", () => {
    const text = `(!(ActionMatches{'${RA}/write'})
      || (@Request[${RA}:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals{${FOUNDRY_USER}, a97b65f3-24c7-4388-baec-2e87135dc908}))
      && NOT (@Request[${RA}:PrincipalType] StringEqualsIgnoreCase 'Device')`;
    assert.equal(parseCondition(text)?.kind, "expression");
  });
  it("refuses, with a reason, what Keyless cannot evaluate", () => {
    const unsupported = [
      "@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringEquals 'logs'",
      `@Principal[Microsoft.Directory/CustomSecurityAttributes/Id:Engineering_Project] StringEquals 'x'`,
      `((!(ActionMatches{'${RA}/write'})) OR (@Request[${RA}:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals{not-a-guid}))`,
      `@Request[${RA}:RoleDefinitionId] StringEquals '${OWNER}'`,
      `@Request[${RA}:PrincipalType] ForAnyOfAnyValues:StringLike {'U*'}`,
      `@Request[${RA}:RoleDefinitionId] GuidEquals {${OWNER}, ${UAA}}`,
      `@Request[${RA}:RoleDefinitionId] ForSomeValues:GuidEquals {${OWNER}}`,
      `${delegationCondition([FOUNDRY_USER])} OR (true)`,
      `ActionMatches{'${RA}/write'} AND ActionMatches{'${RA}/write'} OR ActionMatches{'${RA}/delete'}`,
      `SubOperationMatches{'x'}`,
      `(ActionMatches{'${RA}/write'}`,
      `ActionMatches{'${RA}/write'})`,
      `@Request[${RA}:PrincipalType] StringEquals 'User`,
      `${"(".repeat(40)}ActionMatches{'${RA}/write'}${")".repeat(40)}`,
      `${"!".repeat(40)}ActionMatches{'${RA}/write'}`,
      `ActionMatches{'${RA}/write'} ${"OR ActionMatches{'x'} ".repeat(400)}`,
    ];
    for (const text of unsupported) {
      const parsed = parseCondition(text);
      assert.equal(parsed?.kind, "unsupported", text);
      assert.ok(parsed.kind === "unsupported" && parsed.reason.length > 0);
      assert.ok(!conditionAllows(parsed, WRITE, { roleDefinitionId: READER }));
    }
  });
});

describe("conditionAllows", () => {
  const condition = parseCondition(delegationCondition([FOUNDRY_USER]))!;
  it("allows writes and deletes of the listed roles only", () => {
    assert.ok(conditionAllows(condition, WRITE, { roleDefinitionId: FOUNDRY_USER }));
    assert.ok(conditionAllows(condition, DELETE, { roleDefinitionId: FOUNDRY_USER }));
    assert.ok(!conditionAllows(condition, WRITE, { roleDefinitionId: OWNER }));
    assert.ok(!conditionAllows(condition, WRITE, undefined));
    assert.ok(!conditionAllows(condition, WRITE, {}));
  });
  it("leaves every other operation alone", () => {
    assert.ok(conditionAllows(condition, READ, undefined));
    assert.ok(
      conditionAllows(
        condition,
        normalizeOperation({ kind: "dataAction", name: "Microsoft.CognitiveServices/accounts/MaaS/chat/completions/action" }),
        undefined,
      ),
    );
  });
  it("never allows anything under an unsupported condition", () => {
    assert.ok(!conditionAllows({ kind: "unsupported", text: "x", reason: "y" }, READ, undefined));
  });
  it("constrains roles and principal types (ForAnyOfAnyValues:StringEqualsIgnoreCase)", () => {
    const text = bothActions(
      `@Request[${RA}:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${READER}} AND @Request[${RA}:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {'User', 'Group'}`,
      `@Resource[${RA}:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${READER}} AND @Resource[${RA}:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {'User', 'Group'}`,
    );
    assert.ok(allows(text, WRITE, { roleDefinitionId: READER, principalType: "group" }));
    assert.ok(!allows(text, WRITE, { roleDefinitionId: READER, principalType: "ServicePrincipal" }));
    assert.ok(!allows(text, DELETE, { roleDefinitionId: OWNER, principalType: "User" }));
    assert.ok(allows(text, READ));
  });
  it("constrains roles and principals (PrincipalId)", () => {
    const text = bothActions(
      `@Request[${RA}:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${READER}} AND @Request[${RA}:PrincipalId] ForAnyOfAnyValues:GuidEquals {${GROUP}}`,
      `@Resource[${RA}:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${READER}} AND @Resource[${RA}:PrincipalId] ForAnyOfAnyValues:GuidEquals {${GROUP}}`,
    );
    assert.ok(allows(text, WRITE, { roleDefinitionId: READER, principalId: GROUP.toUpperCase() }));
    assert.ok(!allows(text, WRITE, { roleDefinitionId: READER, principalId: FOUNDRY_USER }));
  });
  it("allows most roles but not the privileged ones (ForAnyOfAllValues:GuidNotEquals)", () => {
    const text = rolesOnly("ForAnyOfAllValues:GuidNotEquals", `${OWNER}, ${RBAC_ADMIN}, ${UAA}`);
    assert.ok(allows(text, WRITE, { roleDefinitionId: READER }));
    assert.ok(allows(text, DELETE, { roleDefinitionId: `/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/${READER}` }));
    for (const privileged of [OWNER, UAA, RBAC_ADMIN.toUpperCase()]) {
      assert.ok(!allows(text, WRITE, { roleDefinitionId: privileged }), privileged);
      assert.ok(!allows(text, DELETE, { roleDefinitionId: privileged }), privileged);
    }
  });
  it("reads an attribute the operation lacks as unknown, which no NOT turns into a grant", () => {
    const text = `!(@Request[${RA}:RoleDefinitionId] GuidEquals ${OWNER})`;
    assert.ok(allows(text, WRITE, { roleDefinitionId: READER }));
    assert.ok(!allows(text, WRITE, { roleDefinitionId: OWNER }));
    assert.ok(!allows(text, READ));
    assert.ok(!allows(`NOT (${text})`, READ));
    assert.ok(allows(`${text} OR ActionMatches{'${RA}/read'}`, READ));
    assert.ok(!allows(`${text} AND ActionMatches{'${RA}/read'}`, READ));
  });
  it("matches actions with wildcards, case-insensitively", () => {
    assert.ok(allows(`ActionMatches{'microsoft.authorization/roleassignments/*'}`, WRITE));
    assert.ok(!allows(`ActionMatches{'Microsoft.Authorization/roleDefinitions/*'}`, WRITE));
  });
  it("compares strings case-sensitively unless IgnoreCase", () => {
    assert.ok(allows(`@Request[${RA}:PrincipalType] StringEquals 'User'`, WRITE, { principalType: "User" }));
    assert.ok(!allows(`@Request[${RA}:PrincipalType] StringEquals 'user'`, WRITE, { principalType: "User" }));
    assert.ok(allows(`@Request[${RA}:PrincipalType] StringNotEqualsIgnoreCase 'group'`, WRITE, { principalType: "User" }));
    assert.ok(
      !allows(`@Request[${RA}:PrincipalType] ForAllOfAllValues:StringNotEqualsIgnoreCase {'group', 'user'}`, WRITE, {
        principalType: "User",
      }),
    );
  });
});

describe("roleGuidOf", () => {
  it("accepts a GUID or a role definition ARM id", () => {
    assert.equal(roleGuidOf(FOUNDRY_USER.toUpperCase()), FOUNDRY_USER);
    assert.equal(roleGuidOf(`/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/${FOUNDRY_USER}`), FOUNDRY_USER);
  });
});
