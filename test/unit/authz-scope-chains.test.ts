import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createScopeChains } from "../../src/authz/scope-chains.ts";
import { ancestorKeys, parseScope } from "../../src/core/scope.ts";
import { seededRng } from "./authz-random.ts";

/** What the memo must return: exactly `parseScope` and `ancestorKeys`, however it got there. */
function expected(raw: string) {
  const scope = parseScope(raw);
  return scope ? { scope, chain: ancestorKeys(scope) } : undefined;
}

const ACCOUNT = "/subscriptions/aaaa/resourceGroups/RG-1/providers/Microsoft.CognitiveServices/accounts/Acct";
const SPELLINGS = [
  "/",
  "",
  "/subscriptions/aaaa",
  "/subscriptions/aaaa/resourceGroups/RG-1",
  ACCOUNT,
  `${ACCOUNT}/deployments/gpt`,
  `${ACCOUNT}/deployments/GPT/versions/2`,
  `${ACCOUNT}/projects/p1`,
  `${ACCOUNT}/deployments/gpt/`,
  `${ACCOUNT}//deployments/gpt`,
  ` ${ACCOUNT}/deployments/gpt`,
  `${ACCOUNT}/deployments/gpt\t`,
  `${ACCOUNT}/deployments`,
  `${ACCOUNT.toUpperCase()}/DEPLOYMENTS/ΣΑΣ`,
  "/subscriptions/aaaa/resourceGroups/RG-1/providers/Microsoft.CognitiveServices",
  "/subscriptions/aaaa/resourceGroups/RG-1/extra/x",
  "/subscriptions/aaaa/providers/Microsoft.Authorization",
  "/providers/Microsoft.Management/managementGroups/mg1",
  "/providers/Microsoft.Management/managementGroups/mg1/x/y",
  "subscriptions/aaaa/resourceGroups/RG-1",
  "not a scope",
];

describe("scope chains memo", () => {
  it("answers as parseScope and ancestorKeys for odd spellings, in any order and when repeated", () => {
    for (const order of [SPELLINGS, [...SPELLINGS].reverse()]) {
      const chains = createScopeChains();
      for (let round = 0; round < 2; round++) {
        for (const raw of order) assert.deepEqual(chains.resolve(raw), expected(raw), JSON.stringify(raw));
      }
    }
  });

  it("derives children of a known resource exactly as parsing them would, on random names", () => {
    const rng = seededRng(7);
    const alphabet = ["a", "B", "-", "ß", "İ", "Σ", "0", " ", ".", "/", "//"];
    const segment = () => Array.from({ length: 1 + Math.floor(rng() * 4) }, () => alphabet[Math.floor(rng() * alphabet.length)]).join("");
    const chains = createScopeChains(50);
    for (let i = 0; i < 2_000; i++) {
      const depth = Math.floor(rng() * 3);
      let raw = ACCOUNT;
      for (let d = 0; d < depth; d++) raw = `${raw}/${segment()}/${segment()}`;
      assert.deepEqual(chains.resolve(raw), expected(raw), JSON.stringify(raw));
      assert.ok(chains.size <= 50, "stays within its bound");
    }
  });
});
