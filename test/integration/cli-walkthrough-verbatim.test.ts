/**
 * The Foundry keyless-access walkthrough verbatim, `keyless` for `az`, as subprocesses of the real binary:
 * login as a user, account set, resource show … --query id --output tsv, ad signed-in-user show, ad group show,
 * ad sp show, role assignment create by role name; then keyless chat succeeds as that principal and fails with the
 * explanation after role assignment delete.
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { type KeylessCli, keylessCli } from "../harness/cli.ts";
import { useKeyless } from "../harness/keyless.ts";
import { ADMIN_PASSWORD } from "../harness/keyless-process.ts";

describe("cli walkthrough verbatim", () => {
  const server = useKeyless();
  let cli: KeylessCli;
  const keyless = (...argv: string[]) => cli.run(...argv);
  const ok = (...argv: string[]) => cli.ok(...argv);

  before(async () => {
    // The real binary, as a user runs it: this file is the end-to-end check of the process.
    cli = await keylessCli(server.facts, { binary: true });
  });

  test("the walkthrough with keyless for az, then chat as that principal, then refused after role assignment delete", async () => {
    const { facts } = server;
    await ok("login", "-u", facts.adminUsername, "-p", ADMIN_PASSWORD);
    await ok("account", "set", "--subscription", facts.subscriptionId);
    const resourceId = (
      await ok(
        "resource",
        "show",
        "-g",
        facts.demo!.resourceGroup,
        "-n",
        facts.demo!.account,
        "--resource-type",
        "Microsoft.CognitiveServices/accounts",
        "--query",
        "id",
        "--output",
        "tsv",
      )
    ).trim();
    assert.match(resourceId, /\/providers\/Microsoft\.CognitiveServices\/accounts\//i);
    const objectId = (await ok("ad", "signed-in-user", "show", "--query", "id", "--output", "tsv")).trim();
    const created = JSON.parse(
      await ok(
        "role",
        "assignment",
        "create",
        "--assignee-object-id",
        objectId,
        "--role",
        "Cognitive Services User",
        "--scope",
        resourceId,
      ),
    );

    const answered = await keyless("chat", "--account", facts.demo!.account, "--deployment", facts.demo!.deployment, "hello walkthrough");
    assert.equal(answered.code, 0, answered.stderr);
    assert.match(answered.stdout, /hello walkthrough/);

    await ok("role", "assignment", "delete", "--assignee", objectId, "--role", "Cognitive Services User", "--scope", resourceId);
    const refused = await keyless("chat", "--account", facts.demo!.account, "--deployment", facts.demo!.deployment, "hello again");
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /PermissionDenied[\s\S]*Explanation:/);
    assert.ok(created.id);
  });

  test("the walkthrough's other principals: ad group show --group and ad sp show --id give the object ids", async () => {
    await ok("login", "-u", server.facts.adminUsername, "-p", ADMIN_PASSWORD);
    const group = JSON.parse(
      await ok("ad", "group", "create", "--display-name", "walkthrough-devs", "--mail-nickname", "walkthrough-devs"),
    );
    assert.equal((await ok("ad", "group", "show", "--group", "walkthrough-devs", "--query", "id", "--output", "tsv")).trim(), group.id);
    const sp = JSON.parse(await ok("ad", "sp", "create-for-rbac", "-n", "walkthrough-app"));
    const spId = (await ok("ad", "sp", "show", "--id", sp.appId, "--query", "id", "--output", "tsv")).trim();
    assert.match(spId, /^[0-9a-f-]{36}$/);
  });
});
