import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type AzureCli, azureCli, azureCliInstalled, words } from "../harness/azure-cli.ts";
import { adminCredential, appCredential, GRAPH_SCOPE, grantDirectoryRole, registerApp } from "../harness/clients.ts";
import { useKeyless } from "../harness/keyless.ts";
import { ADMIN_PASSWORD } from "../harness/keyless-process.ts";
import { DirectoryRoleIds } from "../harness/role-ids.ts";

const skip = !azureCliInstalled && "azure-cli not installed";

/**
 * The Debian `az` 2.45 `ad` commands against our Graph subset. The CLI signs in as a service principal that the
 * administrator made User Administrator and Application Administrator through Graph `directoryRoles`.
 */
describe("az ad (Azure CLI 2.45) against the Graph subset", { skip }, () => {
  const keyless = useKeyless();
  let az: AzureCli;
  let admin: string;
  let operator: { appId: string; secret: string; objectId: string };

  before(async () => {
    admin = (await adminCredential(keyless.facts).getToken(GRAPH_SCOPE))!.token;
    operator = await registerApp(keyless.facts, admin, "az-graph-operator");
    for (const role of [DirectoryRoleIds.userAdministrator, DirectoryRoleIds.applicationAdministrator])
      await grantDirectoryRole(keyless.facts, admin, role, operator.objectId);
    az = await azureCli(keyless.facts);
    await az.loginServicePrincipal(operator, { allowNoSubscriptions: true });
  });
  after(async () => {
    await az?.cleanup();
  });

  test("az ad user create / show / list / update / delete", async () => {
    const upn = "grace@keyless.local";
    const created = await az.ok([
      "ad",
      "user",
      "create",
      "--display-name",
      "Grace Hopper",
      "--user-principal-name",
      upn,
      "--password",
      "Cobol-1959-Navy!",
    ]);
    assert.equal(created.userPrincipalName, upn);
    assert.equal((await az.ok(["ad", "user", "show", "--id", upn])).id, created.id);
    assert.equal((await az.ok(["ad", "user", "show", "--id", created.id])).displayName, "Grace Hopper");
    assert.deepEqual(
      (await az.ok(["ad", "user", "list", "--upn", upn])).map((u: { id: string }) => u.id),
      [created.id],
    );
    assert.deepEqual(
      (await az.ok(["ad", "user", "list", "--display-name", "Grace"])).map((u: { id: string }) => u.id),
      [created.id],
    );
    await az.ok(["ad", "user", "update", "--id", upn, "--display-name", "Rear Admiral Hopper", "--account-enabled", "false"]);
    const updated = await az.ok(["ad", "user", "show", "--id", upn]);
    assert.equal(updated.displayName, "Rear Admiral Hopper");
    assert.equal(updated.accountEnabled, false);
    await az.ok(["ad", "user", "delete", "--id", upn]);
    const gone = await az.run(["ad", "user", "show", "--id", upn]);
    assert.equal(gone.code, 3, gone.stderr);
    assert.match(gone.stderr, /does not exist/);
  });

  test("a User Administrator cannot change the Global Administrator", async () => {
    const denied = await az.run(["ad", "user", "update", "--id", keyless.facts.adminUsername, "--password", "Taken-0ver-pass!"]);
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /Insufficient privileges/);
  });

  test("az ad group create / show --group NAME / list / member add, list, check (nested), remove / delete", async () => {
    const user = await az.ok(
      words("ad user create --display-name Linus --user-principal-name linus@keyless.local --password Kernel-1991-Fin!"),
    );
    const team = await az.ok(["ad", "group", "create", "--display-name", "kernel-team", "--mail-nickname", "kernel-team"]);
    const again = await az.ok(["ad", "group", "create", "--display-name", "kernel-team", "--mail-nickname", "kernel-team"]);
    assert.equal(again.id, team.id, "create is idempotent by displayName and mailNickname, as the CLI expects");
    const maintainers = await az.ok(
      words("ad group create --display-name kernel-maintainers --mail-nickname kernel-maintainers --description nested"),
    );
    assert.equal((await az.ok(["ad", "group", "show", "--group", "kernel-team"])).id, team.id);
    assert.equal((await az.ok(["ad", "group", "show", "--group", maintainers.id])).description, "nested");
    assert.deepEqual(
      (await az.ok(["ad", "group", "list", "--display-name", "kernel-"])).map((g: { id: string }) => g.id).sort(),
      [team.id, maintainers.id].sort(),
    );

    await az.ok(["ad", "group", "member", "add", "--group", "kernel-team", "--member-id", maintainers.id]);
    await az.ok(["ad", "group", "member", "add", "--group", "kernel-maintainers", "--member-id", user.id]);
    const members = await az.ok(["ad", "group", "member", "list", "--group", "kernel-team"]);
    assert.deepEqual(
      members.map((m: { id: string }) => m.id),
      [maintainers.id],
    );
    assert.deepEqual(
      await az.ok(["ad", "group", "member", "check", "--group", team.id, "--member-id", user.id]),
      { value: true },
      "membership through a nested group counts",
    );

    const cycle = await az.run(["ad", "group", "member", "add", "--group", "kernel-maintainers", "--member-id", team.id]);
    assert.equal(cycle.code, 1);
    assert.match(cycle.stderr, /member of itself/);

    const groupsOfUser = await az.ok(["ad", "user", "get-member-groups", "--id", user.id]);
    assert.deepEqual(groupsOfUser.map((g: { displayName: string }) => g.displayName).sort(), ["kernel-maintainers", "kernel-team"]);

    await az.ok(["ad", "group", "owner", "add", "--group", team.id, "--owner-object-id", user.id]);
    assert.deepEqual(
      (await az.ok(["ad", "group", "owner", "list", "--group", team.id])).map((o: { id: string }) => o.id),
      [user.id],
    );
    await az.ok(["ad", "group", "owner", "remove", "--group", team.id, "--owner-object-id", user.id]);
    assert.deepEqual(await az.ok(["ad", "group", "owner", "list", "--group", team.id]), []);

    await az.ok(["ad", "group", "member", "remove", "--group", "kernel-team", "--member-id", maintainers.id]);
    assert.deepEqual(await az.ok(["ad", "group", "member", "check", "--group", team.id, "--member-id", user.id]), { value: false });
    await az.ok(["ad", "group", "delete", "--group", "kernel-team"]);
    const missing = await az.run(["ad", "group", "show", "--group", "kernel-team"]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /No group matches the name of 'kernel-team'/);
  });

  test("az ad sp show --id APPID and az ad sp list --display-name", async () => {
    const shown = await az.ok(["ad", "sp", "show", "--id", operator.appId]);
    assert.equal(shown.id, operator.objectId);
    assert.ok(shown.servicePrincipalNames.includes(operator.appId));
    const listed = await az.ok(["ad", "sp", "list", "--display-name", "az-graph-"]);
    assert.deepEqual(
      listed.map((s: { id: string }) => s.id),
      [operator.objectId],
    );
  });

  test("az ad app create / show / list / update / credential reset / delete", async () => {
    const app = await az.ok(["ad", "app", "create", "--display-name", "az-created-app"]);
    assert.equal(
      (await az.ok(["ad", "app", "create", "--display-name", "az-created-app"])).id,
      app.id,
      "create finds the existing app by name",
    );
    assert.equal((await az.ok(["ad", "app", "show", "--id", app.appId])).id, app.id);
    assert.deepEqual(
      (await az.ok(["ad", "app", "list", "--display-name", "az-created"])).map((a: { appId: string }) => a.appId),
      [app.appId],
    );
    await az.ok(["ad", "app", "update", "--id", app.appId, "--display-name", "az-renamed-app"]);
    assert.equal((await az.ok(["ad", "app", "show", "--id", app.id])).displayName, "az-renamed-app");

    await az.ok(["ad", "sp", "create", "--id", app.appId]);
    const first = await az.ok(["ad", "app", "credential", "reset", "--id", app.appId]);
    assert.equal(first.appId, app.appId);
    assert.equal(first.tenant, keyless.facts.tenantId);
    assert.ok(await appCredential(keyless.facts, app.appId, first.password).getToken(GRAPH_SCOPE));
    const second = await az.ok(["ad", "app", "credential", "reset", "--id", app.appId]);
    assert.notEqual(second.password, first.password);
    await assert.rejects(
      appCredential(keyless.facts, app.appId, first.password).getToken(GRAPH_SCOPE),
      "a reset without --append removes the old secret",
    );
    assert.ok(await appCredential(keyless.facts, app.appId, second.password).getToken(GRAPH_SCOPE));

    await az.ok(["ad", "app", "delete", "--id", app.appId]);
    assert.equal((await az.run(["ad", "app", "show", "--id", app.id])).code, 3);
  });
});

/** Graph as a signed-in user (`az login -u -p`), not a service principal. */
describe("az ad as a signed-in user", { skip }, () => {
  const keyless = useKeyless();
  let az: AzureCli;

  before(async () => {
    az = await azureCli(keyless.facts);
    await az.ok(["login", "-u", keyless.facts.adminUsername, "-p", ADMIN_PASSWORD, "--allow-no-subscriptions"]);
  });
  after(async () => {
    await az?.cleanup();
  });

  test("az ad signed-in-user show returns the administrator", async () => {
    const me = await az.ok(["ad", "signed-in-user", "show"]);
    assert.equal(me.userPrincipalName, keyless.facts.adminUsername);
  });

  test("the Global Administrator creates a user and adds it to a group as itself", async () => {
    const user = await az.ok(
      words("ad user create --display-name Barbara --user-principal-name barbara@keyless.local --password Liskov-1987-Sub!"),
    );
    const group = await az.ok(["ad", "group", "create", "--display-name", "substitutes", "--mail-nickname", "substitutes"]);
    await az.ok(["ad", "group", "member", "add", "--group", "substitutes", "--member-id", user.id]);
    assert.deepEqual(await az.ok(["ad", "group", "member", "check", "--group", group.id, "--member-id", user.id]), { value: true });
  });
});
