import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import ModelClient, { isUnexpected } from "@azure-rest/ai-inference";
import { type AzureCli, azureCli, azureCliInstalled, words } from "../harness/azure-cli.ts";
import { ARM_SCOPE, adminCredential, appCredential, COGNITIVE_SCOPE, GRAPH_SCOPE, registerApp, assignRole } from "../harness/clients.ts";
import { useKeyless } from "../harness/keyless.ts";
import { ADMIN_PASSWORD } from "../harness/keyless-process.ts";
import { RoleIds } from "../harness/role-ids.ts";

const skip = !azureCliInstalled && "azure-cli not installed";

/**
 * The operator's walkthrough with the real Debian `az` 2.45: groups, accounts, keys, deployments (2.45 syntax),
 * `az resource show` for the role-assignment scope, `az resource list`, `az account list`.
 */
describe("Azure CLI 2.45 walkthrough against Keyless", { skip }, () => {
  const keyless = useKeyless();
  let az: AzureCli;
  let operator: { appId: string; secret: string; objectId: string };

  before(async () => {
    const admin = adminCredential(keyless.facts);
    const graph = (await admin.getToken(GRAPH_SCOPE))!.token;
    const arm = (await admin.getToken(ARM_SCOPE))!.token;
    operator = await registerApp(keyless.facts, graph, "az-operator");
    const sub = `/subscriptions/${keyless.facts.subscriptionId}`;
    await assignRole(keyless.facts, arm, {
      scope: sub,
      role: RoleIds.owner,
      principalId: operator.objectId,
      principalType: "ServicePrincipal",
    });
    az = await azureCli(keyless.facts);
  });
  after(async () => {
    await az?.cleanup();
  });

  test("az login --service-principal, then account list shows the subscription", async () => {
    await az.ok(["login", "--service-principal", "-u", operator.appId, "-p", operator.secret, "--tenant", keyless.facts.tenantId]);
    await az.ok(["account", "set", "--subscription", keyless.facts.subscriptionId]);
    const accounts = await az.ok(["account", "list"]);
    assert.deepEqual(
      accounts.map((a: { id: string }) => a.id),
      [keyless.facts.subscriptionId],
    );
    assert.equal(accounts[0].tenantId, keyless.facts.tenantId);
  });

  test("az group create / show / list", async () => {
    const group = await az.ok(["group", "create", "-n", "walk-rg", "-l", "westeurope", "--tags", "team=ml"]);
    assert.equal(group.id, `/subscriptions/${keyless.facts.subscriptionId}/resourceGroups/walk-rg`);
    assert.deepEqual(group.tags, { team: "ml" });
    assert.equal((await az.ok(["group", "show", "-n", "walk-rg"])).location, "westeurope");
    const groups = await az.ok(["group", "list"]);
    assert.deepEqual(groups.map((g: { name: string }) => g.name).sort(), ["keyless-demo", "walk-rg"]);
  });

  test("az cognitiveservices account create / show / list / keys list / keys regenerate", async () => {
    const created = await az.ok(
      words("cognitiveservices account create -n walk-ai -g walk-rg --kind AIServices --sku S0 -l westeurope --yes"),
    );
    assert.equal(created.properties.endpoint, `${keyless.facts.url}/accounts/walk-ai/`);
    assert.equal(created.properties.provisioningState, "Succeeded");
    const shown = await az.ok(["cognitiveservices", "account", "show", "-n", "walk-ai", "-g", "walk-rg"]);
    assert.equal(shown.kind, "AIServices");
    const listed = await az.ok(["cognitiveservices", "account", "list", "-g", "walk-rg"]);
    assert.deepEqual(
      listed.map((a: { name: string }) => a.name),
      ["walk-ai"],
    );
    const keys = await az.ok(["cognitiveservices", "account", "keys", "list", "-n", "walk-ai", "-g", "walk-rg"]);
    assert.match(keys.key1, /^[0-9a-f]{64}$/);
    const regenerated = await az.ok(words("cognitiveservices account keys regenerate -n walk-ai -g walk-rg --key-name key1"));
    assert.notEqual(regenerated.key1, keys.key1);
    assert.equal(regenerated.key2, keys.key2);
    const models = await az.ok(["cognitiveservices", "account", "list-models", "-n", "walk-ai", "-g", "walk-rg"]);
    assert.ok(
      models.some((m: { name: string; format: string }) => m.name === "keyless-echo" && m.format === "Keyless"),
      JSON.stringify(models),
    );
    const updated = await az.ok(["cognitiveservices", "account", "update", "-n", "walk-ai", "-g", "walk-rg", "--tags", "stage=walk"]);
    assert.deepEqual(updated.tags, { stage: "walk" });
    await az.ok(words("cognitiveservices account create -n walk-ai-2 -g walk-rg --kind OpenAI --sku S0 -l westeurope --yes"));
    await az.ok(["cognitiveservices", "account", "delete", "-n", "walk-ai-2", "-g", "walk-rg"]);
    assert.equal((await az.run(["cognitiveservices", "account", "show", "-n", "walk-ai-2", "-g", "walk-rg"])).code, 3);
    const taken = await az.run(
      words("cognitiveservices account create -n walk-ai -g keyless-demo --kind AIServices --sku S0 -l westeurope --yes"),
    );
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, /CustomDomainInUse/);
  });

  test("az cognitiveservices account deployment create (2.45 syntax) / list / delete", async () => {
    const deployment = await az.ok(
      words(
        "cognitiveservices account deployment create -n walk-ai -g walk-rg --deployment-name echo --model-name keyless-echo --model-version 1 --model-format Keyless --scale-settings-scale-type Standard",
      ),
    );
    assert.equal(deployment.properties.model.name, "keyless-echo");
    assert.equal(deployment.properties.provisioningState, "Succeeded");
    const unknown = await az.run(
      words(
        "cognitiveservices account deployment create -n walk-ai -g walk-rg --deployment-name gpt --model-name gpt-4o --model-version 2024-08-06 --model-format OpenAI --scale-settings-scale-type Standard",
      ),
    );
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /DeploymentModelNotSupported/);
    const list = await az.ok(["cognitiveservices", "account", "deployment", "list", "-n", "walk-ai", "-g", "walk-rg"]);
    assert.deepEqual(
      list.map((d: { name: string }) => d.name),
      ["echo"],
    );
  });

  test("az resource show gives the id the role assignment scope takes; az resource list lists the account", async () => {
    const id = await az.run(
      words("resource show -g walk-rg -n walk-ai --resource-type Microsoft.CognitiveServices/accounts --query id --output tsv"),
    );
    assert.equal(id.code, 0, id.stderr);
    assert.equal(
      id.stdout.trim(),
      `/subscriptions/${keyless.facts.subscriptionId}/resourceGroups/walk-rg/providers/Microsoft.CognitiveServices/accounts/walk-ai`,
    );
    const resources = await az.ok(["resource", "list", "-g", "walk-rg"]);
    assert.deepEqual(
      resources.map((r: { name: string }) => r.name),
      ["walk-ai"],
    );
    const all = await az.ok(["resource", "list"]);
    assert.deepEqual(all.map((r: { name: string }) => r.name).sort(), ["keyless-demo", "walk-ai"]);
  });

  test("the walkthrough's role assignment at the resource id lets an app call chat completions keylessly", async () => {
    const graph = (await adminCredential(keyless.facts).getToken(GRAPH_SCOPE))!.token;
    const app = await registerApp(keyless.facts, graph, "az-walk-client");
    const resourceId = (
      await az.run(
        words("resource show -g walk-rg -n walk-ai --resource-type Microsoft.CognitiveServices/accounts --query id --output tsv"),
      )
    ).stdout.trim();
    // The role by GUID: the CLI then skips the role-definition lookup, which the `rbac` branch serves.
    await az.ok([
      "role",
      "assignment",
      "create",
      "--assignee-object-id",
      app.objectId,
      "--assignee-principal-type",
      "ServicePrincipal",
      "--role",
      RoleIds.cognitiveServicesUser,
      "--scope",
      resourceId,
    ]);
    const client = ModelClient(`${keyless.facts.url}/accounts/walk-ai/models`, appCredential(keyless.facts, app.appId, app.secret), {
      credentials: { scopes: [COGNITIVE_SCOPE] },
    });
    const response = await client
      .path("/chat/completions")
      .post({ body: { model: "echo", messages: [{ role: "user", content: "via az" }] } });
    assert.equal(response.status, "200", JSON.stringify(response.body));
    assert.ok(!isUnexpected(response));
    assert.equal(response.body.choices[0]!.message.content, 'You said: "via az"');
  });

  test("az monitor activity-log list shows the writes in the group, with their callers and outcomes", async () => {
    const events = await az.ok(["monitor", "activity-log", "list", "--resource-group", "walk-rg", "--offset", "1h"]);
    const operations = new Set(events.map((e: { operationName: { value: string } }) => e.operationName.value));
    assert.ok(operations.has("Microsoft.CognitiveServices/accounts/write"), JSON.stringify([...operations]));
    assert.ok(operations.has("Microsoft.CognitiveServices/accounts/deployments/write"));
    assert.ok(operations.has("Microsoft.CognitiveServices/accounts/regenerateKey/action"));
    assert.ok(events.every((e: { caller: string }) => e.caller === operator.objectId));
    assert.ok(
      events.some((e: { status: { value: string } }) => e.status.value === "Failed"),
      "the refused deployment is logged too",
    );
  });

  test("az identity create / show / list / delete", async () => {
    const created = await az.run(["identity", "create", "-n", "walk-id", "-g", "walk-rg", "-l", "westeurope"]);
    assert.equal(created.code, 0, created.stderr);
    const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    assert.match(created.json.clientId, guid);
    assert.match(created.json.principalId, guid);
    assert.equal(created.json.tenantId, keyless.facts.tenantId);
    assert.equal((await az.ok(["identity", "show", "-n", "walk-id", "-g", "walk-rg"])).clientId, created.json.clientId);
    assert.deepEqual(
      (await az.ok(["identity", "list", "-g", "walk-rg"])).map((i: { name: string }) => i.name),
      ["walk-id"],
    );
    await az.ok(["identity", "delete", "-n", "walk-id", "-g", "walk-rg"]);
    assert.equal((await az.run(["identity", "show", "-n", "walk-id", "-g", "walk-rg"])).code, 3);
  });

  test("deployment delete, then az group delete removes the group and everything in it", async () => {
    await az.ok(["cognitiveservices", "account", "deployment", "delete", "-n", "walk-ai", "-g", "walk-rg", "--deployment-name", "echo"]);
    assert.deepEqual(await az.ok(["cognitiveservices", "account", "deployment", "list", "-n", "walk-ai", "-g", "walk-rg"]), []);
    await az.ok(["group", "delete", "-n", "walk-rg", "--yes"]);
    const gone = await az.run(["group", "show", "-n", "walk-rg"]);
    assert.equal(gone.code, 3);
    assert.match(gone.stderr, /ResourceGroupNotFound/);
    const all = await az.ok(["resource", "list"]);
    assert.deepEqual(
      all.map((r: { name: string }) => r.name),
      ["keyless-demo"],
    );
  });
});

/** The same walkthrough as a user (`az login -u -p` standing in for the interactive login). */
describe("Azure CLI 2.45 walkthrough as a signed-in user", { skip }, () => {
  const keyless = useKeyless();
  let az: AzureCli;

  before(async () => {
    az = await azureCli(keyless.facts);
  });
  after(async () => {
    await az?.cleanup();
  });

  test("az login -u -p, group and account commands, resource show, the signed-in user's role assignment", async () => {
    const login = await az.run(["login", "-u", keyless.facts.adminUsername, "-p", ADMIN_PASSWORD]);
    assert.equal(login.code, 0, login.stderr);
    await az.ok(["account", "set", "--subscription", keyless.facts.subscriptionId]);
    await az.ok(["group", "create", "-n", "user-rg", "-l", "local"]);
    await az.ok(words("cognitiveservices account create -n user-ai -g user-rg --kind AIServices --sku S0 -l local --yes"));
    const resourceId = (
      await az.run(
        words("resource show -g user-rg -n user-ai --resource-type Microsoft.CognitiveServices/accounts --query id --output tsv"),
      )
    ).stdout.trim();
    assert.match(resourceId, /\/accounts\/user-ai$/);
    const objectId = (await az.run(["ad", "signed-in-user", "show", "--query", "id", "--output", "tsv"])).stdout.trim();
    await az.ok([
      "role",
      "assignment",
      "create",
      "--assignee-object-id",
      objectId,
      "--role",
      "Cognitive Services User",
      "--scope",
      resourceId,
    ]);
    await az.ok(["group", "delete", "-n", "user-rg", "--yes"]);
  });
});
