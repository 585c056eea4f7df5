/**
 * The Foundry keyless-access walkthrough with `keyless` in place of `az`, run in this process (`keylessCli`; the
 * verbatim walkthrough runs the real binary) against a started server — as far as the server on this branch supports it. `resource show`, `ad
 * signed-in-user show`, `ad group show`, `ad sp show` and `--role NAME` need routes that land with the arm,
 * graph and rbac branches; here the account id is built from the ready line and the role is given by its id.
 */
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { type KeylessCli, keylessCli } from "../harness/cli.ts";
import { useKeyless } from "../harness/keyless.ts";
import { ADMIN_PASSWORD } from "../harness/keyless-process.ts";
import { RoleIds } from "../harness/role-ids.ts";

describe("cli walkthrough", () => {
  const server = useKeyless();
  let cli: KeylessCli;
  const keyless = (...argv: string[]) => cli.run(...argv);
  const ok = (...argv: string[]) => cli.ok(...argv);

  before(async () => {
    cli = await keylessCli(server.facts);
  });

  function oidOf(token: string): string {
    return JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8")).oid;
  }

  test("walkthrough: login as a user, account set/show, chat refused with the explanation, assign, chat, delete, refused again", async () => {
    const { facts } = server;
    const accounts = JSON.parse(await ok("login", "-u", facts.adminUsername, "-p", ADMIN_PASSWORD));
    assert.equal(accounts[0].id, facts.subscriptionId);
    assert.equal(accounts[0].user.name, facts.adminUsername);
    await ok("account", "set", "-s", facts.subscriptionId);
    assert.equal(await ok("account", "show", "--query", "id", "--output", "tsv"), `${facts.subscriptionId}\n`);

    const accountId = `/subscriptions/${facts.subscriptionId}/resourceGroups/${facts.demo!.resourceGroup}/providers/Microsoft.CognitiveServices/accounts/${facts.demo!.account}`;
    const me = oidOf(
      (
        await ok("account", "get-access-token", "--resource", "https://cognitiveservices.azure.com", "--query", "accessToken", "-o", "tsv")
      ).trim(),
    );
    const chat = () => keyless("chat", "--account", facts.demo!.account, "--deployment", facts.demo!.deployment, "hello keyless");

    const refused = await chat();
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^ERROR: \(PermissionDenied\) .*Microsoft\.CognitiveServices\/accounts\/MaaS\/chat\/completions\/action/);
    assert.match(
      refused.stderr,
      /Explanation:\n(?: {2}.*\n)* {2}reason: no-matching-assignment\n(?: {2}.*\n)* {2}suggestedRoles: Cognitive Services User, /,
    );

    const assignment = JSON.parse(
      await ok(
        "role",
        "assignment",
        "create",
        "--assignee-object-id",
        me,
        "--assignee-principal-type",
        "User",
        "--role",
        RoleIds.cognitiveServicesUser,
        "--scope",
        accountId,
      ),
    );
    assert.equal(assignment.properties.principalId, me);
    assert.equal(assignment.properties.scope.toLowerCase(), accountId.toLowerCase());

    const answered = await chat();
    assert.equal(answered.code, 0, answered.stderr);
    assert.match(answered.stdout, /hello keyless/);

    await ok("role", "assignment", "delete", "--ids", assignment.id);
    const refusedAgain = await chat();
    assert.equal(refusedAgain.code, 1);
    assert.match(refusedAgain.stderr, /PermissionDenied/);
  });

  test("a service principal made with ad sp create-for-rbac signs in with --service-principal and calls the model", async () => {
    const { facts } = server;
    await ok("login", "-u", facts.adminUsername, "-p", ADMIN_PASSWORD);
    const accountId = `/subscriptions/${facts.subscriptionId}/resourceGroups/${facts.demo!.resourceGroup}/providers/Microsoft.CognitiveServices/accounts/${facts.demo!.account}`;
    const sp = JSON.parse(
      await ok("ad", "sp", "create-for-rbac", "-n", "cli-it-app", "--role", RoleIds.cognitiveServicesUser, "--scopes", accountId),
    );
    assert.equal(sp.tenant, facts.tenantId);
    assert.ok(sp.password.length > 20);

    const accounts = JSON.parse(await ok("login", "--service-principal", "-u", sp.appId, "-p", sp.password, "--tenant", facts.tenantId));
    assert.deepEqual(
      accounts.map((a: { user: unknown }) => a.user),
      [{ name: sp.appId, type: "servicePrincipal" }],
    );
    const answer = JSON.parse(
      await ok(
        "chat",
        "--account",
        facts.demo!.account,
        "--deployment",
        facts.demo!.deployment,
        "--no-stream",
        "ping",
        "--query",
        "choices[0].message",
      ),
    );
    assert.equal(answer.role, "assistant");
    assert.match(answer.content, /ping/);

    await ok("logout", "--username", sp.appId);
    const listed = JSON.parse(await ok("account", "list"));
    assert.ok(!listed.some((a: { user: { name: string } }) => a.user.name === sp.appId));
    assert.ok(
      !readFileSync(join(cli.env.KEYLESS_CONFIG_DIR!, "token-cache.json"), "utf8").includes(sp.password),
      "logout forgets the secret",
    );
  });

  test("ad app create through the real Graph POST", async () => {
    await ok("login", "-u", server.facts.adminUsername, "-p", ADMIN_PASSWORD);
    const app = JSON.parse(await ok("ad", "app", "create", "--display-name", "cli-it-registered"));
    assert.equal(app.displayName, "cli-it-registered");
    assert.match(app.appId, /^[0-9a-f-]{36}$/);
  });

  test("the config dir and its files are private (0700 / 0600); --debug redacts secrets", async () => {
    const dir = cli.env.KEYLESS_CONFIG_DIR!;
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    for (const file of ["profile.json", "token-cache.json"]) assert.equal(statSync(join(dir, file)).mode & 0o777, 0o600, file);
    assert.ok(!readFileSync(join(dir, "profile.json"), "utf8").includes("accessToken"), "tokens live only in the token cache");

    const debug = await keyless("login", "-u", server.facts.adminUsername, "-p", ADMIN_PASSWORD, "--debug");
    assert.equal(debug.code, 0, debug.stderr);
    assert.match(debug.stderr, /DEBUG: Request: POST https:\/\/.*\/oauth2\/v2\.0\/token/);
    assert.match(debug.stderr, /password=REDACTED/);
    assert.ok(!debug.stderr.includes(ADMIN_PASSWORD));
    assert.doesNotMatch(debug.stderr, /"access_token":\s*"ey/);
    const quiet = await keyless("account", "list", "--only-show-errors");
    assert.equal(quiet.stderr, "");
  });

  test("a wrong password: exit 1 with the token service's message, nothing cached", async () => {
    const run = await keyless("login", "-u", server.facts.adminUsername, "-p", "not-the-password");
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^ERROR: \(invalid_grant\) /);
  });

  test("cloud az-config prints the az cloud register document with the ADFS authority", async () => {
    const config = JSON.parse(await ok("cloud", "az-config"));
    assert.equal(config.endpoints.activeDirectory, `${server.facts.url}/adfs`);
    assert.equal(config.endpoints.microsoftGraphResourceId, `${server.facts.url}/graph/`);
    assert.equal(config.endpoints.resourceManager, `${server.facts.url}/`);
    assert.match(await ok("cloud", "az-config", "--env"), /^export REQUESTS_CA_BUNDLE=.+\n/);
  });
});
