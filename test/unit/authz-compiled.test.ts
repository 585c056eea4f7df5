/**
 * The compiled authorizer must return exactly what the pure evaluator returns. Checked on randomised requests
 * drawn from each fixture's vocabulary and on randomly generated policies, with a seeded generator so a failure
 * reproduces; plus the cache's generation and size rules.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BuiltInRoleIds } from "../../src/authz/builtin-roles.ts";
import { createAuthorizer } from "../../src/authz/compiled-policy.ts";
import { evaluate } from "../../src/authz/evaluator.ts";
import { createPolicy } from "../../src/authz/policy.ts";
import type { AccessRequest, Operation, Policy, RoleAssignment } from "../../src/authz/types.ts";
import { loadAllFixtures } from "./authz-fixtures.ts";
import { randomPolicy, randomRequest, type Rng, seededRng, type Vocabulary } from "./authz-random.ts";

function vocabularyOf(policy: Policy, requests: readonly AccessRequest[]): Vocabulary {
  const principals = new Set<string>(["nobody"]);
  const groups = new Set<string>();
  for (const a of policy.roleAssignments) (a.principalType === "Group" ? groups : principals).add(a.principalId);
  for (const r of requests) {
    principals.add(r.principalId);
    for (const g of r.groupIds) groups.add(g);
  }
  const scopes = new Set<string>([
    ...requests.map((r) => r.scope),
    ...policy.roleAssignments.map((a) => a.scope),
    ...policy.denyAssignments.map((d) => d.scope),
  ]);
  const operations: Operation[] = requests.map((r) => r.operation);
  const roleIds = [
    ...requests.flatMap((r) => (r.attributes?.roleDefinitionId ? [r.attributes.roleDefinitionId] : [])),
    BuiltInRoleIds.OWNER,
  ];
  return { principals: [...principals], groups: [...groups], scopes: [...scopes], operations, roleIds };
}

function assertSameDecisions(policy: Policy, requests: Iterable<AccessRequest>, maxCacheEntries?: number): number {
  const authorizer = createAuthorizer(policy, maxCacheEntries === undefined ? {} : { maxCacheEntries });
  let count = 0;
  for (const request of requests) {
    assert.deepEqual(authorizer.evaluate(request), evaluate(policy, request), JSON.stringify(request));
    count++;
  }
  return count;
}

function* draw(rng: Rng, vocabulary: Vocabulary, n: number): Generator<AccessRequest> {
  for (let i = 0; i < n; i++) yield randomRequest(rng, vocabulary);
}

describe("compiled authorizer agrees with the pure evaluator", () => {
  for (const fixture of loadAllFixtures()) {
    it(`on random requests over ${fixture.file}`, () => {
      const vocabulary = vocabularyOf(
        fixture.policy,
        fixture.cases.map((c) => c.request),
      );
      const rng = seededRng(0x5eed + fixture.file.length);
      // Draws repeat often, so the cached path is compared as much as the cold one.
      assertSameDecisions(fixture.policy, draw(rng, vocabulary, 3000));
      assertSameDecisions(fixture.policy, draw(rng, vocabulary, 500), 7);
    });
  }

  it("on randomly generated policies", () => {
    const rng = seededRng(20260101);
    for (let round = 0; round < 40; round++) {
      const { policy, vocabulary } = randomPolicy(rng);
      assertSameDecisions(policy, draw(rng, vocabulary, 400));
    }
  });
});

describe("compiled authorizer cache", () => {
  const SUB = "/subscriptions/11111111-1111-1111-1111-111111111111";
  const grant: RoleAssignment = {
    id: "a1",
    principalId: "alice",
    principalType: "User",
    roleDefinitionId: BuiltInRoleIds.COGNITIVE_SERVICES_USER,
    scope: SUB,
  };
  const request: AccessRequest = {
    principalId: "alice",
    groupIds: [],
    operation: { kind: "dataAction", name: "Microsoft.CognitiveServices/accounts/MaaS/chat/completions/action" },
    scope: SUB,
  };

  it("swaps in a newer generation and drops cached decisions", () => {
    const authorizer = createAuthorizer(createPolicy({}), { generation: 1 });
    assert.equal(authorizer.evaluate(request).kind, "denied");
    assert.equal(authorizer.cacheSize, 1);
    assert.equal(authorizer.update(createPolicy({ roleAssignments: [grant] }), 2), true);
    assert.equal(authorizer.generation, 2);
    assert.equal(authorizer.cacheSize, 0);
    assert.equal(authorizer.evaluate(request).kind, "allowed");
  });

  it("ignores a stale or repeated generation", () => {
    const authorizer = createAuthorizer(createPolicy({ roleAssignments: [grant] }), { generation: 5 });
    assert.equal(authorizer.update(createPolicy({}), 5), false);
    assert.equal(authorizer.update(createPolicy({}), 4), false);
    assert.equal(authorizer.generation, 5);
    assert.equal(authorizer.evaluate(request).kind, "allowed");
  });

  it("stays within its bound by clearing on overflow", () => {
    const authorizer = createAuthorizer(createPolicy({ roleAssignments: [grant] }), { maxCacheEntries: 3 });
    for (let i = 0; i < 10; i++) authorizer.evaluate({ ...request, principalId: `user-${i}` });
    assert.ok(authorizer.cacheSize <= 3 && authorizer.cacheSize > 0);
  });

  it("shares cached decisions only in frozen form", () => {
    const authorizer = createAuthorizer(createPolicy({ roleAssignments: [grant] }));
    const decision = authorizer.evaluate(request);
    assert.ok(
      decision.kind === "allowed" && Object.isFrozen(decision) && Object.isFrozen(decision.grants) && Object.isFrozen(decision.grants[0]),
    );
    assert.equal(authorizer.evaluate({ ...request, principalId: "ALICE" }), decision, "case-folded principal hits the same entry");
  });

  it("answers a repeat of the very same request with the same frozen decision, denials included", () => {
    const authorizer = createAuthorizer(createPolicy({}));
    const denied = authorizer.evaluate(request);
    assert.equal(authorizer.evaluate({ ...request }), denied);
    assert.ok(denied.kind === "denied" && Object.isFrozen(denied) && Object.isFrozen(denied.operation));
  });

  it("echoes each caller's own spelling of the operation and scope on a cached denial", () => {
    const authorizer = createAuthorizer(createPolicy({}));
    const first = authorizer.evaluate({ ...request, scope: `${SUB}/resourceGroups/rg-ai` });
    const name = request.operation.name.toLowerCase();
    const other = authorizer.evaluate({ ...request, scope: `${SUB}/RESOURCEGROUPS/RG-AI/`, operation: { kind: "dataAction", name } });
    assert.equal(authorizer.cacheSize, 1);
    assert.ok(first.kind === "denied" && other.kind === "denied");
    assert.equal(first.scope, `${SUB}/resourceGroups/rg-ai`);
    assert.equal(other.scope, `${SUB}/resourceGroups/RG-AI`, "normalised by parseScope, names keep their case");
    assert.equal(other.operation.name, name);
  });
});
