import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BuiltInRoleIds } from "../../src/authz/builtin-roles.ts";
import { evaluate } from "../../src/authz/evaluator.ts";
import { createPolicy } from "../../src/authz/policy.ts";
import type { AccessRequest, Decision, DeniedDecision, DenyAssignment, RoleAssignment } from "../../src/authz/types.ts";
import { InvalidInputError } from "../../src/core/errors.ts";

const SUB = "/subscriptions/11111111-1111-1111-1111-111111111111";
const RG = `${SUB}/resourceGroups/rg-ai`;
const ACCT = `${RG}/providers/Microsoft.CognitiveServices/accounts/acct1`;
const MAAS_CHAT = "Microsoft.CognitiveServices/accounts/MaaS/chat/completions/action";
const EVERYONE = { id: "00000000-0000-0000-0000-000000000000", type: "SystemDefined" };

function assignment(id: string, principalId: string, roleDefinitionId: string, scope: string): RoleAssignment {
  return { id, principalId, roleDefinitionId, scope, principalType: "User" };
}

function denyAll(id: string, scope: string): DenyAssignment {
  const permissions = [{ actions: [], notActions: [], dataActions: ["*"], notDataActions: [] }];
  return { id, scope, permissions, principals: [EVERYONE], excludePrincipals: [], doNotApplyToChildScopes: false };
}

/** The denial's fields, or a failed assertion when the decision is not a denial. */
function denial(decision: Decision): DeniedDecision {
  assert.equal(decision.kind, "denied", JSON.stringify(decision));
  return decision as DeniedDecision;
}

function chat(scope: string, principalId = "alice"): AccessRequest {
  return { principalId, groupIds: [], operation: { kind: "dataAction", name: MAAS_CHAT }, scope };
}

describe("evaluate: allowed decisions", () => {
  it("lists every granting assignment, nearest scope first, then by id", () => {
    const policy = createPolicy({
      roleAssignments: [
        assignment("b-sub", "alice", BuiltInRoleIds.COGNITIVE_SERVICES_USER, SUB),
        assignment("z-acct", "alice", BuiltInRoleIds.COGNITIVE_SERVICES_USER, ACCT),
        assignment("a-acct", "alice", "53CA6127-DB72-4B80-B1B0-D745D6D5456D", ACCT),
        assignment("owner", "alice", BuiltInRoleIds.OWNER, SUB),
      ],
    });
    assert.deepEqual(evaluate(policy, chat(ACCT)), {
      kind: "allowed",
      grants: [
        {
          assignmentId: "a-acct",
          roleDefinitionId: "53ca6127-db72-4b80-b1b0-d745d6d5456d",
          roleName: "Foundry User",
          scope: ACCT,
          pattern: "Microsoft.CognitiveServices/*",
        },
        {
          assignmentId: "z-acct",
          roleDefinitionId: BuiltInRoleIds.COGNITIVE_SERVICES_USER,
          roleName: "Cognitive Services User",
          scope: ACCT,
          pattern: "Microsoft.CognitiveServices/*",
        },
        {
          assignmentId: "b-sub",
          roleDefinitionId: BuiltInRoleIds.COGNITIVE_SERVICES_USER,
          roleName: "Cognitive Services User",
          scope: SUB,
          pattern: "Microsoft.CognitiveServices/*",
        },
      ],
    });
  });
});

describe("evaluate: denials explain themselves", () => {
  it("echoes the operation and the normalised scope, and suggests the documented role, then least privileged first", () => {
    const request: AccessRequest = {
      principalId: "alice",
      groupIds: [],
      operation: { kind: "dataAction", name: MAAS_CHAT },
      scope: `${ACCT}/`,
    };
    assert.deepEqual(evaluate(createPolicy({}), request), {
      kind: "denied",
      reason: "no-matching-assignment",
      operation: { kind: "dataAction", name: MAAS_CHAT },
      scope: ACCT,
      suggestedRoles: [
        { id: "a97b65f3-24c7-4388-baec-2e87135dc908", roleName: "Cognitive Services User" },
        { id: "64702f94-c441-49e6-a78b-ef80e0188fee", roleName: "Azure AI Developer" },
        { id: "19c28022-e58e-450d-a464-0b2a53034789", roleName: "Cognitive Services Data Contributor (Preview)" },
        { id: "eadc314b-1a2d-4efa-be10-5d325db5065e", roleName: "Foundry Project Manager" },
        { id: "53ca6127-db72-4b80-b1b0-d745d6d5456d", roleName: "Foundry User" },
        { id: "c883944f-8b7b-4483-af10-35834be79c4a", roleName: "Foundry Owner" },
      ],
    });
  });
  it("suggests the narrowest role first for OpenAI chat and for deployments", () => {
    const first = (kind: "action" | "dataAction", name: string) =>
      denial(evaluate(createPolicy({}), { principalId: "a", groupIds: [], operation: { kind, name }, scope: ACCT })).suggestedRoles[0]
        ?.roleName;
    assert.equal(
      first("dataAction", "Microsoft.CognitiveServices/accounts/OpenAI/deployments/chat/completions/action"),
      "Cognitive Services OpenAI User",
    );
    assert.equal(first("action", "Microsoft.CognitiveServices/accounts/deployments/write"), "Cognitive Services OpenAI Contributor");
    assert.equal(first("action", "Microsoft.Authorization/roleAssignments/write"), "Role Based Access Control Administrator");
    assert.equal(first("action", "Microsoft.Unknown/things/write"), "Contributor");
  });
  it("suggests delegating roles only when the role being assigned is one they may assign", () => {
    const names = (roleDefinitionId?: string) => {
      const request: AccessRequest = {
        principalId: "a",
        groupIds: [],
        operation: { kind: "action", name: "Microsoft.Authorization/roleAssignments/write" },
        scope: ACCT,
      };
      if (roleDefinitionId) request.attributes = { roleDefinitionId };
      return denial(evaluate(createPolicy({}), request)).suggestedRoles.map((r) => r.roleName);
    };
    assert.ok(!names().includes("Foundry Project Manager"));
    assert.equal(names(BuiltInRoleIds.FOUNDRY_USER)[0], "Foundry Project Manager");
  });
  it("names the nearest blocking deny assignment, ties broken by id", () => {
    const policy = createPolicy({
      roleAssignments: [assignment("a1", "alice", BuiltInRoleIds.COGNITIVE_SERVICES_USER, SUB)],
      denyAssignments: [denyAll("deny-sub", SUB), denyAll("deny-b", ACCT), denyAll("deny-a", ACCT)],
    });
    const atAccount = denial(evaluate(policy, chat(ACCT)));
    assert.equal(atAccount.reason, "deny-assignment");
    assert.equal(atAccount.denyAssignmentId, "deny-a");
    assert.equal(denial(evaluate(policy, chat(RG))).denyAssignmentId, "deny-sub");
  });
  it("echoes an invalid scope as given", () => {
    const decision = denial(evaluate(createPolicy({}), chat("/subscriptions")));
    assert.equal(decision.reason, "invalid-scope");
    assert.equal(decision.scope, "/subscriptions");
    assert.ok(!("denyAssignmentId" in decision));
  });
});

describe("evaluate: purity", () => {
  it("returns equal decisions for equal inputs and leaves its inputs untouched", () => {
    const roleAssignments = [assignment("a1", "alice", BuiltInRoleIds.COGNITIVE_SERVICES_USER, SUB)];
    const denyAssignments = [denyAll("d1", `${RG}/providers/Microsoft.CognitiveServices/accounts/other`)];
    const policy = createPolicy({ roleAssignments, denyAssignments });
    const request = chat(ACCT);
    const before = structuredClone({ roleAssignments, denyAssignments, request });
    assert.deepEqual(evaluate(policy, request), evaluate(policy, request));
    assert.deepEqual({ roleAssignments, denyAssignments, request }, before);
  });
});

describe("createPolicy", () => {
  it("always includes the built-in roles", () => {
    assert.equal(createPolicy({}).roleDefinitions.get(BuiltInRoleIds.OWNER)?.roleName, "Owner");
  });
  it("rejects a custom role that reuses a role GUID", () => {
    const clash = {
      id: BuiltInRoleIds.OWNER.toUpperCase(),
      roleName: "Fake Owner",
      roleType: "CustomRole" as const,
      description: "",
      assignableScopes: [SUB],
      permissions: [],
    };
    assert.throws(() => createPolicy({ customRoles: [clash] }), InvalidInputError);
  });
});
