import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import ModelClient from "@azure-rest/ai-inference";
import { ARM_SCOPE, COGNITIVE_SCOPE, GRAPH_SCOPE, adminCredential, appCredential, call, registerApp } from "../harness/clients.ts";
import { type KeylessProcess, startKeyless } from "../harness/keyless-process.ts";

const COGNITIVE_SERVICES_USER = "a97b65f3-24c7-4388-baec-2e87135dc908";

let keyless: KeylessProcess;
before(async () => {
  keyless = await startKeyless();
});
after(async () => {
  await keyless?.stop();
  keyless?.cleanup();
});

test("a role held by a group reaches members of nested groups; removing the membership denies the very next call", async () => {
  const { facts } = keyless;
  const graph = `${facts.url}/graph/v1.0`;
  const admin = adminCredential(facts);
  const graphToken = (await admin.getToken(GRAPH_SCOPE))!.token;
  const app = await registerApp(facts, graphToken, "group-member-app");
  const group = async (name: string) =>
    (
      await call("POST", `${graph}/groups`, graphToken, {
        displayName: name,
        mailNickname: name,
        mailEnabled: false,
        securityEnabled: true,
      })
    ).body.id as string;
  const ref = (id: string) => ({ "@odata.id": `${graph}/directoryObjects/${id}` });
  const outer = await group("model-users");
  const inner = await group("team-a");
  assert.equal((await call("POST", `${graph}/groups/${outer}/members/$ref`, graphToken, ref(inner))).status, 204);
  assert.equal((await call("POST", `${graph}/groups/${inner}/members/$ref`, graphToken, ref(app.objectId))).status, 204);

  const accountId = `/subscriptions/${facts.subscriptionId}/resourceGroups/keyless-demo/providers/Microsoft.CognitiveServices/accounts/keyless-demo`;
  const assignment = await call(
    "PUT",
    `${facts.url}${accountId}/providers/Microsoft.Authorization/roleAssignments/${crypto.randomUUID()}?api-version=2022-04-01`,
    (await admin.getToken(ARM_SCOPE))!.token,
    {
      properties: {
        roleDefinitionId: `/subscriptions/${facts.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${COGNITIVE_SERVICES_USER}`,
        principalId: outer,
      },
    },
  );
  assert.equal(assignment.status, 201, JSON.stringify(assignment.body));
  assert.equal(assignment.body.properties.principalType, "Group");

  const client = ModelClient(facts.demo!.endpoint, appCredential(facts, app.appId, app.secret), {
    credentials: { scopes: [COGNITIVE_SCOPE] },
  });
  const chat = () =>
    client.path("/chat/completions").post({ body: { model: "echo", messages: [{ role: "user", content: "through my group" }] } });
  const allowed = await chat();
  assert.equal(allowed.status, "200", JSON.stringify(allowed.body));

  assert.equal((await call("DELETE", `${graph}/groups/${inner}/members/${app.objectId}/$ref`, graphToken)).status, 204);
  const denied = await chat();
  assert.equal(denied.status, "401");
  assert.equal((denied.body as { error: { code: string } }).error.code, "PermissionDenied");
});
