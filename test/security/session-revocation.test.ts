import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { ARM_SCOPE, AZURE_CLI_CLIENT_ID, adminTokens, call } from "../harness/clients.ts";
import { useKeyless } from "../harness/keyless.ts";

const ARM = "https://management.core.windows.net/";

describe("a password reset ends the sessions the old password started", () => {
  const keyless = useKeyless();
  let graphToken: string;
  before(async () => {
    graphToken = (await adminTokens(keyless.facts)).graph;
  });

  const token = (form: Record<string, string>) =>
    fetch(`${keyless.facts.url}/${keyless.facts.tenantId}/oauth2/v2.0/token`, { method: "POST", body: new URLSearchParams(form) }).then(
      async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }),
    );

  test("a refresh token issued before an administrator resets the password is refused (AADSTS50173); the new password signs in", async () => {
    const userPrincipalName = `stolen-session@${keyless.facts.adminUsername.split("@")[1]}`;
    const created = await call("POST", `${keyless.facts.url}/graph/v1.0/users`, graphToken, {
      accountEnabled: true,
      displayName: "Stolen session",
      mailNickname: "stolen-session",
      userPrincipalName,
      passwordProfile: { password: "Old-Password-1", forceChangePasswordNextSignIn: false },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const password = (value: string) =>
      token({
        grant_type: "password",
        client_id: AZURE_CLI_CLIENT_ID,
        username: userPrincipalName,
        password: value,
        scope: `${ARM_SCOPE} offline_access`,
      });
    const refresh = (refreshToken: string) =>
      token({ grant_type: "refresh_token", client_id: AZURE_CLI_CLIENT_ID, refresh_token: refreshToken, scope: `${ARM}/.default` });

    // The attacker signed in with the leaked password and keeps the refresh token; one rotation shows it works.
    const stolen = await password("Old-Password-1");
    assert.equal(stolen.status, 200, JSON.stringify(stolen.body));
    const rotated = await refresh(stolen.body.refresh_token as string);
    assert.equal(rotated.status, 200, JSON.stringify(rotated.body));

    // A device code approved with the leaked password but redeemed only after the reset must not start a session.
    const device = await fetch(`${keyless.facts.url}/${keyless.facts.tenantId}/oauth2/v2.0/devicecode`, {
      method: "POST",
      body: new URLSearchParams({ client_id: AZURE_CLI_CLIENT_ID, scope: `${ARM_SCOPE} offline_access` }),
    }).then((r) => r.json() as Promise<{ device_code: string; user_code: string }>);
    const approved = await fetch(`${keyless.facts.url}/devicelogin`, {
      method: "POST",
      body: new URLSearchParams({
        user_code: device.user_code,
        username: userPrincipalName,
        password: "Old-Password-1",
        decision: "approve",
      }),
    }).then((r) => r.text());
    assert.match(approved, /You have signed in/);

    const reset = await call("PATCH", `${keyless.facts.url}/graph/v1.0/users/${created.body.id}`, graphToken, {
      passwordProfile: { password: "New-Password-2", forceChangePasswordNextSignIn: false },
    });
    assert.equal(reset.status, 204, JSON.stringify(reset.body));

    const afterReset = await refresh(rotated.body.refresh_token as string);
    assert.equal(afterReset.status, 400, JSON.stringify(afterReset.body));
    assert.deepEqual(afterReset.body.error_codes, [50173]);
    assert.equal((await password("Old-Password-1")).status, 400);
    const redeemed = await token({
      grant_type: "urn:ietf:params:oauth:grant-type:device_code",
      client_id: AZURE_CLI_CLIENT_ID,
      device_code: device.device_code,
    });
    assert.equal(redeemed.status, 400, JSON.stringify(redeemed.body));
    assert.equal(redeemed.body.refresh_token, undefined);
    const fresh = await password("New-Password-2");
    assert.equal(fresh.status, 200, JSON.stringify(fresh.body));
    assert.equal((await refresh(fresh.body.refresh_token as string)).status, 200, "sessions of the new password are not affected");
  });

  test("a profile change without a password keeps the user's sessions", async () => {
    const userPrincipalName = `renamed@${keyless.facts.adminUsername.split("@")[1]}`;
    const created = await call("POST", `${keyless.facts.url}/graph/v1.0/users`, graphToken, {
      accountEnabled: true,
      displayName: "Renamed",
      mailNickname: "renamed",
      userPrincipalName,
      passwordProfile: { password: "Kept-Password-3", forceChangePasswordNextSignIn: false },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const signedIn = await token({
      grant_type: "password",
      client_id: AZURE_CLI_CLIENT_ID,
      username: userPrincipalName,
      password: "Kept-Password-3",
      scope: `${ARM_SCOPE} offline_access`,
    });
    assert.equal(signedIn.status, 200);
    const renamed = await call("PATCH", `${keyless.facts.url}/graph/v1.0/users/${created.body.id}`, graphToken, {
      displayName: "Renamed again",
    });
    assert.equal(renamed.status, 204);
    const refreshed = await token({
      grant_type: "refresh_token",
      client_id: AZURE_CLI_CLIENT_ID,
      refresh_token: signedIn.body.refresh_token as string,
      scope: `${ARM}/.default`,
    });
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
  });
});
