import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { before, describe, test } from "node:test";
import { ResourceManagementClient } from "@azure/arm-resources";
import { DeploymentsClient } from "@azure/arm-resourcesdeployments";
import { ARM_SCOPE, GRAPH_SCOPE, adminCredential, appCredential, assignRole, call, registerApp, type Json } from "../harness/clients.ts";
import { useKeyless } from "../harness/keyless.ts";
import { RoleIds } from "../harness/role-ids.ts";

const API = "api-version=2021-04-01";
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/deployments/${name}`, import.meta.url), "utf8"));
/** `length` identities `prefix-0`…, each depending on the one before: a run that takes a while, one write at a time. */
const identityChain = (prefix: string, length: number) => ({
  $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  contentVersion: "1.0.0.0",
  resources: Array.from({ length }, (_, i) => ({
    type: "Microsoft.ManagedIdentity/userAssignedIdentities",
    apiVersion: "2023-01-31",
    name: `${prefix}-${i}`,
    location: "westeurope",
    ...(i > 0 ? { dependsOn: [`[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', '${prefix}-${i - 1}')]`] } : {}),
  })),
});

/** ARM's `Microsoft.Resources/deployments` driven over REST: the async protocol, failures, secrets, cancel, complete mode. */
describe("template deployments over ARM REST", () => {
  const keyless = useKeyless();
  let admin: string;
  let base: string;
  let principal: { appId: string; secret: string; objectId: string };

  const put = (path: string, body: unknown, token = admin) => call("PUT", `${keyless.facts.url}${path}?${API}`, token, body);
  const get = (path: string, token = admin, api = API) =>
    call("GET", `${keyless.facts.url}${path}${path.includes("?") ? "&" : "?"}${api}`, token);
  const ROLE_API = "api-version=2022-04-01";
  /** PUTs a deployment and follows its Azure-AsyncOperation URL to the end, as the SDKs do. */
  async function deploy(group: string, name: string, properties: Json, token = admin) {
    const response = await fetch(
      `${keyless.facts.url}${base}/resourceGroups/${group}/providers/Microsoft.Resources/deployments/${name}?${API}`,
      {
        method: "PUT",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ properties }),
      },
    );
    const body = (await response.json()) as Json;
    if (response.status !== 201) return { status: response.status, body, final: undefined as Json };
    assert.equal(body.properties.provisioningState, "Accepted");
    const monitor = response.headers.get("azure-asyncoperation")!;
    assert.match(monitor, /\/operationStatuses\//);
    let status = "Running";
    for (let i = 0; i < 200 && status === "Running"; i++) {
      await new Promise((r) => setTimeout(r, 50));
      status = (await call("GET", monitor, token)).body.status;
    }
    const final = (await get(`${base}/resourceGroups/${group}/providers/Microsoft.Resources/deployments/${name}`, token)).body;
    return { status: 201, body, final };
  }

  before(async () => {
    admin = (await adminCredential(keyless.facts).getToken(ARM_SCOPE))!.token;
    base = `/subscriptions/${keyless.facts.subscriptionId}`;
    const graph = (await adminCredential(keyless.facts).getToken(GRAPH_SCOPE))!.token;
    principal = await registerApp(keyless.facts, graph, "template-principal");
    assert.equal((await put(`${base}/resourceGroups/tpl-rg`, { location: "westeurope" })).status, 201);
  });

  test("an account, a deployment and a role assignment deploy in order; a re-run changes nothing", async () => {
    const template = fixture("ai-services-rbac.json");
    const parameters = { accountName: { value: "tplai1" }, principalId: { value: principal.objectId } };
    const run = await deploy("tpl-rg", "ai", { template, parameters, mode: "Incremental" });
    assert.equal(run.final.properties.provisioningState, "Succeeded", JSON.stringify(run.final.properties.error));
    assert.equal(run.final.properties.outputs.endpoint.value, `${keyless.facts.url}/accounts/tplai1/models`);
    assert.equal(run.final.properties.outputResources.length, 3);
    const ops = (await get(`${base}/resourceGroups/tpl-rg/providers/Microsoft.Resources/deployments/ai/operations`)).body.value;
    assert.equal(ops.length, 3);
    assert.ok(ops.every((o: Json) => o.properties.provisioningState === "Succeeded"));
    const order = ops.map((o: Json) => o.properties.targetResource.resourceType);
    assert.equal(order[0], "Microsoft.CognitiveServices/accounts");
    const assignmentId = ops.find((o: Json) => o.properties.targetResource.resourceType === "Microsoft.Authorization/roleAssignments")
      .properties.targetResource.id;

    const again = await deploy("tpl-rg", "ai", { template, parameters });
    assert.equal(again.final.properties.provisioningState, "Succeeded");
    const assignments = (
      await get(
        `${assignmentId.split("/providers/Microsoft.Authorization")[0]}/providers/Microsoft.Authorization/roleAssignments?$filter=atScope()`,
        admin,
        ROLE_API,
      )
    ).body.value;
    assert.equal(assignments.filter((a: Json) => a.properties.principalId === principal.objectId).length, 1);

    const token = (await appCredential(keyless.facts, principal.appId, principal.secret).getToken(
      "https://cognitiveservices.azure.com/.default",
    ))!.token;
    const chat = await call("POST", `${keyless.facts.url}/accounts/tplai1/models/chat/completions?api-version=2024-05-01-preview`, token, {
      model: "echo",
      messages: [{ role: "user", content: "hello" }],
    });
    assert.equal(chat.status, 200, JSON.stringify(chat.body));
  });

  test("what-if after a deployment says NoChange; a changed capacity is Modify with the property", async () => {
    const template = fixture("ai-services-rbac.json");
    const whatIf = async (capacity: number) => {
      const response = await fetch(
        `${keyless.facts.url}${base}/resourceGroups/tpl-rg/providers/Microsoft.Resources/deployments/ai/whatIf?${API}`,
        {
          method: "POST",
          headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
          body: JSON.stringify({
            properties: {
              template,
              mode: "Incremental",
              parameters: { accountName: { value: "tplai1" }, principalId: { value: principal.objectId }, capacity: { value: capacity } },
            },
          }),
        },
      );
      assert.equal(response.status, 202);
      return (await call("GET", response.headers.get("location")!, admin)).body;
    };
    const same = await whatIf(1);
    assert.deepEqual(
      same.properties.changes.map((c: Json) => c.changeType),
      ["NoChange", "NoChange", "NoChange"],
      JSON.stringify(same.properties.changes.map((c: Json) => c.delta)),
    );
    const more = await whatIf(3);
    const modified = more.properties.changes.find((c: Json) => c.changeType === "Modify");
    assert.match(modified.resourceId, /deployments\/echo$/);
    assert.equal(JSON.stringify(modified.delta).includes("capacity"), true);
  });

  test("a bad template is InvalidTemplate with the path of the fault, and nothing is deployed", async () => {
    const template = {
      $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      contentVersion: "1.0.0.0",
      resources: [
        {
          type: "Microsoft.ManagedIdentity/userAssignedIdentities",
          apiVersion: "2023-01-31",
          name: "[noSuchFunction('x')]",
          location: "westeurope",
        },
      ],
    };
    const run = await deploy("tpl-rg", "bad", { template });
    assert.equal(run.status, 400);
    assert.equal(run.body.error.code, "InvalidTemplate");
    assert.match(run.body.error.message, /noSuchFunction/i);
    assert.equal(run.body.error.target, "resources[0].name");
    // Sent as text (as az does), the template's fault is also placed by line: `name` is on line 8 of this text.
    const text = JSON.stringify({ properties: { template } }, null, 2);
    const response = await fetch(`${keyless.facts.url}${base}/resourceGroups/tpl-rg/providers/Microsoft.Resources/deployments/bad?${API}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
      body: text,
    });
    const refused = (await response.json()) as Json;
    assert.equal(response.status, 400);
    assert.match(refused.error.message, /at line '8' and column '19'/, refused.error.message);
    assert.equal((await get(`${base}/resourceGroups/tpl-rg/providers/Microsoft.Resources/deployments/bad`)).status, 404);
  });

  test("a secure parameter is never echoed; an unsupported type is refused before anything is written", async () => {
    const template = {
      $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      contentVersion: "1.0.0.0",
      parameters: { secret: { type: "securestring" }, name: { type: "string" } },
      resources: [
        {
          type: "Microsoft.ManagedIdentity/userAssignedIdentities",
          apiVersion: "2023-01-31",
          name: "[parameters('name')]",
          location: "westeurope",
          tags: { note: "[if(empty(parameters('secret')), 'none', 'set')]" },
        },
      ],
    };
    const run = await deploy("tpl-rg", "secure", {
      template,
      parameters: { secret: { value: "s3cr3t-VALUE" }, name: { value: "tpl-id" } },
    });
    assert.equal(run.final.properties.provisioningState, "Succeeded", JSON.stringify(run.final.properties.error));
    assert.deepEqual(run.final.properties.parameters.secret, { type: "SecureString" });
    const everything = JSON.stringify([
      run.body,
      run.final,
      (await get(`${base}/resourceGroups/tpl-rg/providers/Microsoft.Resources/deployments`)).body,
      (await get(`${base}/resourceGroups/tpl-rg/providers/Microsoft.Resources/deployments/secure/operations`)).body,
    ]);
    assert.equal(everything.includes("s3cr3t-VALUE"), false);

    const unsupported = await deploy("tpl-rg", "storage", {
      template: {
        ...template,
        parameters: {},
        resources: [{ type: "Microsoft.Storage/storageAccounts", apiVersion: "2023-01-01", name: "st1", location: "westeurope" }],
      },
    });
    assert.equal(unsupported.status, 400);
    assert.equal(unsupported.body.error.code, "InvalidTemplateDeployment");
    assert.equal(unsupported.body.error.details[0].code, "NoRegisteredProviderFound");
    assert.match(unsupported.body.error.details[0].target, /storageAccounts\/st1$/);
  });

  test("what-if never keeps or shows a secure parameter's value: a predicted body shows *** in its place", async () => {
    const identity = (name: string) => ({
      type: "Microsoft.ManagedIdentity/userAssignedIdentities",
      apiVersion: "2023-01-31",
      name,
      location: "westeurope",
      tags: {
        pw: "[parameters('secret')]",
        mixed: "[concat('x-', parameters('secret'))]",
        nested: "[parameters('conf').password]",
        plain: "[parameters('conf').user]",
      },
    });
    const template = {
      $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      contentVersion: "1.0.0.0",
      parameters: { secret: { type: "securestring" }, conf: { type: "secureObject" } },
      resources: [
        identity("tpl-id"),
        identity("tpl-id-whatif"),
        {
          // A nested template's own secure parameter, given a value the outer template does not mark secure.
          type: "Microsoft.Resources/deployments",
          apiVersion: "2021-04-01",
          name: "inner",
          properties: {
            mode: "Incremental",
            expressionEvaluationOptions: { scope: "inner" },
            parameters: { innerSecret: { value: "nested-S3cret" } },
            template: {
              $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
              contentVersion: "1.0.0.0",
              parameters: { innerSecret: { type: "securestring" } },
              resources: [
                {
                  type: "Microsoft.ManagedIdentity/userAssignedIdentities",
                  apiVersion: "2023-01-31",
                  name: "tpl-id-nested",
                  location: "westeurope",
                  tags: { inner: "[parameters('innerSecret')]" },
                },
              ],
            },
          },
        },
      ],
    };
    const parameters = { secret: { value: "s3cr3t-VALUE" }, conf: { value: { user: "ops", password: "obj-P4ssw0rd" } } };
    const response = await fetch(
      `${keyless.facts.url}${base}/resourceGroups/tpl-rg/providers/Microsoft.Resources/deployments/wi/whatIf?${API}`,
      {
        method: "POST",
        headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
        body: JSON.stringify({ properties: { template, parameters, mode: "Incremental" } }),
      },
    );
    assert.equal(response.status, 202);
    const result = (await call("GET", response.headers.get("location")!, admin)).body;
    const changes = result.properties.changes as Json[];
    const created = changes.find((c) => c.resourceId.endsWith("/tpl-id-whatif"));
    assert.equal(created.changeType, "Create");
    assert.deepEqual(created.after.tags, { pw: "***", mixed: "x-***", nested: "***", plain: "ops" });
    assert.deepEqual(changes.find((c) => c.resourceId.endsWith("/tpl-id-nested")).after.tags, { inner: "***" });
    const modified = changes.find((c) => c.resourceId.endsWith("/tpl-id"));
    assert.equal(modified.changeType, "Modify");
    const shown = JSON.stringify(result);
    assert.equal(shown.includes("s3cr3t-VALUE"), false);
    assert.equal(shown.includes("obj-P4ssw0rd"), false);
    assert.equal(shown.includes("nested-S3cret"), false);
  });

  test("a Contributor's template cannot assign roles: that resource fails with AuthorizationFailed, the rest deploys", async () => {
    const graph = (await adminCredential(keyless.facts).getToken(GRAPH_SCOPE))!.token;
    const contributor = await registerApp(keyless.facts, graph, "template-contributor");
    await put(`${base}/resourceGroups/tpl-contrib`, { location: "westeurope" });
    await assignRole(keyless.facts, admin, {
      scope: `${base}/resourceGroups/tpl-contrib`,
      role: RoleIds.contributor,
      principalId: contributor.objectId,
      principalType: "ServicePrincipal",
    });
    const token = (await appCredential(keyless.facts, contributor.appId, contributor.secret).getToken(ARM_SCOPE))!.token;
    const run = await deploy(
      "tpl-contrib",
      "ai",
      {
        template: fixture("ai-services-rbac.json"),
        parameters: { accountName: { value: "tplai2" }, principalId: { value: principal.objectId } },
      },
      token,
    );
    assert.equal(run.final.properties.provisioningState, "Failed");
    const error = run.final.properties.error;
    assert.equal(error.code, "DeploymentFailed");
    assert.equal(error.details.length, 1);
    assert.equal(error.details[0].code, "AuthorizationFailed");
    assert.match(error.details[0].target, /roleAssignments\//);
    const ops = (await get(`${base}/resourceGroups/tpl-contrib/providers/Microsoft.Resources/deployments/ai/operations`)).body.value;
    const states = Object.fromEntries(ops.map((o: Json) => [o.properties.targetResource.resourceType, o.properties.provisioningState]));
    assert.deepEqual(states, {
      "Microsoft.CognitiveServices/accounts": "Succeeded",
      "Microsoft.CognitiveServices/accounts/deployments": "Succeeded",
      "Microsoft.Authorization/roleAssignments": "Failed",
    });
    const assignments = (
      await get(
        `${base}/resourceGroups/tpl-contrib/providers/Microsoft.CognitiveServices/accounts/tplai2/providers/Microsoft.Authorization/roleAssignments?$filter=atScope()`,
        admin,
        ROLE_API,
      )
    ).body.value;
    assert.equal(assignments.filter((a: Json) => a.properties.principalId === principal.objectId).length, 0);
  });

  test("@azure/arm-resourcesdeployments: beginCreateOrUpdateAndWait, the operations list, and a nested deployment at subscription scope", async () => {
    const options = { endpoint: keyless.facts.url, credentials: { scopes: [ARM_SCOPE] } };
    const resources = new ResourceManagementClient(adminCredential(keyless.facts), keyless.facts.subscriptionId, options);
    const deployments = new DeploymentsClient(adminCredential(keyless.facts), keyless.facts.subscriptionId, options);
    const done = await deployments.deployments.beginCreateOrUpdateAndWait(
      "tpl-rg",
      "sdk",
      {
        properties: {
          mode: "Incremental",
          template: fixture("copy-deployments.json"),
          parameters: { accountName: { value: "tplsdk" }, deploymentNames: { value: ["x", "y"] } },
        },
      },
      { updateIntervalInMs: 50 },
    );
    assert.equal(done.properties?.provisioningState, "Succeeded");
    assert.deepEqual(done.properties?.outputs, { count: { type: "Int", value: 2 } });
    const operations = [];
    for await (const op of deployments.deploymentOperations.list("tpl-rg", "sdk")) operations.push(op);
    assert.equal(operations.length, 3);
    const sub = await deployments.deployments.beginCreateOrUpdateAtSubscriptionScopeAndWait(
      "platform",
      {
        location: "westeurope",
        properties: {
          mode: "Incremental",
          template: fixture("subscription-group-nested.json"),
          parameters: { groupName: { value: "tpl-sdk-group" } },
        },
      },
      { updateIntervalInMs: 50 },
    );
    assert.equal(sub.properties?.provisioningState, "Succeeded");
    assert.equal((await resources.resourceGroups.get("tpl-sdk-group")).tags?.owner, "platform");
  });

  test("cancel stops a run; delete refuses a running deployment and removes a finished one", async () => {
    const template = {
      $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      contentVersion: "1.0.0.0",
      resources: Array.from({ length: 300 }, (_, i) => ({
        type: "Microsoft.ManagedIdentity/userAssignedIdentities",
        apiVersion: "2023-01-31",
        name: `cancel-${i}`,
        location: "westeurope",
        ...(i > 0 ? { dependsOn: [`[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'cancel-${i - 1}')]`] } : {}),
      })),
    };
    const path = `${base}/resourceGroups/tpl-rg/providers/Microsoft.Resources/deployments/cancel`;
    const started = await fetch(`${keyless.facts.url}${path}?${API}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
      body: JSON.stringify({ properties: { template, mode: "Incremental" } }),
    });
    assert.equal(started.status, 201);
    // While it runs, the status says when to ask again (Retry-After): without it, Azure SDK pollers wait 30 s.
    const polled = await fetch(started.headers.get("azure-asyncoperation")!, { headers: { authorization: `Bearer ${admin}` } });
    assert.equal(((await polled.json()) as Json).status, "Running");
    assert.equal(polled.headers.get("retry-after"), "1");
    const refused = await call("DELETE", `${keyless.facts.url}${path}?${API}`, admin);
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.code, "DeploymentActive");
    const canceled = await call("POST", `${keyless.facts.url}${path}/cancel?${API}`, admin);
    assert.equal(canceled.status, 204);
    let state = "";
    for (let i = 0; i < 100; i++) {
      state = (await get(path)).body.properties.provisioningState;
      if (state === "Canceled") break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(state, "Canceled");
    const again = await call("POST", `${keyless.facts.url}${path}/cancel?${API}`, admin);
    assert.equal(again.body.error.code, "DeploymentCannotBeCancelled");
    // Let the run notice the cancel before deleting its record.
    await new Promise((r) => setTimeout(r, 300));
    const ops = (await get(`${path}/operations`)).body.value;
    assert.ok(ops.length < 300, `the run stopped early (${ops.length} operations)`);
    const deleted = await call("DELETE", `${keyless.facts.url}${path}?${API}`, admin);
    assert.equal(deleted.status, 202);
    assert.equal((await get(path)).status, 404);
  });

  test("a run cut by its node stopping is Failed (DeploymentInterrupted) once the service is back, and the name deploys again", async () => {
    const template = {
      $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      contentVersion: "1.0.0.0",
      resources: [
        {
          type: "Microsoft.ManagedIdentity/userAssignedIdentities",
          apiVersion: "2023-01-31",
          name: "interrupted-id",
          location: "westeurope",
        },
      ],
    };
    const properties = { template, mode: "Incremental" };
    const path = `${base}/resourceGroups/tpl-rg/providers/Microsoft.Resources/deployments/interrupted`;
    assert.equal((await deploy("tpl-rg", "interrupted", properties)).final.properties.provisioningState, "Succeeded");
    // What a kill -9 mid-run leaves: the deployment Running, its heartbeat long stopped.
    await keyless.server.stop();
    const db = new DatabaseSync(join(keyless.dataDir, "keyless.db"));
    db.prepare(
      "update template_deployments set provisioning_state = 'Running', ended_at = null, updated_at = '2026-01-01T00:00:00.000Z' where name = 'interrupted'",
    ).run();
    db.close();
    await keyless.restart();

    const cut = (await get(path)).body;
    assert.equal(cut.properties.provisioningState, "Failed");
    assert.equal(cut.properties.error.code, "DeploymentFailed");
    assert.equal(cut.properties.error.details[0].code, "DeploymentInterrupted");
    const again = await deploy("tpl-rg", "interrupted", properties);
    assert.equal(again.status, 201, JSON.stringify(again.body));
    assert.equal(again.final.properties.provisioningState, "Succeeded");
  });

  test("complete mode deletes the group's accounts and identities the template does not name", async () => {
    await put(`${base}/resourceGroups/tpl-complete`, { location: "westeurope" });
    const identity = (name: string) => ({
      type: "Microsoft.ManagedIdentity/userAssignedIdentities",
      apiVersion: "2023-01-31",
      name,
      location: "westeurope",
    });
    const template = (names: string[]) => ({
      $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      contentVersion: "1.0.0.0",
      resources: names.map(identity),
    });
    const deployTo = (name: string, properties: Json) =>
      deploy("tpl-complete", name, properties).then((r) => {
        assert.equal(r.final.properties.provisioningState, "Succeeded", JSON.stringify(r.final.properties.error));
        return r;
      });
    await deployTo("first", { template: template(["keep", "drop"]) });
    const run = await deployTo("second", { template: template(["keep"]), mode: "Complete" });
    assert.equal(run.final.properties.mode, "Complete");
    const left = (
      await get(
        `${base}/resourceGroups/tpl-complete/providers/Microsoft.ManagedIdentity/userAssignedIdentities`,
        admin,
        "api-version=2023-01-31",
      )
    ).body.value;
    assert.deepEqual(
      left.map((i: Json) => i.name),
      ["keep"],
    );
    const ops = (await get(`${base}/resourceGroups/tpl-complete/providers/Microsoft.Resources/deployments/second/operations`)).body.value;
    assert.ok(
      ops.some((o: Json) => o.properties.provisioningOperation === "Delete" && o.properties.targetResource.resourceName === "drop"),
    );
  });
});

describe("template deployments: the concurrency limit", () => {
  const keyless = useKeyless({ env: { KEYLESS_TEMPLATE_DEPLOYMENT_CONCURRENCY: "1" } });

  test("a subscription with templateDeploymentConcurrency runs already active gets 429 for one more", async () => {
    const admin = (await adminCredential(keyless.facts).getToken(ARM_SCOPE))!.token;
    const base = `${keyless.facts.url}/subscriptions/${keyless.facts.subscriptionId}/resourceGroups/limit-rg`;
    assert.equal((await call("PUT", `${base}?${API}`, admin, { location: "westeurope" })).status, 201);
    const first = `${base}/providers/Microsoft.Resources/deployments/long`;
    assert.equal((await call("PUT", `${first}?${API}`, admin, { properties: { template: identityChain("long", 300) } })).status, 201);
    const second = await call("PUT", `${base}/providers/Microsoft.Resources/deployments/short?${API}`, admin, {
      properties: { template: identityChain("short", 1) },
    });
    assert.equal(second.status, 429);
    assert.equal(second.body.error.code, "DeploymentConcurrencyLimitExceeded");
    assert.equal((await call("POST", `${first}/cancel?${API}`, admin)).status, 204);
  });
});

describe("template deployments: the history limit", () => {
  const keyless = useKeyless({ env: { KEYLESS_TEMPLATE_DEPLOYMENT_HISTORY_LIMIT: "2" } });

  test("a full scope's oldest finished deployments make room for a new one; when every one is running, 400 DeploymentQuotaExceeded", async () => {
    const admin = (await adminCredential(keyless.facts).getToken(ARM_SCOPE))!.token;
    const base = `${keyless.facts.url}/subscriptions/${keyless.facts.subscriptionId}/resourceGroups/history-rg`;
    assert.equal((await call("PUT", `${base}?${API}`, admin, { location: "westeurope" })).status, 201);
    const deployments = `${base}/providers/Microsoft.Resources/deployments`;
    const start = (name: string, length = 1) =>
      call("PUT", `${deployments}/${name}?${API}`, admin, { properties: { template: identityChain(name, length) } });
    const finish = async (name: string) => {
      assert.equal((await start(name)).status, 201);
      let state = "Accepted";
      for (let i = 0; i < 200 && (state === "Accepted" || state === "Running"); i++) {
        await new Promise((r) => setTimeout(r, 50));
        state = (await call("GET", `${deployments}/${name}?${API}`, admin)).body.properties.provisioningState;
      }
      assert.equal(state, "Succeeded");
    };
    const names = async () =>
      ((await call("GET", `${deployments}?${API}`, admin)).body.value as { name: string }[]).map((d) => d.name).sort();

    await finish("one");
    await finish("two");
    await finish("three");
    assert.deepEqual(await names(), ["three", "two"], "the oldest went from the history");
    assert.equal(
      (await call("GET", `${base}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/one-0?api-version=2023-01-31`, admin)).status,
      200,
      "not what it deployed",
    );

    assert.equal((await start("long-a", 300)).status, 201);
    assert.equal((await start("long-b", 300)).status, 201);
    const refused = await start("more");
    assert.equal(refused.status, 400, JSON.stringify(refused.body));
    assert.equal(refused.body.error.code, "DeploymentQuotaExceeded");
    assert.deepEqual(await names(), ["long-a", "long-b"]);
    for (const name of ["long-a", "long-b"]) assert.equal((await call("POST", `${deployments}/${name}/cancel?${API}`, admin)).status, 204);
  });
});
