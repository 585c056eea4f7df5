/**
 * The Foundry keyless-access walkthrough verbatim, `keyless` for `az`, as subprocesses of the real binary:
 * login as a user, account set, resource show … --query id --output tsv, ad signed-in-user show, ad group show,
 * ad sp show, role assignment create by role name; then keyless chat succeeds as that principal and fails with the
 * explanation after role assignment delete. It needs the providers metadata (arm), /me and groups (graph) and role
 * definitions by name (rbac); on a server without them the test says which is missing and skips.
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { runBinary } from "../harness/cli.ts";
import { adminCredential, ARM_SCOPE, call, GRAPH_SCOPE } from "../harness/clients.ts";
import { ADMIN_PASSWORD, type KeylessProcess, startKeyless } from "../harness/keyless-process.ts";

let server: KeylessProcess;
let env: Record<string, string>;
const keyless = (...argv: string[]) => runBinary(argv, env);
const ok = async (...argv: string[]) => {
  const run = await keyless(...argv);
  assert.equal(run.code, 0, `keyless ${argv.join(" ")} failed:\n${run.stderr}`);
  return run.stdout;
};

before(async () => {
  server = await startKeyless();
  env = { KEYLESS_CONFIG_DIR: join(mkdtempSync(join(tmpdir(), "keyless-cli-wt-")), "config") };
});

after(async () => {
  await server.stop();
  server.cleanup();
});

/** The routes the walkthrough needs that land with other branches; the names of those this server lacks. */
async function missingRoutes(needed: readonly string[]): Promise<string[]> {
  const { url, subscriptionId, demo } = server.facts;
  const credential = adminCredential(server.facts);
  const arm = (await credential.getToken(ARM_SCOPE)).token;
  const graph = (await credential.getToken(GRAPH_SCOPE)).token;
  const account = `/subscriptions/${subscriptionId}/resourceGroups/${demo!.resourceGroup}/providers/Microsoft.CognitiveServices/accounts/${demo!.account}`;
  const probes: [string, string, string][] = [
    [
      "providers metadata (arm)",
      `${url}/subscriptions/${subscriptionId}/providers/Microsoft.CognitiveServices?api-version=2021-04-01`,
      arm,
    ],
    ["account GET (arm)", `${url}${account}?api-version=2022-12-01`, arm],
    ["GET /me (graph)", `${url}/graph/v1.0/me`, graph],
    [
      "groups and service principals by filter (graph)",
      `${url}/graph/v1.0/servicePrincipals?$filter=${encodeURIComponent("servicePrincipalNames/any(c:c eq 'x')")}`,
      graph,
    ],
    [
      "role definitions by name (rbac)",
      `${url}${account}/providers/Microsoft.Authorization/roleDefinitions?$filter=${encodeURIComponent("roleName eq 'Cognitive Services User'")}&api-version=2018-01-01-preview`,
      arm,
    ],
  ];
  const missing: string[] = [];
  for (const [name, target, token] of probes.filter(([n]) => needed.some((k) => n.includes(k)))) {
    if ((await call("GET", target, token)).status !== 200) missing.push(name);
  }
  return missing;
}

test("the walkthrough with keyless for az, then chat as that principal, then refused after role assignment delete", async (t) => {
  const missing = await missingRoutes(["(arm)", "/me", "(rbac)"]);
  if (missing.length > 0) return t.skip(`this server lacks: ${missing.join(", ")}`);
  const { facts } = server;
  await ok("cloud", "register", "-n", "local", "--endpoint", facts.url, "--ca-file", process.env.KEYLESS_TEST_CA ?? facts.caPath);

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
    await ok("role", "assignment", "create", "--assignee-object-id", objectId, "--role", "Cognitive Services User", "--scope", resourceId),
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

test("the walkthrough's other principals: ad group show --group and ad sp show --id give the object ids", async (t) => {
  const missing = await missingRoutes(["by filter (graph)"]);
  if (missing.length > 0) return t.skip(`this server lacks: ${missing.join(", ")}`);
  await ok(
    "cloud",
    "register",
    "-n",
    "local",
    "--endpoint",
    server.facts.url,
    "--ca-file",
    process.env.KEYLESS_TEST_CA ?? server.facts.caPath,
  );
  await ok("login", "-u", server.facts.adminUsername, "-p", ADMIN_PASSWORD);
  const group = JSON.parse(await ok("ad", "group", "create", "--display-name", "walkthrough-devs", "--mail-nickname", "walkthrough-devs"));
  assert.equal((await ok("ad", "group", "show", "--group", "walkthrough-devs", "--query", "id", "--output", "tsv")).trim(), group.id);
  const sp = JSON.parse(await ok("ad", "sp", "create-for-rbac", "-n", "walkthrough-app"));
  const spId = (await ok("ad", "sp", "show", "--id", sp.appId, "--query", "id", "--output", "tsv")).trim();
  assert.match(spId, /^[0-9a-f-]{36}$/);
});
