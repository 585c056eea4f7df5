import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import ModelClient, { isUnexpected } from "@azure-rest/ai-inference";
import { ARM_SCOPE, adminCredential, appCredential, COGNITIVE_SCOPE, call, GRAPH_SCOPE, registerApp } from "../harness/clients.ts";
import { useKeyless } from "../harness/keyless.ts";
import { RoleIds } from "../harness/role-ids.ts";

describe("foundation: keyless chat completion through token service, RBAC and data plane", () => {
  const keyless = useKeyless();
  let app: { appId: string; secret: string; objectId: string };
  let armToken: string;
  let accountId: string;
  const assignmentName = crypto.randomUUID();

  before(async () => {
    const admin = adminCredential(keyless.facts);
    const graphToken = (await admin.getToken(GRAPH_SCOPE))!.token;
    armToken = (await admin.getToken(ARM_SCOPE))!.token;
    app = await registerApp(keyless.facts, graphToken, "foundation-test-app");
    const { subscriptionId, demo } = keyless.facts;
    accountId = `/subscriptions/${subscriptionId}/resourceGroups/${demo!.resourceGroup}/providers/Microsoft.CognitiveServices/accounts/${demo!.account}`;
  });

  const modelClient = () =>
    ModelClient(keyless.facts.demo!.endpoint, appCredential(keyless.facts, app.appId, app.secret), {
      credentials: { scopes: [COGNITIVE_SCOPE] },
    });
  const chat = (content: string) =>
    modelClient()
      .path("/chat/completions")
      .post({ body: { model: keyless.facts.demo!.deployment, messages: [{ role: "user", content }] } });

  test("without a role assignment the service principal gets 401 PermissionDenied naming it and the data action", async () => {
    const response = await chat("hello");
    assert.equal(response.status, "401");
    assert.ok(isUnexpected(response));
    assert.equal(response.body.error.code, "PermissionDenied");
    assert.match(response.body.error.message, new RegExp(app.objectId));
    assert.match(response.body.error.message, /Microsoft\.CognitiveServices\/accounts\/MaaS\/chat\/completions\/action/);
    const suggested = (response.body.error as unknown as { explanation: { suggestedRoles: { roleName: string }[] } }).explanation
      .suggestedRoles;
    assert.ok(suggested.some((r) => r.roleName === "Cognitive Services User"));
  });

  test("with Cognitive Services User at the account, the chat completion comes back", async () => {
    const put = await call(
      "PUT",
      `${keyless.facts.url}${accountId}/providers/Microsoft.Authorization/roleAssignments/${assignmentName}?api-version=2022-04-01`,
      armToken,
      {
        properties: {
          roleDefinitionId: `/subscriptions/${keyless.facts.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${RoleIds.cognitiveServicesUser}`,
          principalId: app.objectId,
          principalType: "ServicePrincipal",
        },
      },
    );
    assert.equal(put.status, 201, JSON.stringify(put.body));
    const response = await chat("hello keyless");
    assert.equal(response.status, "200", JSON.stringify(response.body));
    assert.ok(!isUnexpected(response));
    assert.equal(response.body.choices[0]!.message.content, 'You said: "hello keyless"');
    assert.ok(response.body.usage.total_tokens > 0);
  });

  test("a second identical assignment is refused with 409 RoleAssignmentExists and changes nothing", async () => {
    const again = await call(
      "PUT",
      `${keyless.facts.url}${accountId}/providers/Microsoft.Authorization/roleAssignments/${crypto.randomUUID()}?api-version=2022-04-01`,
      armToken,
      {
        properties: { roleDefinitionId: RoleIds.cognitiveServicesUser, principalId: app.objectId },
      },
    );
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, "RoleAssignmentExists");
  });

  test("restarting keeps tenant, principals, signing keys and assignments", async () => {
    const before = keyless.facts;
    await keyless.restart();
    assert.equal(keyless.facts.tenantId, before.tenantId);
    assert.equal(keyless.facts.subscriptionId, before.subscriptionId);
    const response = await chat("after restart");
    assert.equal(response.status, "200", JSON.stringify(response.body));
  });

  test("deleting the assignment takes effect at once", async () => {
    const del = await call(
      "DELETE",
      `${keyless.facts.url}${accountId}/providers/Microsoft.Authorization/roleAssignments/${assignmentName}?api-version=2022-04-01`,
      armToken,
    );
    assert.equal(del.status, 200);
    const response = await chat("hello");
    assert.equal(response.status, "401");
  });
});
