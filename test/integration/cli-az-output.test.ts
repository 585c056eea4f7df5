/**
 * `keyless` prints what the real Debian `az` 2.45 prints for the same server responses: both CLIs, signed in as the
 * administrator, run the same command against one started server, and their stdout must be equal byte for byte
 * (TSV rows, lists of lists, `resourceGroup` added to resources, the automatic table and az's table transforms).
 * `keyless` runs in this process (`runInProcess`): its printer is under test here, not its process.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type AzureCli, azureCli, azureCliInstalled } from "../harness/azure-cli.ts";
import { type KeylessCli, keylessCli } from "../harness/cli.ts";
import { ADMIN_PASSWORD } from "../harness/keyless-process.ts";
import { useKeyless } from "../harness/keyless.ts";

describe("keyless output equals az 2.45 output", { skip: !azureCliInstalled && "azure-cli not installed" }, () => {
  const server = useKeyless();
  let az: AzureCli;
  let cli: KeylessCli;
  const keyless = (...argv: string[]) => cli.ok(...argv);

  before(async () => {
    cli = await keylessCli(server.facts, { signIn: { username: server.facts.adminUsername, password: ADMIN_PASSWORD } });
    const rg = server.facts.demo!.resourceGroup;
    await keyless("group", "create", "-n", "rg-second", "-l", "westeurope", "-o", "none");
    await keyless(
      "cognitiveservices",
      "account",
      "create",
      "-n",
      "acct-second",
      "-g",
      "rg-second",
      "-l",
      "westeurope",
      "--kind",
      "AIServices",
      "--sku",
      "S0",
      "-o",
      "none",
    );
    await keyless("ad", "group", "create", "--display-name", "Readers", "--mail-nickname", "readers", "-o", "none");
    await keyless("ad", "sp", "create-for-rbac", "-n", "zz-last-app", "-o", "none");
    await keyless("ad", "sp", "create-for-rbac", "-n", "aa-first-app", "-o", "none");
    assert.ok(rg);
    az = await azureCli(server.facts);
    await az.ok(["login", "-u", server.facts.adminUsername, "-p", ADMIN_PASSWORD]);
  });
  after(async () => {
    await az?.cleanup();
    cli?.cleanup();
  });

  const demo = () => server.facts.demo!;
  const cases: [string, () => string[]][] = [
    ["resource list -o tsv (sorted keys, resourceGroup added)", () => ["resource", "list", "-o", "tsv"]],
    [
      "resource list --query '[].[resourceGroup,name]' -o tsv (a list of lists)",
      () => ["resource", "list", "--query", "[].[resourceGroup,name]", "-o", "tsv"],
    ],
    ["resource list --query '[0].resourceGroup' -o tsv", () => ["resource", "list", "--query", "[0].resourceGroup", "-o", "tsv"]],
    ["resource list -o table (transform_resource_list)", () => ["resource", "list", "-o", "table"]],
    [
      "resource list --query hash -o table (the query's column order)",
      () => ["resource", "list", "--query", "[].{n:name, g:resourceGroup, k:kind}", "-o", "table"],
    ],
    ["group list -o table", () => ["group", "list", "-o", "table"]],
    ["group list -o tsv", () => ["group", "list", "-o", "tsv"]],
    ["cognitiveservices account list -o table", () => ["cognitiveservices", "account", "list", "-o", "table"]],
    [
      "cognitiveservices account list --query '[].[name,resourceGroup,location]' -o tsv",
      () => ["cognitiveservices", "account", "list", "--query", "[].[name,resourceGroup,location]", "-o", "tsv"],
    ],
    [
      "cognitiveservices account deployment list -o table",
      () => ["cognitiveservices", "account", "deployment", "list", "-n", demo().account, "-g", demo().resourceGroup, "-o", "table"],
    ],
    [
      "cognitiveservices account deployment list --query '[].[name,properties.model.name]' -o tsv",
      () => [
        "cognitiveservices",
        "account",
        "deployment",
        "list",
        "-n",
        demo().account,
        "-g",
        demo().resourceGroup,
        "--query",
        "[].[name,properties.model.name]",
        "-o",
        "tsv",
      ],
    ],
    ["role definition list -o table (transform_definition_list)", () => ["role", "definition", "list", "-o", "table"]],
    ["ad sp list -o table (graph transformer)", () => ["ad", "sp", "list", "-o", "table"]],
    ["ad app list -o table (graph transformer)", () => ["ad", "app", "list", "-o", "table"]],
    ["ad group list -o table", () => ["ad", "group", "list", "-o", "table"]],
    ["ad user list -o table", () => ["ad", "user", "list", "-o", "table"]],
    ["ad user list -o tsv", () => ["ad", "user", "list", "-o", "tsv"]],
    ["account list --query '[].[name,isDefault]' -o tsv", () => ["account", "list", "--query", "[].[name,isDefault,state]", "-o", "tsv"]],
  ];
  for (const [name, argv] of cases) {
    test(name, async () => {
      const expected = await az.run(argv());
      assert.equal(expected.code, 0, expected.stderr);
      assert.equal(await keyless(...argv()), expected.stdout);
    });
  }
});
