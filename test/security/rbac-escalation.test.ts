import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type AzureCli, azureCli, azureCliInstalled } from "../harness/azure-cli.ts";
import { ARM_SCOPE, adminCredential, appCredential, call, GRAPH_SCOPE, registerApp } from "../harness/clients.ts";
import { useKeyless } from "../harness/keyless.ts";
import { RoleIds } from "../harness/role-ids.ts";

const AUTHZ = "providers/Microsoft.Authorization";
const RA = "Microsoft.Authorization/roleAssignments";

/** Azure's "constrain roles" delegation condition: write and delete only assignments of these roles. */
function constrainRoles(roleIds: readonly string[]): string {
  const set = roleIds.join(", ");
  return (
    `((!(ActionMatches{'${RA}/write'})) OR (@Request[${RA}:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${set}})) AND ` +
    `((!(ActionMatches{'${RA}/delete'})) OR (@Resource[${RA}:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${set}}))`
  );
}

/**
 * Threats: a delegated role administrator escalating past its delegation condition (the condition was dropped, so
 * "may only assign Cognitive Services User" let it assign itself Owner); a condition Keyless cannot evaluate stored
 * and ignored; a custom role taking a built-in role's name so that `--role Reader` means something else.
 */
describe("RBAC escalation: delegation conditions are stored and enforced, role names are unambiguous", () => {
  const keyless = useKeyless();
  let adminArm: string;
  let sub: string;
  let account: string;
  let delegate: { appId: string; secret: string; objectId: string };
  let target: { appId: string; secret: string; objectId: string };
  let adminObjectId: string;

  const url = (path: string) => `${keyless.facts.url}${path}?api-version=2022-04-01`;
  const tokenOf = async (app: { appId: string; secret: string }) =>
    (await appCredential(keyless.facts, app.appId, app.secret).getToken(ARM_SCOPE))!.token;
  const assign = (token: string, scope: string, roleDefinitionId: string, principalId: string, extra: object = {}) =>
    call("PUT", url(`${scope}/${AUTHZ}/roleAssignments/${crypto.randomUUID()}`), token, {
      properties: { roleDefinitionId, principalId, ...extra },
    });
  const assignmentsOf = async (principalId: string) =>
    (
      await call(
        "GET",
        `${url(`${sub}/${AUTHZ}/roleAssignments`)}&$filter=${encodeURIComponent(`principalId eq '${principalId}'`)}`,
        adminArm,
      )
    ).body.value as { name: string; properties: { roleDefinitionId: string; condition: string | null; conditionVersion: string | null } }[];

  before(async () => {
    const admin = adminCredential(keyless.facts);
    adminArm = (await admin.getToken(ARM_SCOPE))!.token;
    const graph = (await admin.getToken(GRAPH_SCOPE))!.token;
    delegate = await registerApp(keyless.facts, graph, "escalation-delegate");
    target = await registerApp(keyless.facts, graph, "escalation-target");
    adminObjectId = (await call("GET", `${keyless.facts.url}/graph/v1.0/me`, graph)).body.id;
    sub = `/subscriptions/${keyless.facts.subscriptionId}`;
    account = `${sub}/resourceGroups/${keyless.facts.demo!.resourceGroup}/providers/Microsoft.CognitiveServices/accounts/${keyless.facts.demo!.account}`;
  });

  test("RBAC Administrator constrained to Cognitive Services User cannot assign itself Owner, nor remove others' roles", async () => {
    const condition = constrainRoles([RoleIds.cognitiveServicesUser]);
    const delegation = await assign(adminArm, sub, RoleIds.roleBasedAccessControlAdministrator, delegate.objectId, {
      condition,
      conditionVersion: "2.0",
    });
    assert.equal(delegation.status, 201, JSON.stringify(delegation.body));
    assert.equal(delegation.body.properties.condition, condition);
    assert.equal(delegation.body.properties.conditionVersion, "2.0");
    const [stored] = await assignmentsOf(delegate.objectId);
    assert.equal(stored?.properties.condition, condition, "GET/list returns the condition");

    const token = await tokenOf(delegate);
    const selfOwner = await assign(token, sub, RoleIds.owner, delegate.objectId);
    assert.equal(selfOwner.status, 403, JSON.stringify(selfOwner.body));
    assert.equal(selfOwner.body.error.code, "AuthorizationFailed");
    const selfUaa = await assign(token, account, RoleIds.userAccessAdministrator, delegate.objectId);
    assert.equal(selfUaa.status, 403);
    assert.deepEqual(
      (await assignmentsOf(delegate.objectId)).map((a) => a.name),
      [stored!.name],
      "no assignment was added",
    );

    const allowed = await assign(token, account, RoleIds.cognitiveServicesUser, target.objectId);
    assert.equal(allowed.status, 201, JSON.stringify(allowed.body));
    const removed = await call("DELETE", url(allowed.body.id), token);
    assert.equal(removed.status, 200);

    // Delete is constrained by the role of the assignment removed (@Resource): the administrator's Owner stays.
    const reader = await assign(adminArm, account, RoleIds.reader, target.objectId);
    assert.equal(reader.status, 201);
    const refused = await call("DELETE", url(reader.body.id), token);
    assert.equal(refused.status, 403, JSON.stringify(refused.body));
    assert.equal((await call("GET", url(reader.body.id), adminArm)).status, 200);
  });

  test("principal-type and all-but-privileged conditions are enforced as Azure documents them", async () => {
    const helper = await registerApp(
      keyless.facts,
      (await adminCredential(keyless.facts).getToken(GRAPH_SCOPE))!.token,
      "escalation-helper",
    );
    const privileged = [RoleIds.owner, RoleIds.roleBasedAccessControlAdministrator, RoleIds.userAccessAdministrator].join(", ");
    const condition =
      `((!(ActionMatches{'${RA}/write'})) OR (@Request[${RA}:RoleDefinitionId] ForAnyOfAllValues:GuidNotEquals {${privileged}} ` +
      `AND @Request[${RA}:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {'User', 'Group'})) AND ` +
      `((!(ActionMatches{'${RA}/delete'})) OR (@Resource[${RA}:RoleDefinitionId] ForAnyOfAllValues:GuidNotEquals {${privileged}}))`;
    const delegation = await assign(adminArm, sub, RoleIds.userAccessAdministrator, helper.objectId, { condition });
    assert.equal(delegation.status, 201, JSON.stringify(delegation.body));
    assert.equal(delegation.body.properties.conditionVersion, "2.0", "the version defaults to 2.0");
    const token = await tokenOf(helper);
    // A service principal is not a User or Group; the administrator (a User) is, but Owner is excluded.
    const spReader = await assign(token, account, RoleIds.reader, target.objectId);
    assert.equal(spReader.status, 403, JSON.stringify(spReader.body));
    assert.equal((await assign(token, account, RoleIds.owner, adminObjectId)).status, 403);
    const userReader = await assign(token, account, RoleIds.reader, adminObjectId);
    assert.equal(userReader.status, 201, JSON.stringify(userReader.body));
  });

  test("a condition Keyless cannot evaluate, or a version other than 2.0, is refused with 400 InvalidCondition and stores nothing", async () => {
    const before = (await assignmentsOf(target.objectId)).length;
    const cases: [string, object][] = [
      ["storage attribute", { condition: "@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringEquals 'logs'" }],
      ["unknown operator", { condition: `@Request[${RA}:PrincipalType] ForAnyOfAnyValues:StringLike {'U*'}` }],
      ["mixed AND/OR", { condition: `ActionMatches{'${RA}/write'} AND ActionMatches{'a'} OR ActionMatches{'b'}` }],
      ["not a GUID", { condition: `@Request[${RA}:RoleDefinitionId] GuidEquals owner` }],
      ["version 1.0", { condition: constrainRoles([RoleIds.reader]), conditionVersion: "1.0" }],
      ["version without condition", { conditionVersion: "2.0" }],
      ["deep nesting", { condition: `${"(".repeat(5000)}ActionMatches{'x'}${")".repeat(5000)}` }],
    ];
    for (const [what, extra] of cases) {
      const response = await assign(adminArm, account, RoleIds.reader, target.objectId, extra);
      assert.equal(response.status, 400, `${what}: ${JSON.stringify(response.body)}`);
      assert.equal(response.body.error.code, "InvalidCondition", what);
    }
    assert.equal((await assignmentsOf(target.objectId)).length, before);
  });

  test("an assignment's description is bounded (1,000 of 1 MB each made every list of the subscription's assignments fail)", async () => {
    const before = (await assignmentsOf(target.objectId)).length;
    const tooLong = await assign(adminArm, account, RoleIds.reader, target.objectId, { description: "d".repeat(1000 * 1000) });
    assert.equal(tooLong.status, 400, JSON.stringify(tooLong.body).slice(0, 300));
    assert.equal(tooLong.body.error.code, "InvalidRequestContent");
    assert.equal((await assignmentsOf(target.objectId)).length, before);
    const longest = await assign(adminArm, account, RoleIds.cognitiveServicesOpenAIUser, target.objectId, {
      description: "d".repeat(2048),
    });
    assert.equal(longest.status, 201, JSON.stringify(longest.body).slice(0, 300));
    assert.equal(longest.body.properties.description.length, 2048);
    const id = longest.body.id as string;
    assert.equal((await call("DELETE", url(id), adminArm)).status, 200);
  });

  test("an assignment's scope is bounded (ids of 16,384 characters or more collide in every node's policy maps)", async () => {
    const before = (await assignmentsOf(target.objectId)).length;
    const deep = `${account}${`/things/${"t".repeat(90)}`.repeat(50)}`;
    assert.ok(deep.length > 4096 && deep.length < 8192);
    const tooLong = await assign(adminArm, deep, RoleIds.reader, target.objectId);
    assert.equal(tooLong.status, 400, JSON.stringify(tooLong.body).slice(0, 300));
    assert.equal(tooLong.body.error.code, "InvalidScope");
    assert.ok(tooLong.body.error.message.length < 400, "the message does not echo the whole scope");
    assert.equal((await assignmentsOf(target.objectId)).length, before);
  });

  test("a role definition's permission condition must be one Keyless evaluates", async () => {
    const response = await call("PUT", url(`${sub}/${AUTHZ}/roleDefinitions/${crypto.randomUUID()}`), adminArm, {
      properties: {
        roleName: "Conditional Delegator",
        assignableScopes: [sub],
        permissions: [{ actions: [`${RA}/write`], condition: "@Principal[x] StringEquals 'y'", conditionVersion: "2.0" }],
      },
    });
    assert.equal(response.status, 400, JSON.stringify(response.body));
    assert.equal(response.body.error.code, "InvalidCondition");
  });

  test("a custom role cannot take a built-in role's name, in any case, nor another custom role's", async () => {
    for (const roleName of ["Reader", "reader", " OWNER ", "cognitive services user"]) {
      const response = await call("PUT", url(`${sub}/${AUTHZ}/roleDefinitions/${crypto.randomUUID()}`), adminArm, {
        properties: { roleName, assignableScopes: [sub], permissions: [{ actions: ["*"] }] },
      });
      assert.equal(response.status, 409, `${roleName}: ${JSON.stringify(response.body)}`);
      assert.equal(response.body.error.code, "RoleDefinitionWithSameNameExists");
    }
    const rg = `${sub}/resourceGroups/${keyless.facts.demo!.resourceGroup}`;
    const first = await call("PUT", url(`${sub}/${AUTHZ}/roleDefinitions/${crypto.randomUUID()}`), adminArm, {
      properties: { roleName: "Model Caller", assignableScopes: [rg], permissions: [{ actions: ["*/read"] }] },
    });
    assert.equal(first.status, 201, JSON.stringify(first.body));
    const second = await call("PUT", url(`${sub}/${AUTHZ}/roleDefinitions/${crypto.randomUUID()}`), adminArm, {
      properties: { roleName: "MODEL CALLER", assignableScopes: [rg], permissions: [{ actions: ["*"] }] },
    });
    assert.equal(second.status, 409);
    assert.equal(second.body.error.code, "RoleDefinitionWithSameNameExists");
    const readers = await call(
      "GET",
      `${url(`${sub}/${AUTHZ}/roleDefinitions`)}&$filter=${encodeURIComponent("roleName eq 'Reader'")}`,
      adminArm,
    );
    assert.deepEqual(
      readers.body.value.map((r: { name: string }) => r.name),
      [RoleIds.reader],
      "--role Reader resolves to the one built-in role",
    );
  });

  describe("with the Azure CLI 2.45", { skip: !azureCliInstalled && "azure-cli not installed" }, () => {
    let az: AzureCli;
    let operator: { appId: string; secret: string; objectId: string };
    let delegated: { appId: string; secret: string; objectId: string };
    before(async () => {
      const graph = (await adminCredential(keyless.facts).getToken(GRAPH_SCOPE))!.token;
      operator = await registerApp(keyless.facts, graph, "escalation-az-operator");
      delegated = await registerApp(keyless.facts, graph, "escalation-az-delegate");
      assert.equal((await assign(adminArm, sub, RoleIds.owner, operator.objectId)).status, 201);
      az = await azureCli(keyless.facts);
      await az.ok(["login", "--service-principal", "-u", operator.appId, `-p=${operator.secret}`, "--tenant", keyless.facts.tenantId]);
    });
    after(() => az?.cleanup());

    test("az role assignment create --condition … --condition-version 2.0 stores the condition, and it is enforced", async () => {
      const condition = constrainRoles([RoleIds.cognitiveServicesUser]);
      const created = await az.ok([
        "role",
        "assignment",
        "create",
        "--assignee-object-id",
        delegated.objectId,
        "--assignee-principal-type",
        "ServicePrincipal",
        "--role",
        "Role Based Access Control Administrator",
        "--scope",
        sub,
        "--condition",
        condition,
        "--condition-version",
        "2.0",
      ]);
      assert.equal(created.condition, condition);
      assert.equal(created.conditionVersion, "2.0");
      const listed = await az.ok(["role", "assignment", "list", "--assignee", delegated.objectId, "--scope", sub]);
      assert.equal(listed.length, 1);
      assert.equal(listed[0].condition, condition);

      const token = await tokenOf(delegated);
      assert.equal((await assign(token, sub, RoleIds.owner, delegated.objectId)).status, 403);
      assert.equal((await assign(token, account, RoleIds.cognitiveServicesUser, target.objectId)).status, 201);

      const refused = await az.run([
        "role",
        "assignment",
        "create",
        "--assignee-object-id",
        target.objectId,
        "--assignee-principal-type",
        "ServicePrincipal",
        "--role",
        "Reader",
        "--scope",
        account,
        "--condition",
        "@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringEquals 'logs'",
        "--condition-version",
        "2.0",
      ]);
      assert.notEqual(refused.code, 0);
      assert.match(refused.stderr, /condition is invalid/);
    });
  });
});
