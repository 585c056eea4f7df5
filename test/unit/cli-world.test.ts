import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { UsageError } from "../../src/cli/cli-error.ts";
import { parseWorld } from "../../src/cli/world/world-file.ts";
import { recordingTransport, runInProcess, signedInConfigDir } from "../harness/cli.ts";

const WORLDS = join(import.meta.dirname, "..", "fixtures", "cli", "worlds");
const SUB = "00000000-0000-0000-0000-0000000000aa";

test("the documented complete world parses", () => {
  const world = parseWorld(readFileSync(join(WORLDS, "complete.yaml"), "utf8"), "complete.yaml");
  assert.equal(world.users.length, 2);
  assert.deepEqual(world.groups[0]!.members, ["alice@keyless.local", "app:ci-pipeline"]);
  assert.equal(world.resourceGroups[0]!.accounts![0]!.deployments![0]!.model.version, "1");
  assert.equal(world.roleAssignments.length, 2);
});

test("docs/seed-file.md shows exactly the tested complete world", () => {
  const doc = readFileSync(join(import.meta.dirname, "..", "..", "docs", "seed-file.md"), "utf8");
  const example = readFileSync(join(WORLDS, "complete.yaml"), "utf8").split("\n").slice(1).join("\n");
  assert.ok(doc.includes(example.trim()), "the example in docs/seed-file.md drifted from test/fixtures/cli/worlds/complete.yaml");
});

test("every problem of a bad world is reported with its line and column and what to change", () => {
  let message = "";
  try {
    parseWorld(readFileSync(join(WORLDS, "bad.yaml"), "utf8"), "bad.yaml");
  } catch (err) {
    assert.ok(err instanceof UsageError);
    message = err.message;
  }
  const expected = [
    "bad.yaml:2:24: users[0].userPrincipalName: 'alice' is not a user principal name such as alice@contoso.keyless.",
    "bad.yaml:3:5: users[0].pasword: unknown key; expected one of userPrincipalName, displayName, password, accountEnabled.",
    "bad.yaml:2:5: users[0].password: required, a string.",
    "bad.yaml:5:5: groups[0].displayName: required, a string.",
    "bad.yaml:7:5: resourceGroups[0].location: required, a string.",
    "bad.yaml:8:15: resourceGroups[0].accounts: expected a list (lines starting with '- ').",
    "bad.yaml:12:12: roleAssignments[0].scope: 'a/b/c/d e' is not 'subscription', 'RESOURCE_GROUP', 'RESOURCE_GROUP/ACCOUNT' or a full resource id.",
  ];
  for (const line of expected) assert.ok(message.includes(line), `missing: ${line}\nin:\n${message}`);
});

test("YAML syntax errors carry their position", () => {
  assert.throws(() => parseWorld("users:\n  - userPrincipalName: [unclosed\n", "w.yaml"), /w\.yaml:\d+:\d+: /);
});

test("apply -f with a bad file exits 2 without any request", async () => {
  const transport = recordingTransport(() => undefined);
  const run = await runInProcess(["apply", "-f", join(WORLDS, "bad.yaml")], {
    env: { KEYLESS_CONFIG_DIR: signedInConfigDir(SUB) },
    transport,
  });
  assert.equal(run.code, 2);
  assert.match(run.stderr, /^ERROR: The world file is not valid:\n {2}.*bad\.yaml:2:5: users\[0\]\.password: required/);
  assert.deepEqual(transport.requests, []);
  const missing = await runInProcess(["apply", "-f", join(WORLDS, "nope.yaml")], {
    env: { KEYLESS_CONFIG_DIR: signedInConfigDir(SUB) },
    transport,
  });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read '.*nope\.yaml' \(ENOENT\)/);
});

/**
 * A tiny in-test directory and resource table behind the recording transport: enough Graph and ARM (as Azure
 * shapes them) for apply to find what exists, so a second apply must change nothing.
 */
function worldServer() {
  const objects: Record<string, { id: string; [k: string]: unknown }[]> = {
    users: [],
    groups: [],
    applications: [],
    servicePrincipals: [],
  };
  const members: Record<string, string[]> = {};
  const arm = new Map<string, unknown>();
  const assignments: { id: string; properties: { scope: string; roleDefinitionId: string; principalId: string } }[] = [];
  let next = 0;
  const id = () => `00000000-0000-0000-0000-${String(++next).padStart(12, "0")}`;
  const transport = recordingTransport((req) => {
    const url = new URL(req.url);
    const path = decodeURIComponent(url.pathname);
    const filter = url.searchParams.get("$filter") ?? "";
    const graph = /^\/graph\/v1\.0\/(users|groups|applications|servicePrincipals)$/.exec(path);
    if (graph && req.method === "GET") {
      const [, field, value] = /(\w+) eq '([^']*)'/.exec(filter) ?? [];
      return { body: { value: objects[graph[1]!]!.filter((o) => !field || o[field] === value) } };
    }
    if (graph && req.method === "POST") {
      const body = req.body as Record<string, unknown>;
      const created = { ...body, id: id(), ...(graph[1] === "applications" ? { appId: id(), passwordCredentials: [] } : {}) };
      objects[graph[1]!]!.push(created);
      return { status: 201, body: created };
    }
    const addPassword = /^\/graph\/v1\.0\/applications\/([^/]+)\/addPassword$/.exec(path);
    if (addPassword) {
      const app = objects.applications!.find((a) => a.id === addPassword[1])!;
      const displayName = (req.body as { passwordCredential: { displayName: string } }).passwordCredential.displayName;
      (app.passwordCredentials as unknown[]).push({ displayName });
      return { body: { secretText: `secret-${displayName}`, displayName } };
    }
    const groupMembers = /^\/graph\/v1\.0\/groups\/([^/]+)\/members(\/\$ref)?$/.exec(path);
    if (groupMembers && req.method === "GET") return { body: { value: (members[groupMembers[1]!] ?? []).map((m) => ({ id: m })) } };
    if (groupMembers && req.method === "POST") {
      const member = String((req.body as Record<string, string>)["@odata.id"])
        .split("/")
        .at(-1)!;
      members[groupMembers[1]!] = [...(members[groupMembers[1]!] ?? []), member];
      return { status: 204 };
    }
    if (path.endsWith("/providers/Microsoft.Authorization/roleDefinitions")) {
      const name = /roleName eq '([^']*)'/.exec(filter)![1]!;
      return {
        body: {
          value: [
            {
              id: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/role-${name.replace(/ /g, "-")}`,
              name: `role-${name}`,
              properties: { roleName: name },
            },
          ],
        },
      };
    }
    if (path.endsWith("/providers/Microsoft.Authorization/roleAssignments") && req.method === "GET") {
      const principal = /principalId eq '([^']*)'/.exec(filter)?.[1];
      return { body: { value: assignments.filter((a) => a.properties.principalId === principal) } };
    }
    const assignment = /^(.*)\/providers\/Microsoft\.Authorization\/roleAssignments\/([^/]+)$/.exec(path);
    if (assignment && req.method === "PUT") {
      const created = {
        id: path,
        properties: {
          ...(req.body as { properties: { roleDefinitionId: string; principalId: string } }).properties,
          scope: assignment[1]!,
        },
      };
      assignments.push(created);
      return { status: 201, body: created };
    }
    if (path.startsWith("/subscriptions/") && req.method === "GET")
      return arm.has(path.toLowerCase()) ? { body: arm.get(path.toLowerCase()) } : undefined;
    if (path.startsWith("/subscriptions/") && req.method === "PUT") {
      arm.set(path.toLowerCase(), { id: path, ...(req.body as object) });
      return { status: 201, body: { id: path } };
    }
    return undefined;
  });
  return { transport, arm, assignments, members };
}

test("apply -f makes the world through Azure's REST shapes, reports it, and a second apply changes nothing", async () => {
  const server = worldServer();
  const env = { KEYLESS_CONFIG_DIR: signedInConfigDir(SUB) };
  const first = await runInProcess(["apply", "-f", join(WORLDS, "complete.yaml")], { env, transport: server.transport });
  assert.equal(first.code, 0, first.stderr);
  const changes = JSON.parse(first.stdout) as { action: string; kind: string; name: string; secret?: string }[];
  assert.deepEqual(
    changes.map((c) => `${c.action} ${c.kind} ${c.name}`),
    [
      "created user alice@keyless.local",
      "created user bob@keyless.local",
      "created app ci-pipeline",
      "created servicePrincipal ci-pipeline",
      "created secret ci-pipeline/ci",
      "created group ai-devs",
      "added member ai-devs ← alice@keyless.local",
      "added member ai-devs ← app:ci-pipeline",
      "created resourceGroup rg-ai",
      "created account rg-ai/acct-ai",
      "created deployment rg-ai/acct-ai/chat",
      "created roleAssignment Cognitive Services User → group:ai-devs @ rg-ai/acct-ai",
      "created roleAssignment Reader → bob@keyless.local @ rg-ai",
    ],
  );
  assert.equal(changes.find((c) => c.kind === "secret")!.secret, "secret-ci");
  const account = server.arm.get(`/subscriptions/${SUB}/resourcegroups/rg-ai/providers/microsoft.cognitiveservices/accounts/acct-ai`);
  assert.deepEqual(account, {
    id: `/subscriptions/${SUB}/resourcegroups/rg-ai/providers/Microsoft.CognitiveServices/accounts/acct-ai`,
    kind: "AIServices",
    sku: { name: "S0" },
    location: "eastus",
    properties: { disableLocalAuth: true },
  });
  const groupAssignment = server.assignments[0]!;
  assert.equal(
    groupAssignment.properties.scope,
    `/subscriptions/${SUB}/resourcegroups/rg-ai/providers/Microsoft.CognitiveServices/accounts/acct-ai`,
  );
  assert.match(groupAssignment.properties.roleDefinitionId, /roleDefinitions\/role-Cognitive-Services-User$/);

  const before = server.transport.requests.length;
  const second = await runInProcess(["apply", "-f", join(WORLDS, "complete.yaml"), "--query", "[?action!='unchanged']"], {
    env,
    transport: server.transport,
  });
  assert.equal(second.code, 0, second.stderr);
  assert.equal(second.stdout, "[]\n");
  const writes = server.transport.requests.slice(before).filter((r) => r.method !== "GET" && !r.url.includes("getByIds"));
  assert.deepEqual(writes, [], "a second apply writes nothing");
});
