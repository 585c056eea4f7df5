import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { DeviceCodeCredential } from "@azure/identity";
import { decodeJwt } from "jose";
import { type AzureCli, azureCli, azureCliInstalled } from "../harness/azure-cli.ts";
import { ARM_SCOPE, AZURE_CLI_CLIENT_ID, adminCredential, COGNITIVE_SCOPE, call } from "../harness/clients.ts";
import { useKeyless } from "../harness/keyless.ts";
import { ADMIN_PASSWORD } from "../harness/keyless-process.ts";

describe("device code sign-in", () => {
  const keyless = useKeyless();
  let adminArmToken: string;
  before(async () => {
    adminArmToken = (await adminCredential(keyless.facts).getToken(ARM_SCOPE))!.token;
  });

  const approve = (userCode: string, token = adminArmToken, approveIt = true) =>
    call("POST", `${keyless.facts.url}/devicelogin/decisions`, token, { user_code: userCode, approve: approveIt });

  test("DeviceCodeCredential: the prompt carries the message; approval through the API yields the user's token", async () => {
    const approvals: Promise<{ status: number }>[] = [];
    const credential = new DeviceCodeCredential({
      tenantId: keyless.facts.tenantId,
      clientId: AZURE_CLI_CLIENT_ID,
      authorityHost: keyless.facts.url,
      disableInstanceDiscovery: true,
      userPromptCallback: (info) => {
        assert.match(info.message, new RegExp(`${keyless.facts.url}/devicelogin.*${info.userCode}`));
        approvals.push(approve(info.userCode));
      },
    });
    const token = await credential.getToken(COGNITIVE_SCOPE);
    assert.equal((await approvals[0])!.status, 200);
    const claims = decodeJwt(token!.token);
    assert.equal(claims.aud, "https://cognitiveservices.azure.com");
    assert.equal(claims.upn, keyless.facts.adminUsername);
  });

  test("the poll is authorization_pending until a decision; a declined code answers authorization_declined", async () => {
    const start = await fetch(`${keyless.facts.url}/adfs/oauth2/devicecode`, {
      method: "POST",
      body: new URLSearchParams({
        client_id: AZURE_CLI_CLIENT_ID,
        scope: "https://management.core.windows.net//.default offline_access openid profile",
      }),
    });
    const codes = (await start.json()) as {
      device_code: string;
      user_code: string;
      interval: number;
      message: string;
      verification_uri: string;
    };
    assert.equal(codes.verification_uri, `${keyless.facts.url}/devicelogin`);
    const poll = async () =>
      (
        await fetch(`${keyless.facts.url}/adfs/oauth2/token`, {
          method: "POST",
          body: new URLSearchParams({
            grant_type: "urn:ietf:params:oauth:grant-type:device_code",
            client_id: AZURE_CLI_CLIENT_ID,
            device_code: codes.device_code,
            code: codes.device_code,
          }),
        })
      ).json() as Promise<Record<string, unknown>>;
    assert.equal((await poll()).error, "authorization_pending");
    const unauthenticated = await call("POST", `${keyless.facts.url}/devicelogin/decisions`, undefined, { user_code: codes.user_code });
    assert.equal(unauthenticated.status, 401);
    assert.equal((await poll()).error, "authorization_pending", "a refused approval attempt changes nothing");
    assert.equal((await approve(codes.user_code, adminArmToken, false)).status, 200);
    assert.equal((await poll()).error, "authorization_declined");
    const again = await approve(codes.user_code);
    assert.equal(again.status, 400);
    assert.match(again.body.error_description, /already approved or declined/);
  });

  test("the HTML page approves with a user name and password", async () => {
    const start = await fetch(`${keyless.facts.url}/${keyless.facts.tenantId}/oauth2/v2.0/devicecode`, {
      method: "POST",
      body: new URLSearchParams({
        client_id: AZURE_CLI_CLIENT_ID,
        scope: "https://cognitiveservices.azure.com/.default openid offline_access",
      }),
    });
    const codes = (await start.json()) as { device_code: string; user_code: string };
    const page = await fetch(`${keyless.facts.url}/devicelogin`);
    assert.match(await page.text(), /<form method="post"/);
    const submit = (password: string) =>
      fetch(`${keyless.facts.url}/devicelogin`, {
        method: "POST",
        body: new URLSearchParams({ user_code: codes.user_code, username: keyless.facts.adminUsername, password, decision: "approve" }),
      }).then((r) => r.text());
    assert.match(await submit("wrong"), /Sign-in failed/);
    assert.match(await submit(ADMIN_PASSWORD), /You have signed in/);
    const token = await fetch(`${keyless.facts.url}/${keyless.facts.tenantId}/oauth2/v2.0/token`, {
      method: "POST",
      body: new URLSearchParams({
        grant_type: "urn:ietf:params:oauth:grant-type:device_code",
        client_id: AZURE_CLI_CLIENT_ID,
        device_code: codes.device_code,
      }),
    }).then((r) => r.json() as Promise<Record<string, string>>);
    assert.equal(
      decodeJwt(token.access_token!).aud,
      "https://cognitiveservices.azure.com",
      "the scope of the start request was remembered",
    );
    assert.equal(decodeJwt(token.id_token!).iss, `${keyless.facts.url}/${keyless.facts.tenantId}/v2.0`);
    assert.ok(token.refresh_token);
  });

  describe("Azure CLI 2.45", { skip: !azureCliInstalled && "azure-cli not installed" }, () => {
    let az: AzureCli;
    before(async () => {
      az = await azureCli(keyless.facts);
    });
    after(() => az?.cleanup());

    test("az login --use-device-code, approved through the API while the CLI polls", async () => {
      const child = spawn("az", ["login", "--use-device-code"], { env: az.env });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      const approved = new Promise<number>((resolve, reject) => {
        child.stderr.on("data", (d) => {
          stderr += d;
          const code = /enter the code ([A-Z0-9]+)/.exec(stderr)?.[1];
          if (code) approve(code).then((r) => resolve(r.status), reject);
        });
      });
      const exit = new Promise<number>((resolve) => child.on("exit", (code) => resolve(code ?? 1)));
      assert.equal(await approved, 200);
      assert.equal(await exit, 0, stderr);
      assert.ok(JSON.parse(stdout).some((s: { id: string }) => s.id === keyless.facts.subscriptionId));
      const account = await az.ok(["account", "show"]);
      assert.equal(account.user.name, keyless.facts.adminUsername);
      const token = await az.ok(["account", "get-access-token", "--resource", "https://cognitiveservices.azure.com"]);
      assert.equal(decodeJwt(token.accessToken).upn, keyless.facts.adminUsername);
    });
  });
});
