import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import ModelClient from "@azure-rest/ai-inference";
import { type AzureCli, azureCli, azureCliInstalled } from "../harness/azure-cli.ts";
import {
  ARM_SCOPE,
  adminCredential,
  appCredential,
  COGNITIVE_SCOPE,
  call,
  GRAPH_SCOPE,
  registerApp,
  assignRole,
} from "../harness/clients.ts";
import { useKeyless } from "../harness/keyless.ts";
import { RoleIds } from "../harness/role-ids.ts";

/**
 * The Debian `az` 2.45 driving role assignments and definitions (docs/protocol-notes.md, "Role commands", with the
 * test-only `config` shim described there), signed in as a service principal the administrator made Owner of the subscription.
 */
describe("az role (2.45) against Keyless", { skip: !azureCliInstalled && "azure-cli not installed" }, () => {
  const keyless = useKeyless();
  let az: AzureCli;
  let target: { appId: string; secret: string; objectId: string };
  let account: string;
  let sub: string;
  let graphToken: string;

  const chat = () =>
    ModelClient(keyless.facts.demo!.endpoint, appCredential(keyless.facts, target.appId, target.secret), {
      credentials: { scopes: [COGNITIVE_SCOPE] },
    })
      .path("/chat/completions")
      .post({ body: { model: keyless.facts.demo!.deployment, messages: [{ role: "user", content: "hi" }] } });

  before(async () => {
    const { facts } = keyless;
    const admin = adminCredential(facts);
    graphToken = (await admin.getToken(GRAPH_SCOPE))!.token;
    const operator = await registerApp(facts, graphToken, "az-operator");
    target = await registerApp(facts, graphToken, "az-target");
    sub = `/subscriptions/${facts.subscriptionId}`;
    account = `${sub}/resourceGroups/${facts.demo!.resourceGroup}/providers/Microsoft.CognitiveServices/accounts/${facts.demo!.account}`;
    await assignRole(facts, (await admin.getToken(ARM_SCOPE))!.token, {
      scope: sub,
      role: RoleIds.owner,
      principalId: operator.objectId,
      principalType: "ServicePrincipal",
    });
    az = await azureCli(facts);
    // `-p=…`: a generated secret may start with `-`, which argparse would take for an option.
    await az.loginServicePrincipal(operator);
  });
  after(async () => {
    await az?.cleanup();
  });

  // With `--assignee-principal-type` the CLI trusts the caller; without it, it asks Graph `directoryObjects/getByIds`.
  const create = (role = "Cognitive Services User", principalType: string | undefined = "ServicePrincipal") =>
    az.ok([
      "role",
      "assignment",
      "create",
      "--assignee-object-id",
      target.objectId,
      ...(principalType ? ["--assignee-principal-type", principalType] : []),
      "--role",
      role,
      "--scope",
      account,
    ]);

  let created: { id: string; scope: string; roleDefinitionId: string };

  test("role assignment create grants chat", async () => {
    assert.equal((await chat()).status, "401");
    created = await create();
    assert.equal(created.scope.toLowerCase(), account.toLowerCase());
    assert.equal(created.roleDefinitionId, `${sub}/providers/Microsoft.Authorization/roleDefinitions/${RoleIds.cognitiveServicesUser}`);
    assert.equal((await chat()).status, "200");
  });

  test("running create again (resolved through Graph) returns the same assignment; list --scope names role and principal", async () => {
    const again = await create("Cognitive Services User", undefined);
    assert.equal(again.id, created.id, "idempotent: the existing assignment comes back");
    assert.equal(again.principalType, "ServicePrincipal");
    const listed = await az.ok(["role", "assignment", "list", "--scope", account]);
    const mine = listed.filter((a: { principalId: string }) => a.principalId === target.objectId);
    assert.equal(mine.length, 1, JSON.stringify(listed));
    assert.equal(mine[0].roleDefinitionName, "Cognitive Services User");
    assert.equal(mine[0].principalName, target.appId, "a service principal is shown by its appId (servicePrincipalNames[0])");
    assert.equal(mine[0].id, created.id);
  });

  test("role assignment delete removes it and the very next call is denied", async () => {
    await az.ok(["role", "assignment", "delete", "--ids", created.id]);
    assert.equal((await chat()).status, "401");
  });

  test("role definition create with MaaS data actions, listed by --custom-role-only, assignable by name", async () => {
    const definition = {
      Name: "Foundry Models Caller (az)",
      Description: "Calls Foundry Models deployments",
      Actions: [],
      DataActions: ["Microsoft.CognitiveServices/accounts/MaaS/*"],
      NotDataActions: [],
      AssignableScopes: [sub],
    };
    const created = await az.ok(["role", "definition", "create", "--role-definition", JSON.stringify(definition)]);
    assert.equal(created.roleName, definition.Name);
    assert.equal(created.roleType, "CustomRole");
    const customs = await az.ok(["role", "definition", "list", "--custom-role-only", "true"]);
    assert.deepEqual(
      customs.map((r: { roleName: string }) => r.roleName),
      [definition.Name],
    );
    await create(definition.Name);
    assert.equal((await chat()).status, "200");
  });

  test("create --assignee-object-id of a Graph group: the CLI resolves it as a Group, list names it and --include-groups finds it for a member", async () => {
    const graph = `${keyless.facts.url}/graph/v1.0`;
    const group = await call("POST", `${graph}/groups`, graphToken, {
      displayName: "az-callers",
      mailNickname: "az-callers",
      mailEnabled: false,
      securityEnabled: true,
    });
    assert.equal(group.status, 201, JSON.stringify(group.body));
    const member = await call("POST", `${graph}/groups/${group.body.id}/members/$ref`, graphToken, {
      "@odata.id": `${graph}/directoryObjects/${target.objectId}`,
    });
    assert.equal(member.status, 204, JSON.stringify(member.body));
    const viaGroup = await az.ok([
      "role",
      "assignment",
      "create",
      "--assignee-object-id",
      group.body.id,
      "--role",
      "Cognitive Services User",
      "--scope",
      account,
    ]);
    assert.equal(viaGroup.principalType, "Group");
    assert.equal(viaGroup.principalId, group.body.id);
    const listed = await az.ok(["role", "assignment", "list", "--scope", account]);
    const row = listed.find((a: { id: string }) => a.id === viaGroup.id);
    assert.equal(row?.principalName, "az-callers", "a group is shown by its display name");
    // Through the group: listing what the target holds with --include-groups (`assignedTo`) shows the group's grant.
    const inherited = await az.ok(["role", "assignment", "list", "--assignee", target.objectId, "--all", "--include-groups"]);
    assert.ok(
      inherited.some((a: { id: string }) => a.id === viaGroup.id),
      JSON.stringify(inherited),
    );
    const direct = await az.ok(["role", "assignment", "list", "--assignee", target.objectId, "--all"]);
    assert.ok(!direct.some((a: { id: string }) => a.id === viaGroup.id), "without --include-groups only the target's own assignments");
  });

  test("create and list --assignee <UPN> --all resolve a user through Graph's userPrincipalName filter", async () => {
    const upn = keyless.facts.adminUsername;
    const granted = await az.ok(["role", "assignment", "create", "--assignee", upn, "--role", "Reader", "--scope", account]);
    assert.equal(granted.principalType, "User");
    const listed = await az.ok(["role", "assignment", "list", "--assignee", upn, "--all"]);
    const row = listed.find((a: { id: string }) => a.id === granted.id);
    assert.ok(row, JSON.stringify(listed));
    assert.equal(row.roleDefinitionName, "Reader");
    assert.equal(row.principalName.toLowerCase(), upn.toLowerCase());
    assert.ok(
      listed.every((a: { principalId: string }) => a.principalId === granted.principalId),
      "only that user's assignments",
    );
  });
});
