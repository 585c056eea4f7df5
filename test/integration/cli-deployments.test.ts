/** `keyless deployment group|sub …` and `keyless deployment operation group list`, run in process (`keylessCli`). */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { type KeylessCli, keylessCli } from "../harness/cli.ts";
import { GRAPH_SCOPE, adminCredential, type Json, registerApp } from "../harness/clients.ts";
import { ADMIN_PASSWORD } from "../harness/keyless-process.ts";
import { useKeyless } from "../harness/keyless.ts";

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/deployments/${name}`, import.meta.url));

describe("keyless deployment commands", () => {
  const server = useKeyless();
  let work: string;
  let cli: KeylessCli;
  let principalId: string;
  const run = (...argv: string[]) => cli.run(...argv);
  const ok = (...argv: string[]) => cli.ok(...argv);
  const json = (...argv: string[]): Promise<Json> => cli.json(...argv);

  before(async () => {
    work = mkdtempSync(join(tmpdir(), "keyless-cli-deploy-"));
    cli = await keylessCli(server.facts, { signIn: { username: server.facts.adminUsername, password: ADMIN_PASSWORD } });
    await ok("group", "create", "-n", "cli-deploy", "-l", "westeurope", "-o", "none");
    const graph = (await adminCredential(server.facts).getToken(GRAPH_SCOPE))!.token;
    principalId = (await registerApp(server.facts, graph, "cli-deploy-caller")).objectId;
  });
  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test("group validate, what-if (printed and JSON), create with a parameters file, show, list, operations, delete", async () => {
    const params = join(work, "ai.parameters.json");
    writeFileSync(params, JSON.stringify({ parameters: { accountName: { value: "cliai1" } } }));
    const args = [
      "-g",
      "cli-deploy",
      "-n",
      "ai",
      "-f",
      fixture("ai-services-rbac.json"),
      "-p",
      `@${params}`,
      "-p",
      `principalId=${principalId}`,
    ];
    const validated = await json("deployment", "group", "validate", ...args);
    assert.equal(validated.properties.validatedResources.length, 3);
    const printed = await ok("deployment", "group", "what-if", ...args);
    assert.match(printed, /\+ \/subscriptions\/.+\/providers\/Microsoft\.CognitiveServices\/accounts\/cliai1\n/);
    assert.match(printed, /Resource changes: 3 to create\./);
    const planned = await json("deployment", "group", "what-if", ...args, "--no-pretty-print");
    assert.deepEqual(
      planned.properties.changes.map((c: Json) => c.changeType),
      ["Create", "Create", "Create"],
    );
    const created = await json("deployment", "group", "create", ...args);
    assert.equal(created.properties.provisioningState, "Succeeded");
    assert.equal(created.properties.outputs.endpoint.value, `${server.facts.url}/accounts/cliai1/models`);
    assert.equal(
      (await json("deployment", "group", "show", "-g", "cli-deploy", "-n", "ai")).properties.parameters.accountName.value,
      "cliai1",
    );
    assert.deepEqual(await json("deployment", "group", "list", "-g", "cli-deploy", "--query", "[].name"), ["ai"]);
    const states = await json(
      "deployment",
      "operation",
      "group",
      "list",
      "-g",
      "cli-deploy",
      "-n",
      "ai",
      "--query",
      "[].properties.provisioningState",
    );
    assert.deepEqual(states, ["Succeeded", "Succeeded", "Succeeded"]);
    const again = await ok("deployment", "group", "what-if", ...args);
    assert.match(again, /Resource changes: 3 no change\./);
    await ok("deployment", "group", "delete", "-g", "cli-deploy", "-n", "ai");
    const gone = await run("deployment", "group", "show", "-g", "cli-deploy", "-n", "ai");
    assert.equal(gone.code, 3);
    assert.match(gone.stderr, /DeploymentNotFound/);
  });

  test("sub create, show and list; a bad template fails with InvalidTemplate and records nothing", async () => {
    const created = await json(
      "deployment",
      "sub",
      "create",
      "-l",
      "westeurope",
      "-n",
      "platform",
      "-f",
      fixture("subscription-group-nested.json"),
      "-p",
      "groupName=cli-nested",
    );
    assert.equal(created.properties.provisioningState, "Succeeded");
    assert.equal((await json("deployment", "sub", "show", "-n", "platform")).location, "westeurope");
    assert.deepEqual(await json("deployment", "sub", "list", "--query", "[].name"), ["platform"]);
    assert.equal((await json("group", "show", "-n", "cli-nested")).tags.owner, "platform");

    const bad = join(work, "bad.json");
    writeFileSync(
      bad,
      `// comments are allowed\n${JSON.stringify({
        $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        contentVersion: "1.0.0.0",
        resources: [
          { type: "Microsoft.ManagedIdentity/userAssignedIdentities", apiVersion: "2023-01-31", name: "[nope()]", location: "x" },
        ],
      })}`,
    );
    const failed = await run("deployment", "group", "create", "-g", "cli-deploy", "-f", bad);
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /InvalidTemplate/);
    assert.equal((await run("deployment", "group", "show", "-g", "cli-deploy", "-n", "bad")).code, 3);
  });
});
