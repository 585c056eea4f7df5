import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import ModelClient from "@azure-rest/ai-inference";
import { BuiltInRoleIds } from "../../src/authz/builtin-roles.ts";
import { type AzureCli, azureCli, azureCliInstalled } from "../harness/azure-cli.ts";
import { ARM_SCOPE, COGNITIVE_SCOPE, GRAPH_SCOPE, adminCredential, appCredential, call, registerApp } from "../harness/clients.ts";
import { type KeylessProcess, startKeyless } from "../harness/keyless-process.ts";

/**
 * The Debian `az` 2.45 driving role assignments and definitions (reference/az-cli-2.45.md §5.1, with the test-only
 * `config` shim from §8), signed in as a service principal the administrator made Owner of the subscription.
 */
describe("az role (2.45) against Keyless", { skip: !azureCliInstalled && "azure-cli not installed" }, () => {
  let keyless: KeylessProcess;
  let az: AzureCli;
  let target: { appId: string; secret: string; objectId: string };
  let account: string;
  let sub: string;
  let graphGetByIds: boolean;

  const chat = () =>
    ModelClient(keyless.facts.demo!.endpoint, appCredential(keyless.facts, target.appId, target.secret), { credentials: { scopes: [COGNITIVE_SCOPE] } })
      .path("/chat/completions")
      .post({ body: { model: keyless.facts.demo!.deployment, messages: [{ role: "user", content: "hi" }] } });

  before(async () => {
    keyless = await startKeyless();
    const { facts } = keyless;
    const admin = adminCredential(facts);
    const graphToken = (await admin.getToken(GRAPH_SCOPE))!.token;
    const operator = await registerApp(facts, graphToken, "az-operator");
    target = await registerApp(facts, graphToken, "az-target");
    sub = `/subscriptions/${facts.subscriptionId}`;
    account = `${sub}/resourceGroups/${facts.demo!.resourceGroup}/providers/Microsoft.CognitiveServices/accounts/${facts.demo!.account}`;
    const owner = await call("PUT", `${facts.url}${sub}/providers/Microsoft.Authorization/roleAssignments/${crypto.randomUUID()}?api-version=2022-04-01`, (await admin.getToken(ARM_SCOPE))!.token, {
      properties: { roleDefinitionId: BuiltInRoleIds.OWNER, principalId: operator.objectId, principalType: "ServicePrincipal" },
    });
    assert.equal(owner.status, 201, JSON.stringify(owner.body));
    const probe = await call("POST", `${facts.url}/graph/v1.0/directoryObjects/getByIds`, graphToken, { ids: [target.objectId] });
    graphGetByIds = probe.status === 200;
    az = await azureCli(facts);
    await az.ok(["login", "--service-principal", "-u", operator.appId, "-p", operator.secret, "--tenant", facts.tenantId]);
  });
  after(async () => {
    az?.cleanup();
    await keyless?.stop();
    keyless?.cleanup();
  });

  // `--assignee-principal-type` skips the Graph `directoryObjects/getByIds` lookup, which the graph branch serves.
  const create = (role = "Cognitive Services User") =>
    az.ok(["role", "assignment", "create", "--assignee-object-id", target.objectId, "--assignee-principal-type", "ServicePrincipal", "--role", role, "--scope", account]);

  let created: { id: string; scope: string; roleDefinitionId: string };

  test("role assignment create grants chat", async () => {
    assert.equal((await chat()).status, "401");
    created = await create();
    assert.equal(created.scope.toLowerCase(), account.toLowerCase());
    assert.equal(created.roleDefinitionId, `${sub}/providers/Microsoft.Authorization/roleDefinitions/${BuiltInRoleIds.COGNITIVE_SERVICES_USER}`);
    assert.equal((await chat()).status, "200");
  });

  // Both commands name principals through Graph `directoryObjects/getByIds`, which the graph branch serves.
  test("running create again returns the same assignment; list --scope shows it by role name", async (t) => {
    if (!graphGetByIds) return t.skip("Graph directoryObjects/getByIds is not served yet");
    const again = await create();
    assert.equal(again.id, created.id, "idempotent: the existing assignment comes back");
    const listed = await az.ok(["role", "assignment", "list", "--scope", account]);
    const mine = listed.filter((a: { principalId: string }) => a.principalId === target.objectId);
    assert.equal(mine.length, 1);
    assert.equal(mine[0].roleDefinitionName, "Cognitive Services User");
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
    assert.deepEqual(customs.map((r: { roleName: string }) => r.roleName), [definition.Name]);
    await create(definition.Name);
    assert.equal((await chat()).status, "200");
  });
});
