import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import ModelClient, { isUnexpected } from "@azure-rest/ai-inference";
import { type AzureCli, azureCli, azureCliInstalled } from "../harness/azure-cli.ts";
import { ARM_SCOPE, GRAPH_SCOPE, adminCredential, appCredential, assignRole, call, type Json, registerApp } from "../harness/clients.ts";
import { useKeyless } from "../harness/keyless.ts";
import { RoleIds } from "../harness/role-ids.ts";

const skip = !azureCliInstalled && "azure-cli not installed";
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/deployments/${name}`, import.meta.url));

/**
 * `az deployment` 2.45 (Debian) against Keyless, on templates in the style of Azure's quickstarts: create (which
 * validates first), validate, what-if, show, list, delete, `operation group list`, and `deployment sub create`.
 */
describe("az deployment against Keyless", { skip }, () => {
  const keyless = useKeyless();
  let az: AzureCli;
  let contributorAz: AzureCli;
  let principal: { appId: string; secret: string; objectId: string };
  let work: string;
  let sub: string;

  before(async () => {
    const admin = adminCredential(keyless.facts);
    const graph = (await admin.getToken(GRAPH_SCOPE))!.token;
    const arm = (await admin.getToken(ARM_SCOPE))!.token;
    sub = `/subscriptions/${keyless.facts.subscriptionId}`;
    const operator = await registerApp(keyless.facts, graph, "az-deployer");
    await assignRole(keyless.facts, arm, {
      scope: sub,
      role: RoleIds.owner,
      principalId: operator.objectId,
      principalType: "ServicePrincipal",
    });
    principal = await registerApp(keyless.facts, graph, "az-deploy-caller");
    const contributor = await registerApp(keyless.facts, graph, "az-deploy-contributor");
    await call("PUT", `${keyless.facts.url}${sub}/resourcegroups/deploy-contrib?api-version=2021-04-01`, arm, { location: "westeurope" });
    await assignRole(keyless.facts, arm, {
      scope: `${sub}/resourceGroups/deploy-contrib`,
      role: RoleIds.contributor,
      principalId: contributor.objectId,
      principalType: "ServicePrincipal",
    });
    az = await azureCli(keyless.facts);
    await az.ok(["login", "--service-principal", "-u", operator.appId, "-p", operator.secret, "--tenant", keyless.facts.tenantId]);
    await az.ok(["group", "create", "-n", "deploy-rg", "-l", "westeurope"]);
    contributorAz = await azureCli(keyless.facts);
    await contributorAz.ok([
      "login",
      "--service-principal",
      "-u",
      contributor.appId,
      "-p",
      contributor.secret,
      "--tenant",
      keyless.facts.tenantId,
    ]);
    work = mkdtempSync(join(tmpdir(), "keyless-deploy-"));
  });
  after(async () => {
    await az?.cleanup();
    await contributorAz?.cleanup();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const aiArgs = (account: string) => [
    "--template-file",
    fixture("ai-services-rbac.json"),
    "--parameters",
    `accountName=${account}`,
    `principalId=${principal.objectId}`,
  ];

  /** `az deployment group what-if --no-pretty-print` of the AI template: the change type of each resource. */
  const whatIfChanges = async (account: string) =>
    (await az.ok(["deployment", "group", "what-if", "-g", "deploy-rg", "-n", "ai", "--no-pretty-print", ...aiArgs(account)])).changes.map(
      (c: Json) => c.changeType,
    );

  test("validate, then what-if (pretty and --no-pretty-print) before anything exists", async () => {
    const validated = await az.ok(["deployment", "group", "validate", "-g", "deploy-rg", "-n", "ai", ...aiArgs("deployai1")]);
    assert.equal(validated.properties.provisioningState, "Succeeded");
    assert.equal(validated.properties.validatedResources.length, 3);
    const pretty = await az.run(["deployment", "group", "what-if", "-g", "deploy-rg", "-n", "ai", ...aiArgs("deployai1")]);
    assert.equal(pretty.code, 0, pretty.stderr);
    assert.match(pretty.stdout, /\+ Microsoft\.CognitiveServices\/accounts\/deployai1/);
    assert.match(pretty.stdout, /Resource changes: 3 to create\./);
    assert.deepEqual(await whatIfChanges("deployai1"), ["Create", "Create", "Create"]);
  });

  test("create deploys the account, its model deployment and the role; the principal's chat then succeeds", async () => {
    const created = await az.ok(["deployment", "group", "create", "-g", "deploy-rg", "-n", "ai", ...aiArgs("deployai1")]);
    assert.equal(created.properties.provisioningState, "Succeeded");
    assert.equal(created.properties.outputs.endpoint.value, `${keyless.facts.url}/accounts/deployai1/models`);
    const client = ModelClient(created.properties.outputs.endpoint.value, appCredential(keyless.facts, principal.appId, principal.secret), {
      credentials: { scopes: ["https://cognitiveservices.azure.com/.default"] },
    });
    const response = await client.path("/chat/completions").post({ body: { model: "echo", messages: [{ role: "user", content: "hi" }] } });
    assert.equal(isUnexpected(response), false, JSON.stringify(response.body));
  });

  test("re-running changes nothing: what-if is NoChange and the ids stay", async () => {
    assert.deepEqual(await whatIfChanges("deployai1"), ["NoChange", "NoChange", "NoChange"]);
    const before = await az.ok(["deployment", "group", "show", "-g", "deploy-rg", "-n", "ai"]);
    const again = await az.ok(["deployment", "group", "create", "-g", "deploy-rg", "-n", "ai", ...aiArgs("deployai1")]);
    assert.deepEqual(
      again.properties.outputResources.map((r: Json) => r.id).sort(),
      before.properties.outputResources.map((r: Json) => r.id).sort(),
    );
  });

  test("show, list and operation group list", async () => {
    const shown = await az.ok(["deployment", "group", "show", "-g", "deploy-rg", "-n", "ai"]);
    assert.equal(shown.name, "ai");
    assert.equal(shown.properties.parameters.accountName.value, "deployai1");
    const listed = await az.ok(["deployment", "group", "list", "-g", "deploy-rg"]);
    assert.deepEqual(
      listed.map((d: Json) => d.name),
      ["ai"],
    );
    const ops = await az.ok(["deployment", "operation", "group", "list", "-g", "deploy-rg", "-n", "ai"]);
    assert.equal(ops.length, 3);
    assert.ok(ops.every((o: Json) => o.properties.provisioningState === "Succeeded"));
  });

  test("a custom MaaS role and its assignment, then a copy loop of model deployments", async () => {
    const role = await az.ok([
      "deployment",
      "group",
      "create",
      "-g",
      "deploy-rg",
      "--template-file",
      fixture("custom-role.json"),
      "--parameters",
      `principalId=${principal.objectId}`,
    ]);
    assert.equal(role.name, "custom-role");
    assert.equal(role.properties.provisioningState, "Succeeded");
    const roleId = role.properties.outputs.roleDefinitionId.value as string;
    const definition = await call(
      "GET",
      `${keyless.facts.url}${roleId}?api-version=2022-04-01`,
      (await adminCredential(keyless.facts).getToken(ARM_SCOPE))!.token,
    );
    assert.deepEqual(definition.body.properties.permissions[0].dataActions, ["Microsoft.CognitiveServices/accounts/MaaS/*"]);

    const params = join(work, "copy.parameters.json");
    writeFileSync(params, JSON.stringify({ parameters: { deploymentNames: { value: ["a", "b", "c", "d"] } } }));
    const copied = await az.ok([
      "deployment",
      "group",
      "create",
      "-g",
      "deploy-rg",
      "-n",
      "copy",
      "--template-file",
      fixture("copy-deployments.json"),
      "--parameters",
      `@${params}`,
      "accountName=deploycopy",
    ]);
    assert.equal(copied.properties.outputs.count.value, 4);
    const deployments = await az.ok(["cognitiveservices", "account", "deployment", "list", "-n", "deploycopy", "-g", "deploy-rg"]);
    assert.deepEqual(deployments.map((d: Json) => d.name).sort(), ["a", "b", "c", "d"]);
    assert.deepEqual(deployments.map((d: Json) => d.sku.capacity).sort(), [1, 2, 3, 4]);
  });

  test("deployment sub create makes a resource group and nests a deployment into it", async () => {
    const created = await az.ok([
      "deployment",
      "sub",
      "create",
      "--location",
      "westeurope",
      "-n",
      "platform",
      "--template-file",
      fixture("subscription-group-nested.json"),
      "--parameters",
      "groupName=deploy-nested",
    ]);
    assert.equal(created.properties.provisioningState, "Succeeded");
    assert.equal(created.location, "westeurope");
    assert.equal(created.properties.outputs.groupId.value, `${sub}/resourceGroups/deploy-nested`);
    assert.match(created.properties.outputs.identityPrincipalId.value, /^[0-9a-f-]{36}$/);
    const group = await az.ok(["group", "show", "-n", "deploy-nested"]);
    assert.deepEqual(group.tags, { owner: "platform" });
    const nested = await az.ok(["deployment", "group", "show", "-g", "deploy-nested", "-n", "identity-in-group"]);
    assert.equal(nested.properties.provisioningState, "Succeeded");
    assert.deepEqual(
      (await az.ok(["deployment", "sub", "list"])).map((d: Json) => d.name),
      ["platform"],
    );
  });

  test("a Contributor's template with a role assignment fails with AuthorizationFailed for that resource", async () => {
    const run = await contributorAz.run([
      "deployment",
      "group",
      "create",
      "-g",
      "deploy-contrib",
      "-n",
      "ai",
      "--template-file",
      fixture("ai-services-rbac.json"),
      "--parameters",
      "accountName=deployai2",
      `principalId=${principal.objectId}`,
    ]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /AuthorizationFailed/);
    assert.match(run.stderr, /roleAssignments/);
    const ops = await contributorAz.ok(["deployment", "operation", "group", "list", "-g", "deploy-contrib", "-n", "ai"]);
    const failed = ops.filter((o: Json) => o.properties.provisioningState === "Failed");
    assert.equal(failed.length, 1);
    assert.equal(failed[0].properties.targetResource.resourceType, "Microsoft.Authorization/roleAssignments");
    assert.equal(failed[0].properties.statusMessage.error.code, "AuthorizationFailed");
    const assignments = await call(
      "GET",
      `${keyless.facts.url}${sub}/resourceGroups/deploy-contrib/providers/Microsoft.CognitiveServices/accounts/deployai2/providers/Microsoft.Authorization/roleAssignments?$filter=atScope()&api-version=2022-04-01`,
      (await adminCredential(keyless.facts).getToken(ARM_SCOPE))!.token,
    );
    assert.equal(assignments.body.value.filter((a: Json) => a.properties.principalId === principal.objectId).length, 0);
  });

  test("bad templates get InvalidTemplate naming the fault, and deploy nothing", async () => {
    const base = {
      $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      contentVersion: "1.0.0.0",
    };
    const identity = (name: string, extra: Json = {}) => ({
      type: "Microsoft.ManagedIdentity/userAssignedIdentities",
      apiVersion: "2023-01-31",
      name,
      location: "westeurope",
      ...extra,
    });
    const cases: { label: string; template: Json; args?: string[]; pattern: RegExp }[] = [
      // The file's text reaches the engine as az sends it, so the fault is placed by line in that file.
      {
        label: "unknown-function",
        template: { ...base, resources: [identity("[noSuchFunction('a')]")] },
        pattern: /noSuchFunction[\s\S]*line '\d+'|line '\d+'[\s\S]*noSuchFunction/i,
      },
      { label: "bad-expression", template: { ...base, resources: [identity("[concat('a', ]")] }, pattern: /resources\[0\]|expression/i },
      {
        label: "cycle",
        template: {
          ...base,
          resources: [
            identity("one", { dependsOn: ["[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'two')]"] }),
            identity("two", { dependsOn: ["[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'one')]"] }),
          ],
        },
        pattern: /circular|cycle/i,
      },
      {
        label: "missing-parameter",
        template: { ...base, parameters: { name: { type: "string" } }, resources: [identity("[parameters('name')]")] },
        args: ["--no-prompt", "true"],
        pattern: /name/,
      },
      {
        label: "wrong-type",
        template: { ...base, parameters: { count: { type: "int" } }, resources: [identity("wrongtype")] },
        args: ["--parameters", '{"count": {"value": "three"}}'],
        pattern: /count/,
      },
    ];
    for (const c of cases) {
      const file = join(work, `${c.label}.json`);
      // Templates are JSON with comments, as ARM reads them; az sends the file's text as it is.
      writeFileSync(file, `// ${c.label}\n${JSON.stringify(c.template, null, 2)}`);
      const run = await az.run([
        "deployment",
        "group",
        "create",
        "-g",
        "deploy-rg",
        "-n",
        c.label,
        "--template-file",
        file,
        ...(c.args ?? []),
      ]);
      assert.equal(run.code, 1, `${c.label}: ${run.stdout}`);
      assert.match(run.stderr, /InvalidTemplate/, c.label);
      assert.match(run.stderr, c.pattern, `${c.label}: ${run.stderr}`);
      const shown = await az.run(["deployment", "group", "show", "-g", "deploy-rg", "-n", c.label]);
      assert.equal(shown.code, 3, `${c.label} must not be recorded`);
    }
    const identities = await az.ok(["identity", "list", "-g", "deploy-rg"]);
    assert.deepEqual(identities, []);
  });

  test("delete removes the deployment from the history and leaves its resources", async () => {
    await az.ok(["deployment", "group", "delete", "-g", "deploy-rg", "-n", "copy"]);
    const shown = await az.run(["deployment", "group", "show", "-g", "deploy-rg", "-n", "copy"]);
    assert.equal(shown.code, 3);
    assert.match(shown.stderr, /DeploymentNotFound/);
    const account = await az.ok(["cognitiveservices", "account", "show", "-n", "deploycopy", "-g", "deploy-rg"]);
    assert.equal(account.name, "deploycopy");
  });
});
