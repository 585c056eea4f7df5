import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { AZURE_CLI_CLIENT_ID, call } from "../harness/clients.ts";
import { ADMIN_PASSWORD } from "../harness/keyless-process.ts";
import { useKeyless } from "../harness/keyless.ts";
import { managedIdentityFixture } from "../harness/managed-identity-fixture.ts";

for (const format of ["json", "pretty"] as const)
  describe(`logs at info level (logFormat ${format}) carry no passwords, tokens or managed-identity secrets`, () => {
    let output = "";
    // A child process: its log output is what this test reads.
    const keyless = useKeyless({
      process: true,
      env: { KEYLESS_LOG_LEVEL: "info", KEYLESS_LOG_FORMAT: format },
      onOutput: (chunk) => (output += chunk),
    });

    test("sign-in, a refused token and managed-identity calls are logged without their secrets", async () => {
      const signIn = await fetch(`${keyless.facts.url}/adfs/oauth2/token`, {
        method: "POST",
        body: new URLSearchParams({
          grant_type: "password",
          client_id: AZURE_CLI_CLIENT_ID,
          username: keyless.facts.adminUsername,
          password: ADMIN_PASSWORD,
          scope: "https://management.core.windows.net//.default offline_access",
        }),
      }).then((r) => r.json() as Promise<{ access_token: string; refresh_token: string }>);
      const tampered = `${signIn.access_token.slice(0, -6)}AAAAAA`;
      assert.equal((await call("GET", `${keyless.facts.url}/subscriptions?api-version=2022-12-01`, tampered)).status, 401);

      const mi = await managedIdentityFixture(keyless, "log-check");
      const secret = mi.appServiceEnv.IDENTITY_HEADER!;
      const imds = await fetch(
        `${mi.imdsEnv.AZURE_POD_IDENTITY_AUTHORITY_HOST}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com/`,
        { headers: { Metadata: "true" } },
      );
      assert.equal(imds.status, 200);
      const appService = await fetch(
        `${mi.appServiceEnv.IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=https://management.azure.com/`,
        {
          headers: { "x-identity-header": secret },
        },
      );
      assert.equal(appService.status, 200);
      await new Promise((resolve) => setTimeout(resolve, 300));

      assert.match(output, /access token rejected/, "the refusal itself is logged");
      assert.match(output, /managed-identity\/\[redacted\]\/metadata/, "requests are logged, with the path secret masked");
      const records = output.split("\n").filter((line) => line.startsWith("{"));
      if (format === "json") {
        assert.ok(records.length > 5, output);
        for (const line of records) assert.equal(typeof JSON.parse(line).level, "number", line);
        assert.match(output, /"msg":"request completed"/);
      } else {
        assert.deepEqual(records, [], "no JSON records on the pretty console");
        assert.match(output, /^\d\d:\d\d:\d\d\.\d{3} INFO  POST \/adfs\/oauth2\/token → 200 \(\d+ ms\)$/m, output);
        assert.match(output, /^\d\d:\d\d:\d\d\.\d{3} WARN  access token rejected tokenRejection=\{"reason":"bad-signature"/m, output);
        assert.match(
          output,
          /^\d\d:\d\d:\d\d\.\d{3} INFO  GET \/managed-identity\/\[redacted\]\/metadata\/identity\/oauth2\/token\?/m,
          output,
        );
      }
      for (const [what, value] of Object.entries({
        password: ADMIN_PASSWORD,
        accessToken: signIn.access_token.split(".")[1]!,
        tamperedSignature: tampered.split(".")[2]!,
        refreshToken: signIn.refresh_token,
        miSecret: secret,
      })) {
        assert.ok(!output.includes(value), `${what} must not appear in the logs`);
      }
    });
  });
