/**
 * The requests commands build, each checked against Azure's documented REST shape (the paths, filters and bodies
 * az 2.45 sends: docs/protocol-notes.md) through a recording transport.
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { HttpRequest } from "../../src/client/transport.ts";
import { openProfile } from "../../src/cli/profile.ts";
import { recordingTransport, type Responder, runInProcess, signedInConfigDir } from "../harness/cli.ts";

const SUB = "00000000-0000-0000-0000-0000000000aa";
const TENANT = "00000000-0000-0000-0000-0000000000bb";
const OID = "11111111-1111-1111-1111-111111111111";
const ACCOUNT = `/subscriptions/${SUB}/resourceGroups/rg-ai/providers/Microsoft.CognitiveServices/accounts/acct1`;
const CSU = "a97b65f3-24c7-4388-baec-2e87135dc908";

/** `METHOD /path?query` with the query decoded, for readable expectations. */
const line = (r: HttpRequest) => {
  const url = new URL(r.url);
  return `${r.method} ${decodeURIComponent(url.pathname)}${url.search ? `?${decodeURIComponent(url.search.slice(1))}` : ""}`;
};

async function run(argv: string[], responder: Responder, configDir = signedInConfigDir(SUB, TENANT)) {
  const transport = recordingTransport(responder);
  const result = await runInProcess(argv, { env: { KEYLESS_CONFIG_DIR: configDir }, transport });
  return { ...result, requests: transport.requests, lines: transport.requests.map(line) };
}

test("role assignment create --assignee UPN --role NAME: Graph user look-up, roleName filter at the scope, PUT with principalType", async () => {
  const r = await run(
    ["role", "assignment", "create", "--assignee", "alice@keyless.local", "--role", "Cognitive Services User", "--scope", ACCOUNT],
    (req) => {
      if (req.url.includes("/graph/v1.0/users")) return { body: { value: [{ id: OID }] } };
      if (req.url.includes("roleDefinitions"))
        return {
          body: {
            value: [
              {
                id: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${CSU}`,
                name: CSU,
                properties: { roleName: "Cognitive Services User" },
              },
            ],
          },
        };
      if (req.method === "PUT") return { status: 201, body: { id: "x", properties: {} } };
      return undefined;
    },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.lines.slice(0, 2), [
    "GET /graph/v1.0/users?$filter=userPrincipalName eq 'alice@keyless.local'",
    `GET ${ACCOUNT}/providers/Microsoft.Authorization/roleDefinitions?$filter=roleName eq 'Cognitive Services User'&api-version=2018-01-01-preview`,
  ]);
  assert.match(
    r.lines[2]!,
    new RegExp(`^PUT ${ACCOUNT}/providers/Microsoft.Authorization/roleAssignments/[0-9a-f-]{36}\\?api-version=2020-04-01-preview$`),
  );
  assert.deepEqual(r.requests[2]!.body, {
    properties: {
      roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${CSU}`,
      principalId: OID,
      principalType: "User",
    },
  });
  assert.equal(r.requests[2]!.headers!.authorization, "Bearer token-for-https://management.core.windows.net/");
  assert.equal(r.requests[0]!.headers!.authorization, "Bearer token-for-https://graph.microsoft.com");
});

test("role assignment create --condition: condition and conditionVersion (2.0 by default) in the PUT body, as az sends them", async () => {
  const condition = `((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${CSU}}))`;
  const r = await run(
    [
      "role",
      "assignment",
      "create",
      "--assignee-object-id",
      OID,
      "--assignee-principal-type",
      "User",
      "--role",
      CSU,
      "--scope",
      ACCOUNT,
      "--condition",
      condition,
    ],
    (req) => (req.method === "PUT" ? { status: 201, body: { id: "x", properties: {} } } : undefined),
  );
  assert.equal(r.code, 0, r.stderr);
  const put = r.requests.find((req) => req.method === "PUT")!;
  assert.deepEqual((put.body as { properties: object }).properties, {
    roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${CSU}`,
    principalId: OID,
    principalType: "User",
    condition,
    conditionVersion: "2.0",
  });
  const orphan = await run(
    ["role", "assignment", "create", "--assignee-object-id", OID, "--role", CSU, "--condition-version", "2.0"],
    () => undefined,
  );
  assert.notEqual(orphan.code, 0);
  assert.match(orphan.stderr, /--condition-version needs --condition/);
});

test("role assignment create: an existing assignment (409) is returned, as az's idempotent create", async () => {
  const existing = { id: "existing", properties: { scope: ACCOUNT, roleDefinitionId: `/x/roleDefinitions/${CSU}`, principalId: OID } };
  const r = await run(
    ["role", "assignment", "create", "--assignee-object-id", OID, "--assignee-principal-type", "User", "--role", CSU, "--scope", ACCOUNT],
    (req) => {
      if (req.method === "PUT")
        return { status: 409, body: { error: { code: "RoleAssignmentExists", message: "The role assignment already exists." } } };
      if (req.url.includes("atScope")) return { body: { value: [existing] } };
      return undefined;
    },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), existing);
  assert.equal(
    r.lines[1],
    `GET ${ACCOUNT}/providers/Microsoft.Authorization/roleAssignments?$filter=atScope()&api-version=2020-04-01-preview`,
  );
});

test("role assignment create --role NAME that does not exist: az's message, exit 1, no PUT", async () => {
  const r = await run(
    [
      "role",
      "assignment",
      "create",
      "--assignee-object-id",
      OID,
      "--assignee-principal-type",
      "User",
      "--role",
      "Nope",
      "--scope",
      ACCOUNT,
    ],
    (req) => (req.url.includes("roleDefinitions") ? { body: { value: [] } } : undefined),
  );
  assert.equal(r.code, 1);
  assert.match(r.stderr, /ERROR: \(RoleNotFound\) Role 'Nope' doesn't exist\./);
  assert.ok(!r.requests.some((q) => q.method === "PUT"));
});

test("role assignment list --scope keeps assignments at exactly that scope and names roles and principals", async () => {
  const at = {
    id: "a1",
    name: "a1",
    type: "Microsoft.Authorization/roleAssignments",
    properties: { scope: ACCOUNT.toLowerCase(), roleDefinitionId: `/x/roleDefinitions/${CSU}`, principalId: OID, principalType: "User" },
  };
  const above = { ...at, id: "a2", name: "a2", properties: { ...at.properties, scope: `/subscriptions/${SUB}` } };
  const r = await run(["role", "assignment", "list", "--scope", ACCOUNT, "-o", "json"], (req) => {
    if (req.url.includes("roleAssignments")) return { body: { value: [at, above] } };
    if (req.url.includes("roleDefinitions"))
      return { body: { value: [{ id: CSU, name: CSU, properties: { roleName: "Cognitive Services User" } }] } };
    if (req.url.includes("getByIds"))
      return { body: { value: [{ id: OID, "@odata.type": "#microsoft.graph.user", userPrincipalName: "alice@keyless.local" }] } };
    return undefined;
  });
  assert.equal(r.code, 0, r.stderr);
  const listed = JSON.parse(r.stdout);
  assert.equal(listed.length, 1);
  assert.equal(listed[0].roleDefinitionName, "Cognitive Services User");
  assert.equal(listed[0].principalName, "alice@keyless.local");
  assert.deepEqual(r.requests.find((q) => q.url.includes("getByIds"))!.body, {
    ids: [OID],
    types: ["user", "group", "servicePrincipal", "directoryObjectPartnerReference"],
  });
});

test("role assignment delete --assignee --role --scope deletes the matching assignment by id; none matching is az's error", async () => {
  const match = {
    id: `${ACCOUNT}/providers/Microsoft.Authorization/roleAssignments/r1`,
    properties: { scope: ACCOUNT, roleDefinitionId: `/x/roleDefinitions/${CSU}`, principalId: OID },
  };
  const responder: Responder = (req) => {
    if (req.url.includes("/graph/v1.0/servicePrincipals")) return { body: { value: [] } };
    if (req.url.includes("getByIds")) return { body: { value: [{ id: OID, "@odata.type": "#microsoft.graph.user" }] } };
    if (req.method === "GET" && req.url.includes("roleAssignments")) return { body: { value: [match] } };
    if (req.method === "DELETE") return { status: 200, body: match };
    return undefined;
  };
  const r = await run(["role", "assignment", "delete", "--assignee", OID, "--role", CSU, "--scope", ACCOUNT], responder);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(
    r.lines.includes(
      `GET ${ACCOUNT}/providers/Microsoft.Authorization/roleAssignments?$filter=principalId eq '${OID}'&api-version=2020-04-01-preview`,
    ),
  );
  assert.equal(r.lines.at(-1), `DELETE ${match.id}?api-version=2020-04-01-preview`);
  const none = await run(
    ["role", "assignment", "delete", "--assignee", OID, "--role", "b24988ac-6180-42a0-ab88-20f7382dd24c", "--scope", ACCOUNT],
    responder,
  );
  assert.equal(none.code, 1);
  assert.match(none.stderr, /No matched assignments were found to delete/);
});

test("resource show picks the provider's first non-preview api-version, as az", async () => {
  const r = await run(
    [
      "resource",
      "show",
      "-g",
      "rg-ai",
      "-n",
      "acct1",
      "--resource-type",
      "Microsoft.CognitiveServices/accounts",
      "--query",
      "id",
      "-o",
      "tsv",
    ],
    (req) => {
      if (req.url.includes("/providers/Microsoft.CognitiveServices?"))
        return {
          body: {
            namespace: "Microsoft.CognitiveServices",
            resourceTypes: [{ resourceType: "accounts", apiVersions: ["2025-01-01-preview", "2024-10-01", "2023-05-01"] }],
          },
        };
      if (req.url.includes("/accounts/acct1")) return { body: { id: ACCOUNT } };
      return undefined;
    },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `${ACCOUNT}\n`);
  assert.deepEqual(r.lines, [
    `GET /subscriptions/${SUB}/providers/Microsoft.CognitiveServices?api-version=2021-04-01`,
    `GET /subscriptions/${SUB}/resourcegroups/rg-ai/providers/Microsoft.CognitiveServices/accounts/acct1?api-version=2024-10-01`,
  ]);
});

test("group create / delete: the ARM bodies, and a 202 delete is polled until it succeeds", async () => {
  const create = await run(["group", "create", "-n", "rg-ai", "-l", "eastus", "--tags", "team=ai", "--tags", "env"], (req) =>
    req.method === "PUT" ? { status: 201, body: { id: "rg" } } : undefined,
  );
  assert.equal(create.code, 0, create.stderr);
  assert.equal(create.lines[0], `PUT /subscriptions/${SUB}/resourcegroups/rg-ai?api-version=2021-04-01`);
  assert.deepEqual(create.requests[0]!.body, { location: "eastus", tags: { team: "ai", env: "" } });

  let polls = 0;
  const del = await run(["group", "delete", "-n", "rg-ai", "--yes"], (req) => {
    if (req.method === "DELETE")
      return {
        status: 202,
        headers: { location: `https://keyless.test/subscriptions/${SUB}/operationresults/op1?api-version=2021-04-01`, "retry-after": "0" },
      };
    if (req.url.includes("operationresults")) return ++polls < 3 ? { status: 202 } : { status: 200 };
    return undefined;
  });
  assert.equal(del.code, 0, del.stderr);
  assert.equal(polls, 3);
  const refused = await run(["group", "delete", "-n", "rg-ai"], () => undefined);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /Pass --yes/);
  assert.deepEqual(refused.requests, []);
});

test("ad group show by display name, member add/check bodies", async () => {
  const GID = "22222222-2222-2222-2222-222222222222";
  const responder: Responder = (req) => {
    if (req.url.includes("/graph/v1.0/groups?")) return { body: { value: [{ id: GID, displayName: "ai-devs" }] } };
    if (req.url.includes("checkMemberGroups")) return { body: { value: [GID] } };
    if (req.method === "POST") return { status: 204 };
    return undefined;
  };
  const show = await run(["ad", "group", "show", "--group", "ai-devs", "--query", "id", "-o", "tsv"], responder);
  assert.equal(show.stdout, `${GID}\n`);
  assert.equal(show.lines[0], "GET /graph/v1.0/groups?$filter=displayName eq 'ai-devs'");
  const add = await run(["ad", "group", "member", "add", "--group", "ai-devs", "--member-id", OID], responder);
  assert.equal(add.code, 0, add.stderr);
  assert.equal(add.lines[1], `POST /graph/v1.0/groups/${GID}/members/$ref`);
  assert.deepEqual(add.requests[1]!.body, { "@odata.id": `https://keyless.test/graph/v1.0/directoryObjects/${OID}` });
  const check = await run(["ad", "group", "member", "check", "--group", "ai-devs", "--member-id", OID], responder);
  assert.deepEqual(JSON.parse(check.stdout), { value: true });
  assert.deepEqual(check.requests[1]!.body, { groupIds: [GID] });
});

test("ad user create / sp show / app credential reset send Graph's shapes", async () => {
  const user = await run(
    ["ad", "user", "create", "--display-name", "Alice", "--user-principal-name", "alice@keyless.local", "--password", "Pw-123456"],
    () => ({ status: 201, body: { id: OID } }),
  );
  assert.deepEqual(user.requests[0]!.body, {
    accountEnabled: true,
    displayName: "Alice",
    userPrincipalName: "alice@keyless.local",
    mailNickname: "alice",
    passwordProfile: { password: "Pw-123456", forceChangePasswordNextSignIn: false },
  });
  const sp = await run(["ad", "sp", "show", "--id", "app-1"], (req) =>
    req.url.includes("servicePrincipals") ? { body: { value: [{ id: OID, appId: "app-1" }] } } : undefined,
  );
  assert.equal(sp.lines[0], "GET /graph/v1.0/servicePrincipals?$filter=servicePrincipalNames/any(c:c eq 'app-1')");
  const reset = await run(["ad", "app", "credential", "reset", "--id", "app-1"], (req) => {
    if (req.url.includes("/applications?"))
      return { body: { value: [{ id: "obj-1", appId: "app-1", passwordCredentials: [{ keyId: "k-old" }] }] } };
    if (req.url.endsWith("/addPassword")) return { body: { secretText: "new-secret" } };
    if (req.url.endsWith("/removePassword")) return { status: 204 };
    return undefined;
  });
  assert.equal(reset.code, 0, reset.stderr);
  assert.deepEqual(reset.lines.slice(1), [
    "POST /graph/v1.0/applications/obj-1/removePassword",
    "POST /graph/v1.0/applications/obj-1/addPassword",
  ]);
  assert.deepEqual(reset.requests[1]!.body, { keyId: "k-old" });
  assert.deepEqual(JSON.parse(reset.stdout), { appId: "app-1", password: "new-secret", tenant: TENANT });
});

test("role definition create reads az's PascalCase file and PUTs at the first assignable scope", async () => {
  const file = join(mkdtempSync(join(tmpdir(), "keyless-role-")), "role.json");
  writeFileSync(
    file,
    JSON.stringify({
      Name: "MaaS caller",
      Description: "Calls models",
      Actions: [],
      DataActions: ["Microsoft.CognitiveServices/accounts/MaaS/*"],
      AssignableScopes: [`/subscriptions/${SUB}`],
    }),
  );
  const r = await run(["role", "definition", "create", "--role-definition", `@${file}`], () => ({ status: 201, body: { id: "d" } }));
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.lines[0]!,
    new RegExp(
      `^PUT /subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/[0-9a-f-]{36}\\?api-version=2018-01-01-preview$`,
    ),
  );
  assert.deepEqual(r.requests[0]!.body, {
    properties: {
      roleName: "MaaS caller",
      description: "Calls models",
      type: "CustomRole",
      permissions: [{ actions: [], notActions: [], dataActions: ["Microsoft.CognitiveServices/accounts/MaaS/*"], notDataActions: [] }],
      assignableScopes: [`/subscriptions/${SUB}`],
    },
  });
  const bad = await run(["role", "definition", "create", "--role-definition", '{"Name":"x"}'], () => undefined);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /'AssignableScopes' is required/);
});

test("role check-access posts the principal and the data action to checkAccess at the scope", async () => {
  const r = await run(
    [
      "role",
      "check-access",
      "--assignee",
      OID,
      "--data-action",
      "Microsoft.CognitiveServices/accounts/MaaS/chat/completions/action",
      "--scope",
      ACCOUNT,
    ],
    (req) => {
      if (req.url.includes("servicePrincipals")) return { body: { value: [] } };
      if (req.url.includes("getByIds")) return { body: { value: [{ id: OID, "@odata.type": "#microsoft.graph.user" }] } };
      if (req.url.includes("checkAccess")) return { body: { allowed: false, reason: "no-matching-assignment" } };
      return undefined;
    },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.lines.at(-1), `POST ${ACCOUNT}/providers/Microsoft.Authorization/checkAccess?api-version=2020-04-01-preview`);
  assert.deepEqual(r.requests.at(-1)!.body, {
    principalId: OID,
    dataAction: "Microsoft.CognitiveServices/accounts/MaaS/chat/completions/action",
  });
});

test("cognitiveservices account create / deployment create (2.45 syntax) / keys regenerate bodies", async () => {
  const created = await run(
    [
      "cognitiveservices",
      "account",
      "create",
      "-n",
      "acct1",
      "-g",
      "rg-ai",
      "--kind",
      "AIServices",
      "--sku",
      "S0",
      "-l",
      "eastus",
      "--disable-local-auth",
      "--yes",
    ],
    () => ({ status: 200, body: { id: ACCOUNT, properties: { provisioningState: "Succeeded" } } }),
  );
  assert.equal(created.code, 0, created.stderr);
  assert.equal(
    created.lines[0],
    `PUT /subscriptions/${SUB}/resourcegroups/rg-ai/providers/Microsoft.CognitiveServices/accounts/acct1?api-version=2022-12-01`,
  );
  assert.deepEqual(created.requests[0]!.body, {
    kind: "AIServices",
    sku: { name: "S0" },
    location: "eastus",
    properties: { disableLocalAuth: true },
  });
  const deployment = await run(
    [
      "cognitiveservices",
      "account",
      "deployment",
      "create",
      "-n",
      "acct1",
      "-g",
      "rg-ai",
      "--deployment-name",
      "chat",
      "--model-name",
      "gpt-4o-mini",
      "--model-version",
      "2024-07-18",
      "--model-format",
      "OpenAI",
      "--scale-settings-scale-type",
      "Standard",
    ],
    () => ({ status: 200, body: {} }),
  );
  assert.equal(deployment.code, 0, deployment.stderr);
  assert.deepEqual(deployment.requests[0]!.body, {
    properties: { model: { format: "OpenAI", name: "gpt-4o-mini", version: "2024-07-18" }, scaleSettings: { scaleType: "Standard" } },
  });
  const regenerate = await run(
    ["cognitiveservices", "account", "keys", "regenerate", "-n", "acct1", "-g", "rg-ai", "--key-name", "key2"],
    () => ({ body: { key1: "a", key2: "b" } }),
  );
  assert.equal(
    regenerate.lines[0],
    `POST /subscriptions/${SUB}/resourcegroups/rg-ai/providers/Microsoft.CognitiveServices/accounts/acct1/regenerateKey?api-version=2022-12-01`,
  );
  assert.deepEqual(regenerate.requests[0]!.body, { keyName: "Key2" });
});

test("audit list asks the activity log for the offset's window", async () => {
  const r = await run(["audit", "list", "--offset", "1d", "-g", "rg-ai"], () => ({ body: { value: [] } }));
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.lines[0]!,
    new RegExp(
      `^GET /subscriptions/${SUB}/providers/Microsoft.Insights/eventtypes/management/values\\?api-version=2015-04-01&\\$filter=eventTimestamp ge '\\d{4}-\\d\\d-\\d\\dT[^']+' and resourceGroupName eq 'rg-ai'$`,
    ),
  );
});

test("login with a device code: prints the message, polls through authorization_pending, then refreshes for Graph and the data plane", async () => {
  const dir = mkdtempSync(join(tmpdir(), "keyless-cli-"));
  openProfile(dir).putCloud({ name: "test", endpoint: "https://keyless.test" });
  openProfile(dir).setActiveCloud("test");
  const claims = Buffer.from(JSON.stringify({ upn: "alice@keyless.local", tid: TENANT, oid: OID })).toString("base64url");
  let polls = 0;
  const r = await run(
    ["login"],
    (req) => {
      const form = req.body instanceof URLSearchParams ? req.body : undefined;
      if (req.url.endsWith("/devicecode"))
        return {
          body: {
            device_code: "dc",
            user_code: "ABC-123",
            verification_uri: "https://keyless.test/device",
            expires_in: 900,
            interval: 1,
            message: "Open https://keyless.test/device and enter ABC-123",
          },
        };
      if (form?.get("grant_type") === "urn:ietf:params:oauth:grant-type:device_code") {
        return ++polls < 2
          ? { status: 400, body: { error: "authorization_pending", error_description: "pending" } }
          : { body: { access_token: `h.${claims}.s`, expires_in: 3600, refresh_token: "rt-1" } };
      }
      if (form?.get("grant_type") === "refresh_token")
        return { body: { access_token: `h.${claims}.s`, expires_in: 3600, refresh_token: "rt-2" } };
      if (req.url.includes("/subscriptions?"))
        return { body: { value: [{ subscriptionId: SUB, displayName: "Sub", state: "Enabled", tenantId: TENANT }] } };
      return undefined;
    },
    dir,
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Open https:\/\/keyless\.test\/device and enter ABC-123/);
  assert.equal(polls, 2);
  const grants = r.requests
    .filter((q) => q.body instanceof URLSearchParams)
    .map((q) => `${(q.body as URLSearchParams).get("grant_type") ?? "devicecode"} ${(q.body as URLSearchParams).get("scope") ?? ""}`);
  assert.deepEqual(grants, [
    "devicecode https://management.core.windows.net//.default offline_access openid profile",
    "urn:ietf:params:oauth:grant-type:device_code ",
    "urn:ietf:params:oauth:grant-type:device_code ",
    "refresh_token https://graph.microsoft.com/.default offline_access openid profile",
    "refresh_token https://cognitiveservices.azure.com/.default offline_access openid profile",
  ]);
  assert.equal(r.lines[0], "POST /organizations/oauth2/v2.0/devicecode");
  assert.equal(JSON.parse(r.stdout)[0].user.name, "alice@keyless.local");
  assert.equal(openProfile(dir).credential("test", "alice@keyless.local")!.refreshToken, "rt-2");
});

test("an expired token is renewed with the cached refresh token before the call", async () => {
  const dir = signedInConfigDir(SUB, TENANT);
  const profile = openProfile(dir);
  const credential = profile.credential("test", "admin@keyless.test")!;
  profile.putCredential("test", {
    ...credential,
    refreshToken: "rt-old",
    tokens: { ...credential.tokens, "https://management.core.windows.net/": { accessToken: "stale", expiresOn: 1 } },
  });
  const r = await run(
    ["group", "list"],
    (req) => {
      if (req.body instanceof URLSearchParams) return { body: { access_token: "fresh", expires_in: 3600, refresh_token: "rt-new" } };
      return { body: { value: [] } };
    },
    dir,
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal((r.requests[0]!.body as URLSearchParams).get("refresh_token"), "rt-old");
  assert.equal(r.lines[0], `POST /${TENANT}/oauth2/v2.0/token`);
  assert.equal(r.requests[1]!.headers!.authorization, "Bearer fresh");
  assert.equal(openProfile(dir).credential("test", "admin@keyless.test")!.refreshToken, "rt-new");
});

test("-o table uses az's columns for role assignment list; --query turns them off", async () => {
  const assignment = {
    id: "a1",
    name: "a1",
    type: "t",
    properties: { scope: ACCOUNT, roleDefinitionId: `/x/roleDefinitions/${CSU}`, principalId: OID, principalType: "User" },
  };
  const responder: Responder = (req) => {
    if (req.url.includes("roleAssignments")) return { body: { value: [assignment] } };
    if (req.url.includes("roleDefinitions"))
      return { body: { value: [{ id: CSU, name: CSU, properties: { roleName: "Cognitive Services User" } }] } };
    if (req.url.includes("getByIds")) return { body: { value: [{ id: OID, userPrincipalName: "alice@keyless.local" }] } };
    return undefined;
  };
  const table = await run(["role", "assignment", "list", "--scope", ACCOUNT, "-o", "table"], responder);
  assert.equal(table.stdout.split("\n")[0]!.replace(/ +/g, " "), "Principal Role Scope");
  assert.match(table.stdout.split("\n")[2]!, /^alice@keyless\.local +Cognitive Services User +\/subscriptions\//);
  const queried = await run(
    ["role", "assignment", "list", "--scope", ACCOUNT, "-o", "table", "--query", "[].{Who:principalId}"],
    responder,
  );
  assert.equal(queried.stdout.split("\n")[0]!.trim(), "Who");
});

test("login --identity: App Service protocol per resource, accounts listed, renewed from the endpoint later", async () => {
  const dir = mkdtempSync(join(tmpdir(), "keyless-cli-"));
  openProfile(dir).putCloud({ name: "test", endpoint: "https://keyless.test" });
  openProfile(dir).setActiveCloud("test");
  const claims = Buffer.from(JSON.stringify({ tid: TENANT, oid: OID })).toString("base64url");
  const transport = recordingTransport((req) => {
    if (req.url.startsWith("https://keyless.test/managed-identity/app-service"))
      return {
        body: {
          access_token: `h.${claims}.s`,
          expires_on: String(Math.floor(Date.now() / 1000) + 3600),
          resource: new URL(req.url).searchParams.get("resource"),
        },
      };
    if (req.url.includes("/subscriptions?"))
      return { body: { value: [{ subscriptionId: SUB, displayName: "Sub", state: "Enabled", tenantId: TENANT }] } };
    return undefined;
  });
  const env = {
    KEYLESS_CONFIG_DIR: dir,
    IDENTITY_ENDPOINT: "https://keyless.test/managed-identity/app-service",
    IDENTITY_HEADER: "mi-secret",
  };
  const r = await runInProcess(["login", "--identity", "-u", "client-1"], { env, transport });
  assert.equal(r.code, 0, r.stderr);
  const miCalls = transport.requests.filter((q) => q.url.includes("managed-identity"));
  assert.deepEqual(
    miCalls.map((q) => new URL(q.url).searchParams.get("resource")),
    ["https://management.core.windows.net/", "https://graph.microsoft.com", "https://cognitiveservices.azure.com"],
  );
  assert.ok(
    miCalls.every(
      (q) =>
        q.headers!["x-identity-header"] === "mi-secret" &&
        new URL(q.url).searchParams.get("client_id") === "client-1" &&
        new URL(q.url).searchParams.get("api-version") === "2019-08-01",
    ),
  );
  assert.deepEqual(JSON.parse(r.stdout)[0].user, { name: "client-1", type: "servicePrincipal" });

  const missing = await runInProcess(["login", "--identity"], { env: { KEYLESS_CONFIG_DIR: dir }, transport });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /IDENTITY_ENDPOINT and IDENTITY_HEADER, or MSI_ENDPOINT/);
});

test("login -p with an empty password (an unset variable) is a usage error that says so; nothing is sent", async () => {
  const dir = mkdtempSync(join(tmpdir(), "keyless-cli-"));
  openProfile(dir).putCloud({ name: "test", endpoint: "https://keyless.test" });
  openProfile(dir).setActiveCloud("test");
  const transport = recordingTransport(() => undefined);
  const user = await runInProcess(["login", "-u", "admin@keyless.local", "-p", ""], { env: { KEYLESS_CONFIG_DIR: dir }, transport });
  assert.equal(user.code, 2);
  assert.match(
    user.stderr,
    /the password is empty \(is the variable you passed set in this shell\?\)\. The administrator's password is KEYLESS_ADMIN_PASSWORD/,
  );
  const sp = await runInProcess(["login", "--service-principal", "-u", "app-1", "-p", "", "--tenant", TENANT], {
    env: { KEYLESS_CONFIG_DIR: dir },
    transport,
  });
  assert.equal(sp.code, 2);
  assert.match(sp.stderr, /the secret is empty/);
  assert.deepEqual(transport.requests, []);
});

test("login --service-principal --certificate sends a signed client assertion (x5t, aud = token endpoint)", async () => {
  const { ensureLocalTls } = await import("../../src/http/tls.ts");
  const { readFileSync } = await import("node:fs");
  const { X509Certificate, createHash, verify } = await import("node:crypto");
  const tlsDir = mkdtempSync(join(tmpdir(), "keyless-cert-"));
  const tls = await ensureLocalTls(tlsDir, []);
  const pemPath = join(tlsDir, "sp.pem");
  const certPem = readFileSync(tls.certPath, "utf8").split(/(?<=-----END CERTIFICATE-----)/)[0]!;
  writeFileSync(pemPath, `${certPem}\n${readFileSync(tls.keyPath, "utf8")}`);

  const dir = mkdtempSync(join(tmpdir(), "keyless-cli-"));
  openProfile(dir).putCloud({ name: "test", endpoint: "https://keyless.test" });
  openProfile(dir).setActiveCloud("test");
  const claims = Buffer.from(JSON.stringify({ tid: TENANT, oid: OID })).toString("base64url");
  const transport = recordingTransport((req) => {
    if (req.url.endsWith("/oauth2/v2.0/token")) return { body: { access_token: `h.${claims}.s`, expires_in: 3600 } };
    if (req.url.includes("/subscriptions?"))
      return { body: { value: [{ subscriptionId: SUB, displayName: "Sub", state: "Enabled", tenantId: TENANT }] } };
    return undefined;
  });
  const r = await runInProcess(["login", "--service-principal", "-u", "app-1", "--certificate", pemPath, "--tenant", TENANT], {
    env: { KEYLESS_CONFIG_DIR: dir },
    transport,
  });
  assert.equal(r.code, 0, r.stderr);
  const form = transport.requests[0]!.body as URLSearchParams;
  assert.equal(form.get("grant_type"), "client_credentials");
  assert.equal(form.get("client_assertion_type"), "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
  assert.equal(form.get("client_secret"), null);
  const [header, payload, signature] = form.get("client_assertion")!.split(".");
  const certificate = new X509Certificate(certPem);
  assert.equal(
    JSON.parse(Buffer.from(header!, "base64url").toString()).x5t,
    createHash("sha1").update(certificate.raw).digest("base64url"),
  );
  const body = JSON.parse(Buffer.from(payload!, "base64url").toString());
  assert.equal(body.aud, `https://keyless.test/${TENANT}/oauth2/v2.0/token`);
  assert.equal(body.iss, "app-1");
  assert.ok(verify("sha256", Buffer.from(`${header}.${payload}`), certificate.publicKey, Buffer.from(signature!, "base64url")));
  assert.equal(openProfile(dir).credential("test", "app-1")!.certificatePath, pemPath);
});

test("chat without a prompt is a session: each line is a turn, the history grows, answers stream to stdout", async () => {
  const sse = (text: string) =>
    `data: {"choices":[{"delta":{"content":"${text}"}}]}\r\n\r\ndata: {"choices":[{"delta":{"content":"!"}}]}\r\n\r\ndata: [DONE]\r\n\r\n`;
  let turn = 0;
  const transport = recordingTransport(() => ({ body: sse(`answer ${++turn}`) }));
  const r = await runInProcess(["chat", "--account", "acct1", "--deployment", "chat", "--system", "Be brief."], {
    env: { KEYLESS_CONFIG_DIR: signedInConfigDir(SUB, TENANT) },
    transport,
    input: ["hello", "", "again"],
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "answer 1!\nanswer 2!\n");
  assert.equal(transport.requests.length, 2);
  assert.equal(line(transport.requests[0]!), "POST /accounts/acct1/models/chat/completions?api-version=2024-05-01-preview");
  assert.equal(transport.requests[0]!.headers!.accept, "text/event-stream");
  assert.deepEqual(transport.requests[1]!.body, {
    model: "chat",
    stream: true,
    messages: [
      { role: "system", content: "Be brief." },
      { role: "user", content: "hello" },
      { role: "assistant", content: "answer 1!" },
      { role: "user", content: "again" },
    ],
  });
});
