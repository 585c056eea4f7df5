import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compilePatterns, compilePermission, globMatcher, normalizeOperation } from "../../src/authz/permission-match.ts";
import type { Operation, Permission } from "../../src/authz/types.ts";

const action = (name: string) => normalizeOperation({ kind: "action", name });
const data = (name: string) => normalizeOperation({ kind: "dataAction", name });

function block(parts: Partial<Permission>): Permission {
  return { actions: [], notActions: [], dataActions: [], notDataActions: [], ...parts };
}

describe("globMatcher", () => {
  it("matches the whole lower-cased name", () => {
    const matches = globMatcher("Microsoft.X/Read");
    assert.ok(matches("microsoft.x/read"));
    assert.ok(!matches("microsoft.x/read/more"));
    assert.ok(!matches("a.microsoft.x/read"));
  });
  it("turns * into a match of any sequence, slashes included", () => {
    const matches = globMatcher("Microsoft.CognitiveServices/*/read");
    assert.ok(matches("microsoft.cognitiveservices/accounts/deployments/read"));
    assert.ok(!matches("microsoft.cognitiveservices/read"));
  });
  it("treats regular-expression characters as literals", () => {
    for (const pattern of ["a.b", "a+b", "a?b", "a(b)", "a[b]", "a|b", "a^b$", "a{1}", "a\\b"]) {
      assert.ok(globMatcher(pattern)(pattern.toLowerCase()), pattern);
    }
    assert.ok(!globMatcher("a.b")("axb"));
    assert.ok(!globMatcher("a?b")("ab"));
  });
  it("never lets the pieces around a star overlap", () => {
    assert.ok(!globMatcher("ab*ba")("aba"));
    assert.ok(globMatcher("ab*ba")("abba"));
    assert.ok(!globMatcher("a*a*a")("aa"));
    assert.ok(globMatcher("a*a*a")("aaa"));
  });
  it("agrees with the regular expression it replaces on every name and pattern over a small alphabet", () => {
    const regexpOf = (pattern: string) => new RegExp(`^${pattern.split("*").join(".*")}$`);
    const words = (length: number, alphabet: string): string[] =>
      length === 0 ? [""] : words(length - 1, alphabet).flatMap((w) => [...alphabet].map((c) => w + c));
    const names = [0, 1, 2, 3, 4, 5].flatMap((n) => words(n, "ab"));
    const patterns = [0, 1, 2, 3, 4].flatMap((n) => words(n, "ab*"));
    for (const pattern of patterns) {
      const matches = globMatcher(pattern);
      const regexp = regexpOf(pattern);
      for (const name of names) assert.equal(matches(name), regexp.test(name), `${pattern} on '${name}'`);
    }
  });
  it("answers at once for a pattern of many stars (as a regular expression, eight took half a minute)", () => {
    const name = "microsoft.cognitiveservices/accounts/deployments/write";
    assert.equal(globMatcher(`${"*".repeat(10_000)}t`)(name), false);
    assert.equal(globMatcher(`${"*e".repeat(5_000)}*`)(name), false);
    assert.equal(globMatcher(`${"*".repeat(10_000)}e`)(name), true);
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
