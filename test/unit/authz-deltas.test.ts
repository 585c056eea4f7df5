/**
 * Changes applied to the compiled authorizer in place must leave it deciding exactly as a policy rebuilt from
 * the resulting state would: random sequences of every kind of change, compared with the pure evaluator; applying
 * a change twice changes nothing; an older or repeated generation is ignored.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseScope } from "../../src/core/scope.ts";
import { BuiltInRoleIds } from "../../src/authz/builtin-roles.ts";
import { createAuthorizer, createPolicyBuilder, type PolicyDelta } from "../../src/authz/compiled-policy.ts";
import { evaluate } from "../../src/authz/evaluator.ts";
import type { Membership } from "../../src/authz/memberships.ts";
import { createPolicy } from "../../src/authz/policy.ts";
import type { DenyAssignment, RoleAssignment, RoleDefinition } from "../../src/authz/types.ts";
import {
  CUSTOM,
  PRINCIPALS,
  pick,
  randomAssignment,
  randomDeny,
  randomPolicy,
  randomRequest,
  type Rng,
  seededRng,
} from "./authz-random.ts";

/** The state a sequence of changes leads to, kept as plain lists (what storage would hold). */
interface Model {
  assignments: Map<string, RoleAssignment>;
  denies: Map<string, DenyAssignment>;
  custom: RoleDefinition | undefined;
  memberships: Membership[];
}

const NARROWER: RoleDefinition = {
  ...CUSTOM,
  permissions: [{ actions: ["Microsoft.CognitiveServices/accounts/read"], notActions: [], dataActions: [], notDataActions: [] }],
};

function randomDelta(rng: Rng, model: Model, step: number): PolicyDelta {
  const roll = rng();
  const someId = <T>(map: Map<string, T>, fallback: string) => (map.size > 0 && rng() < 0.8 ? pick(rng, [...map.keys()]) : fallback);
  if (roll < 0.2) {
    // A new assignment, or a changed one (same id) half of the time.
    const assignment = {
      ...randomAssignment(rng, 100 + step),
      ...(rng() < 0.5 && model.assignments.size > 0 ? { id: someId(model.assignments, "x") } : {}),
    };
    return { kind: "assignment.put", assignment };
  }
  if (roll < 0.35) return { kind: "assignment.delete", id: someId(model.assignments, "ra-missing") };
  if (roll < 0.45) return { kind: "deny.put", deny: { ...randomDeny(rng, step % 20), id: `deny-${step % 7}` } };
  if (roll < 0.52) return { kind: "deny.delete", id: someId(model.denies, "deny-missing") };
  if (roll < 0.67) return { kind: "membership.add", groupId: pick(rng, PRINCIPALS), memberId: pick(rng, PRINCIPALS) };
  if (roll < 0.8) {
    const edge = model.memberships.length > 0 ? pick(rng, model.memberships) : { groupId: "g1", memberId: "u1" };
    return { kind: "membership.remove", ...edge };
  }
  if (roll < 0.85) return { kind: "object.delete", id: pick(rng, PRINCIPALS) };
  if (roll < 0.95) return { kind: "role.put", role: rng() < 0.5 ? CUSTOM : NARROWER };
  return { kind: "role.delete", id: CUSTOM.id };
}

function applyToModel(model: Model, delta: PolicyDelta): void {
  const sameEdge = (e: Membership, g: string, m: string) => e.groupId === g && e.memberId === m;
  switch (delta.kind) {
    case "assignment.put":
      model.assignments.set(delta.assignment.id, delta.assignment);
      return;
    case "assignment.delete":
      model.assignments.delete(delta.id);
      return;
    case "deny.put":
      model.denies.set(delta.deny.id, delta.deny);
      return;
    case "deny.delete":
      model.denies.delete(delta.id);
      return;
    case "membership.add":
      if (!model.memberships.some((e) => sameEdge(e, delta.groupId, delta.memberId)))
        model.memberships.push({ groupId: delta.groupId, memberId: delta.memberId });
      return;
    case "membership.remove":
      model.memberships = model.memberships.filter((e) => !sameEdge(e, delta.groupId, delta.memberId));
      return;
    case "object.delete":
      model.memberships = model.memberships.filter((e) => e.groupId !== delta.id && e.memberId !== delta.id);
      return;
    case "role.put":
      model.custom = delta.role;
      return;
    case "role.delete":
      model.custom = undefined;
      return;
  }
}

function policyOf(model: Model) {
  return createPolicy({
    customRoles: model.custom ? [model.custom] : [],
    roleAssignments: [...model.assignments.values()],
    denyAssignments: [...model.denies.values()],
    memberships: model.memberships,
  });
}

describe("changes applied to the compiled authorizer in place", () => {
  for (let seed = 1; seed <= 8; seed++) {
    it(`decide as a policy rebuilt from the same state (seed ${seed})`, () => {
      const rng = seededRng(0xde17a + seed);
      const { policy, vocabulary } = randomPolicy(rng);
      const model: Model = {
        assignments: new Map(policy.roleAssignments.map((a) => [a.id, a])),
        denies: new Map(policy.denyAssignments.map((d) => [d.id, d])),
        custom: CUSTOM,
        memberships: [],
      };
      // The random policy's memberships are only known as a closure; start from none and let changes add them.
      const authorizer = createAuthorizer({ ...policyOf(model) }, { generation: 0 });
      let generation = 0;
      for (let step = 0; step < 60; step++) {
        const batch = Array.from({ length: 1 + Math.floor(rng() * 3) }, (_, i) => randomDelta(rng, model, step * 3 + i));
        for (const delta of batch) applyToModel(model, delta);
        assert.equal(authorizer.apply(batch, ++generation), true);
        const rebuilt = policyOf(model);
        for (let i = 0; i < 40; i++) {
          const request = randomRequest(rng, vocabulary);
          assert.deepEqual(authorizer.evaluate(request), evaluate(rebuilt, request), `step ${step}: ${JSON.stringify(request)}`);
        }
      }
      assert.equal(
        authorizer.policy.roleAssignments.length,
        [...model.assignments.values()].filter((a) => parseScope(a.scope) !== undefined).length,
      );
      // The same state streamed row by row into a new index (a full reload), ids in other cases, decides alike.
      const builder = createPolicyBuilder();
      if (model.custom) builder.role(model.custom);
      for (const a of model.assignments.values()) builder.assignment({ ...a, principalId: a.principalId.toUpperCase() });
      for (const d of model.denies.values()) builder.deny(d);
      for (const e of model.memberships) builder.membership(e.groupId.toUpperCase(), e.memberId);
      const reloaded = createAuthorizer(createPolicy({}), { generation: 0 });
      assert.equal(reloaded.install(builder, generation), true);
      assert.equal(reloaded.install(createPolicyBuilder(), generation), false);
      const rebuilt = policyOf(model);
      for (let i = 0; i < 200; i++) {
        const request = randomRequest(rng, vocabulary);
        assert.deepEqual(reloaded.evaluate(request), evaluate(rebuilt, request), `reloaded: ${JSON.stringify(request)}`);
      }
    });
  }

  const grant: RoleAssignment = {
    id: "ra-1",
    scope: "/subscriptions/aaaa",
    roleDefinitionId: BuiltInRoleIds.COGNITIVE_SERVICES_USER,
    principalId: "g1",
    principalType: "Group",
  };
  const chat = {
    principalId: "u1",
    groupIds: [],
    operation: { kind: "dataAction" as const, name: "Microsoft.CognitiveServices/accounts/MaaS/chat/completions/action" },
    scope: "/subscriptions/aaaa/resourceGroups/rg1",
  };

  it("applying the same changes again changes nothing", () => {
    const authorizer = createAuthorizer(createPolicy({}), { generation: 0 });
    const changes: PolicyDelta[] = [
      { kind: "assignment.put", assignment: grant },
      { kind: "membership.add", groupId: "G1", memberId: "U1" },
    ];
    authorizer.apply(changes, 1);
    assert.equal(authorizer.evaluate(chat).kind, "allowed");
    authorizer.apply(changes, 2);
    assert.equal(authorizer.policy.roleAssignments.length, 1);
    assert.deepEqual(authorizer.policy.groupsOf.get("u1"), ["g1"]);
    authorizer.apply([{ kind: "membership.remove", groupId: "g1", memberId: "u1" }], 3);
    assert.equal(authorizer.evaluate(chat).kind, "denied", "one removal undoes an edge added twice");
    authorizer.apply([{ kind: "membership.remove", groupId: "g1", memberId: "u1" }], 4);
    assert.equal(authorizer.evaluate(chat).kind, "denied");
  });

  it("an older or repeated generation is ignored, so a late change cannot undo a newer one", () => {
    const authorizer = createAuthorizer(createPolicy({}), { generation: 0 });
    authorizer.apply([{ kind: "assignment.put", assignment: { ...grant, principalId: "u1", principalType: "User" } }], 5);
    assert.equal(authorizer.evaluate(chat).kind, "allowed");
    assert.equal(authorizer.apply([{ kind: "assignment.delete", id: "ra-1" }], 5), false);
    assert.equal(authorizer.apply([{ kind: "assignment.delete", id: "ra-1" }], 3), false);
    assert.equal(authorizer.evaluate(chat).kind, "allowed");
    assert.equal(authorizer.generation, 5);
    assert.equal(authorizer.apply([{ kind: "assignment.delete", id: "RA-1" }], 6), true);
    assert.equal(authorizer.evaluate(chat).kind, "denied", "ids compare case-insensitively");
  });

  it("a cached decision is dropped when a change arrives", () => {
    const authorizer = createAuthorizer(createPolicy({}), { generation: 0 });
    assert.equal(authorizer.evaluate(chat).kind, "denied");
    authorizer.apply([{ kind: "assignment.put", assignment: { ...grant, principalId: "u1" } }], 1);
    assert.equal(authorizer.evaluate(chat).kind, "allowed");
  });

  it("built-in roles are never replaced or removed by a change", () => {
    const authorizer = createAuthorizer(createPolicy({ roleAssignments: [{ ...grant, principalId: "u1" }] }), { generation: 0 });
    const builtIn = authorizer.policy.roleDefinitions.get(BuiltInRoleIds.COGNITIVE_SERVICES_USER)!;
    authorizer.apply(
      [
        { kind: "role.put", role: { ...builtIn, permissions: [] } },
        { kind: "role.delete", id: BuiltInRoleIds.COGNITIVE_SERVICES_USER },
      ],
      1,
    );
    assert.equal(authorizer.evaluate(chat).kind, "allowed");
  });
});
