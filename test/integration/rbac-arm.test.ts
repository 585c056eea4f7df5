import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { AuthorizationManagementClient } from "@azure/arm-authorization";
import ModelClient from "@azure-rest/ai-inference";
import { ARM_SCOPE, adminCredential, appCredential, COGNITIVE_SCOPE, call, GRAPH_SCOPE, registerApp } from "../harness/clients.ts";
import { useKeyless } from "../harness/keyless.ts";
import { RoleIds } from "../harness/role-ids.ts";

const AUTHZ = "providers/Microsoft.Authorization";
/** The JS SDK's path templates are `/{scope}/…` and `/{roleAssignmentId}`: its samples pass ids without the leading slash. */
const sdk = (id: string) => id.replace(/^\//, "");
const CHAT = "Microsoft.CognitiveServices/accounts/MaaS/chat/completions/action";

describe("RBAC over ARM: role definitions, assignments, deny assignments, permissions, check-access", () => {
  const keyless = useKeyless();
  let armToken: string;
  let app: { appId: string; secret: string; objectId: string };
  let sub: string;
  let rg: string;
  let account: string;
  let client: AuthorizationManagementClient;
  const customRoleId = crypto.randomUUID();

  const arm = (method: string, path: string, body?: unknown, token = armToken) =>
    call(method, `${keyless.facts.url}${path}${path.includes("?") ? "&" : "?"}api-version=2022-04-01`, token, body);
  const maasRole = (name: string, scopes: string[], dataActions = ["Microsoft.CognitiveServices/accounts/MaaS/*"]) => ({
    properties: {
      roleName: name,
      description: "Calls Foundry Models",
      assignableScopes: scopes,
      permissions: [{ actions: [], notActions: [], dataActions, notDataActions: [] }],
    },
  });
  const chat = () =>
    ModelClient(keyless.facts.demo!.endpoint, appCredential(keyless.facts, app.appId, app.secret), {
      credentials: { scopes: [COGNITIVE_SCOPE] },
    })
      .path("/chat/completions")
      .post({ body: { model: keyless.facts.demo!.deployment, messages: [{ role: "user", content: "hi" }] } });

  before(async () => {
    const admin = adminCredential(keyless.facts);
    armToken = (await admin.getToken(ARM_SCOPE))!.token;
    app = await registerApp(keyless.facts, (await admin.getToken(GRAPH_SCOPE))!.token, "rbac-arm-test-app");
    sub = `/subscriptions/${keyless.facts.subscriptionId}`;
    rg = `${sub}/resourceGroups/${keyless.facts.demo!.resourceGroup}`;
    account = `${rg}/providers/Microsoft.CognitiveServices/accounts/${keyless.facts.demo!.account}`;
    client = new AuthorizationManagementClient(admin, keyless.facts.subscriptionId, {
      endpoint: keyless.facts.url,
      credentialScopes: [ARM_SCOPE],
    });
  });

  test("built-in roles are listed at every scope, filtered by name, with the scope's subscription in the id", async () => {
    for (const scope of [sub, rg, account, `${account}/deployments/echo`]) {
      const found = await arm(
        "GET",
        `${scope}/${AUTHZ}/roleDefinitions?$filter=${encodeURIComponent("roleName eq 'Cognitive Services User'")}`,
      );
      assert.equal(found.status, 200, JSON.stringify(found.body));
      assert.equal(found.body.value.length, 1);
      assert.equal(found.body.value[0].id, `${sub}/${AUTHZ}/roleDefinitions/${RoleIds.cognitiveServicesUser}`);
      assert.equal(found.body.value[0].properties.type, "BuiltInRole");
    }
    const tenantLevel = await arm("GET", `/${AUTHZ}/roleDefinitions/${RoleIds.owner}`);
    assert.equal(tenantLevel.body.id, `/${AUTHZ}/roleDefinitions/${RoleIds.owner}`);
    assert.deepEqual(tenantLevel.body.properties.permissions[0].actions, ["*"]);
  });

  test("custom roles follow ARM's rules and refuse bad input without a state change", async () => {
    const bad = async (body: unknown, status: number, code: string) => {
      const response = await arm("PUT", `${sub}/${AUTHZ}/roleDefinitions/${crypto.randomUUID()}`, body);
      assert.equal(response.status, status, JSON.stringify(response.body));
      assert.equal(response.body.error.code, code);
    };
    await bad(maasRole("No scopes", []), 400, "InvalidRoleDefinition");
    await bad(maasRole("Root scope", ["/"]), 400, "InvalidAssignableScope");
    await bad(maasRole("Wildcard scope", [`${sub}/resourceGroups/*`]), 400, "InvalidAssignableScope");
    await bad(
      maasRole("MG data role", ["/providers/Microsoft.Management/managementGroups/mg1"]),
      400,
      "DataActionsNotAllowedWithManagementGroupScope",
    );
    await bad({ properties: { roleName: 7 } }, 400, "InvalidRequestContent");
    const builtIn = await arm("PUT", `${sub}/${AUTHZ}/roleDefinitions/${RoleIds.owner}`, maasRole("Owner again", [sub]));
    assert.equal(builtIn.body.error.code, "BuiltInRoleCannotBeModified");
    const customs = await arm("GET", `${sub}/${AUTHZ}/roleDefinitions?$filter=${encodeURIComponent("type eq 'CustomRole'")}`);
    assert.deepEqual(customs.body.value, []);
  });

  test("a custom MaaS role is created, kept unique by name, updated in place, and listed where assignable", async () => {
    const created = await arm("PUT", `${sub}/${AUTHZ}/roleDefinitions/${customRoleId}`, maasRole("Foundry Models Caller", [sub]));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.name, customRoleId);
    assert.equal(created.body.properties.type, "CustomRole");
    const clash = await arm("PUT", `${sub}/${AUTHZ}/roleDefinitions/${crypto.randomUUID()}`, maasRole("foundry models caller", [sub]));
    assert.equal(clash.status, 409);
    assert.equal(clash.body.error.code, "RoleDefinitionWithSameNameExists");
    const updated = await arm("PUT", `${sub}/${AUTHZ}/roleDefinitions/${customRoleId}`, {
      properties: { ...maasRole("Foundry Models Caller", [sub]).properties, description: "v2" },
    });
    assert.equal(updated.status, 200);
    assert.equal(updated.body.properties.description, "v2");
    assert.equal(updated.body.properties.createdOn, created.body.properties.createdOn);
    const atAccount = await arm(
      "GET",
      `${account}/${AUTHZ}/roleDefinitions?$filter=${encodeURIComponent("roleName eq 'Foundry Models Caller'")}`,
    );
    assert.equal(atAccount.body.value[0].id, `${sub}/${AUTHZ}/roleDefinitions/${customRoleId}`);
    const viaSdk = await client.roleDefinitions.get(sdk(sub), customRoleId);
    assert.equal(viaSdk.roleName, "Foundry Models Caller");
    assert.deepEqual(viaSdk.permissions?.[0]?.dataActions, ["Microsoft.CognitiveServices/accounts/MaaS/*"]);
  });

  test("a custom role cannot be assigned above its assignable scopes", async () => {
    const narrowId = crypto.randomUUID();
    assert.equal((await arm("PUT", `${rg}/${AUTHZ}/roleDefinitions/${narrowId}`, maasRole("Resource group only", [rg]))).status, 201);
    const above = await arm("PUT", `${sub}/${AUTHZ}/roleAssignments/${crypto.randomUUID()}`, {
      properties: { roleDefinitionId: narrowId, principalId: app.objectId },
    });
    assert.equal(above.status, 400);
    assert.equal(above.body.error.code, "RoleNotAssignableAtScope");
    const inside = await arm("PUT", `${account}/${AUTHZ}/roleAssignments/${crypto.randomUUID()}`, {
      properties: { roleDefinitionId: narrowId, principalId: app.objectId },
    });
    assert.equal(inside.status, 201, JSON.stringify(inside.body));
    assert.equal((await arm("DELETE", `${account}/${AUTHZ}/roleAssignments/${inside.body.name}`)).status, 200);
    assert.equal((await arm("DELETE", `${rg}/${AUTHZ}/roleDefinitions/${narrowId}`)).status, 200);
  });

  test("a service principal without roleDefinitions/write cannot create a role", async () => {
    const spToken = (await appCredential(keyless.facts, app.appId, app.secret).getToken(ARM_SCOPE))!.token;
    const response = await arm("PUT", `${sub}/${AUTHZ}/roleDefinitions/${crypto.randomUUID()}`, maasRole("Sneaky", [sub]), spToken);
    assert.equal(response.status, 403);
    assert.equal(response.body.error.code, "AuthorizationFailed");
    assert.match(response.body.error.message, /Microsoft\.Authorization\/roleDefinitions\/write/);
    const explanation = response.body.error.explanation;
    assert.equal(explanation.allowed, false, "ARM denials carry the shared explanation");
    assert.equal(explanation.action, "Microsoft.Authorization/roleDefinitions/write");
    assert.ok(
      explanation.suggestedRoles.some((r: { roleName: string }) => r.roleName === "User Access Administrator"),
      JSON.stringify(explanation.suggestedRoles),
    );
  });

  test("a resource provider's AuthorizationFailed (reading an account) carries the same explanation", async () => {
    const spToken = (await appCredential(keyless.facts, app.appId, app.secret).getToken(ARM_SCOPE))!.token;
    const response = await call("GET", `${keyless.facts.url}${account}?api-version=2023-05-01`, spToken);
    assert.equal(response.status, 403, JSON.stringify(response.body));
    assert.equal(response.body.error.code, "AuthorizationFailed");
    assert.match(response.body.error.message, /Microsoft\.CognitiveServices\/accounts\/read/);
    const explanation = response.body.error.explanation;
    assert.equal(explanation.allowed, false, JSON.stringify(response.body));
    assert.equal(explanation.action, "Microsoft.CognitiveServices/accounts/read");
    assert.equal(explanation.scope.toLowerCase(), account.toLowerCase());
    assert.ok(
      explanation.suggestedRoles.some((r: { roleName: string }) => r.roleName === "Reader"),
      JSON.stringify(explanation.suggestedRoles),
    );
  });

  test("Contributor on the account manages it but gets 401 on chat; the custom MaaS role gets 200; deleting it denies the next call", async () => {
    const contributor = await client.roleAssignments.create(sdk(account), crypto.randomUUID(), {
      roleDefinitionId: `${sub}/${AUTHZ}/roleDefinitions/${RoleIds.contributor}`,
      principalId: app.objectId,
      principalType: "ServicePrincipal",
    });
    const spToken = (await appCredential(keyless.facts, app.appId, app.secret).getToken(ARM_SCOPE))!.token;
    const manage = await call("POST", `${keyless.facts.url}${account}/${AUTHZ}/checkAccess?api-version=2022-04-01`, spToken, {
      action: "Microsoft.CognitiveServices/accounts/write",
    });
    assert.equal(manage.body.allowed, true, "Contributor may manage the account");
    const denied = await chat();
    assert.equal(denied.status, "401");
    assert.equal((denied.body as { error: { code: string } }).error.code, "PermissionDenied");

    const name = crypto.randomUUID();
    const custom = await client.roleAssignments.create(sdk(account), name, {
      roleDefinitionId: `${sub}/${AUTHZ}/roleDefinitions/${customRoleId}`,
      principalId: app.objectId,
    });
    assert.equal(custom.name, name);
    assert.equal((await chat()).status, "200");
    const byId = await client.roleAssignments.getById(sdk(custom.id!));
    assert.equal(byId.roleDefinitionId, `${sub}/${AUTHZ}/roleDefinitions/${customRoleId}`);

    const inUse = await arm("DELETE", `${sub}/${AUTHZ}/roleDefinitions/${customRoleId}`);
    assert.equal(inUse.status, 409);
    assert.equal(inUse.body.error.code, "RoleDefinitionHasAssignments");

    await client.roleAssignments.delete(sdk(account), name);
    assert.equal((await chat()).status, "401", "the very next call after the deletion is denied");
    await client.roleAssignments.delete(sdk(account), contributor.name!);
  });

  test("assignments list at a scope: atScope(), principalId, assignedTo(), no filter, and paging by nextLink", async () => {
    const names = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    const reader = `${sub}/${AUTHZ}/roleDefinitions/${RoleIds.reader}`;
    await client.roleAssignments.create(sdk(sub), names[0]!, { roleDefinitionId: reader, principalId: app.objectId });
    await client.roleAssignments.create(sdk(rg), names[1]!, {
      roleDefinitionId: `${sub}/${AUTHZ}/roleDefinitions/${RoleIds.cognitiveServicesUser}`,
      principalId: app.objectId,
    });
    await client.roleAssignments.create(sdk(account), names[2]!, {
      roleDefinitionId: `${sub}/${AUTHZ}/roleDefinitions/${customRoleId}`,
      principalId: app.objectId,
    });
    const list = async (scope: string, filter?: string) => {
      const out: string[] = [];
      for await (const a of client.roleAssignments.listForScope(sdk(scope), filter ? { filter } : {}))
        if (a.principalId === app.objectId) out.push(a.name!);
      return out.sort();
    };
    assert.deepEqual(await list(rg, "atScope()"), [names[0]!, names[1]!].sort(), "at and above");
    assert.deepEqual(await list(rg), [...names].sort(), "no filter: at, above and below");
    assert.deepEqual(await list(rg, `principalId eq '${app.objectId}'`), [...names].sort());
    assert.deepEqual(await list(account, `assignedTo('${app.objectId}')`), [...names].sort());
    const bad = await arm("GET", `${rg}/${AUTHZ}/roleAssignments?$filter=${encodeURIComponent("roleName eq 'x'")}`);
    assert.equal(bad.body.error.code, "InvalidFilter");

    const first = await arm("GET", `${account}/${AUTHZ}/roleAssignments?$top=1`);
    assert.equal(first.body.value.length, 1);
    assert.match(first.body.nextLink, /\$skipToken=/);
    const seen = [first.body.value[0].name];
    let next: string | undefined = first.body.nextLink;
    while (next) {
      const page = await call("GET", next, armToken);
      seen.push(...page.body.value.map((a: { name: string }) => a.name));
      next = page.body.nextLink;
    }
    assert.equal(new Set(seen).size, seen.length, "pages do not repeat");
    for (const n of names) assert.ok(seen.includes(n));
    for (const [i, n] of names.entries()) await client.roleAssignments.delete(sdk([sub, rg, account][i]!), n);
    const gone = await arm("DELETE", `${sub}/${AUTHZ}/roleDefinitions/${customRoleId}`);
    assert.equal(gone.status, 200);
    assert.equal((await arm("DELETE", `${sub}/${AUTHZ}/roleDefinitions/${customRoleId}`)).status, 204);
  });

  test("a long assignment list walked as the Azure CLI's SDK walks nextLink ends, each assignment once", async () => {
    // The Python SDK rebuilds each next request from nextLink's query with names merged case-insensitively, the
    // last one kept: a nextLink carrying both `$skipToken` and `$skiptoken` loses one of them.
    const count = 205;
    const created: string[] = [];
    for (let i = 0; i < count; i++) {
      const id = `${sub}/resourceGroups/paging-${i}/${AUTHZ}/roleAssignments/${crypto.randomUUID()}`;
      const put = await arm("PUT", id, {
        properties: { roleDefinitionId: `${sub}/${AUTHZ}/roleDefinitions/${RoleIds.reader}`, principalId: app.objectId },
      });
      assert.equal(put.status, 201);
      created.push(id);
    }
    const asPythonSdk = (link: string) => {
      const url = new URL(link);
      const merged = new Map<string, [string, string]>();
      for (const [name, value] of url.searchParams) merged.set(name.toLowerCase(), [name, value]);
      url.search = new URLSearchParams([...merged.values()]).toString();
      return url.toString();
    };
    const filter = encodeURIComponent(`principalId eq '${app.objectId}'`);
    const seen: string[] = [];
    let next: string | undefined = `${keyless.facts.url}${sub}/${AUTHZ}/roleAssignments?api-version=2022-04-01&$top=101&$filter=${filter}`;
    for (let pages = 0; next; pages++) {
      assert.ok(pages < 20, "the walk ends");
      const page = await call("GET", next, armToken);
      assert.equal(page.status, 200);
      seen.push(
        ...page.body.value
          .filter((a: { properties: { scope: string } }) => a.properties.scope.includes("/paging-"))
          .map((a: { name: string }) => a.name),
      );
      next = page.body.nextLink ? asPythonSdk(page.body.nextLink) : undefined;
    }
    assert.equal(new Set(seen).size, seen.length, "no assignment twice");
    assert.equal(seen.length, count);
    for (const id of created) assert.equal((await arm("DELETE", id)).status, 200);
  });

  test("permissions shows the caller's effective permissions at a scope", async () => {
    const response = await arm("GET", `${account}/${AUTHZ}/permissions`);
    assert.equal(response.status, 200);
    assert.ok(
      response.body.value.some((p: { actions: string[] }) => p.actions.includes("*")),
      "the administrator is Owner",
    );
    assert.ok(
      response.body.value.every((p: { dataActions: string[] }) => p.dataActions.length === 0),
      "Owner holds no data actions",
    );
  });

  test("check-access answers with the granting assignment, or with what is missing and which role to assign", async () => {
    const denied = await call("POST", `${keyless.facts.url}${account}/${AUTHZ}/checkAccess?api-version=2022-04-01`, armToken, {
      principalId: app.objectId,
      dataAction: CHAT,
    });
    assert.equal(denied.status, 200, JSON.stringify(denied.body));
    assert.equal(denied.body.allowed, false);
    assert.equal(denied.body.suggestedRoles[0].roleName, "Cognitive Services User");
    assert.match(denied.body.missing, /MaaS\/chat\/completions/);
    const name = crypto.randomUUID();
    await client.roleAssignments.create(sdk(account), name, {
      roleDefinitionId: `${sub}/${AUTHZ}/roleDefinitions/${RoleIds.cognitiveServicesUser}`,
      principalId: app.objectId,
    });
    const allowed = await call(
      "POST",
      `${keyless.facts.url}${account}/deployments/echo/${AUTHZ}/checkAccess?api-version=2022-04-01`,
      armToken,
      { principalId: app.objectId, dataAction: CHAT },
    );
    assert.equal(allowed.body.allowed, true);
    assert.equal(allowed.body.grants[0].roleName, "Cognitive Services User");
    assert.equal(allowed.body.grants[0].roleAssignmentId, name);
    const both = await call("POST", `${keyless.facts.url}${account}/${AUTHZ}/checkAccess?api-version=2022-04-01`, armToken, {
      action: "a",
      dataAction: "b",
    });
    assert.equal(both.body.error.code, "InvalidRequestContent");

    const denyId = crypto.randomUUID();
    const deny = await arm("PUT", `${account}/${AUTHZ}/denyAssignments/${denyId}`, {
      properties: {
        denyAssignmentName: "no chat",
        principals: [{ id: app.objectId, type: "ServicePrincipal" }],
        permissions: [{ dataActions: [CHAT] }],
      },
    });
    assert.equal(deny.status, 201, JSON.stringify(deny.body));
    assert.equal((await chat()).status, "401", "a deny assignment wins over the role");
    const listed = await arm("GET", `${rg}/${AUTHZ}/denyAssignments`);
    assert.deepEqual(
      listed.body.value.map((d: { name: string }) => d.name),
      [denyId],
    );
    const explained = await call("POST", `${keyless.facts.url}${account}/${AUTHZ}/checkAccess?api-version=2022-04-01`, armToken, {
      principalId: app.objectId,
      dataAction: CHAT,
    });
    assert.equal(explained.body.reason, "deny-assignment");
    assert.equal(explained.body.denyAssignmentId, denyId);
  });
});
