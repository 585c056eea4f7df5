import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type AzureCli, azureCli, azureCliInstalled } from "../harness/azure-cli.ts";
import {
  ARM_SCOPE,
  adminCredential,
  appCredential,
  assignRole,
  COGNITIVE_SCOPE,
  call,
  GRAPH_SCOPE,
  registerApp,
} from "../harness/clients.ts";
import { useKeyless } from "../harness/keyless.ts";
import { RoleIds } from "../harness/role-ids.ts";

const modelsFile = join(mkdtempSync(join(tmpdir(), "keyless-versions-")), "models.yaml");
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** Two versions of one model on the built-in chat backend; `stage` says which is the default and which is retired. */
function writeCatalog(stage: "v1-default" | "v2-default" | "v1-retired") {
  const v1 =
    stage === "v1-default"
      ? "default: true"
      : stage === "v2-default"
        ? `lifecycle: Deprecated, deprecationDate: "${iso(Date.now() + 30 * DAY)}"`
        : `lifecycle: Deprecated, deprecationDate: "${iso(Date.now() - DAY)}"`;
  const v2 = stage === "v1-default" ? "lifecycle: Preview" : "default: true";
  writeFileSync(
    modelsFile,
    [
      "models:",
      `  - { format: Acme, name: chatty, version: "1", backend: builtin-chat, ${v1} }`,
      `  - { format: Acme, name: chatty, version: "2", backend: builtin-chat, ${v2} }`,
      '  - { format: Acme, name: premium, version: "1", backend: builtin-chat, skus: [GlobalStandard, ProvisionedManaged] }',
      "",
    ].join("\n"),
  );
}
writeCatalog("v1-default");

/** Deployment version upgrades, the model catalog's lifecycle, SKUs per model, capacity on the next call, usages. */
describe("deployment versions, SKUs and capacity", () => {
  const keyless = useKeyless({ env: { KEYLESS_MODELS_FILE: modelsFile } });
  let armToken: string;
  let dataToken: string;
  let accountId: string;

  before(async () => {
    const admin = adminCredential(keyless.facts);
    armToken = (await admin.getToken(ARM_SCOPE))!.token;
    const app = await registerApp(keyless.facts, (await admin.getToken(GRAPH_SCOPE))!.token, "versions-app");
    const { subscriptionId, demo } = keyless.facts;
    accountId = `/subscriptions/${subscriptionId}/resourceGroups/${demo!.resourceGroup}/providers/Microsoft.CognitiveServices/accounts/${demo!.account}`;
    await assignRole(keyless.facts, armToken, {
      scope: accountId,
      role: RoleIds.cognitiveServicesUser,
      principalId: app.objectId,
      principalType: "ServicePrincipal",
    });
    dataToken = (await appCredential(keyless.facts, app.appId, app.secret).getToken(COGNITIVE_SCOPE))!.token;
  });

  const arm = (method: string, path: string, body?: unknown) =>
    call(method, `${keyless.facts.url}${accountId}${path}?api-version=2024-10-01`, armToken, body);
  const deploy = (name: string, model: string, version: string, extra: Record<string, unknown> = {}, sku: Record<string, unknown> = {}) =>
    arm("PUT", `/deployments/${name}`, {
      sku: { name: "GlobalStandard", capacity: 10, ...sku },
      properties: { model: { format: "Acme", name: model, version }, ...extra },
    });
  const versionOf = async (name: string) => (await arm("GET", `/deployments/${name}`)).body.properties.model.version;
  const chat = (deployment: string) =>
    call("POST", `${keyless.facts.url}/accounts/${keyless.facts.demo!.account}/openai/v1/chat/completions`, dataToken, {
      model: deployment,
      messages: [{ role: "user", content: "hello" }],
      max_tokens: 10,
    });

  test("the catalog lists versions with their lifecycle; deployments store their upgrade option (default OnceNewDefaultVersionAvailable)", async () => {
    const models = (await arm("GET", "/models")).body.value.filter((m: { name: string }) => m.name === "chatty");
    assert.deepEqual(
      models.map((m: Record<string, unknown>) => [m.version, m.lifecycleStatus, m.isDefaultVersion]),
      [
        ["1", "GenerallyAvailable", true],
        ["2", "Preview", false],
      ],
    );
    const follows = await deploy("follows", "chatty", "1");
    assert.equal(follows.status, 201, JSON.stringify(follows.body));
    assert.equal(follows.body.properties.versionUpgradeOption, "OnceNewDefaultVersionAvailable");
    assert.equal((await deploy("expires", "chatty", "1", { versionUpgradeOption: "OnceCurrentVersionExpired" })).status, 201);
    assert.equal((await deploy("pinned", "chatty", "1", { versionUpgradeOption: "NoAutoUpgrade" })).status, 201);
    const bad = await deploy("bad-option", "chatty", "1", { versionUpgradeOption: "Sometimes" });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, "InvalidResourceProperties");
  });

  test("a new default version moves OnceNewDefaultVersionAvailable deployments; a retired one moves OnceCurrentVersionExpired; NoAutoUpgrade stays", async () => {
    writeCatalog("v2-default");
    await keyless.restart();
    armToken = (await adminCredential(keyless.facts).getToken(ARM_SCOPE))!.token;
    assert.deepEqual([await versionOf("follows"), await versionOf("expires"), await versionOf("pinned")], ["2", "1", "1"]);
    const v1 = (await arm("GET", "/models")).body.value.find(
      (m: { name: string; version: string }) => m.name === "chatty" && m.version === "1",
    );
    assert.equal(v1.lifecycleStatus, "Deprecated");
    assert.ok(v1.deprecation.inference, "the deprecation date is shown");

    writeCatalog("v1-retired");
    await keyless.restart();
    armToken = (await adminCredential(keyless.facts).getToken(ARM_SCOPE))!.token;
    assert.deepEqual([await versionOf("follows"), await versionOf("expires"), await versionOf("pinned")], ["2", "2", "1"]);
    const retired = await deploy("late", "chatty", "1");
    assert.equal(retired.status, 400);
    assert.equal(retired.body.error.code, "DeploymentModelNotSupported");
    assert.equal((await chat("follows")).status, 200);
  });

  test("a model that names its SKUs refuses others; SKU names are Azure's", async () => {
    const refused = await deploy("premium-std", "premium", "1", {}, { name: "Standard" });
    assert.equal(refused.status, 400);
    assert.match(refused.body.error.message, /not supported by model Acme\/premium\/1/);
    assert.equal((await deploy("premium-std", "premium", "1", {}, { name: "ProvisionedManaged" })).status, 201);
    const unknown = await deploy("odd-sku", "chatty", "2", {}, { name: "Turbo" });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.error.code, "InvalidSkuId");
  });

  test("a capacity change applies to the deployment's rate limits on the next call", async () => {
    assert.equal((await deploy("tiny", "chatty", "2", {}, { capacity: 1 })).status, 201);
    // Capacity 1: 6 requests a minute, a burst of 6.
    for (let i = 0; i < 6; i++) assert.equal((await chat("tiny")).status, 200);
    assert.equal((await chat("tiny")).status, 429);
    const patched = await arm("PATCH", "/deployments/tiny", { sku: { capacity: 100 } });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.equal(patched.body.sku.capacity, 100);
    assert.equal((await chat("tiny")).status, 200);
  });

  test("account usages count deployment capacity per model and SKU; SKUs are listed", async () => {
    const usages = (await arm("GET", "/usages")).body.value as Array<{ name: { value: string }; currentValue: number; limit: number }>;
    const chatty = usages.find((u) => u.name.value === "Acme.GlobalStandard.chatty");
    // follows, expires, pinned (10 each) and tiny (100).
    assert.equal(chatty?.currentValue, 10 * 3 + 100, JSON.stringify(usages));
    assert.equal(usages.find((u) => u.name.value === "Acme.ProvisionedManaged.premium")?.currentValue, 10);
    const skus = (await arm("GET", "/skus")).body.value;
    assert.deepEqual(skus, [{ resourceType: "Microsoft.CognitiveServices/accounts", sku: { name: "S0", tier: "Standard" } }]);
  });

  describe("with az 2.45", { skip: !azureCliInstalled && "azure-cli not installed" }, () => {
    let az: AzureCli;
    before(async () => {
      az = await azureCli(keyless.facts);
      const operator = await registerApp(
        keyless.facts,
        (await adminCredential(keyless.facts).getToken(GRAPH_SCOPE))!.token,
        "versions-operator",
      );
      await assignRole(keyless.facts, armToken, {
        scope: accountId,
        role: RoleIds.cognitiveServicesContributor,
        principalId: operator.objectId,
        principalType: "ServicePrincipal",
      });
      await az.ok(["login", "--service-principal", "-u", operator.appId, "-p", operator.secret, "--tenant", keyless.facts.tenantId]);
    });
    after(() => az?.cleanup());

    test("deployment create (2.45 syntax) / show / list / delete, list-models, list-skus, list-usage", async () => {
      const at = ["-g", keyless.facts.demo!.resourceGroup, "-n", keyless.facts.demo!.account];
      const created = await az.ok([
        "cognitiveservices",
        "account",
        "deployment",
        "create",
        ...at,
        "--deployment-name",
        "az-chatty",
        "--model-name",
        "chatty",
        "--model-version",
        "2",
        "--model-format",
        "Acme",
        "--scale-settings-scale-type",
        "Manual",
        "--scale-settings-capacity",
        "7",
      ]);
      assert.equal(created.properties.model.version, "2");
      const shown = await az.ok(["cognitiveservices", "account", "deployment", "show", ...at, "--deployment-name", "az-chatty"]);
      assert.equal(shown.properties.versionUpgradeOption, "OnceNewDefaultVersionAvailable");
      assert.equal(shown.properties.raiPolicyName, "Microsoft.DefaultV2");
      assert.ok(
        (await az.ok(["cognitiveservices", "account", "deployment", "list", ...at])).some((d: { name: string }) => d.name === "az-chatty"),
      );
      const models = await az.ok(["cognitiveservices", "account", "list-models", ...at]);
      const v2 = models.find((m: { name: string; version: string }) => m.name === "chatty" && m.version === "2");
      assert.equal(v2.lifecycleStatus, "GenerallyAvailable");
      assert.equal(v2.isDefaultVersion, true);
      const usage = await az.ok(["cognitiveservices", "account", "list-usage", ...at]);
      assert.ok(
        usage.some((u: { name: { value: string } }) => u.name.value === "Acme.Standard.chatty" || u.name.value.startsWith("Acme.")),
        JSON.stringify(usage),
      );
      const skus = await az.ok(["cognitiveservices", "account", "list-skus", ...at]);
      assert.equal(JSON.stringify(skus).includes("S0"), true, JSON.stringify(skus));
      const kinds = await az.ok(["cognitiveservices", "account", "list-skus", "--kind", "AIServices", "--location", "local"]);
      assert.ok(JSON.stringify(kinds).includes("S0"), JSON.stringify(kinds));
      await az.ok(["cognitiveservices", "account", "deployment", "delete", ...at, "--deployment-name", "az-chatty"]);
      assert.equal((await arm("GET", "/deployments/az-chatty")).status, 404);
    });
  });
});
