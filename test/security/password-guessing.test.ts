import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { adminCredential, ARM_SCOPE, AZURE_CLI_CLIENT_ID, call, GRAPH_SCOPE } from "../harness/clients.ts";
import { useKeyless } from "../harness/keyless.ts";

/** Threat: parallel password guesses that all pass a lockout check made before any of them was recorded. */
describe("password guessing: the lockout counts each attempt before the password is checked", () => {
  const keyless = useKeyless();

  test("120 parallel guesses for one account: at most the policy's 10 are checked, the rest are AADSTS50053", async () => {
    const adminGraph = (await adminCredential(keyless.facts).getToken(GRAPH_SCOPE))!.token;
    const upn = `victim@${keyless.facts.adminUsername.split("@")[1]}`;
    const created = await call("POST", `${keyless.facts.url}/graph/v1.0/users`, adminGraph, {
      accountEnabled: true,
      displayName: "Victim",
      mailNickname: "victim",
      userPrincipalName: upn,
      passwordProfile: { password: "Victim-Password-1", forceChangePasswordNextSignIn: false },
    });
    assert.equal(created.status, 201);
    const guess = (i: number) =>
      fetch(`${keyless.facts.url}/${keyless.facts.tenantId}/oauth2/v2.0/token`, {
        method: "POST",
        body: new URLSearchParams({
          grant_type: "password",
          client_id: AZURE_CLI_CLIENT_ID,
          username: upn,
          password: `guess-${i}`,
          scope: ARM_SCOPE,
        }),
      }).then((r) => r.json() as Promise<{ error_codes: number[] }>);
    const answers = await Promise.all(Array.from({ length: 120 }, (_, i) => guess(i)));
    const checked = answers.filter((a) => a.error_codes[0] === 50126).length;
    const locked = answers.filter((a) => a.error_codes[0] === 50053).length;
    assert.ok(checked <= 10, `${checked} guesses were checked against the password; the policy allows 10`);
    assert.equal(checked + locked, 120);
  });
});
