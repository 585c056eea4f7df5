/**
 * The commands the walkthrough does not reach, run in this process (`keylessCli`: the binary's command table, printer
 * and exit codes; the binary's own process is tested by cli-serve and the walkthroughs) against one started server:
 * managed identities (and signing in as one with the lines `identity show --workload-env` prints), certificate
 * sign-in, account keys, deployments, custom roles, users and group members, assignment delete by assignee, the
 * activity log, and `apply -f` of the docs' complete example twice.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { type KeylessCli, keylessCli } from "../harness/cli.ts";
import { GRAPH_SCOPE, adminCredential, call } from "../harness/clients.ts";
import { addCertificate } from "../harness/graph-credentials.ts";
import { ADMIN_PASSWORD } from "../harness/keyless-process.ts";
import { useKeyless } from "../harness/keyless.ts";
import { selfSignedCertificate } from "../harness/test-certificates.ts";

describe("cli commands", () => {
  const server = useKeyless();
  const work = mkdtempSync(join(tmpdir(), "keyless-cli-cmds-"));
  let admin: KeylessCli;
  const ok = (...argv: string[]) => admin.ok(...argv);
  const json = (...argv: string[]) => admin.json(...argv);

  /** A fresh CLI (its own config dir) with the server registered as the active cloud; `extra` is more environment. */
  const configDir = (extra: Record<string, string> = {}) => keylessCli(server.facts, { extra });

  function claimsOf(token: string): Record<string, unknown> {
    return JSON.parse(Buffer.from(token.trim().split(".")[1]!, "base64url").toString("utf8"));
  }

  before(async () => {
    admin = await keylessCli(server.facts, { signIn: { username: server.facts.adminUsername, password: ADMIN_PASSWORD } });
  });

  test("identity create|show|list|delete; show --workload-env gives lines that sign in as the identity, and only an admin gets them", async () => {
    const rg = server.facts.demo!.resourceGroup;
    const created = await json("identity", "create", "-n", "worker-id", "-g", rg);
    const { principalId, clientId } = created.properties;
    assert.match(principalId, /^[0-9a-f-]{36}$/);
    assert.equal((await json("identity", "show", "-n", "worker-id", "-g", rg)).properties.clientId, clientId);
    assert.deepEqual(await json("identity", "list", "-g", rg, "--query", "[].name"), ["worker-id"]);
    assert.ok((await json("identity", "list", "--query", "[].id")).includes(created.id));

    const lines = await ok("identity", "show", "-n", "worker-id", "-g", rg, "--workload-env");
    const vars = Object.fromEntries([...lines.matchAll(/^export (\w+)=(.+)$/gm)].map((m) => [m[1]!, m[2]!]));
    assert.deepEqual(Object.keys(vars).sort(), [
      "AZURE_POD_IDENTITY_AUTHORITY_HOST",
      "IDENTITY_ENDPOINT",
      "IDENTITY_HEADER",
      "MSI_ENDPOINT",
    ]);
    assert.ok(vars.IDENTITY_ENDPOINT!.startsWith(server.facts.url));

    // With no role yet it sees no subscription: an error (exit 1), not `[]` and a CLI left signed out.
    const roleless = await configDir({ MSI_ENDPOINT: vars.MSI_ENDPOINT! });
    const refusedLogin = await roleless.run("login", "--identity");
    assert.equal(refusedLogin.code, 1, refusedLogin.stdout);
    assert.match(refusedLogin.stderr, /^ERROR: \(NoSubscriptions\) No access was configured for this managed identity/);
    assert.equal(refusedLogin.stdout, "");

    await ok(
      "role",
      "assignment",
      "create",
      "--assignee-object-id",
      principalId,
      "--assignee-principal-type",
      "ServicePrincipal",
      "--role",
      "Reader",
      "--scope",
      `/subscriptions/${server.facts.subscriptionId}/resourceGroups/${rg}`,
    );
    const styles = {
      appService: { IDENTITY_ENDPOINT: vars.IDENTITY_ENDPOINT!, IDENTITY_HEADER: vars.IDENTITY_HEADER! },
      msi: { MSI_ENDPOINT: vars.MSI_ENDPOINT! },
    };
    for (const [style, extra] of Object.entries(styles)) {
      const workload = await configDir(extra);
      const accounts = JSON.parse(await workload.ok("login", "--identity"));
      assert.equal(accounts[0].id, server.facts.subscriptionId, style);
      const token = await workload.ok("account", "get-access-token", "--query", "accessToken", "-o", "tsv");
      assert.equal(claimsOf(token).oid, principalId, style);
      assert.equal(claimsOf(token).appid, clientId, style);
      // A Reader can see the identity but not its endpoint secret.
      assert.equal(JSON.parse(await workload.ok("identity", "show", "-n", "worker-id", "-g", rg)).name, "worker-id");
      const refused = await workload.run("identity", "show", "-n", "worker-id", "-g", rg, "--workload-env");
      assert.equal(refused.code, 1, style);
      assert.match(refused.stderr, /^ERROR: \(AuthorizationFailed\) .*listWorkloadEnvironment\/action/);
      assert.ok(!refused.stderr.includes(vars.IDENTITY_HEADER!));
    }

    await ok("identity", "delete", "-n", "worker-id", "-g", rg);
    assert.deepEqual(await json("identity", "list", "-g", rg), []);
    const gone = await (await configDir(styles.appService)).run("login", "--identity");
    assert.equal(gone.code, 1, "a deleted identity's endpoint secret no longer gives tokens");
  });

  test("login --service-principal --certificate with a PEM holding the certificate and its key", async () => {
    const rg = server.facts.demo!.resourceGroup;
    const sp = await json(
      "ad",
      "sp",
      "create-for-rbac",
      "-n",
      "cli-cert-app",
      "--role",
      "Reader",
      "--scopes",
      `/subscriptions/${server.facts.subscriptionId}/resourceGroups/${rg}`,
    );
    const certificate = await selfSignedCertificate("cli-cert-app");
    const graphToken = (await adminCredential(server.facts).getToken(GRAPH_SCOPE))!.token;
    const application = await call("GET", `${server.facts.url}/graph/v1.0/applications?$filter=appId eq '${sp.appId}'`, graphToken);
    await addCertificate(server.facts, graphToken, application.body.value[0].id, certificate.certificatePem);
    const pem = join(work, "cli-cert-app.pem");
    // Joined without a newline between the blocks, as some tools write them.
    writeFileSync(pem, certificate.certificatePem + certificate.privateKeyPem, { mode: 0o600 });
    const env = await configDir();
    const accounts = JSON.parse(
      await env.ok("login", "--service-principal", "-u", sp.appId, "--certificate", pem, "--tenant", server.facts.tenantId),
    );
    assert.deepEqual(accounts[0].user, { name: sp.appId, type: "servicePrincipal" });
    const token = await env.ok("account", "get-access-token", "--query", "accessToken", "-o", "tsv");
    assert.equal(claimsOf(token).appid, sp.appId);
    assert.equal(JSON.parse(await env.ok("group", "show", "-n", rg)).name, rg);
    assert.ok(
      !readFileSync(join(env.env.KEYLESS_CONFIG_DIR!, "token-cache.json"), "utf8").includes("PRIVATE KEY"),
      "the cache names the file, not the key",
    );

    const wrong = await selfSignedCertificate("someone-else");
    writeFileSync(pem, wrong.certificatePem + wrong.privateKeyPem);
    const refused = await (await configDir()).run(
      "login",
      "--service-principal",
      "-u",
      sp.appId,
      "--certificate",
      pem,
      "--tenant",
      server.facts.tenantId,
    );
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^ERROR: \(invalid_client\) /);
  });

  test("cognitiveservices account keys list|regenerate: only the named key changes", async () => {
    const { resourceGroup, account } = server.facts.demo!;
    const before = await json("cognitiveservices", "account", "keys", "list", "-n", account, "-g", resourceGroup);
    assert.match(before.key1, /^[0-9a-f]{32,}$/);
    const after = await json(
      "cognitiveservices",
      "account",
      "keys",
      "regenerate",
      "-n",
      account,
      "-g",
      resourceGroup,
      "--key-name",
      "key2",
    );
    assert.equal(after.key1, before.key1);
    assert.notEqual(after.key2, before.key2);
    assert.deepEqual(await json("cognitiveservices", "account", "keys", "list", "-n", account, "-g", resourceGroup), after);
    const bad = await admin.run(
      "cognitiveservices",
      "account",
      "keys",
      "regenerate",
      "-n",
      account,
      "-g",
      resourceGroup,
      "--key-name",
      "key3",
    );
    assert.equal(bad.code, 2);
  });

  test("cognitiveservices account deployment create (az 2.45 and newer sku flags), show, list, delete; model list names what can be deployed", async () => {
    const { resourceGroup, account } = server.facts.demo!;
    const models = await json("cognitiveservices", "model", "list", "-l", "local", "--query", "[].model.name");
    assert.ok(models.includes("keyless-echo"), JSON.stringify(models));
    const model = ["--model-name", "keyless-echo", "--model-version", "1", "--model-format", "Keyless"];
    const standard = await json(
      "cognitiveservices",
      "account",
      "deployment",
      "create",
      "-n",
      account,
      "-g",
      resourceGroup,
      "--deployment-name",
      "cli-standard",
      ...model,
      "--scale-settings-scale-type",
      "Standard",
    );
    assert.equal(standard.properties.model.name, "keyless-echo");
    const sku = await json(
      "cognitiveservices",
      "account",
      "deployment",
      "create",
      "-n",
      account,
      "-g",
      resourceGroup,
      "--deployment-name",
      "cli-sku",
      ...model,
      "--sku-name",
      "GlobalStandard",
      "--sku-capacity",
      "5",
    );
    assert.deepEqual(sku.sku, { name: "GlobalStandard", capacity: 5 });
    assert.equal(
      (await json("cognitiveservices", "account", "deployment", "show", "-n", account, "-g", resourceGroup, "--deployment-name", "cli-sku"))
        .name,
      "cli-sku",
    );
    const names = await json(
      "cognitiveservices",
      "account",
      "deployment",
      "list",
      "-n",
      account,
      "-g",
      resourceGroup,
      "--query",
      "[].name",
    );
    assert.ok(names.includes("cli-standard") && names.includes("cli-sku"), JSON.stringify(names));
    const unknown = await admin.run(
      "cognitiveservices",
      "account",
      "deployment",
      "create",
      "-n",
      account,
      "-g",
      resourceGroup,
      "--deployment-name",
      "x",
      "--model-name",
      "nope",
      "--model-version",
      "1",
      "--model-format",
      "Keyless",
    );
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^ERROR: \(DeploymentModelNotSupported\) /);
    for (const name of ["cli-standard", "cli-sku"])
      await ok("cognitiveservices", "account", "deployment", "delete", "-n", account, "-g", resourceGroup, "--deployment-name", name);
    assert.deepEqual(
      (await json("cognitiveservices", "account", "deployment", "list", "-n", account, "-g", resourceGroup, "--query", "[].name")).filter(
        (n: string) => n.startsWith("cli-"),
      ),
      [],
    );
  });

  test("role definition create|list|update|delete of a custom role", async () => {
    const file = join(work, "role.json");
    const role = {
      Name: "CLI Model Reader",
      Description: "reads accounts",
      Actions: ["Microsoft.CognitiveServices/accounts/read"],
      AssignableScopes: [`/subscriptions/${server.facts.subscriptionId}`],
    };
    writeFileSync(file, JSON.stringify(role));
    const created = await json("role", "definition", "create", "--role-definition", `@${file}`);
    assert.deepEqual(
      [created.roleName, created.roleType, created.type],
      ["CLI Model Reader", "CustomRole", "Microsoft.Authorization/roleDefinitions"],
    );
    writeFileSync(
      file,
      JSON.stringify({
        ...role,
        Description: "reads accounts and deployments",
        Actions: [...role.Actions, "Microsoft.CognitiveServices/accounts/deployments/read"],
      }),
    );
    const updated = await json("role", "definition", "update", "--role-definition", `@${file}`);
    assert.equal(updated.name, created.name);
    assert.equal(
      (await json("role", "definition", "list", "--name", "CLI Model Reader", "--query", "[0].permissions[0].actions")).length,
      2,
    );
    assert.deepEqual(await json("role", "definition", "list", "--custom-role-only", "--query", "[].roleName"), ["CLI Model Reader"]);
    await ok("role", "definition", "delete", "--name", "CLI Model Reader");
    assert.deepEqual(await json("role", "definition", "list", "--name", "CLI Model Reader"), []);
  });

  test("ad user create|show|update|delete; ad group member add|list|check|remove; ad group delete", async () => {
    const domain = server.facts.adminUsername.split("@")[1];
    const upn = `carol@${domain}`;
    const user = await json(
      "ad",
      "user",
      "create",
      "--display-name",
      "Carol",
      "--user-principal-name",
      upn,
      "--password",
      "Carol-Password-1",
    );
    await ok("ad", "user", "update", "--id", upn, "--display-name", "Carol C");
    assert.equal((await json("ad", "user", "show", "--id", upn)).displayName, "Carol C");
    const group = await json("ad", "group", "create", "--display-name", "cli-members", "--mail-nickname", "cli-members");
    await ok("ad", "group", "member", "add", "--group", "cli-members", "--member-id", user.id);
    assert.deepEqual(await json("ad", "group", "member", "list", "--group", "cli-members", "--query", "[].id"), [user.id]);
    assert.equal((await json("ad", "group", "member", "check", "--group", group.id, "--member-id", user.id)).value, true);
    await ok("ad", "group", "member", "remove", "--group", "cli-members", "--member-id", user.id);
    assert.deepEqual(await json("ad", "group", "member", "list", "--group", "cli-members"), []);
    assert.equal((await json("ad", "group", "member", "check", "--group", group.id, "--member-id", user.id)).value, false);
    await ok("ad", "group", "delete", "--group", "cli-members");
    await ok("ad", "user", "delete", "--id", upn);
    const shown = await admin.run("ad", "user", "show", "--id", upn);
    assert.equal(shown.code, 3, shown.stderr);
    assert.deepEqual(
      (await json("ad", "user", "list", "--query", "[].userPrincipalName")).filter((u: string) => u === upn),
      [],
    );
  });

  test("apply -f of the docs' complete example: creates the world with its role assignments, then a second run changes nothing", async () => {
    const doc = readFileSync(join(import.meta.dirname, "..", "..", "docs", "seed-file.md"), "utf8");
    const example = /## Complete example\s+```yaml\n([\s\S]*?)```/.exec(doc)![1]!;
    const file = join(work, "world.yaml");
    writeFileSync(file, example);
    const plan = await json("apply", "-f", file, "--dry-run");
    assert.deepEqual(await json("ad", "user", "list", "--upn", "alice@keyless.local"), [], "a dry run creates nothing");
    assert.deepEqual(await json("apply", "-f", file, "--dry-run"), plan, "nor does a second one");
    const first = await json("apply", "-f", file);
    const planned = { created: "create", added: "add", unchanged: "unchanged" } as Record<string, string>;
    assert.deepEqual(
      plan.map((c: { action: string; kind: string; name: string }) => `${c.action} ${c.kind} ${c.name}`),
      first.map((c: { action: string; kind: string; name: string }) => `${planned[c.action]} ${c.kind} ${c.name}`),
      "the plan names what applying then did",
    );
    const kinds = (action: string) => first.filter((c: { action: string }) => c.action === action).map((c: { kind: string }) => c.kind);
    assert.equal(kinds("created").filter((k: string) => k === "roleAssignment").length, 2, JSON.stringify(first));
    assert.ok(kinds("created").includes("deployment"), JSON.stringify(first));
    assert.deepEqual(
      first.filter((c: { action: string }) => c.action === "added").map((c: { name: string }) => c.name),
      ["ai-devs ← alice@keyless.local", "ai-devs ← app:ci-pipeline"],
    );
    const second = await json("apply", "-f", file);
    const named = (changes: { kind: string; name: string }[]) => changes.map((c) => `${c.kind} ${c.name}`);
    assert.deepEqual(
      named(second),
      named(first.filter((c: { action: string }) => c.action !== "added")),
      "every declared object is reported again",
    );
    assert.deepEqual(
      second.filter((c: { action: string }) => c.action !== "unchanged"),
      [],
      JSON.stringify(second),
    );

    const rg = `/subscriptions/${server.facts.subscriptionId}/resourceGroups/rg-ai`;
    const access = await json(
      "role",
      "check-access",
      "--assignee",
      "bob@keyless.local",
      "--action",
      "Microsoft.Resources/subscriptions/resourceGroups/read",
      "--scope",
      rg,
    );
    assert.equal(access.allowed, true);

    // As az: `role assignment delete --assignee` looks at the subscription scope unless told -g/--scope.
    assert.equal((await json("role", "assignment", "list", "--assignee", "bob@keyless.local", "--all")).length, 1);
    const atSubscription = await admin.run("role", "assignment", "delete", "--assignee", "bob@keyless.local");
    assert.equal(atSubscription.code, 1);
    assert.match(atSubscription.stderr, /^ERROR: \(NoMatchedAssignments\) /);
    await ok("role", "assignment", "delete", "--assignee", "bob@keyless.local", "-g", "rg-ai");
    assert.deepEqual(await json("role", "assignment", "list", "--assignee", "bob@keyless.local", "--all"), []);
    assert.equal(
      (
        await json(
          "role",
          "check-access",
          "--assignee",
          "bob@keyless.local",
          "--action",
          "Microsoft.Resources/subscriptions/resourceGroups/read",
          "--scope",
          rg,
        )
      ).allowed,
      false,
    );
    assert.deepEqual(
      (await json("apply", "-f", file, "--dry-run")).filter((c: { action: string }) => c.action !== "unchanged"),
      [{ action: "create", kind: "roleAssignment", name: "Reader → bob@keyless.local @ rg-ai" }],
    );
    const again = await json("apply", "-f", file);
    assert.deepEqual(
      again.filter((c: { action: string }) => c.action === "created").map((c: { kind: string }) => c.kind),
      ["roleAssignment"],
    );
  });

  test("group create|show|list|delete, resource list, and audit list shows this CLI's writes by caller", async () => {
    await ok("group", "create", "-n", "cli-rg", "-l", "eastus");
    assert.equal((await json("group", "show", "-n", "cli-rg")).location, "eastus");
    assert.ok((await json("group", "list", "--query", "[].name")).includes("cli-rg"));
    assert.ok(
      (await json("resource", "list", "-g", server.facts.demo!.resourceGroup, "--query", "[].type")).includes(
        "Microsoft.CognitiveServices/accounts",
      ),
    );
    await ok("group", "delete", "-n", "cli-rg", "--yes");
    assert.ok(!(await json("group", "list", "--query", "[].name")).includes("cli-rg"));

    const events = await json("audit", "list", "--caller", server.facts.adminUsername, "--offset", "1h");
    const operations = events.map((e: { operationName: { value: string } }) => e.operationName.value);
    assert.ok(operations.includes("Microsoft.Resources/subscriptions/resourceGroups/delete"), JSON.stringify(operations));
    assert.ok(
      operations.includes("Microsoft.ManagedIdentity/userAssignedIdentities/listWorkloadEnvironment/action"),
      JSON.stringify(operations),
    );
    assert.ok(operations.includes("Microsoft.CognitiveServices/accounts/regenerateKey/action"), JSON.stringify(operations));
    assert.ok(events.every((e: { caller: string }) => e.caller === server.facts.adminUsername));
    const byGroup = await json("audit", "list", "-g", "cli-rg");
    assert.ok(
      byGroup.length > 0 && byGroup.every((e: { resourceGroupName: string }) => e.resourceGroupName.toLowerCase() === "cli-rg"),
      JSON.stringify(byGroup),
    );
  });

  test("ad app create|list|show, credential reset (the old secret stops), ad sp create|list|delete, ad group list", async () => {
    const app = await json("ad", "app", "create", "--display-name", "cli-apps-app");
    assert.deepEqual(await json("ad", "app", "list", "--display-name", "cli-apps", "--query", "[].appId"), [app.appId]);
    assert.equal((await json("ad", "app", "show", "--id", app.appId)).id, app.id);
    const sp = await json("ad", "sp", "create", "--id", app.appId);
    assert.equal(sp.appId, app.appId);
    assert.deepEqual(await json("ad", "sp", "list", "--spn", app.appId, "--query", "[].id"), [sp.id]);

    const first = await json("ad", "app", "credential", "reset", "--id", app.appId);
    assert.equal(first.appId, app.appId);
    const second = await json("ad", "app", "credential", "reset", "--id", app.appId);
    const signIn = (secret: string) =>
      configDir().then((cli) =>
        cli.run(
          "login",
          "--service-principal",
          "-u",
          app.appId,
          "-p",
          secret,
          "--tenant",
          server.facts.tenantId,
          "--allow-no-subscriptions",
        ),
      );
    const old = await signIn(first.password);
    assert.equal(old.code, 1, "a reset without --append removes the earlier secret");
    assert.match(old.stderr, /^ERROR: \(invalid_client\) /);
    assert.equal((await signIn(second.password)).code, 0);

    await ok("ad", "sp", "delete", "--id", app.appId);
    assert.deepEqual(await json("ad", "sp", "list", "--spn", app.appId), []);
    await ok("ad", "group", "create", "--display-name", "cli-listed", "--mail-nickname", "cli-listed");
    assert.deepEqual(await json("ad", "group", "list", "--display-name", "cli-listed", "--query", "[].displayName"), ["cli-listed"]);
  });

  test("cognitiveservices account create|show|list|delete; a new keyless account (disableLocalAuth) answers chat to an assigned caller", async () => {
    const rg = server.facts.demo!.resourceGroup;
    const account = await json(
      "cognitiveservices",
      "account",
      "create",
      "-n",
      "cli-acct",
      "-g",
      rg,
      "--kind",
      "AIServices",
      "--sku",
      "S0",
      "-l",
      "local",
      "--disable-local-auth",
      "--yes",
    );
    assert.equal(account.properties.disableLocalAuth, true);
    assert.equal((await json("cognitiveservices", "account", "show", "-n", "cli-acct", "-g", rg)).id, account.id);
    assert.ok((await json("cognitiveservices", "account", "list", "-g", rg, "--query", "[].name")).includes("cli-acct"));
    await ok(
      "cognitiveservices",
      "account",
      "deployment",
      "create",
      "-n",
      "cli-acct",
      "-g",
      rg,
      "--deployment-name",
      "echo",
      "--model-name",
      "keyless-echo",
      "--model-version",
      "1",
      "--model-format",
      "Keyless",
      "--sku-name",
      "Standard",
      "--sku-capacity",
      "1",
    );
    const me = (await ok("ad", "signed-in-user", "show", "--query", "id", "-o", "tsv")).trim();
    await ok(
      "role",
      "assignment",
      "create",
      "--assignee-object-id",
      me,
      "--assignee-principal-type",
      "User",
      "--role",
      "Cognitive Services User",
      "--scope",
      account.id,
    );
    const answered = await admin.run(
      "chat",
      "--account",
      "cli-acct",
      "--deployment",
      "echo",
      "--no-stream",
      "hello new account",
      "--query",
      "choices[0].message.content",
      "-o",
      "tsv",
    );
    assert.equal(answered.code, 0, answered.stderr);
    assert.match(answered.stdout, /hello new account/);
    await ok("cognitiveservices", "account", "delete", "-n", "cli-acct", "-g", rg);
    const gone = await admin.run("cognitiveservices", "account", "show", "-n", "cli-acct", "-g", rg);
    assert.equal(gone.code, 3, gone.stderr);
    assert.equal(
      (await json("role", "assignment", "list", "--assignee", me, "--all", "--query", `[?scope=='${account.id}']`)).length,
      0,
      "its assignments went with it",
    );
  });

  test("cloud register|list|show|set|unregister keep several servers apart", async () => {
    const env = await configDir();
    await env.ok("cloud", "register", "-n", "other", "--endpoint", "https://keyless.other.test:8443");
    const clouds = JSON.parse(await env.ok("cloud", "list"));
    assert.deepEqual(
      clouds.map((c: { name: string; isActive: boolean }) => [c.name, c.isActive]),
      [
        ["local", true],
        ["other", false],
      ],
    );
    await env.ok("cloud", "set", "-n", "other");
    assert.equal(JSON.parse(await env.ok("cloud", "show")).endpoint, "https://keyless.other.test:8443");
    assert.equal(JSON.parse(await env.ok("cloud", "show", "-n", "local")).endpoint, server.facts.url);
    await env.ok("cloud", "unregister", "-n", "other");
    assert.deepEqual(JSON.parse(await env.ok("cloud", "list", "--query", "[].name")), ["local"]);
    const missing = await env.run("cloud", "show", "-n", "other");
    assert.equal(missing.code, 3);
  });
});
