/**
 * Data-driven RBAC conformance: every case in `test/fixtures/rbac/*.yaml` runs against the pure evaluator and
 * the compiled authorizer (twice, so the cached path is exercised), and both must agree exactly.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createAuthorizer } from "../../src/authz/compiled-policy.ts";
import { evaluate } from "../../src/authz/evaluator.ts";
import type { Decision } from "../../src/authz/types.ts";
import { type FixtureCase, loadAllFixtures } from "./authz-fixtures.ts";

function check(decision: Decision, c: FixtureCase): void {
  assert.equal(decision.kind, c.expect, `expected ${c.expect}, got ${JSON.stringify(decision)}`);
  if (decision.kind === "allowed") {
    assert.ok(decision.grants.length > 0);
    if (c.grantedByRole !== undefined) {
      const roles = decision.grants.map((g) => g.roleName);
      assert.ok(roles.includes(c.grantedByRole), `granted by ${roles.join(", ")}, not ${c.grantedByRole}`);
    }
    return;
  }
  if (c.reason !== undefined) assert.equal(decision.reason, c.reason);
  if (c.denyAssignment !== undefined) assert.equal(decision.denyAssignmentId, c.denyAssignment);
  if (c.suggestedRole !== undefined) {
    const names = decision.suggestedRoles.map((r) => r.roleName);
    assert.ok(names.includes(c.suggestedRole), `suggested ${names.join(", ")}, not ${c.suggestedRole}`);
  }
}

const fixtures = loadAllFixtures();
let total = 0;

for (const fixture of fixtures) {
  describe(`rbac fixture ${fixture.file}`, () => {
    const authorizer = createAuthorizer(fixture.policy);
    for (const c of fixture.cases) {
      total++;
      it(c.name, () => {
        const pure = evaluate(fixture.policy, c.request);
        check(pure, c);
        assert.deepEqual(authorizer.evaluate(c.request), pure, "compiled authorizer (cold) disagrees");
        assert.deepEqual(authorizer.evaluate(c.request), pure, "compiled authorizer (cached) disagrees");
      });
    }
  });
}

describe("rbac fixtures", () => {
  it("hold at least 100 cases with unique names per file", () => {
    assert.ok(total >= 100, `only ${total} cases`);
    for (const fixture of fixtures) {
      const names = fixture.cases.map((c) => c.name);
      assert.equal(new Set(names).size, names.length, `duplicate case names in ${fixture.file}`);
    }
  });
});
