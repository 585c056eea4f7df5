import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compilePatterns, compilePermission, globToRegExp, normalizeOperation } from "../../src/authz/permission-match.ts";
import type { Operation, Permission } from "../../src/authz/types.ts";

const action = (name: string) => normalizeOperation({ kind: "action", name });
const data = (name: string) => normalizeOperation({ kind: "dataAction", name });

function block(parts: Partial<Permission>): Permission {
  return { actions: [], notActions: [], dataActions: [], notDataActions: [], ...parts };
}

describe("globToRegExp", () => {
  it("anchors the pattern and lower-cases it", () => {
    assert.equal(globToRegExp("Microsoft.X/Read").source, "^microsoft\\.x\\/read$");
  });
  it("turns * into a match of any sequence, slashes included", () => {
    const re = globToRegExp("Microsoft.CognitiveServices/*/read");
    assert.ok(re.test("microsoft.cognitiveservices/accounts/deployments/read"));
    assert.ok(!re.test("microsoft.cognitiveservices/read"));
  });
  it("treats regular-expression characters as literals", () => {
    for (const pattern of ["a.b", "a+b", "a?b", "a(b)", "a[b]", "a|b", "a^b$", "a{1}", "a\\b"]) {
      const re = globToRegExp(pattern);
      assert.ok(re.test(pattern.toLowerCase()), pattern);
    }
    assert.ok(!globToRegExp("a.b").test("axb"));
    assert.ok(!globToRegExp("a?b").test("ab"));
  });
});

describe("compilePatterns", () => {
  const matcher = compilePatterns(["Microsoft.Support/*", "*/read", "Microsoft.CognitiveServices/accounts/listkeys/action"]);
  it("returns the first matching pattern as written", () => {
    assert.equal(matcher.match("microsoft.support/tickets/read"), "Microsoft.Support/*");
    assert.equal(matcher.match("microsoft.compute/virtualmachines/read"), "*/read");
    assert.equal(
      matcher.match("microsoft.cognitiveservices/accounts/listkeys/action"),
      "Microsoft.CognitiveServices/accounts/listkeys/action",
    );
  });
  it("returns undefined when nothing matches", () => {
    assert.equal(matcher.match("microsoft.compute/virtualmachines/write"), undefined);
    assert.equal(compilePatterns([]).match("anything"), undefined);
  });
  it("lets a bare * match everything, including the empty string", () => {
    const all = compilePatterns(["*"]);
    assert.equal(all.match(""), "*");
    assert.equal(all.match("microsoft.x/y/z/action"), "*");
  });
});

describe("compilePermission", () => {
  it("grants actions minus notActions", () => {
    const p = compilePermission(block({ actions: ["*"], notActions: ["Microsoft.Authorization/*/Write"] }));
    assert.equal(p.grants(action("Microsoft.CognitiveServices/accounts/write")), "*");
    assert.equal(p.grants(action("Microsoft.Authorization/roleAssignments/write")), undefined);
    assert.equal(p.grants(action("MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE")), undefined);
  });
  it("grants data actions minus notDataActions", () => {
    const p = compilePermission(
      block({
        dataActions: ["Microsoft.CognitiveServices/*"],
        notDataActions: ["Microsoft.CognitiveServices/accounts/OpenAI/stored-completions/read"],
      }),
    );
    assert.equal(p.grants(data("Microsoft.CognitiveServices/accounts/MaaS/chat/completions/action")), "Microsoft.CognitiveServices/*");
    assert.equal(p.grants(data("Microsoft.CognitiveServices/accounts/OpenAI/stored-completions/read")), undefined);
  });
  it("never lets actions grant data actions or data actions grant actions", () => {
    const p = compilePermission(block({ actions: ["*"], dataActions: ["Microsoft.Storage/*"] }));
    assert.equal(p.grants(data("Microsoft.CognitiveServices/accounts/MaaS/chat/completions/action")), undefined);
    assert.equal(p.grants(action("Microsoft.Storage/storageAccounts/read")), "*");
    const d = compilePermission(block({ dataActions: ["*"] }));
    assert.equal(d.grants(action("Microsoft.Storage/storageAccounts/read")), undefined);
  });
  it("subtracts notX only from its own kind", () => {
    const name = "Microsoft.CognitiveServices/accounts/read";
    const p = compilePermission(block({ actions: [name], dataActions: [name], notActions: [], notDataActions: [name] }));
    assert.equal(p.grants(action(name)), name);
    assert.equal(p.grants(data(name)), undefined);
  });
  it("matches operations case-insensitively regardless of how the request spells them", () => {
    const p = compilePermission(block({ dataActions: ["Microsoft.CognitiveServices/accounts/MaaS/*"] }));
    const op: Operation = { kind: "dataAction", name: "microsoft.cognitiveservices/ACCOUNTS/maas/Chat/Completions/Action" };
    assert.equal(p.grants(normalizeOperation(op)), "Microsoft.CognitiveServices/accounts/MaaS/*");
  });
});
