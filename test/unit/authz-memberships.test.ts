import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  createAuthorizer,
  createPolicy,
  effectivePermissions,
  evaluate,
  explainDecision,
  transitiveGroups,
} from "../../src/authz/index.ts";
import type { AccessRequest } from "../../src/authz/types.ts";

const ACCT = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/a1";
const CHAT = "Microsoft.CognitiveServices/accounts/MaaS/chat/completions/action";
const CS_USER = "a97b65f3-24c7-4388-baec-2e87135dc908";

describe("transitiveGroups", () => {
  it("follows nesting to any depth, case-insensitively, and sorts the result", () => {
    const closure = transitiveGroups([
      { groupId: "G1", memberId: "User" },
      { groupId: "g2", memberId: "g1" },
      { groupId: "g3", memberId: "G2" },
    ]);
    assert.deepEqual(closure.get("user"), ["g1", "g2", "g3"]);
    assert.deepEqual(closure.get("g2"), ["g3"]);
    assert.equal(closure.get("g3"), undefined);
  });
  it("terminates on cycles and never lists a group as its own member", () => {
    const closure = transitiveGroups([
      { groupId: "a", memberId: "b" },
      { groupId: "b", memberId: "a" },
      { groupId: "a", memberId: "u" },
    ]);
    assert.deepEqual(closure.get("u"), ["a", "b"]);
    assert.deepEqual(closure.get("a"), ["b"]);
  });
});

describe("groups held by the policy snapshot", () => {
  const policy = createPolicy({
    roleAssignments: [{ id: "ra1", scope: ACCT, roleDefinitionId: CS_USER, principalId: "outer", principalType: "Group" }],
    memberships: [
      { groupId: "inner", memberId: "alice" },
      { groupId: "outer", memberId: "inner" },
    ],
  });
  const request: AccessRequest = { principalId: "alice", groupIds: [], operation: { kind: "dataAction", name: CHAT }, scope: ACCT };

  it("grant a nested member's request in both evaluators alike", () => {
    const pure = evaluate(policy, request);
    assert.equal(pure.kind, "allowed");
    assert.deepEqual(createAuthorizer(policy).evaluate(request), pure);
  });
  it("stop granting once the membership is gone from a newer snapshot", () => {
    const authorizer = createAuthorizer(policy, { generation: 1 });
    assert.equal(authorizer.evaluate(request).kind, "allowed");
    authorizer.update(createPolicy({ roleAssignments: policy.roleAssignments }), 2);
    assert.equal(authorizer.evaluate(request).kind, "denied");
  });
  it("count in the caller's effective permissions", () => {
    const blocks = effectivePermissions(policy, "ALICE", `${ACCT}/deployments/echo`);
    assert.equal(blocks.length, 1);
    assert.deepEqual(blocks[0]!.dataActions, ["Microsoft.CognitiveServices/*"]);
    assert.deepEqual(effectivePermissions(policy, "bob", ACCT), []);
  });
});

describe("explainDecision", () => {
  it("names the granting assignment when allowed", () => {
    const policy = createPolicy({
      roleAssignments: [{ id: "ra1", scope: ACCT, roleDefinitionId: CS_USER, principalId: "alice", principalType: "User" }],
    });
    const operation = { kind: "dataAction" as const, name: CHAT };
    const explanation = explainDecision(
      "alice",
      operation,
      ACCT,
      evaluate(policy, { principalId: "alice", groupIds: [], operation, scope: ACCT }),
    );
    assert.equal(explanation.allowed, true);
    assert.equal(explanation.dataAction, CHAT);
    assert.deepEqual(explanation.grants, [
      {
        roleAssignmentId: "ra1",
        roleDefinitionId: CS_USER,
        roleName: "Cognitive Services User",
        scope: ACCT,
        matchedPermission: "Microsoft.CognitiveServices/*",
      },
    ]);
  });
  it("says what is missing and suggests Cognitive Services User first for Foundry chat", () => {
    const operation = { kind: "dataAction" as const, name: CHAT };
    const explanation = explainDecision(
      "bob",
      operation,
      ACCT,
      evaluate(createPolicy({}), { principalId: "bob", groupIds: [], operation, scope: ACCT }),
    );
    assert.equal(explanation.allowed, false);
    assert.equal(explanation.reason, "no-matching-assignment");
    assert.match(explanation.missing!, /data action 'Microsoft\.CognitiveServices\/accounts\/MaaS\/chat\/completions\/action'/);
    assert.deepEqual(
      explanation.suggestedRoles.slice(0, 2).map((r) => r.roleName),
      ["Cognitive Services User", "Azure AI Developer"],
    );
  });
});
